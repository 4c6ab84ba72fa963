"""H+1 reconciliation pages: upload a biller's statement, see and export the result, reopen it later."""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, current_app, redirect, request, url_for
from flask_admin import expose
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField

from .. import audit
from .. import reconciliation as recon
from ..billers import Billers
from ..exports import FORMATS, export_response
from ..extensions import db
from ..formatting import today_jakarta
from ..i18n import TranslatedForm
from ..inputs import clean_text
from ..models.panel import Reconciliation
from ..uploads import BadUpload
from .billers import biller_choices
from .errors import log_database_error, plain_message
from .gate import GatedBaseView

#: The longest file name a reconciliation keeps (its column's length).
MAX_FILE_NAME = 200

log = logging.getLogger(__name__)

#: Rows of one exception shown on the page (the export has them all), and matched rows per page.
SHOWN_ROWS = 500
MATCHED_PAGE = 100
#: The outcomes an operator must look into, shown first.
EXCEPTIONS = ("mismatch", "only_ours", "only_theirs")
ITEM_HEADERS = (
    lazy_gettext("Result"),
    lazy_gettext("Noref"),
    lazy_gettext("Time (ours)"),
    lazy_gettext("Amount (ours)"),
    lazy_gettext("Time (biller)"),
    lazy_gettext("Amount (biller)"),
)
OUTCOME_LABELS = {
    "mismatch": lazy_gettext("Amount differs"),
    "only_ours": lazy_gettext("Only ours"),
    "only_theirs": lazy_gettext("Only the biller's"),
    "matched": lazy_gettext("Matched"),
}


class StatementForm(TranslatedForm):
    biller = SelectField(lazy_gettext("Biller"), choices=[])
    day = DateField(lazy_gettext("Day"))
    statement = FileField(lazy_gettext("Biller statement (CSV or Excel)"), validators=[FileRequired()])


class ReconciliationView(GatedBaseView):
    """Upload, result, history and export of H+1 reconciliations."""

    endpoint_capabilities = {
        "index": "list",
        "upload": "create",
        "show": "details",
        "export": "export",
        "sample": "export",
    }

    def __init__(self, billers: Billers, **kwargs):
        super().__init__(
            name=lazy_gettext("H+1 reconciliation"),
            endpoint="reconciliation",
            url="/admin/reconciliation",
            **kwargs,
        )
        self.billers = billers

    @expose("/")
    def index(self):
        return self._page(self._form())

    def _page(self, form: StatementForm, problems=(), status: int = 200):
        saved = db.session.scalars(
            sa.select(Reconciliation).order_by(Reconciliation.id.desc()).limit(50)
        ).all()
        demo = current_app.config["BACKOFFICE_MODE"] != "production"
        page = self.render(
            "backoffice/reconciliation.html", form=form, saved=saved, problems=problems, demo=demo
        )
        return page, status

    @expose("/upload/", methods=("POST",))
    def upload(self):
        form = self._form()
        if not form.validate_on_submit():
            return self._page(form, status=400)
        upload = form.statement.data
        content = upload.read()
        code, day = form.biller.data, form.day.data
        name = clean_text(upload.filename, MAX_FILE_NAME)  # kept with the result: no NUL, bounded
        try:
            theirs = recon.read_statement(content, name, day)
        except BadUpload as exc:
            log.info("statement %r for %s on %s refused: %s", name, code, day, exc.problems)
            return self._page(form, exc.problems, status=400)
        try:
            saved = self._reconcile(code, day, name or "statement", content, theirs)
        except sa.exc.DBAPIError as exc:
            db.session.rollback()
            log_database_error(self.endpoint, exc)  # said on the page, with the form, not flashed
            return self._page(form, [plain_message(exc)], status=503)
        return redirect(url_for(".show", rid=saved.id))

    def _reconcile(self, code: str, day, filename: str, content: bytes, theirs) -> Reconciliation:
        """Match, save and record one statement, in one transaction."""
        result = recon.match(recon.our_lines(self.billers.report, code, day), theirs)
        saved = recon.save(code, day, filename, content, result, current_user.username)
        detail = {
            "biller": code,
            "day": day.isoformat(),
            "file": saved.file_name,
            "sha256": saved.file_sha256,
        }
        audit.record(
            "reconcile",
            view=self.endpoint,
            table_name="reconciliation",
            record_key=str(saved.id),
            detail=detail,
        )
        db.session.commit()
        return saved

    @expose("/<int:rid>/")
    def show(self, rid: int):
        """The exceptions first, each with what our books know of it; the matched rows counted
        and paged; the reconciliations of the same biller and day made before."""
        saved = db.session.get(Reconciliation, rid) or abort(404)
        report = self.billers.report
        exceptions = {
            outcome: db.session.execute(recon.explained(report, saved, outcome).limit(SHOWN_ROWS)).all()
            for outcome in EXCEPTIONS
        }
        pages = max(1, -(-saved.matched // MATCHED_PAGE))
        page = min(max(request.args.get("page", 1, type=int), 1), pages)
        matched = db.session.execute(
            recon.items(rid, "matched").limit(MATCHED_PAGE).offset((page - 1) * MATCHED_PAGE)
        ).all()
        return self.render(
            "backoffice/reconciliation_result.html",
            saved=saved,
            exceptions=exceptions,
            matched=matched,
            page=page,
            pages=pages,
            earlier=recon.earlier(saved),
            labels=OUTCOME_LABELS,
            shown=SHOWN_ROWS,
            formats=FORMATS,
        )

    @expose("/<int:rid>/export/<fmt>/")
    def export(self, rid: int, fmt: str):
        saved = db.session.get(Reconciliation, rid)
        if saved is None or fmt not in FORMATS:
            abort(404)
        return self.download(
            lambda: export_response(
                fmt,
                f"rekonsiliasi_{saved.billercode}_{saved.day}",
                ITEM_HEADERS,
                recon.items(rid),
                on_finish=audit.export_recorder(self.endpoint, "reconciliation", fmt),
            ),
            url_for(".show", rid=rid),
        )

    @expose("/sample/")
    def sample(self):
        """A statement for the demo data with planted differences (never offered in production)."""
        if current_app.config["BACKOFFICE_MODE"] == "production":
            abort(404)
        form = self._form(formdata=request.args, meta={"csrf": False})
        if not form.biller.data or form.day.data is None:
            abort(404)
        ours = recon.our_lines(self.billers.report, form.biller.data, form.day.data)
        unanswered = self.billers.unanswered(form.biller.data, form.day.data)
        content, _ = recon.sample_statement(ours, unanswered)
        name = f"statement_{form.biller.data}_{form.day.data}.csv"
        return Response(
            content, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    def _form(self, **kwargs) -> StatementForm:
        form = StatementForm(**kwargs)
        form.biller.choices = biller_choices(self.billers)
        if form.day.data is None and not form.is_submitted():
            form.day.data = today_jakarta() - timedelta(days=1)
        return form
