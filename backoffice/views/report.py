"""The live transaction report, its daily recap, and their exports (Excel, CSV, ODS, JSON, PDF)."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import abort, flash, jsonify, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_login import current_user

from .. import audit
from ..exports import FORMATS, Document, export_response
from ..extensions import db
from ..formatting import now_jakarta, number, percent, rupiah, today_jakarta, wib
from ..inputs import day as parse_day
from ..report import EXPORT_FIELDS, STATUSES, ReportFilter, TransactionReport
from .gate import GatedBaseView, may, opens

PAGE_SIZE = 50
#: The longest range one report covers (a month and a bit: H+1 work and monthly recaps).
MAX_RANGE_DAYS = 62
#: The days a report may start or end on: any the business can have had.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9999, 1, 1)
#: The live view looks back at most this far, whatever the browser asks.
LIVE_WINDOW = timedelta(minutes=10)
#: The report's columns; in Indonesian they are the source document's headings.
HEADERS = {
    "time": lazy_gettext("Transaction time"),
    "agent": lazy_gettext("User ID"),
    "agent_name": lazy_gettext("Name"),
    "noref": lazy_gettext("Noref"),
    "customer": lazy_gettext("Customer ID"),
    "product_name": lazy_gettext("Product name"),
    "source_account": lazy_gettext("Source account"),
    "status": lazy_gettext("Status"),
    "amount": lazy_gettext("Amount"),
    "price": lazy_gettext("Selling price"),
    "cost": lazy_gettext("Cost price"),
    "biller": lazy_gettext("Biller"),
    "response_code": lazy_gettext("Response code"),
}
MONEY = {"amount", "price", "cost"}
#: The daily recap's columns, as its document and its exports name them.
RECAP_FIELDS = ("day", "key", "name", "success", "failed", "pending", "amount", "sales", "cost")
RECAP_MONEY = ("amount", "sales", "cost", "margin")
RECAP_SUMMED = ("success", "failed", "pending", "amount", "sales", "cost")
RECAP_HEADERS = {
    "day": lazy_gettext("Day"),
    "key": lazy_gettext("Product code"),
    "name": lazy_gettext("Product"),
    "success": lazy_gettext("Success"),
    "failed": lazy_gettext("Failed"),
    "pending": lazy_gettext("Pending"),
    "amount": lazy_gettext("Amount (success)"),
    "sales": lazy_gettext("Sales"),
    "cost": lazy_gettext("Cost at biller"),
    "margin": lazy_gettext("Margin"),
}
STATUS_LABELS = {
    "success": lazy_gettext("Success"),
    "failed": lazy_gettext("Failed"),
    "pending": lazy_gettext("Pending"),
}
TEXT_FILTERS = ("product", "group", "biller", "agent", "q")


class ReportView(GatedBaseView):
    """Transactions as they happen: filters in the URL, totals, live rows, recap, exports."""

    endpoint_capabilities = {
        "index": "list",
        "live": "list",
        "recap": "list",
        "export": "export",
        "recap_export": "export",
    }

    def __init__(self, report: TransactionReport, **kwargs):
        super().__init__(
            name=lazy_gettext("Transaction report"), endpoint="report", url="/admin/report", **kwargs
        )
        self.report = report

    @expose("/")
    def index(self):
        flt = self._filter()
        before = _cursor(request.args.get("before"))
        rows = self._run(self.report.rows(flt, PAGE_SIZE + 1, before))
        totals = self._run_one(self.report.totals(flt))
        older = None
        if len(rows) > PAGE_SIZE:
            rows, last = rows[:PAGE_SIZE], rows[PAGE_SIZE - 1]
            older = self._url(before=f"{last.time.isoformat()}|{last.key}")
        live = before is None and flt.end > now_jakarta()
        return self.render(
            "backoffice/report.html",
            rows=rows,
            outcome=self.report.outcome,
            totals=totals,
            flt=flt,
            older=older,
            last_day=(flt.end - timedelta(days=1)).date(),
            live=live,
            status_labels=STATUS_LABELS,
            products=self._products(),
            headers=HEADERS,
            links=self._links(),
            args=request.args,
            formats=FORMATS + ("pdf",),
        )

    @expose("/live")
    def live(self):
        """New rows since ``since`` (with an overlap: the browser drops rows it already shows) and totals."""
        flt = self._filter(report_problems=False)
        now = now_jakarta()
        since = _datetime(request.args.get("since")) or now - timedelta(minutes=1)
        recent = ReportFilter(**{**flt.__dict__, "start": max(flt.start, since, now - LIVE_WINDOW)})
        rows = self._run(self.report.rows(recent, 500, tables=(self.report.mapping.live_table,)))
        totals = self._run_one(self.report.totals(flt))
        return jsonify(
            server_time=now.isoformat(),
            rows=[_json_row(r, self.report.outcome(r.status)) for r in rows],
            totals=_json_totals(totals),
        )

    @expose("/recap")
    def recap(self):
        """The daily recap, as the H+1 document reads: per day and product (or biller) the counts
        per status and the money, a total row, and the margin for those who may see it."""
        flt, by, margin = self._recap_request()
        rows = self._run(self.report.recap(flt, by, margin))
        return self.render(
            "backoffice/recap.html",
            rows=rows,
            totals=_column_totals(rows, RECAP_SUMMED + (("margin",) if margin else ())),
            margin=margin,
            flt=flt,
            by=by,
            args=request.args,
            last_day=(flt.end - timedelta(days=1)).date(),
            formats=FORMATS + ("pdf",),
        )

    @expose("/recap/export/<fmt>/")
    def recap_export(self, fmt: str):
        if fmt not in FORMATS + ("pdf",):
            abort(404)
        flt, by, margin = self._recap_request()
        fields = RECAP_FIELDS + (("margin",) if margin else ())
        headers = [RECAP_HEADERS[f] for f in fields]
        if by == "biller":
            headers[1] = HEADERS["biller"]
        document = Document(
            title=gettext("Daily recap"),
            lines=[gettext("Period: %(start)s to %(end)s", start=wib(flt.start), end=wib(flt.end))],
            formats=[wib if f == "day" else rupiah if f in RECAP_MONEY else None for f in fields],
        )
        recap = self.report.recap(flt, by, margin).subquery()
        statement = sa.select(*(recap.c[f] for f in fields)).order_by(recap.c.day.desc(), recap.c.key)
        return self.download(
            lambda: export_response(
                fmt,
                "rekap",
                headers,
                statement,
                on_finish=audit.export_recorder(self.endpoint, None, fmt),
                document=document,
            ),
            url_for(".recap", **request.args),
        )

    def _recap_request(self) -> tuple[ReportFilter, str, bool]:
        flt = self._filter(default_days_back=1)
        by = "biller" if request.args.get("by") == "biller" else "product"
        return flt, by, may("list", "margin")

    @expose("/export/<fmt>/")
    def export(self, fmt: str):
        if fmt not in FORMATS + ("pdf",):
            abort(404)
        flt = self._filter()
        statement = self.report.rows(flt, 0, fields=EXPORT_FIELDS)
        return self.download(
            lambda: export_response(
                fmt,
                "transaksi",
                [HEADERS[f] for f in EXPORT_FIELDS],
                statement,
                on_finish=audit.export_recorder(self.endpoint, None, fmt),
                document=self._document(flt),
            ),
            self._url(),
        )

    def _document(self, flt: ReportFilter) -> Document:
        totals = self._run_one(self.report.totals(flt))
        chosen = ", ".join(
            f"{k}={v}" for k, v in request.args.items() if k in TEXT_FILTERS + ("status",) and v
        )
        return Document(
            title=gettext("Transaction report"),
            lines=[
                gettext("Period: %(start)s to %(end)s", start=wib(flt.start), end=wib(flt.end)),
                gettext("Filter: %(filter)s", filter=chosen or "-"),
                gettext(
                    "Exported by %(user)s (%(role)s) at %(time)s WIB",
                    user=current_user.username,
                    role=current_user.role,
                    time=wib(now_jakarta()),
                ),
                _totals_line(totals),
            ],
            formats=[wib if f == "time" else rupiah if f in MONEY else None for f in EXPORT_FIELDS],
        )

    def _filter(self, report_problems: bool = True, default_days_back: int = 0) -> ReportFilter:
        flt, problems = parse_filter(request.args, default_days_back)
        if report_problems:
            for problem in problems:
                flash(problem, "error")
        return flt

    def _run(self, statement) -> list:
        return self.safely(lambda: db.session.execute(statement).all(), [])

    def _run_one(self, statement):
        rows = self._run(statement)
        return rows[0] if rows else None

    def _products(self) -> list:
        p = self.report.mapping.products
        table = self.report.products_table
        return db.session.execute(
            sa.select(table.c[p["key"]], table.c[p["name"]], table.c[p["group"]]).order_by(table.c[p["name"]])
        ).all()

    @staticmethod
    def _links() -> dict[str, str]:
        """Column -> the page its values open (``KEY`` stands for the value), for this user: a
        reference its transaction, an agent the agent desk."""
        pages = {"noref": ("transactions.transaction", "noref"), "agent": ("agents.agent", "agent_id")}
        return {
            column: url_for(endpoint, **{argument: "KEY"})
            for column, (endpoint, argument) in pages.items()
            if opens("details", endpoint)
        }

    def _url(self, **changes) -> str:
        args = {k: v for k, v in request.args.items() if k != "before"}
        return url_for(".index", **{**args, **changes})


def parse_filter(args, default_days_back: int = 0) -> tuple[ReportFilter, list[str]]:
    """The report's filter from a query string, and a sentence for each value that had to be ignored."""
    problems = []
    today = today_jakarta()
    first = _date(args.get("from"), today - timedelta(days=default_days_back), problems)
    last = _date(args.get("to"), today - timedelta(days=default_days_back), problems)
    if last < first:
        problems.append(gettext("The end date was before the start date; showing the start date only."))
        last = first
    if (last - first).days >= MAX_RANGE_DAYS:
        problems.append(
            gettext("A report covers at most %(days)s days; the start was moved.", days=MAX_RANGE_DAYS)
        )
        first = last - timedelta(days=MAX_RANGE_DAYS - 1)
    status = args.get("status") or None
    if status not in (None, *STATUSES):
        problems.append(gettext("Unknown status %(status)s: ignored.", status=status[:20]))
        status = None
    text = {name: _text(args.get(name)) for name in TEXT_FILTERS}
    return ReportFilter(
        start=datetime.combine(first, time()),
        end=datetime.combine(last + timedelta(days=1), time()),
        status=status,
        product=text["product"],
        group=text["group"],
        biller=text["biller"],
        agent=text["agent"],
        search=text["q"],
    ), problems


