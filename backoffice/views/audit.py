"""The panel's own change history, for auditors: filters, a record's history, a before/after diff."""

from flask import current_app, g
from flask_babel import gettext, lazy_gettext, lazy_pgettext
from flask_login import current_user

from ..extensions import db
from ..formatting import wib
from ..masking import mask_fields, masked_for
from ..models.panel import AuditRecord
from .base import GatedModelView
from .gate import may

#: The columns of a record that hold the values of the row it describes.
RECORD_VALUES = ("before", "after")
#: What each recorded action is called on the pages (the export keeps the codes).
ACTION_LABELS = {
    "login": lazy_gettext("Logged in"),
    "logout": lazy_gettext("Logged out"),
    "login_failed": lazy_gettext("Wrong password at login"),
    "login_locked": lazy_gettext("Login locked"),
    "password_changed": lazy_gettext("Password changed"),
    "password_check_failed": lazy_gettext("Wrong current password"),
    "second_factor_enrolled": lazy_gettext("Second factor set up"),
    "second_factor_failed": lazy_gettext("Wrong second-factor code"),
    "second_factor_reset": lazy_gettext("Second factor reset"),
    "step_up": lazy_gettext("Confirmed it is them"),
    "step_up_failed": lazy_gettext("Confirmation failed"),
    "create": lazy_gettext("Created"),
    "update": lazy_gettext("Changed"),
    "delete": lazy_gettext("Deleted"),
    "export": lazy_gettext("Export started"),
    "export_end": lazy_gettext("Export ended"),
    "deposit": lazy_gettext("Biller deposit"),
    "correction": lazy_gettext("Biller correction"),
    "deposit_refused": lazy_gettext("Deposit refused by the database"),
    "correction_refused": lazy_gettext("Correction refused by the database"),
    "balance_request": lazy_gettext("Deposit or correction asked for"),
    "balance_reject": lazy_gettext("Deposit or correction rejected"),
    "redeem_approve": lazy_gettext("Point redemption approved"),
    "redeem_reject": lazy_gettext("Point redemption rejected"),
    "account_request": lazy_gettext("Account change asked for"),
    "account_reject": lazy_gettext("Account change rejected"),
    "role_changed": lazy_gettext("Role changed"),
    "reconcile": lazy_gettext("Statement reconciled"),
    "agent_request": lazy_gettext("Agent operation asked for"),
    "agent_reject": lazy_gettext("Agent operation rejected"),
    "agent_deposit": lazy_gettext("Agent deposit from a bank transfer"),
    "agent_deposit_refused": lazy_gettext("Agent deposit refused by the database"),
    "agent_points_add": lazy_gettext("Points given"),
    "agent_points_add_refused": lazy_gettext("Points refused by the database"),
    "agent_points_spend": lazy_gettext("Points spent"),
    "agent_points_spend_refused": lazy_gettext("Points refused by the database"),
    "agent_limits": lazy_gettext("Agent limits changed"),
    "transaction_request": lazy_gettext("Transaction resolution asked for"),
    "transaction_reject": lazy_gettext("Transaction resolution rejected"),
    "transaction_success": lazy_gettext("Transaction resolved as success"),
    "transaction_refund": lazy_gettext("Transaction failed and refunded"),
    "transaction_settled_elsewhere": lazy_gettext("Transaction settled by the application first"),
    "audit_purge": lazy_gettext("Old records purged"),
}
#: The panel's own tables that records name, by their labels.
PANEL_TABLES = {
    "backoffice.panel_user": lazy_gettext("Panel users"),
    "biller_setting": lazy_gettext("Biller settings"),
    "reconciliation": lazy_gettext("H+1 reconciliation"),
}


def jakarta_time(view, context, model, name):
    """Stored in UTC, shown in Asia/Jakarta as the source's report shows times."""
    return wib(getattr(model, name))


def masked_values(view, context, model, name):
    """A record's before or after values, masked as the user sees them (``masked_fields``)."""
    return mask_fields(getattr(model, name), view.masked_fields())


def action_label(view, context, model, name):
    return ACTION_LABELS.get(model.action, model.action)


def table_label(view, context, model, name):
    table = view.table_view(model.table_name)
    return table.name if table is not None else PANEL_TABLES.get(model.table_name, model.table_name)


def page_label(view, context, model, name):
    return current_app.extensions["backoffice"].pages.get(model.view, model.view)


