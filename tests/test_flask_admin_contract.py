"""The Flask-Admin internals the panel relies on, checked against the installed version.

Flask-Admin has no public hook for what the panel changes (the list's query, the gate, the forms of
a reflected column), so the panel overrides or calls a few private names. Each is listed here with
the parameters the panel passes; an upgrade that renames or reshapes one fails here, naming it,
instead of somewhere in a page. A private name of Flask-Admin used in ``backoffice/`` but missing
from this list fails too, so the list stays the whole contract.
"""

import ast
import inspect
from pathlib import Path

import flask_admin
import pytest
import sqlalchemy as sa
from flask_admin import BaseView
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterConverter
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.contrib.sqla.validators import Unique
from flask_admin.model.base import ViewArgs
from flask_admin.model.template import DeleteRowAction, TemplateLinkRowAction
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

#: Private method -> (its class, the parameters the panel relies on, in order).
METHODS = {
    "_get_list_extra_args": (ModelView, ["self"]),
    "_get_list_url": (ModelView, ["self", "view_args"]),
    "_apply_search": (ModelView, ["self", "query", "count_query", "joins", "count_joins", "search"]),
    "_apply_filters": (ModelView, ["self", "query", "count_query", "joins", "count_joins", "filters"]),
    "_apply_sorting": (ModelView, ["self", "query", "joins", "sort_column", "sort_desc"]),
    "_apply_pagination": (ModelView, ["self", "query", "page", "page_size"]),
    "_get_column_by_idx": (ModelView, ["self", "idx"]),
    "_get_filter_groups": (ModelView, ["self"]),
    "_handle_view": (BaseView, ["self", "name"]),
    "_on_model_change": (ModelView, ["self", "form", "model", "is_created"]),
    "_refresh_cache": (ModelView, ["self"]),
    "_nullable_common": (AdminModelConverter, ["column", "field_args"]),  # a staticmethod
    "_get_label": (AdminModelConverter, ["self", "name", "field_args"]),
}
#: Private attributes a model view holds once built (the listing and the details page read them).
VIEW_ATTRIBUTES = [
    "_details_columns",
    "_export_columns",
    "_filters",
    "_list_columns",
    "_search_fields",
    "_search_supported",
]
#: Public methods the panel overrides, with the parameters it relies on.
OVERRIDDEN = {
    (ModelView, "get_count_query"): ["self"],
    (ModelView, "scaffold_form"): ["self"],
    (ModelView, "get_list_row_actions"): ["self"],
    (ModelView, "is_sortable"): ["self", "name"],
    (AdminModelConverter, "get_converter"): ["self", "column"],
    (FilterConverter, "convert"): ["self", "type_name", "column", "name"],
}
#: The fields of a list's arguments that ListRequest reads and sets.
VIEW_ARGS = ["page", "page_size", "sort", "sort_desc", "search", "filters", "extra_args"]
FLASK_ADMIN = Path(flask_admin.__file__).parent
BACKOFFICE = Path(__file__).resolve().parent.parent / "backoffice"


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.mark.parametrize("name", METHODS)
def test_a_private_method_the_panel_relies_on_is_still_there(name):
    owner, expected = METHODS[name]
    method = getattr(owner, name, None)
    assert callable(method), f"Flask-Admin's {owner.__name__}.{name} is gone"
    assert _parameters(method)[: len(expected)] == expected, f"{owner.__name__}.{name} changed its parameters"


@pytest.mark.parametrize("owner, name", OVERRIDDEN)
def test_a_method_the_panel_overrides_keeps_its_parameters(owner, name):
    expected = OVERRIDDEN[owner, name]
    assert _parameters(getattr(owner, name))[: len(expected)] == expected, f"{owner.__name__}.{name}"


class _Base(DeclarativeBase):
    pass


class _Probe(_Base):
    __tablename__ = "probe"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(20))


class _ProbeView(ModelView):
    can_view_details = True  # Flask-Admin builds _details_columns only then (GatedModelView always)
    column_searchable_list = ["name"]
    column_filters = ["name"]


def test_a_built_view_holds_the_attributes_the_panel_reads():
    view = _ProbeView(_Probe, SQLAlchemy())  # built outside any app: nothing is queried
    missing = [name for name in VIEW_ATTRIBUTES if not hasattr(view, name)]
    assert missing == [], f"Flask-Admin's views no longer hold {missing}"
    assert view._search_supported and view._filters and view._export_columns


def test_the_list_arguments_and_the_row_actions_keep_their_shape():
    args = ViewArgs(page=2, extra_args={"table": "x"})
    assert all(hasattr(args, name) for name in VIEW_ARGS)
    assert args.clone(page=None).page is None and args.clone().extra_args == {"table": "x"}
    assert issubclass(DeleteRowAction, object) and _parameters(TemplateLinkRowAction.__init__)[:3] == [
        "self",
        "template_name",
        "title",
    ]


def test_the_unique_validator_still_recognises_the_edited_row_by_form_obj():
    # RoundTripForm sets form._obj for it (Flask-Admin's own BaseForm does, FlaskForm does not).
    assert "form._obj" in inspect.getsource(Unique)


def _private_names(root: Path, defined: bool) -> set[str]:
    """Single-underscore names ``root``'s code defines (methods) or uses (attributes)."""
    names = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if defined and isinstance(node, ast.FunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            if not defined and isinstance(node, ast.FunctionDef):
                names.add(node.name)  # an override is a use
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_the_contract_lists_every_private_name_of_flask_admin_the_panel_uses():
    ours = _private_names(BACKOFFICE, defined=False)
    theirs = _private_names(FLASK_ADMIN, defined=True) | _private_names(FLASK_ADMIN, defined=False)
    # WTForms' own, which Flask-Admin's fields share: a form's fields, a field's text as shown.
    listed = set(METHODS) | set(VIEW_ATTRIBUTES) | {"_obj", "_fields", "_value"}
    assert (ours & theirs) - listed == set()
