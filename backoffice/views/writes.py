"""What happens around a write through a model view: the audit record in the write's transaction,
and a plain message when the database refuses it (Flask-Admin's write flow then rolls back)."""

import sqlalchemy as sa
from flask import flash, request, url_for
from flask_babel import gettext

from .. import audit
from ..extensions import db
from .errors import refused
from .gate import may


class AuditedWritesMixin:
    """Every create, update and delete of a model view leaves an audit record, committed with it."""

    #: Attributes an audit record shows, before and after a change (never secrets).
    audited_columns: tuple[str, ...] = ()

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
            refused(self.endpoint, exc)
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
        return url_for("audit_log.index_view", table=self.table_name.key, key=str(self.get_pk_value(model)))

    def _audit_target(self, model) -> dict:
        return {
            "view": self.endpoint,
            "table_name": self.table_name.key,
            "record_key": str(self.get_pk_value(model)),
            "detail": {"via": request.endpoint.rpartition(".")[2]},
        }
