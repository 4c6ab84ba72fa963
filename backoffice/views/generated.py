"""One admin view per reflected table, with no per-table code.

Defaults come from the schema (keys, types, sizes, indexes, names); the declarative file
overrides them. The choices that keep the views safe on a reflected database are made here, once:
keys and foreign keys listed explicitly (Flask-Admin hides them otherwise), a stable default
order ending in the key, secrets left out everywhere, server defaults left to the server.
"""

import sqlalchemy as sa
from flask_admin.contrib.sqla.filters import FilterEqual, FilterNotEqual
from flask_admin.model.fields import AjaxSelectField
from flask_babel import lazy_gettext
from sqlalchemy.dialects import mysql
from wtforms import SelectChoice, SelectField, validators

from ..catalogue import Catalogue, TableSettings
from ..extensions import db
from ..masking import is_secret, random_secret
from ..models.reflection import ReflectedTable
from ..naming import LOOKUP_PARTS, humanise, says
from .base import GatedModelView, foreign_key_formatter, masked_formatter
from .fields import no_field_reason, type_reason
from .lookups import KeyLoader, Lookup, coercion

#: How many columns a list shows when the file does not say.
DEFAULT_LIST_WIDTH = 10


class GeneratedModelView(GatedModelView):
    """Base of the views built by :func:`build_view` (a class per table)."""

    #: Attribute -> column name (they differ for renamed columns).
    column_names: dict[str, str] = {}
    #: Required secret attributes given a fresh random value when a row is created (a token).
    random_secrets: dict[str, sa.Column] = {}

    def scaffold_filters(self, name):
        value_map = self.value_maps.get(name)
        if value_map is None:
            return super().scaffold_filters(name)
        column, label = self.model.__table__.c[self.column_names[name]], self.get_column_name(name)
        # A select of the map's words (in the reader's language, hence a callable).
        return [kind(column, label, options=value_map.choices) for kind in (FilterEqual, FilterNotEqual)]

    def create_form(self, obj=None):
        return self._with_known_values(super().create_form(obj), None)

    def edit_form(self, obj=None):
        return self._with_known_values(super().edit_form(obj), obj)

    def _with_known_values(self, form, obj):
        """A mapped column's field offers the map's codes by their words, and the stored code
        when the map does not know it (a legacy code is kept by an unchanged save)."""
        for attr, value_map in self.value_maps.items():
            if hasattr(form, attr):
                current = getattr(obj, attr, None) if obj is not None else None
                blank = [("", "—")] if self.model.__table__.c[self.column_names[attr]].nullable else []
                getattr(form, attr).choices = blank + value_map.choices(current)
        return form

    def prettify_name(self, name: str) -> str:
        """A column's label when the file gives none: ``InvoiceLineId`` -> "Invoice Line Id"."""
        return humanise(self.column_names.get(name, name))

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if is_created:  # a required token the form never shows: a fresh random one
            for attr, column in self.random_secrets.items():
                setattr(model, attr, random_secret(column))

    def scaffold_form(self):
        form_class = super().scaffold_form()
        # A column the converter has no field for is said on the form, never dropped silently.
        notes = dict(self.form_notes)
        for name in self.form_columns:
            if not hasattr(form_class, name):
                notes[name] = type_reason(self.model.__table__.c[self.column_names[name]])
        self.form_notes = notes
        return form_class


def build_view(
    reflected: ReflectedTable,
    settings: TableSettings,
    catalogue: Catalogue,
    config: dict,
    tables: dict[str, ReflectedTable] | None = None,
) -> GeneratedModelView:
    """Build the admin view of one table; above ``BACKOFFICE_LARGE_TABLE_ROWS`` of ``config``
    (planner's estimate) it is a large one.

    ``tables`` (all reflected tables) lets foreign keys become links and form fields: a select up to
    ``BACKOFFICE_SELECT_ROWS`` rows, a search field above.
    """
    attrs = view_attributes(reflected, settings, catalogue, config["BACKOFFICE_LARGE_TABLE_ROWS"])
    links = foreign_key_attributes(
        reflected, settings, tables or {}, catalogue, config["BACKOFFICE_SELECT_ROWS"]
    )
    attrs["form_overrides"] = {**attrs["form_overrides"], **links.pop("form_overrides")}
    for name, args in links.pop("form_args").items():
        attrs["form_args"][name] = {**attrs["form_args"].get(name, {}), **args}
    attrs.update(links)
    attrs["column_formatters"] = {
        **attrs["column_formatters"],
        **dict.fromkeys(attrs["value_maps"], value_badge),
    }
    for name in attrs["value_maps"]:
        column = reflected.model.__table__.c[attrs["column_names"][name]]
        attrs["form_overrides"][name] = SelectField
        attrs["form_args"][name] = {**attrs["form_args"].get(name, {}), "coerce": coercion(column)}
    view_class = type(f"{reflected.model.__name__}View", (GeneratedModelView,), attrs)
    return view_class(
        reflected.model,
        db,
        name=settings.label or humanise(reflected.name.rpartition(".")[2]),
        endpoint=reflected.endpoint,
    )


