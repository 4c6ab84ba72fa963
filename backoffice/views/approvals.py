"""The approval queue: what waits for a second person, from every queue, decided one item at a time."""

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext
from flask_login import current_user

from ..approvals import Refused
from ..extensions import db
from .errors import refused
from .gate import GatedBaseView


class ApprovalView(GatedBaseView):
    """Pending deposits, corrections, point redemptions and account changes, with who asked, when,
    and the balance before and after; approve or reject (with a reason). Deciding steps up
    (``gate``): a fresh code or password first."""

    endpoint_capabilities = {"index": "list", "approve": "approve", "reject": "approve"}

    def __init__(self, queues: list, **kwargs):
        """``queues``: each with a ``name``, a ``title``, and ``pending``, ``approve``, ``reject``."""
        super().__init__(
            name=lazy_gettext("Approvals"), endpoint="approvals", url="/admin/approvals", **kwargs
        )
        self.queues = {queue.name: queue for queue in queues}

    @expose("/")
    def index(self):
        pending = [(queue, self.safely(queue.pending, [])) for queue in self.queues.values()]
        return self.render("backoffice/approvals.html", pending=pending)

    @expose("/<queue>/<int:key>/approve/", methods=("POST",))
    def approve(self, queue: str, key: int):
        return self._decide(queue, lambda q: q.approve(key, current_user._get_current_object()))

    @expose("/<queue>/<int:key>/reject/", methods=("POST",))
    def reject(self, queue: str, key: int):
        reason = request.form.get("reason", "")
        return self._decide(queue, lambda q: q.reject(key, current_user._get_current_object(), reason))

    def _decide(self, name: str, decide):
        queue = self.queues.get(name) or abort(404)
        try:
            decision = decide(queue)
            db.session.commit()
            flash(decision.message, "success" if decision.ok else "error")
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        except sa.exc.DBAPIError as exc:
            refused(self.endpoint, exc)
        return redirect(url_for(".index"))
