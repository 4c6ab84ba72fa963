"""H+1 reconciliation: a biller's statement for one day against our successful transactions there.

The statement is a CSV or Excel file read by the panel's one upload reader (``uploads.py``). Its
rows are matched to ours by reference number (noref); each ends matched, only ours, only theirs, or
an amount mismatch. A file with any bad row is refused whole, with a message per row (up to
:data:`~backoffice.uploads.MAX_PROBLEMS`), and nothing is saved.
"""

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext

from .extensions import db
from .models.panel import Reconciliation, reconciliation_item
from .report import ReportFilter, TransactionReport
from .uploads import MAX_PROBLEMS, BadUpload, find_columns, read_table, rows_of

#: Field -> the header names a biller's statement may use for it (compared in lower case).
COLUMNS = {
    "noref": ("noref", "no ref", "no_ref", "ref", "reference", "referensi", "no referensi", "refnum"),
    "amount": ("amount", "nominal", "jumlah", "harga", "hargabeli", "harga beli", "price", "total"),
    "time": ("time", "waktu", "waktu transaksi", "tanggal", "tgl", "date", "datetime", "trx date"),
}
OUTCOMES = ("matched", "only_ours", "only_theirs", "mismatch")
#: Amounts are stored as numeric(15,2): whole part below this, to the cent.
MAX_AMOUNT = Decimal(10) ** 13
CENT = Decimal("0.01")
_TIME_FORMATS = ("%d-%b-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y")
_INDONESIAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_ENGLISH_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Line:
    """One transaction, ours or the biller's."""

    noref: str
    amount: Decimal
    time: datetime | None


@dataclass
class Result:
    """The outcome of matching: per outcome, (noref, ours, theirs)."""

    rows: dict[str, list[tuple[str, Line | None, Line | None]]] = field(
        default_factory=lambda: {outcome: [] for outcome in OUTCOMES}
    )

    @property
    def our_total(self) -> Decimal:
        return sum((ours.amount for kind in OUTCOMES for _, ours, _ in self.rows[kind] if ours), Decimal(0))

    @property
    def their_total(self) -> Decimal:
        return sum(
            (theirs.amount for kind in OUTCOMES for _, _, theirs in self.rows[kind] if theirs), Decimal(0)
        )


def read_statement(content: bytes, filename: str, day: date) -> dict[str, Line]:
    """The statement's rows by reference; raises :class:`~backoffice.uploads.BadUpload` naming
    each bad row."""
    dataset = read_table(content, filename)
    columns = find_columns(dataset.headers or [], COLUMNS)
    lines = rows_of(dataset, lambda row: _line(row, columns, day))
    by_reference, twice = {}, []
    for number, line in enumerate(lines, start=2):
        if line.noref in by_reference:
            twice.append(
                gettext("Row %(row)s: reference %(ref)s appears twice.", row=number, ref=line.noref[:40])
            )
        by_reference[line.noref] = line
    if twice:
        raise BadUpload(twice[:MAX_PROBLEMS])
    return by_reference


def match(ours: dict[str, Line], theirs: dict[str, Line]) -> Result:
    """Pair our transactions with the biller's by reference and sort each into its outcome."""
    result = Result()
    for noref, line in ours.items():
        other = theirs.get(noref)
        if other is None:
            result.rows["only_ours"].append((noref, line, None))
        elif other.amount == line.amount:
            result.rows["matched"].append((noref, line, other))
        else:
            result.rows["mismatch"].append((noref, line, other))
    for noref, other in theirs.items():
        if noref not in ours:
            result.rows["only_theirs"].append((noref, None, other))
    return result


def our_lines(report: TransactionReport, code: str, day: date) -> dict[str, Line]:
    """Our successful transactions at biller ``code`` on ``day`` (Jakarta), by reference."""
    start = datetime.combine(day, time())
    trx = report.transactions(
        ReportFilter(start=start, end=start + timedelta(days=1), status="success", biller=code)
    )
    rows = db.session.execute(sa.select(trx.c.noref, trx.c.cost, trx.c.time).order_by(trx.c.time))
    return {noref: Line(noref, Decimal(cost), when) for noref, cost, when in rows}