def view_attributes(
    reflected: ReflectedTable, settings: TableSettings, catalogue: Catalogue, large_rows: int
) -> dict:
    """The class attributes of a table's view, from the schema and the file."""
    visible = [c for c in reflected.columns if not is_secret(c, settings) and c.name not in settings.hidden]
    attr = reflected.attributes
    keys = [c for c in reflected.columns if c.primary_key]
    large = reflected.estimated_rows > large_rows
    list_columns = _names(settings.list_columns) or [c.name for c in visible[:DEFAULT_LIST_WIDTH]]

    def cheap(columns: list[str]) -> list[str]:
        """On a large table, only what an index can sort or filter by; the file can widen it."""
        return [c for c in columns if c in reflected.indexed_columns] if large else columns

    not_in_form = _not_in_form(reflected, settings)
    unfilled = [c for c in reflected.columns if c.name in not_in_form and _required(c)]
    editable = [c for c in reflected.columns if c.name not in not_in_form]
    sortable = [n for n in _names(settings.sortable) or cheap(list_columns) if n not in reflected.unordered]
    return {
        "__doc__": f"Admin view of {reflected.table.fullname}.",
        "table_writable": not reflected.read_only and settings.read_only is None,
        "populated": reflected.populated,
        "value_identified": reflected.value_identified,
        "readonly_reason": _readonly_reason(reflected) or settings.read_only,
        "column_list": [attr[n] for n in list_columns],
        "column_details_list": [attr[c.name] for c in visible],
        "column_export_list": [attr[c.name] for c in visible],
        "form_columns": [attr[c.name] for c in editable],
        "form_notes": {attr[name]: reason for name, reason in not_in_form.items()},
        "create_blocked_by": tuple(c.name for c in unfilled if random_secret(c) is None),
        "random_secrets": {attr[c.name]: c for c in unfilled if random_secret(c) is not None},
        "column_names": {attr[c.name]: c.name for c in reflected.columns},
        "form_args": {attr[c.name]: _field_args(c) for c in editable if _field_args(c)},
        # Enums get the panel's select (Flask-Admin's passes WTForms choices in a deprecated form).
        "form_overrides": {attr[c.name]: SelectField for c in editable if isinstance(c.type, sa.Enum)},
        "column_searchable_list": [
            attr[n] for n in _names(settings.search) or cheap(_default_search(visible))
        ],
        "column_filters": [attr[n] for n in _names(settings.filters) or cheap(_default_filters(visible))],
        "column_sortable_list": [attr[n] for n in sortable],
        "exact_search": large,
        "column_default_sort": _default_sort(reflected, settings, visible),
        "column_labels": {
            attr[name]: label
            for name, label in (catalogue.column_labels | settings.labels).items()
            if name in attr
        },
        "readonly_columns": frozenset(attr[n] for n in settings.readonly),
        "key_columns": frozenset(attr[c.name] for c in keys),
        "secret_columns": tuple(attr[c.name] for c in reflected.columns if is_secret(c, settings)),
        "audited_columns": tuple(attr[c.name] for c in reflected.columns if not is_secret(c, settings)),
        "masked_columns": {attr[name]: roles for name, roles in settings.mask.items()},
        "value_maps": {
            attr[c.name]: value_map
            for c in visible
            if c.name not in settings.mask and (value_map := catalogue.value_map(settings, c.name))
        },
        "simple_list_pager": large,
        "page_size": settings.page_size or 25,
    }


def foreign_key_attributes(
    reflected: ReflectedTable,
    settings: TableSettings,
    tables: dict[str, ReflectedTable],
    catalogue: Catalogue,
    select_rows: int,
) -> dict:
    """Foreign keys to a table's single-column key: links in lists and details; in forms a select
    of the referred rows when that table has up to ``select_rows`` rows, a search-as-you-type
    field when it is larger."""
    attr = reflected.attributes
    lookups, columns = {}, {}
    for column in reflected.columns:
        target = _fk_target(column, tables)
        if target is not None and column.name not in settings.mask:
            table_key, key = target
            lookup = Lookup.to(tables[table_key], key, catalogue.table(table_key), select_rows)
            lookups[attr[column.name]] = lookup
            columns[attr[column.name]] = column
    small = {a for a, lookup in lookups.items() if lookup.small}
    loaders = {a: KeyLoader(a, lookup) for a, lookup in lookups.items() if a not in small}
    return {
        "foreign_keys": lookups,
        "column_formatters": {
            **{a: foreign_key_formatter for a in lookups},
            **{attr[name]: masked_formatter for name in settings.mask},
        },
        "form_overrides": {a: SelectField for a in small} | {a: AjaxSelectField for a in loaders},
        "form_args": {
            # The select turns the submitted text into the key's type before validation compares it.
            **{a: {"coerce": coercion(columns[a])} for a in small},
            **{a: {"loader": loader, "allow_blank": columns[a].nullable} for a, loader in loaders.items()},
        },
        "form_ajax_refs": loaders,
        "lookup_columns": frozenset(small),
    }


def value_badge(view, context, model, name):
    """A mapped column's code as its word, in its badge."""
    return view.value_maps[name].badge(getattr(model, name))