def _date(raw: str | None, default: date, problems: list[str]) -> date:
    if not raw:
        return default
    try:
        day = parse_day(raw)
    except ValueError:
        problems.append(
            gettext("%(value)s is not a date (DD-MM-YYYY): today is shown instead.", value=raw[:30])
        )
        return default
    if not FIRST_DAY <= day <= LAST_DAY:  # the range's ends must stay dates (day + 1, last - range)
        problems.append(
            gettext("%(value)s is outside the dates a report covers: today is shown instead.", value=raw[:30])
        )
        return default
    return day


def _text(raw: str | None) -> str | None:
    value = (raw or "").replace("\x00", "").strip()[:40]
    return value or None


def _datetime(raw: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=None) if raw else None
    except ValueError:
        return None


def _cursor(raw: str | None) -> tuple[datetime, int] | None:
    """``2026-11-22T08:45:35|1234`` -> (time, key): where the next (older) page starts."""
    moment, _, key = (raw or "").partition("|")
    when = _datetime(moment)
    return (when, int(key)) if when and key.isdigit() else None


def _column_totals(rows, fields: tuple[str, ...]) -> dict:
    """The sum of each of ``fields`` over ``rows`` (the recap's total row)."""
    return {f: sum(getattr(row, f) for row in rows) for f in fields}


def _json_row(row, outcome: str | None) -> dict:
    values = {field: getattr(row, field) for field in EXPORT_FIELDS}
    shown = {
        f: (wib(v) if f == "time" else rupiah(v) if f in MONEY else ("" if v is None else str(v)))
        for f, v in values.items()
    }
    cells = [shown[f] for f in EXPORT_FIELDS]
    return {"key": str(row.key), "cells": cells, "status": row.status, "outcome": outcome}


def _json_totals(totals) -> dict:
    if totals is None:
        return {}
    return {
        "count": number(totals.count),
        "amount": rupiah(totals.amount),
        "success": str(totals.success),
        "failed": str(totals.failed),
        "pending": str(totals.pending),
        "rate": percent(100 * totals.success / totals.count if totals.count else None),
    }


def _totals_line(totals) -> str:
    t = _json_totals(totals)
    if not t:
        return ""
    return gettext(
        "Total: %(count)s transactions, %(amount)s; success %(success)s, failed %(failed)s, "
        "pending %(pending)s; success rate %(rate)s",
        **t,
    )
