"""The transaction desk's pages: one transaction with everything about it, and the queue of stuck
transactions, resolved one or many at a time (each resolution waits for a second person)."""

import logging
import uuid

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from ..approvals import Refused
from ..extensions import db
from ..formatting import now_jakarta
from ..i18n import TranslatedForm
from ..inputs import clean_text
from ..models.panel import TransactionRequest
from ..transactions import KIND_LABELS, OUTCOME_LABELS, STUCK_DAYS, TransactionDesk, read_resolutions
from ..uploads import BadUpload
from .gate import GatedBaseView, may

log = logging.getLogger(__name__)

#: The most transactions one resolution form carries.
MAX_RESOLVED = 200
MAX_SERIAL = 60


class ResolutionFileForm(TranslatedForm):
    """A biller's file: reference, status and serial number per transaction."""

    resolutions = FileField(lazy_gettext("The biller's file (CSV or Excel)"), validators=[FileRequired()])


class TransactionDeskView(GatedBaseView):
    """Stuck transactions, oldest first, and every transaction's own page."""

    endpoint_capabilities = {"index": "list", "transaction": "details", "resolve": "topup", "upload": "topup"}
    #: Asking for a resolution (a refund moves money) is granted on its own.
    endpoint_views = {"resolve": "transaction_resolve", "upload": "transaction_resolve"}

    def __init__(self, desk: TransactionDesk, **kwargs):
        super().__init__(
            name=lazy_gettext("Stuck transactions"),
            endpoint="transactions",
            url="/admin/transactions",
            **kwargs,
        )
        self.desk = desk

    @expose("/")
    def index(self):
        rows = self.safely(self.desk.stuck, [])
        waiting = set(
            self.safely(
                lambda: db.session.scalars(
                    sa.select(TransactionRequest.noref).where(TransactionRequest.status == "pending")
                ).all(),
                [],
            )
        )
        return self.render(
            "backoffice/transactions.html",
            rows=rows,
            waiting=waiting,
            now=now_jakarta().replace(tzinfo=None),
            kinds=KIND_LABELS,
            outcomes=OUTCOME_LABELS,
            may_resolve=may("topup", "transaction_resolve"),
            days=STUCK_DAYS,
        )

    @expose("/<noref>/")
    def transaction(self, noref: str):
        found = self.safely(lambda: self.desk.find(noref), [])
        if not found:
            abort(404)
        views = current_app.extensions["backoffice"].views
        shown = []
        for item in found:
            view = views.get(item.table)
            model = self._model(view, noref)
            columns = (
                []
                if model is None
                else [
                    (label, view.get_detail_value(None, model, name)) for name, label in view._details_columns
                ]
            )
            shown.append({"title": view.name if view else item.table, "columns": columns})
        first = found[0].row
        at = getattr(first, self.desk.mapping.columns["time"])
        stuck = self.safely(lambda: self.desk.stuck_one(noref), None)
        return self.render(
            "backoffice/transaction.html",
            noref=noref,
            shown=shown,
            agent=getattr(first, self.desk.mapping.columns["agent"]),
            messages=self.safely(lambda: self.desk.messages_of(noref, at), []),
            points=self.safely(lambda: self.desk.points_of(noref), []),
            requests=self.safely(lambda: self._requests(noref), []),
            stuck=None if stuck is None else stuck[1],
            kinds=KIND_LABELS,
            outcomes=OUTCOME_LABELS,
            may_resolve=may("topup", "transaction_resolve"),
        )

    @expose("/resolve/", methods=("POST",))
    def resolve(self):
        if not TranslatedForm().validate_on_submit():  # the CSRF token
            abort(400)
        norefs = [n for n in request.form.getlist("noref") if n][:MAX_RESOLVED]
        back = request.form.get("back") == "transaction" and len(norefs) == 1
        # One way for all the chosen ones, or (from a biller's file) one per transaction.
        outcomes = {n: request.form.get(f"outcome_{n}") or request.form.get("outcome") for n in norefs}
        if not norefs or any(outcome not in OUTCOME_LABELS for outcome in outcomes.values()):
            flash(gettext("Choose the transactions and how they end."), "error")
            return self._back(norefs, back)
        serials = {n: (request.form.get(f"serial_{n}") or "").replace("\x00", "").strip() for n in norefs}
        successes = [n for n in norefs if outcomes[n] == "success"]
        if successes:
            missing = [n for n in successes if not serials[n]]
            if missing or any(len(serials[n]) > MAX_SERIAL for n in successes):
                flash(
                    gettext(
                        "A success needs the serial number of each transaction (%(norefs)s).",
                        norefs=", ".join(missing),
                    ),
                    "error",
                )
                return self._back(norefs, back)
        token, actor = uuid.uuid4(), current_user._get_current_object()
        try:
            for noref in norefs:
                serial = serials[noref] if outcomes[noref] == "success" else None
                self.desk.ask(noref, outcomes[noref], serial, actor, token)
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        except sa.exc.IntegrityError:
            db.session.rollback()
            flash(
                gettext("A resolution of one of them waits for approval already: nothing was asked."), "error"
            )
        else:
            flash(
                gettext("%(count)s resolutions wait for a second person (Approvals).", count=len(norefs)),
                "success",
            )
        return self._back(norefs, back)

    @expose("/upload/", methods=("GET", "POST"))
    def upload(self):
        """A biller's file of resolutions: a preview of what each row would change, then all of
        them asked for at once (the preview's form posts to :meth:`resolve`), or none."""
        form = ResolutionFileForm()
        if not form.validate_on_submit():
            return self.render("backoffice/transaction_upload.html", form=form, problems=[])
        upload = form.resolutions.data
        try:
            resolutions = read_resolutions(upload.read(), upload.filename or "")
        except BadUpload as exc:
            log.info("resolutions %r refused: %s", clean_text(upload.filename, 200), exc.problems)
            return self.render("backoffice/transaction_upload.html", form=form, problems=exc.problems), 400
        previews = self.safely(lambda: self.desk.preview(resolutions), None)
        if previews is None:
            return redirect(url_for(".upload"))
        return self.render(
            "backoffice/transaction_preview.html",
            previews=previews,
            refused=[p for p in previews if p["problem"]],
            kinds=KIND_LABELS,
            outcomes=OUTCOME_LABELS,
        )

    def _back(self, norefs: list[str], to_transaction: bool):
        if to_transaction:
            return redirect(url_for(".transaction", noref=norefs[0]))
        return redirect(url_for(".index"))

    def _model(self, view, noref: str):
        if view is None:
            return None
        column = getattr(view.model, self.desk.mapping.columns["noref"], None)
        return None if column is None else db.session.query(view.model).filter(column == noref).first()

    def _requests(self, noref: str) -> list:
        return db.session.scalars(
            sa.select(TransactionRequest)
            .where(TransactionRequest.noref == noref)
            .order_by(TransactionRequest.id)
        ).all()
