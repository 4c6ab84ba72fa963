"""The agent desk's pages: find an agent, everything about them on one page, and the operations.

Each operation is two steps, as a biller top-up: the form, then a confirmation showing before and
after, which carries a one-time token so that submitting it twice runs nothing twice. Each kind of
operation is a view of its own in the permission matrix (``agent_deposit``, ``agent_points``,
``agent_status``, ``agent_limits``), so the file can grant a custom role one of them alone.
"""

import uuid
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import HiddenField, SelectChoice, SelectField, StringField, validators

from .. import agent_images
from ..agents import AGENTS, BALANCES, BLOCKED, FUNCTIONS, KINDS, LIMITS, MUTATIONS, STATUS_CHANGES, AgentDesk
from ..approvals import Refused
from ..extensions import db
from ..formatting import today_jakarta
from ..i18n import TranslatedForm
from ..report import ReportFilter, TransactionReport
from .billers import WholeAmount
from .errors import refused
from .gate import GatedBaseView, may

#: Rows of each recent list on the agent page.
RECENT_ROWS = 10
#: The agent's lists on their page: table, the agent's column, newest first by.
RECENT = (
    (MUTATIONS, "agent_id", "update_date"),
    ("am_update_poin", "agent_id", "update_date"),
    ("am_user_token", "agent_id", "login_time"),
)
#: The agent's images: the column of am_user holding the file name, per kind.
IMAGES = {"ktp": "img_ktp", "self": "img_self"}
#: The KTP number's column: whoever sees it masked sees no image either.
KTP_COLUMN = "no_ktp"
STATUS_LABELS = {
    "block": lazy_gettext("Block the agent"),
    "unblock": lazy_gettext("Unblock the agent"),
    "reset_counters": lazy_gettext("Reset the failed login and PIN counters"),
}
POINT_KINDS = ("points_add", "points_spend")
#: The columns of am_balance the agent page and the confirmations show.
BALANCE_COLUMNS = ("curr_bal", "poin_bal", *LIMITS)


#: An amount of rupiah, and of points.
RUPIAH = [validators.InputRequired(), WholeAmount()]
POINTS = [validators.InputRequired(), WholeAmount(money=False)]


class DepositForm(TranslatedForm):
    """A deposit confirmed from a bank transfer: the amount and the transfer as the bank shows it."""

    amount = StringField(lazy_gettext("Amount (Rp)"), validators=RUPIAH)
    bank = StringField(
        lazy_gettext("Bank"), validators=[validators.InputRequired(), validators.Length(max=40)]
    )
    account_no = StringField(
        lazy_gettext("Account no."), validators=[validators.InputRequired(), validators.Length(max=40)]
    )
    transfer_ref = StringField(
        lazy_gettext("Transfer reference"), validators=[validators.InputRequired(), validators.Length(max=60)]
    )
    note = StringField(lazy_gettext("Note"), validators=[validators.Length(max=200)])
    token = HiddenField()

    def fields_of_request(self) -> dict:
        return {
            "amount": self.amount.value,
            "bank": self.bank.data.strip(),
            "account_no": self.account_no.data.strip(),
            "transfer_ref": self.transfer_ref.data.strip(),
            "note": self.note.data or None,
        }


class PointsForm(TranslatedForm):
    """Points given to or spent by an agent."""

    kind = SelectField(lazy_gettext("Kind"), choices=[SelectChoice(k, KINDS[k]) for k in POINT_KINDS])
    amount = StringField(lazy_gettext("Points"), validators=POINTS)
    note = StringField(lazy_gettext("Note"), validators=[validators.Length(max=200)])
    token = HiddenField()

    def fields_of_request(self) -> dict:
        return {"amount": self.amount.value, "note": self.note.data or None}


class LimitsForm(TranslatedForm):
    """The agent's limits: per day, per month, the most their balance may hold (whole rupiah)."""

    max_bal_day = StringField(lazy_gettext("Limit per day (Rp)"), validators=RUPIAH)
    max_bal_month = StringField(lazy_gettext("Limit per month (Rp)"), validators=RUPIAH)
    max_curr_bal = StringField(lazy_gettext("Largest balance (Rp)"), validators=RUPIAH)
    note = StringField(lazy_gettext("Note"), validators=[validators.Length(max=200)])
    token = HiddenField()

    def fields_of_request(self) -> dict:
        return {
            "limits": {name: str(getattr(self, name).value) for name in LIMITS},
            "note": self.note.data or None,
        }