def _fk_target(column: sa.Column, tables: dict[str, ReflectedTable]) -> tuple[str, str] | None:
    """(table key, column) the column refers to, when that column is the target's whole key."""
    for fk in column.foreign_keys:
        *schema, table, target_column = fk.target_fullname.split(".")
        key = table if schema in ([], ["public"]) else f"{schema[0]}.{table}"
        target = tables.get(key)
        if target is not None and [c.name for c in target.table.primary_key.columns] == [target_column]:
            return key, target_column
    return None


def _not_in_form(reflected: ReflectedTable, settings: TableSettings) -> dict[str, str]:
    """Column -> why it has no field in the table's forms."""
    reasons = {}
    for column in reflected.columns:
        if is_secret(column, settings) and _required(column) and random_secret(column) is not None:
            reasons[column.name] = lazy_gettext("a secret: made at random for a new record, never shown")
        elif is_secret(column, settings):
            reasons[column.name] = lazy_gettext("a secret: never shown or entered in the panel")
        elif column.name in settings.hidden:
            reasons[column.name] = lazy_gettext("hidden by the configuration file")
        elif _generated_key(column):
            reasons[column.name] = lazy_gettext("filled in by the database")
        elif no_field_reason(column) is not None:
            reasons[column.name] = no_field_reason(column)
    return reasons


def _required(column: sa.Column) -> bool:
    """Must a new row be given a value for ``column`` (the database fills in none)?"""
    return not (column.nullable or column.server_default is not None or _filled_by_database(column))


def _field_args(column: sa.Column) -> dict:
    """A field's arguments: optional where the database has a default or fills the column in, an
    enum's values as choices."""
    args = {}
    if column.server_default is not None or _filled_by_database(column):
        args["validators"] = [validators.Optional()]
    if isinstance(column.type, sa.Enum):
        blank = [SelectChoice("", "—")] if column.nullable else []
        args["choices"] = blank + [SelectChoice(value, value) for value in column.type.enums]
        args["coerce"] = coercion(column)
    return args


def _readonly_reason(reflected: ReflectedTable):
    if not reflected.populated:
        return lazy_gettext(
            "This materialized view has not been filled yet, so it has no rows to show. The "
            "database owner fills it with REFRESH MATERIALIZED VIEW %(name)s.",
            name=reflected.table.fullname,
        )
    if reflected.kind != "table":
        return lazy_gettext("This is a database view: it can be browsed and exported, not edited.")
    if reflected.pseudo_key:
        return lazy_gettext(
            "This table has no primary key, so its rows cannot be told "
            "apart safely: it can be browsed and exported, not edited."
        )
    return None


def _names(columns: tuple[str, ...] | None) -> list[str]:
    return list(columns or ())


def _generated_key(column: sa.Column) -> bool:
    """A serial, identity or AUTO_INCREMENT key: the database fills it, so it stays out of forms."""
    return column.primary_key and _filled_by_database(column)


def _filled_by_database(column: sa.Column) -> bool:
    """A serial, identity or AUTO_INCREMENT column (a key or not), or a computed one."""
    default = str(getattr(column.server_default, "arg", ""))
    # Reflection marks serial and AUTO_INCREMENT columns autoincrement=True (the default is "auto").
    return (
        column.identity is not None
        or column.autoincrement is True
        or "nextval(" in default
        or column.computed is not None
    )


def _default_search(columns: list[sa.Column]) -> list[str]:
    """Short text columns that identify a row: the key and name-like columns."""
    return [
        c.name
        for c in columns
        if _plain_text(c)
        and not isinstance(c.type, sa.Text)
        and (c.primary_key or says(c.name, LOOKUP_PARTS))
    ][:4]


def _plain_text(column: sa.Column) -> bool:
    """Text that filters and searches compare as text (not a MySQL SET of members)."""
    return isinstance(column.type, sa.String) and not isinstance(column.type, mysql.SET)


def _default_filters(columns: list[sa.Column]) -> list[str]:
    """Dates, times, flags and codes: what operators narrow a list by."""
    chosen = [c.name for c in columns if isinstance(c.type, sa.Date | sa.DateTime)]
    chosen += [
        c.name
        for c in columns
        if isinstance(c.type, sa.Boolean) or (_plain_text(c) and (c.type.length or 99) <= 10)
    ]
    return chosen[:8]


def _default_sort(reflected: ReflectedTable, settings: TableSettings, visible: list[sa.Column]):
    """Newest first by the table's indexed time column (or key), ending in the key for stable pages."""
    # The key, else what the row is mapped on (ctid; a view's first column).
    keys = [c.name for c in reflected.columns if c.primary_key] or [
        sa.inspect(reflected.model).primary_key[0].name
    ]
    attr = reflected.attributes
    if settings.default_sort:
        column, descending = settings.default_sort
        return [(attr[column], descending)] + [(attr[k], descending) for k in keys if k != column]
    times = [
        c.name for c in visible if isinstance(c.type, sa.DateTime) and c.name in reflected.indexed_columns
    ]
    return [(attr[n], True) for n in times[:1] + keys if n not in reflected.unordered]
