"""Deposits at billers: the balance overview, the deposit ledger, book versus biller, and top-ups.

Balances change only through the database's own functions (``setbalanceusproc`` deposits,
``revbalanceusproc`` corrects), which update ``balance_us`` and write the ledger row in one
statement; the panel never writes a balance. Everything here runs in the caller's transaction, so
a top-up and its audit record commit together or not at all.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from .database import call_function
from .extensions import db
from .models.panel import AuditRecord, BillerSetting
from .models.reflection import ReflectedTable
from .report import ReportFilter, TransactionReport

BALANCES, LEDGER = "balance_us", "biller_update_balance"
#: Request kind -> the database function that carries it out.
FUNCTIONS = {"deposit": "setbalanceusproc", "correction": "revbalanceusproc"}
#: What a biller's reply holds when the biller never answered.
NO_RESPONSE = ("", "-")
#: Counting from "the beginning" when a biller has no checkpoint.
BEGINNING = datetime(1900, 1, 1)


@dataclass(frozen=True)
class BillerLine:
    """One biller on the balance page."""

    code: str
    name: str | None
    balance: Decimal
    low_balance: Decimal
    last_deposit_at: datetime | None
    last_deposit: Decimal | None
    last_deposit_by: str | None
    spent_today: Decimal
    spent_last_hour: Decimal

    @property
    def low(self) -> bool:
        return self.balance < self.low_balance

    @property
    def hours_left(self) -> Decimal | None:
        """How long the deposit lasts at the last hour's rate; None when nothing was spent."""
        return self.balance / self.spent_last_hour if self.spent_last_hour > 0 else None


@dataclass(frozen=True)
class BookLine:
    """The book balance of one biller beside the balance the database holds."""

    code: str
    name: str | None
    since: datetime | None
    opening: Decimal
    deposits: Decimal
    spent: Decimal
    balance: Decimal
    unanswered: Decimal
    refunded_after_debit: Decimal

    @property
    def book(self) -> Decimal:
        return self.opening + self.deposits - self.spent

    @property
    def difference(self) -> Decimal:
        """Database less book: positive when the biller holds more than our books say."""
        return self.balance - self.book

    @property
    def unexplained(self) -> Decimal:
        return self.difference - self.unanswered + self.refunded_after_debit


@dataclass(frozen=True)
class TopUpResult:
    """What the database function answered, with the balance around the call."""

    status: str
    description: str
    before: Decimal | None
    after: Decimal | None
    ledger_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "00"


