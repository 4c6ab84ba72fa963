"""The base of every model view: one class that holds the panel's policy, put together from parts
that each own one concern.

- ``gate``: the permission matrix on every endpoint (and ``may`` for links to other views);
- ``listing``: the list request, its page, count, row estimate and export;
- ``versioning``: no lost update on edits and deletes;
- ``writes``: the audit record of every write and plain messages when the database refuses;
- ``row_values``: rows that have no key but their values;
- here: what a table's view declares (its configuration attributes, documented below), safe
  forms, and which buttons the current user gets.
"""

from datetime import date, datetime
from decimal import Decimal

from flask import abort, url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.typefmt import DEFAULT_FORMATTERS
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup

from ..exports import FORMATS
from ..formatting import decimal, number, wib
from ..masking import mask_value, masked_for
from ..models.names import TableName
from .fields import PanelFilterConverter, PanelModelConverter
from .forms import RoundTripForm
from .gate import GateMixin, may
from .listing import ListingMixin
from .row_values import RowsByValue
from .versioning import VERSION_FIELD, RowVersionMixin
from .writes import AuditedWritesMixin

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

#: The endpoints that change data: refused on read-only tables whatever the role.
WRITE_ENDPOINTS = frozenset({"create_view", "edit_view", "delete_view", "action_view", "ajax_update"})


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


class GatedModelView(RowsByValue, ListingMixin, RowVersionMixin, AuditedWritesMixin, GateMixin, ModelView):
    """Base of every model view: the gate, the list, safe forms, audited writes, plain errors."""

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
    #: Foreign key attribute -> the :class:`~.lookups.Lookup` of the records it may refer to.
    foreign_keys: dict = {}
    #: Foreign key attributes shown in forms as a select of the referred table's rows.
    lookup_columns: frozenset[str] = frozenset()
    #: Attribute -> why the column has no field in forms (said on the form page).
    form_notes: dict = {}
    #: Required columns without a field: a new row could never be saved, so create is not offered.
    create_blocked_by: tuple[str, ...] = ()
    #: Attribute -> the :class:`~backoffice.value_maps.ValueMap` its codes are shown by.
    value_maps: dict = {}

    @property
    def table_name(self) -> TableName:
        """The one name of the view's table (its key, as audit records and the file write it)."""
        return TableName.of(self.model.__table__)

    def render(self, template, **kwargs):
        if kwargs.get("count"):  # the list tab's count is its only reader: "Daftar (49.031)"
            kwargs["count"] = number(kwargs["count"])
        return super().render(template, **kwargs)

    def masks(self, column: str) -> bool:
        """Does the current user see ``column`` masked?"""
        return current_user.is_authenticated and column in masked_for(
            self.masked_columns, current_user.role, may_open=True
        )

    def export_masker(self, column: str):
        """What masks ``column``'s values in this user's export, or None."""
        return mask_value if self.masks(column) else None

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
        answer = super()._handle_view(name, **kwargs)
        if answer is None and not self.table_writable and name in WRITE_ENDPOINTS:
            abort(403)
        if answer is None and name == "create_view" and self.create_blocked_by:
            abort(403)  # a new row could never be saved: the list says why
        return answer

    def is_action_allowed(self, name: str) -> bool:
        needed = "delete" if name == "delete" else "actions"
        return self.table_writable and self.allows(needed) and super().is_action_allowed(name)

    def create_form(self, obj=None):
        return self._with_lookups(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._with_lookups(super().edit_form(obj))

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
        return form_class