class AuditTrailView(GatedModelView):
    """``backoffice.audit_log``, read-only for everyone: the database refuses changes anyway."""

    table_writable = False
    readonly_reason = None
    details_template = "backoffice/audit_details.html"
    list_template = "backoffice/audit_list.html"
    column_list = (
        "occurred_at",
        "actor",
        "actor_role",
        "action",
        "view",
        "table_name",
        "record_key",
        "source_ip",
    )
    # Before, after and detail are shown as rows of their own (the details page's diff), never as
    # JSON; the export keeps them whole.
    column_details_list = column_list + ("user_agent", "prev_hash", "hash")
    column_export_list = column_list + ("user_agent", "before", "after", "detail", "prev_hash", "hash")
    column_filters = ("actor", "actor_role", "action", "table_name", "record_key", "occurred_at", "source_ip")
    column_searchable_list = ("actor", "record_key")
    column_default_sort = ("id", True)
    column_sortable_list = ("occurred_at",)
    column_formatters = {
        "occurred_at": jakarta_time,
        "before": masked_values,
        "after": masked_values,
        "action": action_label,
        "table_name": table_label,
        "view": page_label,
    }
    column_labels = {
        "occurred_at": lazy_gettext("Time (WIB)"),
        "actor": lazy_gettext("User"),
        "actor_role": lazy_gettext("Role"),
        "action": lazy_gettext("Action"),
        "view": lazy_gettext("Page"),
        "table_name": lazy_gettext("Table"),
        "record_key": lazy_gettext("Record key"),
        "source_ip": lazy_pgettext("network", "Address"),
        "user_agent": lazy_gettext("Browser"),
        "before": lazy_gettext("Before"),
        "after": lazy_gettext("After"),
        "detail": lazy_gettext("Detail"),
        "prev_hash": lazy_gettext("Previous hash"),
        "hash": lazy_gettext("Hash"),
    }
    simple_list_pager = True  # the trail grows to tens of millions of records: never counted

    def __init__(self, **kwargs):
        super().__init__(AuditRecord, db, name=lazy_gettext("Change history"), endpoint="audit_log", **kwargs)

    def get_query(self):
        return self._for_record(super().get_query())

    def get_count_query(self):
        return self._for_record(super().get_count_query())

    def _for_record(self, query):
        """``?table=am_user&key=0812...``: the history of one record (linked from its details page)."""
        table, key = self._record()
        if table and key:
            query = query.filter(AuditRecord.table_name == table, AuditRecord.record_key == key)
        return query

    def _record(self) -> tuple[str | None, str | None]:
        listed = self.list_request()
        return listed.extra("table"), listed.extra("key")

    def table_view(self, table: str | None):
        """The generated view of a table a record names, or None (the panel's own, or gone)."""
        return current_app.extensions["backoffice"].views.get(table) if table else None

    def field_label(self, record: AuditRecord, field: str):
        """A field of a record as its table's pages label it."""
        table = self.table_view(record.table_name)
        return table.get_column_name(field) if table is not None else field

    def diff(self, record: AuditRecord) -> list[tuple[str, object, object, bool]]:
        """(field label, before, after, changed) for every field the record mentions, masked as
        the user sees the record's table (whether it changed is told, not what it was)."""
        before, after = record.before or {}, record.after or {}
        fields = list(dict.fromkeys([*before, *after]))
        shown_before, shown_after = (mask_fields(values, self.masked_fields()) for values in (before, after))
        return [
            (
                self.field_label(record, f),
                shown_before.get(f),
                shown_after.get(f),
                before.get(f) != after.get(f),
            )
            for f in fields
        ]

    def details_of(self, record: AuditRecord) -> list[tuple[str, object]]:
        """The record's detail (what an export or a request carried), as (name, value) rows, with
        the values masked as its before and after are."""
        shown = mask_fields(record.detail, self.masked_fields()) or {}
        return [(name, value) for name, value in shown.items()]

    def masked_fields(self) -> frozenset[str]:
        """The fields the current user sees masked in any record: the trail keeps the real values
        (its hash chain covers them), the pages and exports of it show them masked."""
        if "masked_fields" not in g:  # asked for by every record of a page: worked out once
            role = current_user.role
            g.masked_fields = frozenset().union(
                *(
                    masked_for(view.masked_columns, role, may_open=may("details", view.endpoint))
                    for view in current_app.extensions["backoffice"].views.values()
                )
            )
        return g.masked_fields

    def export_masker(self, column: str):
        if column in RECORD_VALUES:
            fields = self.masked_fields()
            return (lambda values: mask_fields(values, fields)) if fields else None
        return super().export_masker(column)

    @property
    def record_filter_note(self) -> str | None:
        table, key = self._record()
        if table and key:
            return gettext("History of %(table)s %(key)s", table=table, key=key)
        return None