class Billers:
    """Queries and calls over the biller tables and the transaction tables of the report."""

    def __init__(self, tables: Mapping[str, ReflectedTable], report: TransactionReport):
        self.balances = tables[BALANCES].table
        self.ledger = tables[LEDGER].table
        self.report = report

    @staticmethod
    def available(tables: Mapping[str, ReflectedTable]) -> bool:
        """Does this database have the PPOB biller tables?"""
        return BALANCES in tables and LEDGER in tables

    def names(self) -> list[tuple[str, str | None]]:
        b = self.balances.c
        return db.session.execute(sa.select(b.billercode, b.billername).order_by(b.billercode)).all()

    def balance(self, code: str, lock: bool = False) -> Decimal | None:
        """The deposit the database holds for ``code`` (locking the row until the transaction ends)."""
        query = sa.select(self.balances.c.curr_bal).where(self.balances.c.billercode == code)
        return db.session.scalar(query.with_for_update() if lock else query)

    def low(self) -> list[tuple[str, Decimal, Decimal]]:
        """(biller, balance, threshold) of the billers below their low-balance threshold."""
        b = self.balances.c
        return db.session.execute(
            sa.select(b.billercode, b.curr_bal, BillerSetting.low_balance)
            .join(BillerSetting, BillerSetting.billercode == b.billercode)
            .where(b.curr_bal < BillerSetting.low_balance)
            .order_by(b.billercode)
        ).all()

    def overview(self, now: datetime) -> list[BillerLine]:
        """Every biller: balance, threshold, last deposit and by whom, spend today and in the last hour."""
        b, led = self.balances.c, self.ledger.c
        last = (
            sa.select(led.id, led.transfer_date, led.amount)
            .where(led.billercode == b.billercode, led.amount > 0)
            .order_by(led.transfer_date.desc(), led.id.desc())
            .limit(1)
            .lateral("last")
        )
        by = _from_panel(last.c.id, AuditRecord.actor)
        rows = db.session.execute(
            sa.select(
                b.billercode,
                b.billername,
                b.curr_bal,
                sa.func.coalesce(BillerSetting.low_balance, 0),
                last.c.transfer_date,
                last.c.amount,
                by,
            )
            .outerjoin(BillerSetting, BillerSetting.billercode == b.billercode)
            .outerjoin(last, sa.true())
            .order_by(b.billercode)
        ).all()
        spend = self._spend(now)
        return [BillerLine(*row[:7], *spend.get(row[0], (Decimal(0), Decimal(0)))) for row in rows]

    def _spend(self, now: datetime) -> dict[str, tuple[Decimal, Decimal]]:
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        trx = self.report.transactions(
            ReportFilter(start=start, end=now + timedelta(minutes=1), status="success")
        )
        hour_ago = now - timedelta(hours=1)
        rows = db.session.execute(
            sa.select(
                trx.c.biller,
                sa.func.coalesce(sa.func.sum(trx.c.cost), 0),
                sa.func.coalesce(sa.func.sum(trx.c.cost).filter(trx.c.time >= hour_ago), 0),
            ).group_by(trx.c.biller)
        ).all()
        return {code: (today, hour) for code, today, hour in rows}

    def ledger_rows(self, code: str, start: datetime, end: datetime) -> sa.Select:
        """The deposits and corrections of one biller in [start, end), newest first, with who made them."""
        led = self.ledger.c
        by = _from_panel(led.id, AuditRecord.actor)
        note = _from_panel(led.id, AuditRecord.detail["note"].as_string())
        return (
            sa.select(
                led.transfer_date,
                sa.case((led.amount >= 0, "DEPOSIT"), else_="KOREKSI").label("kind"),
                led.amount,
                led.before_balance,
                led.current_balance,
                led.bank_name,
                led.acct_no,
                sa.func.coalesce(note, led.keterangan).label("keterangan"),
                by.label("by"),
            )
            .where(led.billercode == code, led.transfer_date >= start, led.transfer_date < end)
            .order_by(led.transfer_date.desc(), led.id.desc())
        )

    def book(self, now: datetime) -> list[BookLine]:
        """For every biller: the book balance since its checkpoint beside the database's, and what
        explains the gap."""
        b = self.balances.c
        billers = db.session.execute(
            sa.select(b.billercode, b.billername, b.curr_bal).order_by(b.billercode)
        ).all()
        settings = {s.billercode: s for s in db.session.scalars(sa.select(BillerSetting))}
        since = {code: s.checkpoint_at for code, s in settings.items() if s.checkpoint_at}
        # Transactions are read from the earliest checkpoint on (from the beginning if one is missing).
        start = min(since.values()) if billers and all(code in since for code, *_ in billers) else BEGINNING
        deposits = self._deposits_since(since)
        spent = self._spent_since(since, start, now)
        lines = []
        for code, name, balance in billers:
            opening = settings[code].checkpoint_balance if code in since else Decimal(0)
            cost, unanswered, refunded = spent.get(code, (Decimal(0),) * 3)
            deposited = deposits.get(code, Decimal(0))
            lines.append(
                BookLine(code, name, since.get(code), opening, deposited, cost, balance, unanswered, refunded)
            )
        return lines

    def _deposits_since(self, since: dict[str, datetime]) -> dict[str, Decimal]:
        led = self.ledger.c
        after = _after_checkpoint(led.billercode, led.transfer_date, since)
        rows = db.session.execute(
            sa.select(led.billercode, sa.func.sum(led.amount)).where(after).group_by(led.billercode)
        )
        return dict(rows.all())

    def _spent_since(self, since: dict[str, datetime], start: datetime, now: datetime) -> dict[str, tuple]:
        trx = self.report.transactions(ReportFilter(start=start, end=now + timedelta(days=1)))
        success, unanswered, debited = self._outcomes(trx)
        rows = db.session.execute(
            sa.select(
                trx.c.biller,
                sa.func.coalesce(sa.func.sum(trx.c.cost).filter(success), 0),
                sa.func.coalesce(sa.func.sum(trx.c.cost).filter(unanswered), 0),
                sa.func.coalesce(sa.func.sum(trx.c.cost).filter(debited), 0),
            )
            .where(_after_checkpoint(trx.c.biller, trx.c.time, since))
            .group_by(trx.c.biller)
        )
        return {code: tuple(values) for code, *values in rows}

    def _outcomes(self, trx: sa.Subquery) -> tuple:
        """Conditions on transactions: successful; successful with no biller response (the biller
        never debited it); failed although the biller's reply carries a serial number (debited
        there, refunded here)."""
        statuses = self.report.mapping.status_values
        success = trx.c.status.in_(statuses["success"])
        unanswered = success & sa.func.coalesce(trx.c.biller_response, "").in_(NO_RESPONSE)
        debited = trx.c.status.in_(statuses["failed"]) & trx.c.biller_response.ilike("SN%")
        return success, unanswered, debited

    def explaining(self, code: str, since: datetime | None, now: datetime) -> sa.Select:
        """The transactions behind a biller's difference (see :meth:`_outcomes`), newest first."""
        trx = self.report.transactions(
            ReportFilter(start=since or BEGINNING, end=now + timedelta(days=1), biller=code)
        )
        _, unanswered, debited = self._outcomes(trx)
        return (
            sa.select(
                trx.c.time,
                trx.c.noref,
                trx.c.product,
                trx.c.status,
                trx.c.biller_response,
                trx.c.cost,
                sa.case((unanswered, "unanswered"), else_="refunded_after_debit").label("reason"),
            )
            .where(unanswered | debited)
            .order_by(trx.c.time.desc())
        )

    def unanswered(self, code: str, day: date) -> list[str]:
        """References of ``day``'s transactions at ``code`` that the biller never answered."""
        start = datetime.combine(day, time())
        trx = self.report.transactions(ReportFilter(start=start, end=start + timedelta(days=1), biller=code))
        _, unanswered, _ = self._outcomes(trx)
        return list(db.session.scalars(sa.select(trx.c.noref).where(unanswered)))

    def run(self, kind: str, code: str, amount: int) -> TopUpResult:
        """Deposit or correct through the database's function, in the current transaction.

        The biller's row is locked first, so the balances read before and after belong to this call.
        """
        before = self.balance(code, lock=True)
        if before is None:
            return TopUpResult("14", "BILLER TIDAK DITEMUKAN", None, None)
        answer = call_function(FUNCTIONS[kind], code=code, amount=amount)
        after = self.balance(code)
        ledger_id = None
        if answer["vo_status"] == "00":
            # The function's ledger row: the newest for this biller, which the row lock keeps ours.
            ledger_id = db.session.scalar(
                sa.select(sa.func.max(self.ledger.c.id)).where(self.ledger.c.billercode == code)
            )
        return TopUpResult(answer["vo_status"], answer["vo_statusdesc"], before, after, ledger_id)


def _from_panel(ledger_id, value) -> sa.ScalarSelect:
    """``value`` of the audit record of a ledger row made through the panel (the record names the
    row): who made it, the note they typed; NULL for a row made elsewhere."""
    return (
        sa.select(value)
        .where(AuditRecord.table_name == LEDGER, AuditRecord.record_key == sa.cast(ledger_id, sa.String))
        .limit(1)
        .scalar_subquery()
    )


def _after_checkpoint(code_column, time_column, since: dict[str, datetime]):
    """Rows after their biller's checkpoint; a biller without one counts from the beginning."""
    if not since:
        return sa.true()
    checkpoint = sa.case(*((code_column == code, at) for code, at in since.items()), else_=BEGINNING)
    return time_column > checkpoint
