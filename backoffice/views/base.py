"""The permission gate, and the base views that every panel view inherits.

Flask-Admin calls ``_handle_view(name)`` before every exposed method of a view, with the method's
name. The gate maps that name to a capability of the permission matrix and refuses anything it
does not know, so an endpoint added later is closed until someone grants it. Flask-Admin's own
``can_*`` flags only hide buttons; here they are answers of the same matrix, and the server never
relies on them.
"""

import json
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import abort, current_app, flash, g, has_request_context, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.typefmt import DEFAULT_FORMATTERS
from flask_admin.model.template import DeleteRowAction, TemplateLinkRowAction
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from wtforms import HiddenField

from .. import audit
from ..exports import FORMATS, TooManyRows, export_response
from ..extensions import db
from ..formatting import decimal, wib
from ..masking import mask_value
from ..models.reflection import ROW_VERSION
from ..permissions import PermissionMatrix
from .errors import log_database_error, plain_message
from .fields import PanelFilterConverter, PanelModelConverter
from .forms import RoundTripForm, is_untouched_against
from .row_values import RowsByValue

#: Which capability each of Flask-Admin's model endpoints needs.
MODEL_ENDPOINT_CAPABILITIES = {
    "index_view": "list",
    "details_view": "details",
    "create_view": "create",
    "edit_view": "edit",
    "delete_view": "delete",
    "action_view": "actions",
    "export": "export",
    "ajax_update": "edit",
    "ajax_lookup": "list",
}

#: The hidden field of edit forms that carries the row version the form was opened on.
VERSION_FIELD = "row_version"

#: Deepest list page and longest search accepted from a query string.
MAX_PAGE = 100_000
MAX_SEARCH = 200

#: The endpoints that change data: refused on read-only tables whatever the role.
WRITE_ENDPOINTS = frozenset({"create_view", "edit_view", "delete_view", "action_view", "ajax_update"})


def matrix() -> PermissionMatrix:
    """The permission matrix of the running application."""
    return current_app.extensions["backoffice"].matrix


def may(capability: str, view: str) -> bool:
    """May the logged-in user use ``capability`` on ``view`` (for links and figures to other views)?"""
    return current_user.is_authenticated and matrix().allows(current_user.role, capability, view)


