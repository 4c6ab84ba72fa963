"""The biller balance page, each biller's deposit ledger, book versus biller, and top-ups.

A top-up is two steps: the form, then a confirmation that shows biller, amount and the balance
after. The confirmation carries a one-time token, so submitting it twice runs nothing twice.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import DateTimeLocalField, HiddenField, SelectChoice, SelectField, StringField, validators

from .. import audit
from ..approvals import BalanceRequests
from ..billers import LEDGER, Billers
from ..exports import FORMATS, export_response
from ..extensions import db
from ..formatting import decimal, now_jakarta, rupiah, today_jakarta
from ..i18n import TranslatedForm
from ..models.panel import BillerSetting
from ..reconciliation import MAX_AMOUNT
from .errors import refused
from .gate import GatedBaseView
from .report import parse_filter

#: How often the balance page refreshes itself.
REFRESH_SECONDS = 30
#: The most transactions the book page lists to explain one biller's difference.
EXPLAIN_ROWS = 500
LEDGER_HEADERS = (
    "Waktu",
    "Jenis",
    "Jumlah",
    "Saldo Sebelum",
    "Saldo Sesudah",
    "Bank",
    "No. Rekening",
    "Keterangan",
    "Oleh",
)
KINDS = {"deposit": lazy_gettext("Deposit"), "correction": lazy_gettext("Correction (reduce)")}


def parse_rupiah(text: str, whole: bool = True) -> Decimal:
    """``25.000``, ``25000`` or ``Rp 25.000`` as a number; raises ValueError with a message for people."""
    cleaned = (text or "").replace("Rp", "").replace(" ", "").strip()
    if "," in cleaned:
        head, _, cents = cleaned.partition(",")
        if whole and cents.strip("0"):
            raise ValueError(gettext("Enter whole rupiah, without cents."))
        cleaned = head if whole else f"{head},{cents}"
    cleaned = cleaned.replace(".", "").replace(",", ".")
    if not cleaned.lstrip("-").replace(".", "", 1).isdigit():
        raise ValueError(gettext("Enter an amount in rupiah, for example 25.000."))
    return Decimal(cleaned)


def biller_choices(billers: Billers) -> list[SelectChoice]:
    return [SelectChoice(code, f"{code} - {name or ''}") for code, name in billers.names()]


class WholeAmount:
    """A form's amount: whole, from 1 to ``BACKOFFICE_TOPUP_MAX`` (the database functions take an
    integer), kept as ``field.value``; its limit said in rupiah, or as a number (points)."""

    def __init__(self, money: bool = True):
        self.money = money

    def __call__(self, form, field) -> None:
        try:
            value = parse_rupiah(field.data)
        except ValueError as exc:
            raise validators.ValidationError(str(exc)) from None
        if value <= 0:
            raise validators.ValidationError(gettext("The amount must be more than zero."))
        maximum = int(current_app.config["BACKOFFICE_TOPUP_MAX"])
        if value > maximum:
            shown = rupiah(maximum) if self.money else decimal(maximum)
            raise validators.ValidationError(gettext("At most %(max)s per request.", max=shown))
        field.value = int(value)


class TopUpForm(TranslatedForm):
    """A deposit or correction: biller, kind, amount in whole rupiah, a note."""

    biller = SelectField(lazy_gettext("Biller"), choices=[])
    kind = SelectField(lazy_gettext("Kind"), choices=[SelectChoice(k, label) for k, label in KINDS.items()])
    amount = StringField(lazy_gettext("Amount (Rp)"), validators=[validators.InputRequired(), WholeAmount()])
    note = StringField(lazy_gettext("Note"), validators=[validators.Length(max=200)])

    def __init__(self, billers: Billers, **kwargs):
        super().__init__(**kwargs)
        self.biller.choices = biller_choices(billers)


class ConfirmForm(TopUpForm):
    """The confirmation: the same fields, checked again, and the token of this one submission."""

    token = HiddenField(validators=[validators.InputRequired(), validators.UUID()])


class BillerSettingForm(TranslatedForm):
    """What administrators set per biller."""

    low_balance = StringField(
        lazy_gettext("Low-balance threshold (Rp)"), validators=[validators.InputRequired()]
    )
    checkpoint_at = DateTimeLocalField(
        lazy_gettext("Checkpoint time (WIB)"), validators=[validators.Optional()], format="%Y-%m-%dT%H:%M"
    )
    checkpoint_balance = StringField(lazy_gettext("Balance agreed at the checkpoint (Rp)"))

    def validate_low_balance(self, field) -> None:
        self.low_value = _money(field.data, whole=True)

    def validate_checkpoint_balance(self, field) -> None:
        self.checkpoint_value = _money(field.data, whole=False) if field.data else None
        if (self.checkpoint_value is None) != (self.checkpoint_at.data is None):
            raise validators.ValidationError(
                gettext("Give both the checkpoint time and its balance, or neither.")
            )


def _money(text: str, whole: bool) -> Decimal:
    try:
        value = parse_rupiah(text, whole)
    except ValueError as exc:
        raise validators.ValidationError(str(exc)) from None
    if value < 0:
        raise validators.ValidationError(gettext("The amount cannot be negative."))
    if value >= MAX_AMOUNT:  # the columns are numeric(15,...)
        raise validators.ValidationError(gettext("The amount is too large."))
    return value


class BillerView(GatedBaseView):
    """Deposits at billers: monitoring, history, book versus biller, top-ups and their settings."""

    endpoint_capabilities = {
        "index": "list",
        "history": "list",
        "history_export": "export",
        "book": "list",
        "topup": "topup",
        "confirm": "topup",
        "settings": "edit",
    }

    def __init__(self, billers: Billers, requests: BalanceRequests, **kwargs):
        super().__init__(
            name=lazy_gettext("Biller balances"), endpoint="billers", url="/admin/billers", **kwargs
        )
        self.billers = billers
        self.requests = requests

    @expose("/")
    def index(self):
        lines = self.safely(lambda: self.billers.overview(now_jakarta()), [])
        return self.render("backoffice/billers.html", lines=lines, refresh=REFRESH_SECONDS, now=now_jakarta())

    @expose("/<code>/history/")
    def history(self, code: str):
        flt = self._period()
        statement = self.billers.ledger_rows(code, flt.start, flt.end)
        rows = self.safely(lambda: db.session.execute(statement.limit(1000)).all(), [])
        return self.render(
            "backoffice/biller_history.html",
            code=code,
            rows=rows,
            flt=flt,
            last_day=(flt.end - timedelta(days=1)).date(),
            headers=LEDGER_HEADERS,
            formats=FORMATS,
            args=request.args,
        )

    @expose("/<code>/history/export/<fmt>/")
    def history_export(self, code: str, fmt: str):
        if fmt not in FORMATS:
            abort(404)
        flt = self._period()
        return self.download(
            lambda: export_response(
                fmt,
                f"deposit_{code}",
                LEDGER_HEADERS,
                self.billers.ledger_rows(code, flt.start, flt.end),
                on_finish=audit.export_recorder(self.endpoint, LEDGER, fmt),
            ),
            url_for(".history", code=code, **request.args),
        )

    @expose("/book/")
    def book(self):
        now = now_jakarta()
        lines = self.safely(lambda: self.billers.book(now), [])
        chosen = next((line for line in lines if line.code == request.args.get("biller")), None)
        explaining = []
        if chosen is not None:
            statement = self.billers.explaining(chosen.code, chosen.since, now).limit(EXPLAIN_ROWS)
            explaining = self.safely(lambda: db.session.execute(statement).all(), [])
        return self.render(
            "backoffice/biller_book.html",
            lines=lines,
            chosen=chosen,
            explaining=explaining,
            limit=EXPLAIN_ROWS,
        )

    @expose("/topup/", methods=("GET", "POST"))
    def topup(self):
        form = self._form(
            TopUpForm, data={"biller": request.args.get("biller"), "kind": request.args.get("kind")}
        )
        if not form.validate_on_submit():
            return self.render("backoffice/topup.html", form=form)
        confirm = self._form(ConfirmForm, formdata=None, data={**form.data, "token": str(uuid.uuid4())})
        before = self.billers.balance(form.biller.data)
        sign = 1 if form.kind.data == "deposit" else -1
        return self.render(
            "backoffice/topup_confirm.html",
            form=confirm,
            kind=KINDS[form.kind.data],
            amount=form.amount.value,
            before=before,
            after=None if before is None else before + sign * form.amount.value,
            needs_approval=self.requests.needs_approval(form.kind.data, form.biller.data, form.amount.value),
        )

    @expose("/topup/confirm/", methods=("POST",))
    def confirm(self):
        form = self._form(ConfirmForm)
        if not form.validate_on_submit():
            flash(gettext("The top-up was not carried out: check the form and try again."), "error")
            return self.render("backoffice/topup.html", form=form)
        token = uuid.UUID(form.token.data)
        try:
            submitted = self.requests.submit(
                token,
                form.kind.data,
                form.biller.data,
                form.amount.value,
                form.note.data,
                current_user._get_current_object(),
            )
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            submitted = self.requests.find(token)
            if submitted is None:
                raise
            flash(gettext("This confirmation was already submitted: it was carried out once."), "warning")
        except sa.exc.DBAPIError as exc:
            refused(self.endpoint, exc)
            return redirect(url_for(".index"))
        return self.render("backoffice/topup_result.html", result=submitted, kind=KINDS[submitted.kind])

    @expose("/<code>/settings/", methods=("GET", "POST"))
    def settings(self, code: str):
        if self.billers.balance(code) is None:
            abort(404)
        setting = db.session.get(BillerSetting, code) or BillerSetting(billercode=code, low_balance=0)
        form = BillerSettingForm(obj=setting)
        if request.method == "GET":
            form.low_balance.data = f"{setting.low_balance or 0:.0f}"
            form.checkpoint_balance.data = (
                "" if setting.checkpoint_balance is None else f"{setting.checkpoint_balance}"
            )
        if not form.validate_on_submit():
            return self.render("backoffice/biller_settings.html", form=form, code=code)
        before = audit.snapshot(setting, ("low_balance", "checkpoint_at", "checkpoint_balance"))
        setting.low_balance, setting.checkpoint_at = form.low_value, form.checkpoint_at.data
        setting.checkpoint_balance = form.checkpoint_value
        setting.updated_by = current_user.username
        db.session.add(setting)
        after = audit.snapshot(setting, ("low_balance", "checkpoint_at", "checkpoint_balance"))
        audit.record(
            "update",
            view=self.endpoint,
            table_name="biller_setting",
            record_key=code,
            before=before,
            after=after,
        )
        db.session.commit()
        flash(gettext("Saved."), "success")
        return redirect(url_for(".index"))

    def _form(self, form_class, **kwargs):
        return form_class(self.billers, **kwargs)

    def _period(self):
        args = {"from": (today_jakarta() - timedelta(days=29)).isoformat(), **request.args}
        flt, problems = parse_filter(args)
        for problem in problems:
            flash(problem, "error")
        return flt