class AgentDeskView(GatedBaseView):
    """One agent: profile, balance, limits, points, images, recent activity, and the operations."""

    endpoint_capabilities = {
        "index": "list",
        "agent": "details",
        "image": "details",
        "deposit": "topup",
        "points": "topup",
        "status": "edit",
        "limits": "edit",
    }
    #: Each operation is asked of its own view in the permission matrix.
    endpoint_views = {
        "deposit": "agent_deposit",
        "points": "agent_points",
        "status": "agent_status",
        "limits": "agent_limits",
    }

    def __init__(self, desk: AgentDesk, report: TransactionReport | None, **kwargs):
        super().__init__(name=lazy_gettext("Agent desk"), endpoint="agents", url="/admin/agents", **kwargs)
        self.desk = desk
        self.report = report

    @expose("/")
    def index(self):
        text = request.args.get("q", "").replace("\x00", "").strip()[:60]
        found = self.safely(lambda: self.desk.find(text), []) if text else []
        if len(found) == 1:
            return redirect(url_for(".agent", agent_id=found[0].agent_id))
        return self.render("backoffice/agent_desk.html", text=text, found=found)

    @expose("/<agent_id>/")
    def agent(self, agent_id: str):
        view = self._table_view(AGENTS)
        model = view.get_one(agent_id) if view is not None else None
        if model is None:
            abort(404)
        profile = [
            (label, view.get_detail_value(None, model, name))
            for name, label in view._details_columns
            if name not in IMAGES.values()
        ]
        return self.render(
            "backoffice/agent.html",
            agent_id=agent_id,
            name=model.agent_name if hasattr(model, "agent_name") else agent_id,
            profile=profile,
            balance=self.desk.balance(agent_id),
            limits=LIMITS,
            balance_labels=self._labels(BALANCES, BALANCE_COLUMNS),
            images=[kind for kind, column in IMAGES.items() if self._image(model, column)],
            recent=[lists for lists in (self._recent(*entry, agent_id) for entry in RECENT) if lists],
            transactions=self._transactions(agent_id),
            blocked=getattr(model, "status", None) == BLOCKED,
            operations=self._operations(),
            status_labels=STATUS_LABELS,
            report_url=url_for("report.index", agent=agent_id, **{"from": self._month_ago()}),
        )

    @expose("/<agent_id>/image/<kind>")
    def image(self, agent_id: str, kind: str):
        view = self._table_view(AGENTS)
        model = view.get_one(agent_id) if view is not None and kind in IMAGES else None
        place = self._image(model, IMAGES[kind]) if model is not None else None
        image = agent_images.read(place) if place is not None else None
        if image is None:
            abort(404)
        data, mimetype = image
        return Response(data, mimetype=mimetype, headers={"Cache-Control": "no-store"})

    @expose("/<agent_id>/deposit/", methods=("GET", "POST"))
    def deposit(self, agent_id: str):
        return self._operate(agent_id, "deposit", DepositForm)

    @expose("/<agent_id>/points/", methods=("GET", "POST"))
    def points(self, agent_id: str):
        form_kind = request.form.get("kind") if request.form.get("kind") in POINT_KINDS else POINT_KINDS[0]
        return self._operate(agent_id, form_kind, PointsForm)

    @expose("/<agent_id>/limits/", methods=("GET", "POST"))
    def limits(self, agent_id: str):
        return self._operate(agent_id, "limits", LimitsForm)

    @expose("/<agent_id>/status/<change>/", methods=("GET", "POST"))
    def status(self, agent_id: str, change: str):
        if change not in STATUS_CHANGES or not self._exists(agent_id):
            abort(404)
        if request.method == "GET":
            model = self._table_view(AGENTS).get_one(agent_id)
            values = STATUS_CHANGES[change]
            return self.render(
                "backoffice/agent_status.html",
                agent_id=agent_id,
                label=STATUS_LABELS[change],
                values=values,
                before={name: getattr(model, name, None) for name in values},
                profile_labels=self._labels(AGENTS, values),
            )
        if not TranslatedForm().validate_on_submit():  # the CSRF token
            abort(400)
        try:
            self.desk.change_status(agent_id, change)
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            flash(str(exc), "error")
        except sa.exc.DBAPIError as exc:
            refused(self.endpoint, exc)
        else:
            flash(gettext("Done: %(what)s.", what=STATUS_LABELS[change]), "success")
        return redirect(url_for(".agent", agent_id=agent_id))

    # The two steps of an operation -------------------------------------------------------------

    def _operate(self, agent_id: str, kind: str, form_class):
        if not self._exists(agent_id):
            abort(404)
        form = form_class(data=self._current_limits(agent_id, form_class))
        page = {"agent_id": agent_id, "form": form, "kind": kind, "title": KINDS[kind]}
        page["balance_labels"] = self._labels(BALANCES, BALANCE_COLUMNS)
        if not form.validate_on_submit():
            return self.render("backoffice/agent_operate.html", **page)
        fields = form.fields_of_request()
        if not form.token.data:  # the form: show what will happen, with a token for this one submit
            form.token.data = str(uuid.uuid4())
            return self.render(
                "backoffice/agent_confirm.html", **page, **self._preview(agent_id, kind, fields)
            )
        return self._submit(agent_id, kind, form, fields)

    def _submit(self, agent_id: str, kind: str, form, fields: dict):
        try:
            token = uuid.UUID(form.token.data)
        except ValueError:
            abort(400)
        try:
            submitted = self.desk.submit(token, kind, agent_id, current_user._get_current_object(), **fields)
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            submitted = self.desk.find_request(token)
            if submitted is None:  # not this form twice: the same transfer confirmed before
                flash(gettext("This bank transfer was confirmed before: it credits an agent once."), "error")
                return self.render(
                    "backoffice/agent_operate.html",
                    agent_id=agent_id,
                    form=form,
                    kind=kind,
                    title=KINDS[kind],
                )
            flash(gettext("This confirmation was already submitted: it was carried out once."), "warning")
        except sa.exc.DBAPIError as exc:
            refused(self.endpoint, exc)
            return redirect(url_for(".agent", agent_id=agent_id))
        return self.render(
            "backoffice/agent_result.html", agent_id=agent_id, result=submitted, title=KINDS[kind]
        )

    def _preview(self, agent_id: str, kind: str, fields: dict) -> dict:
        balance = self.desk.balance(agent_id)
        if kind == "limits":
            before = {name: getattr(balance, name, None) for name in LIMITS}
            after = {name: int(value) for name, value in fields["limits"].items()}
        else:
            column = FUNCTIONS[kind][1]  # the balance the function changes
            sign = -1 if kind == "points_spend" else 1
            now = getattr(balance, column, None)
            before = {column: now}
            after = {column: None if now is None else now + sign * fields["amount"]}
        return {
            "before": before,
            "after": after,
            "fields": fields,
            "needs_approval": self.desk.needs_approval(kind, agent_id, fields.get("amount")),
        }

    # Parts of the agent page -------------------------------------------------------------------

    def _table_view(self, table: str):
        return current_app.extensions["backoffice"].views.get(table)

    def _labels(self, table: str, names) -> dict:
        """The labels the table's generated view gives ``names`` (the file's, in the reader's language)."""
        view = self._table_view(table)
        return {name: view.get_column_name(name) if view is not None else name for name in names}

    def _exists(self, agent_id: str) -> bool:
        return self.safely(lambda: self.desk.exists(agent_id), False)

    def _recent(self, table: str, column: str, order: str, agent_id: str):
        view = self._table_view(table)
        if view is None or not may("list", view.endpoint):
            return None
        model = view.model
        query = db.session.query(model).filter(getattr(model, column) == agent_id)
        rows = self.safely(lambda: query.order_by(getattr(model, order).desc()).limit(RECENT_ROWS).all(), [])
        columns = [(name, label) for name, label in view._list_columns if name != column]
        return {
            "title": view.name,
            "columns": [label for _, label in columns],
            "rows": [[view.get_list_value(None, row, name) for name, _ in columns] for row in rows],
            "all": url_for(f"{view.endpoint}.index_view", search=agent_id),
        }

    def _transactions(self, agent_id: str) -> list | None:
        if self.report is None or not may("list", "report"):
            return None
        tomorrow = datetime.combine(today_jakarta() + timedelta(days=1), time())
        flt = ReportFilter(start=tomorrow - timedelta(days=31), end=tomorrow, agent=agent_id)
        return self.safely(lambda: db.session.execute(self.report.rows(flt, RECENT_ROWS)).all(), [])

    def _operations(self) -> dict:
        return {
            "deposit": may("topup", "agent_deposit"),
            "points": may("topup", "agent_points"),
            "status": may("edit", "agent_status"),
            "limits": may("edit", "agent_limits"),
        }

    def _image(self, model, column: str):
        """Where the image is (``agent_images.locate``), for a user who sees the KTP number unmasked."""
        if self._table_view(AGENTS).masks(KTP_COLUMN):
            return None
        return agent_images.locate(
            current_app.config["BACKOFFICE_AGENT_IMAGES"], getattr(model, column, None)
        )

    def _current_limits(self, agent_id: str, form_class) -> dict | None:
        if form_class is not LimitsForm or request.method == "POST":
            return None
        balance = self.desk.balance(agent_id)
        return {name: f"{getattr(balance, name, 0) or 0:.0f}" for name in LIMITS}

    @staticmethod
    def _month_ago() -> str:
        return (today_jakarta() - timedelta(days=30)).isoformat()