class GateMixin:
    """Enforces the permission matrix on every endpoint a view serves.

    ``endpoint_capabilities`` maps each exposed method name to the capability it needs; a name
    missing from it is refused (fail closed).
    """

    #: Exposed method name -> capability of the permission matrix.
    endpoint_capabilities: dict[str, str] = {}

    def allows(self, capability: str) -> bool:
        """May the current user use ``capability`` on this view?"""
        if not has_request_context() or not current_user.is_authenticated:
            return False
        return matrix().allows(current_user.role, capability, self.endpoint)

    def is_accessible(self) -> bool:
        return self.allows("list")

    def _handle_view(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        capability = self.endpoint_capabilities.get(name)
        if capability is None or not self.allows(capability):
            abort(403)
        g.read_only = not matrix().may_write(current_user.role, self.endpoint)
        return None

    def safely(self, load, empty):
        """``load()``, or ``empty`` with a plain message when the database refuses (a timeout, say);
        the page still renders and the log has the detail."""
        try:
            return load()
        except sa.exc.DBAPIError as exc:
            db.session.rollback()
            log_database_error(self.endpoint, exc)
            flash(plain_message(exc), "error")
            return empty


class GatedBaseView(GateMixin, BaseView):
    """Base of hand-written (non-model) views: declare ``endpoint_capabilities``."""

    def export_or_back(self, build, back: str):
        """The download ``build()`` makes, or a redirect to ``back`` with a plain message when it
        would exceed its format's limit or the database refuses."""
        try:
            return build()
        except TooManyRows as exc:
            flash(exc.message, "error")
        except sa.exc.DBAPIError as exc:
            db.session.rollback()
            log_database_error(self.endpoint, exc)
            flash(plain_message(exc), "error")
        return redirect(back)


class HomeView(GateMixin, AdminIndexView):
    """The landing page: any logged-in user may see it (Flask-Admin leaves it public)."""

    endpoint_capabilities = {"index": "list"}

    def allows(self, capability: str) -> bool:
        return has_request_context() and current_user.is_authenticated


def foreign_key_formatter(view: "GatedModelView", context, model, name: str):
    """Column formatter of foreign keys: a link to the referred record, for those who may open it."""
    value = getattr(model, name)
    lookup = view.foreign_keys.get(name)
    if value is None or lookup is None:
        return value
    endpoint = lookup.endpoint
    if not may("details", endpoint):
        return value
    return Markup('<a href="{}">{}</a>').format(url_for(f"{endpoint}.details_view", id=value), value)


def masked_formatter(view: "GatedModelView", context, model, name: str):
    """Column formatter of masked columns: the value, masked for the roles the file names."""
    value = getattr(model, name)
    return mask_value(value) if view.masks(name) else value


class VersionedDeleteRowAction(TemplateLinkRowAction):
    """The list's delete button, with the version of the row as listed."""

    def __init__(self) -> None:
        super().__init__("backoffice_row_actions.versioned_delete_row", gettext("Delete Record"))


class GatedModelView(RowsByValue, GateMixin, ModelView):
    """Base of every model view: the gate, safe forms, plain error messages."""

    endpoint_capabilities = MODEL_ENDPOINT_CAPABILITIES
    form_base_class = RoundTripForm
    model_form_converter = PanelModelConverter
    filter_converter = PanelFilterConverter()
    create_template = "backoffice/model_create.html"
    edit_template = "backoffice/model_edit.html"
    list_template = "backoffice/model_list.html"
    details_template = "backoffice/model_details.html"
    column_display_pk = True
    can_set_page_size = True
    page_size = 25
    export_types = list(FORMATS)
    page_size_options = (25, 50, 100)
    #: Times in Jakarta as "22-Nov-2026 08:45:35", numbers with Indonesian separators (exports keep
    #: raw values: they go through their own pipeline).
    column_type_formatters = {
        **DEFAULT_FORMATTERS,
        datetime: lambda view, value, name: wib(value),
        date: lambda view, value, name: wib(value),
        Decimal: lambda view, value, name: decimal(value),
    }
    column_type_formatters_detail = column_type_formatters

    #: False for tables the panel may only read (no primary key, SQL views).
    table_writable: bool = True
    #: False for a materialized view never refreshed: nothing can be read from it.
    populated: bool = True
    #: Why the table is read-only, shown on its pages when ``table_writable`` is False.
    readonly_reason: str | None = None
    #: Columns never written from a form, whatever the submission contains.
    readonly_columns: frozenset[str] = frozenset()
    #: Primary key columns: shown on create, read-only on edit (changing a key is not an edit).
    key_columns: frozenset[str] = frozenset()
    #: Column -> roles that see it masked in lists, details and exports.
    masked_columns: dict[str, frozenset[str]] = {}
    #: Secret attributes: named on the details page as never shown, never with a value.
    secret_columns: tuple[str, ...] = ()
    #: Attributes an audit record shows, before and after a change (never secrets).
    audited_columns: tuple[str, ...] = ()
    #: Search by exact value (an index can answer it) instead of ILIKE '%term%': on for large tables.
    exact_search: bool = False
    #: Foreign key attribute -> the :class:`~.lookups.Lookup` of the records it may refer to.
    foreign_keys: dict = {}
    #: Foreign key attributes shown in forms as a select of the referred table's rows.
    lookup_columns: frozenset[str] = frozenset()
    #: Attribute -> why the column has no field in forms (said on the form page).
    form_notes: dict = {}
    #: Required columns without a field: a new row could never be saved, so create is not offered.
    create_blocked_by: tuple[str, ...] = ()

    def masks(self, column: str) -> bool:
        """Does the current user see ``column`` masked?"""
        roles = self.masked_columns.get(column)
        return bool(roles) and current_user.is_authenticated and current_user.role in roles

    @property
    def can_create(self) -> bool:
        return self.table_writable and not self.create_blocked_by and self.allows("create")

    @property
    def create_blocked_reason(self) -> str | None:
        """Why create is not offered although the table can be written, for those who may create."""
        if not self.create_blocked_by or not self.table_writable or not self.allows("create"):
            return None
        return gettext(
            "New records cannot be created here: %(columns)s must be given a value and cannot be "
            "entered in the panel.",
            columns=", ".join(self.create_blocked_by),
        )

    @property
    def can_edit(self) -> bool:
        return self.table_writable and self.allows("edit")

    @property
    def can_delete(self) -> bool:
        return self.table_writable and self.allows("delete")

    @property
    def can_export(self) -> bool:
        return self.allows("export")

    @property
    def can_view_details(self) -> bool:
        return self.allows("details")

    def _refresh_cache(self) -> None:
        # Flask-Admin builds the details columns only when can_view_details is true at start-up,
        # outside any request; build them always and let the gate decide per request.
        super()._refresh_cache()
        self._details_columns = self.get_details_columns()

    def _handle_view(self, name, **kwargs):
        refused = super()._handle_view(name, **kwargs)
        if refused is None and not self.table_writable and name in WRITE_ENDPOINTS:
            abort(403)
        if refused is None and name == "create_view" and self.create_blocked_by:
            abort(403)  # a new row could never be saved: the list says why
        return refused

    def is_action_allowed(self, name: str) -> bool:
        needed = "delete" if name == "delete" else "actions"
        return self.table_writable and self.allows(needed) and super().is_action_allowed(name)

    def create_form(self, obj=None):
        return self._with_lookups(super().create_form(obj))

    def _with_lookups(self, form):
        """Fill the selects of foreign keys with the referred table's rows (a small table)."""
        for name in self.lookup_columns:
            field = getattr(form, name, None)
            if field is not None:
                field.choices = self.foreign_keys[name].choices(field.object_data)
        return form

    def get_create_form(self):
        form_class = super().get_create_form()
        form_class.readonly_fields = self.readonly_columns
        return form_class

    def get_edit_form(self):
        form_class = super().get_edit_form()
        form_class.readonly_fields = self.readonly_columns | self.key_columns | {VERSION_FIELD}
        if self._version_column() is not None:
            setattr(form_class, VERSION_FIELD, HiddenField())
        return form_class

    def edit_form(self, obj=None):
        form = self._with_lookups(super().edit_form(obj))
        version = getattr(form, VERSION_FIELD, None)
        if version is not None and not version.data and obj is not None:
            version.data = self._version_of(obj)  # the version this form is opened on
        return form

    def update_model(self, form, model):
        # Refuse to save over a change made after the form was opened (no lost update); the form
        # then carries the new version, so saving again overwrites knowingly.
        opened = getattr(form, VERSION_FIELD, None)
        if opened is not None and opened.data and opened.data != self._version_of(model):
            flash(self._conflict_message(form, model), "error")
            opened.data = self._version_of(model)
            return False
        return super().update_model(form, model)

    def _version_column(self):
        """The row version (PostgreSQL's xmin), or None on a database without one."""
        mapper = sa.inspect(self.model)
        return mapper.version_id_col if mapper.version_id_col is not None else mapper.columns.get(ROW_VERSION)

    def _version_of(self, model) -> str:
        return str(getattr(model, self._version_column().key))

    def version_of(self, model) -> str:
        """The row version a list shows a row at (empty for tables without one)."""
        return self._version_of(model) if self._version_column() is not None else ""

    def get_list_row_actions(self):
        # The row's delete button carries the row's version, like an edit form (no lost update).
        return [
            VersionedDeleteRowAction() if isinstance(action, DeleteRowAction) else action
            for action in super().get_list_row_actions()
        ]

    def delete_model(self, model) -> bool:
        listed = request.form.get(VERSION_FIELD)
        if listed and self._version_column() is not None and listed != self._version_of(model):
            flash(
                gettext(
                    "Someone changed this record after the list was shown, so it was not deleted. "
                    "Check it and delete again."
                ),
                "error",
            )
            return False
        return super().delete_model(model)

    def _conflict_message(self, form, model) -> str:
        differences = [
            f"{self.column_labels.get(name, name) if self.column_labels else name} = {getattr(model, name)}"
            for name, field in form._fields.items()
            if name not in form.readonly_fields
            and name != "csrf_token"
            and not is_untouched_against(field, getattr(model, name, None))
        ]
        return gettext(
            "Someone changed this record after you opened it, so nothing was saved. Now: %(now)s. "
            "Check your changes and save again to overwrite.",
            now="; ".join(differences[:6]) or "-",
        )

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, sa.orm.exc.StaleDataError):  # changed between our check and our write
            flash(
                gettext(
                    "Someone changed or deleted this record at the same moment; nothing was saved. "
                    "Open it again."
                ),
                "error",
            )
            return True
        if isinstance(exc, sa.exc.DBAPIError):
            log_database_error(self.endpoint, exc)
            flash(plain_message(exc), "error")
            return True
        return super().handle_view_exception(exc)

    def _on_model_change(self, form, model, is_created):
        # Called by Flask-Admin inside the transaction of a create or update (form save, inline
        # edit), after the view's own on_model_change: the audit record commits with the change.
        super()._on_model_change(form, model, is_created)
        if is_created:
            db.session.flush()
            db.session.refresh(model)  # the database's defaults and generated key
            audit.record(
                "create", after=audit.snapshot(model, self.audited_columns), **self._audit_target(model)
            )
            return
        before, after = audit.changes(model, self.audited_columns)
        if after:
            audit.record("update", before=before, after=after, **self._audit_target(model))

    def on_model_delete(self, model):
        # Flask-Admin deletes row by row (bulk actions too), each in its own transaction.
        audit.record(
            "delete", before=audit.snapshot(model, self.audited_columns), **self._audit_target(model)
        )

    def history_url(self, model) -> str | None:
        """Link from a record's details to its history, for those who may read the trail."""
        if not may("list", "audit_log"):
            return None
        return url_for(
            "audit_log.index_view", table=self.model.__table__.name, key=str(self.get_pk_value(model))
        )

    def _audit_target(self, model) -> dict:
        return {
            "view": self.endpoint,
            "table_name": self.model.__table__.name,
            "record_key": str(self.get_pk_value(model)),
            "detail": {"via": request.endpoint.rpartition(".")[2]},
        }

    def _apply_search(self, query, count_query, joins, count_joins, search):
        if not self.exact_search:
            return super()._apply_search(query, count_query, joins, count_joins, search)
        term = search.strip()
        condition = sa.or_(*(field == term for field, _ in self._search_fields))
        if count_query is not None:
            count_query = count_query.filter(condition)
        return query.filter(condition), count_query, joins, count_joins

    def keyset_columns(self) -> list[tuple[str, bool]] | None:
        """The default order, when this list pages by key: a large table in its default order,
        all in one direction (a row comparison serves only one direction)."""
        if not self.simple_list_pager or request.args.get("sort") is not None:
            return None
        order = _sort_list(self.column_default_sort)
        return order if order and len({descending for _, descending in order}) == 1 else None

    def keyset_url(self, row=None) -> str:
        """This list (filters and search kept) from the row after ``row``, or from the newest."""
        args = {key: value for key, value in request.args.items() if key not in ("after", "page")}
        if row is not None:
            args["after"] = json.dumps([str(getattr(row, name)) for name, _ in self.keyset_columns()])
        return self.get_url(".index_view", **args)

    def _apply_pagination(self, query, page, page_size):
        # Deep pages of a large table by key, not by OFFSET: "after" carries the last row's
        # values in the default order, and a row comparison (an index answers it) continues there.
        order = self.keyset_columns() if has_request_context() else None
        after = _json_list(request.args.get("after")) if order else None
        if order is None or after is None or len(after) != len(order):
            return super()._apply_pagination(query, page, page_size)
        columns = [getattr(self.model, name) for name, _ in order]
        try:
            typed = [_typed(value, column) for value, column in zip(after, columns, strict=True)]
        except (ValueError, ArithmeticError, NotImplementedError):
            return super()._apply_pagination(query, page, page_size)  # a cursor that does not fit
        values = sa.tuple_(
            *(sa.literal(value, column.type) for value, column in zip(typed, columns, strict=True))
        )
        beyond = sa.tuple_(*columns) < values if order[0][1] else sa.tuple_(*columns) > values
        return super()._apply_pagination(query.filter(beyond), 0, page_size)

    def row_estimate(self) -> int | None:
        """The planner's estimate of the rows this list shows (filters and search included).

        For tables too large to count: ``EXPLAIN`` costs a plan, never a scan.
        """
        if not self.populated:
            return None
        args = self._get_list_extra_args()
        _, query = self.get_list(0, None, False, args.search, args.filters, execute=False, page_size=0)
        try:
            sql = query.order_by(None).statement.compile(db.engine, compile_kwargs={"literal_binds": True})
            with db.session.begin_nested():
                plan = db.session.scalar(sa.text(f"EXPLAIN (FORMAT JSON) {sql}"))
        except (sa.exc.DBAPIError, sa.exc.CompileError, NotImplementedError):
            return None
        return int(plan[0]["Plan"]["Plan Rows"])

    def _get_list_extra_args(self):
        """The list's query-string arguments, made harmless before any of them reaches SQL."""
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        if args.page_size not in self.page_size_options:
            args.page_size = None
        args.search = _clean(args.search)[:MAX_SEARCH] if args.search else args.search
        args.filters = [(index, name, _clean(value)) for index, name, value in args.filters or ()]
        return args

    def get_list(self, *args, execute: bool = True, **kwargs):
        # A list that fails in the database (a statement timeout, a value the column refuses)
        # still renders: empty, with a plain message and the detail in the log. A query built
        # for an export (execute=False) fails to the export, which says so the same way.
        if not self.populated:
            return 0, ([] if execute else self.get_query().filter(sa.false()))
        if not execute:
            return super().get_list(*args, execute=False, **kwargs)
        try:
            if self.value_identified:
                count, query = super().get_list(*args, execute=False, **kwargs)
                return count, self.rows_of(query)
            return super().get_list(*args, **kwargs)
        except sa.exc.DBAPIError as exc:
            db.session.rollback()
            log_database_error(self.endpoint, exc)
            flash(plain_message(exc), "error")
            return 0, []

    @expose("/export/<export_type>/")
    def export(self, export_type: str):
        """Download the filtered, searched, sorted list through the shared export pipeline."""
        if export_type not in self.export_types:
            abort(404)
        args = self._get_list_extra_args()
        sort = self._get_column_by_idx(args.sort)
        try:
            _, query = self.get_list(
                0,
                sort[0] if sort else None,
                args.sort_desc,
                args.search,
                args.filters,
                execute=False,
                page_size=0,
            )
        except sa.exc.DBAPIError as exc:  # the count of the list failed: so would the export
            db.session.rollback()
            self.handle_view_exception(exc)
            return redirect(self.get_url(".index_view", **request.args))
        columns = [getattr(self.model, name) for name, _ in self._export_columns]
        statement = query.with_entities(*columns).statement
        try:
            maskers = [mask_value if self.masks(name) else None for name, _ in self._export_columns]
            headers = [label for _, label in self._export_columns]
            return export_response(
                export_type,
                self.endpoint,
                headers,
                statement,
                maskers,
                on_finish=audit.export_recorder(self.endpoint, self.model.__table__.name, export_type),
            )
        except TooManyRows as exc:
            flash(exc.message, "error")
        except sa.exc.DBAPIError as exc:
            self.handle_view_exception(exc)
        return redirect(self.get_url(".index_view", **request.args))


def _clean(value):
    """Drop NUL characters (PostgreSQL refuses them in text) from a value or a list of values."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _json_list(raw: str | None) -> list | None:
    """A list of strings from a query-string value, or None when it is not one."""
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def _typed(value: str, column) -> object:
    """A cursor value (text) as the column's Python type: a time, a number, or the text itself."""
    python_type = getattr(column.type, "python_type", str) if not isinstance(column.type, sa.String) else str
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    if python_type in (int, Decimal):
        return python_type(value)
    return value


def _sort_list(sort) -> list[tuple[str, bool]]:
    """Flask-Admin's three ways of writing a default sort ("col", ("col", True), [...]) as a list."""
    if isinstance(sort, str):
        return [(sort, False)]
    if isinstance(sort, tuple) and sort and isinstance(sort[0], str):
        return [sort]
    return list(sort or ())