def save(code: str, day: date, filename: str, content: bytes, result: Result, actor: str) -> Reconciliation:
    """Store the reconciliation and every row's outcome, in the current transaction."""
    saved = Reconciliation(
        billercode=code,
        day=day,
        file_name=filename[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        created_by=actor,
        matched=len(result.rows["matched"]),
        only_ours=len(result.rows["only_ours"]),
        only_theirs=len(result.rows["only_theirs"]),
        mismatched=len(result.rows["mismatch"]),
        our_total=result.our_total,
        their_total=result.their_total,
    )
    db.session.add(saved)
    db.session.flush()
    items = [
        {
            "reconciliation_id": saved.id,
            "outcome": outcome,
            "noref": noref,
            "our_time": ours.time if ours else None,
            "our_amount": ours.amount if ours else None,
            "their_time": theirs.time if theirs else None,
            "their_amount": theirs.amount if theirs else None,
        }
        for outcome in OUTCOMES
        for noref, ours, theirs in result.rows[outcome]
    ]
    if items:
        db.session.execute(reconciliation_item.insert(), items)
    return saved


def items(reconciliation_id: int, outcome: str | None = None) -> sa.Select:
    """A saved reconciliation's rows (of one outcome), for its page and its export."""
    c = reconciliation_item.c
    query = sa.select(c.outcome, c.noref, c.our_time, c.our_amount, c.their_time, c.their_amount).where(
        c.reconciliation_id == reconciliation_id
    )
    if outcome:
        query = query.where(c.outcome == outcome)
    return query.order_by(c.outcome, c.noref)


def explained(report: TransactionReport, saved: Reconciliation, outcome: str) -> sa.Select:
    """The rows of one outcome of ``saved`` beside what our books know of each transaction of its
    day at its biller (any status): product, agent and status, empty for references not ours."""
    start = datetime.combine(saved.day, time())
    day = ReportFilter(start=start, end=start + timedelta(days=1), biller=saved.billercode)
    fields = ("noref", "product_name", "agent", "agent_name", "status")
    trx = report.rows(day, 0, fields=fields).order_by(None).subquery("trx")
    rows = items(saved.id, outcome).order_by(None).subquery()
    return (
        sa.select(rows, trx.c.product_name, trx.c.agent, trx.c.agent_name, trx.c.status)
        .select_from(rows.outerjoin(trx, trx.c.noref == rows.c.noref))
        .order_by(rows.c.noref)
    )


def earlier(saved: Reconciliation) -> list[Reconciliation]:
    """The reconciliations of the same biller and day made before ``saved``."""
    return db.session.scalars(
        sa.select(Reconciliation)
        .where(
            Reconciliation.billercode == saved.billercode,
            Reconciliation.day == saved.day,
            Reconciliation.id < saved.id,
        )
        .order_by(Reconciliation.id.desc())
    ).all()


def sample_statement(ours: dict[str, Line], unanswered: Iterable[str]) -> tuple[bytes, dict[str, set[str]]]:
    """A biller's statement made from our transactions, with deliberate differences, for the demo.

    The biller never saw ``unanswered`` transactions (no biller response) and leaves them out; of
    the rest, one more is left out, two carry a different amount, and two references are not ours.
    Returns the CSV and the planted differences per outcome.
    """
    skipped = set(unanswered)
    answered = sorted(noref for noref in ours if noref not in skipped)
    lost, changed = answered[:1], answered[1:3]
    strangers = ["XSAMPLE0001", "XSAMPLE0002"]
    planted = {
        "only_ours": skipped & set(ours) | set(lost),
        "mismatch": set(changed),
        "only_theirs": set(strangers),
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Waktu", "Noref", "Nominal"])
    for noref in answered:
        if noref in lost:
            continue
        line = ours[noref]
        amount = line.amount + (500 if noref in changed else 0)
        writer.writerow([line.time.strftime("%d-%b-%Y %H:%M:%S"), noref, f"{amount:.0f}"])
    first = min(line.time for line in ours.values()) if ours else datetime.now()
    for noref in strangers:
        writer.writerow([first.strftime("%d-%b-%Y %H:%M:%S"), noref, "25000"])
    return out.getvalue().encode("utf-8"), planted


def _line(row, columns: dict[str, int], day: date) -> Line:
    noref = str(row[columns["noref"]] or "").strip()
    if not noref:
        raise ValueError(gettext("the reference is empty"))
    amount = _amount(row[columns["amount"]])
    when = _time(row[columns["time"]])
    if (when.date() if isinstance(when, datetime) else when) != day:
        raise ValueError(gettext("the date %(date)s is not the day being reconciled", date=str(when)[:20]))
    return Line(noref[:60], amount, when if isinstance(when, datetime) else None)


def _amount(raw) -> Decimal:
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return Decimal(str(raw))
    text = str(raw or "").replace("Rp", "").replace(" ", "").strip()
    if _INDONESIAN_NUMBER.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _ENGLISH_NUMBER.match(text):
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(gettext("the amount %(value)s is not a number", value=str(raw)[:30])) from None
    if not amount.is_finite():
        raise ValueError(gettext("the amount %(value)s is not a number", value=str(raw)[:30]))
    if abs(amount) >= MAX_AMOUNT:
        raise ValueError(gettext("the amount %(value)s is too large", value=str(raw)[:30]))
    return amount.quantize(CENT)


def _time(raw) -> datetime | date:
    if isinstance(raw, datetime | date):
        return raw
    text = str(raw or "").strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(gettext("the date %(value)s is not a date and time", value=text[:30]))
