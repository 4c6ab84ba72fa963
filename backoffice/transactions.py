"""The transaction desk: one transaction with everything about it, and the queue of those stuck.

A transaction is found by its reference (``noref``) in the report's tables. Around it: the H2H
messages that name the reference (``messagein``, ``messageout`` and their backups, within a window
of its time, since those tables have no reference column), the agent's point mutation of the same
reference and the balance mutations of the agent at that time.

Stuck are the pending transactions, and the suspect ones: a success without the biller's response,
a failure that carries a serial number. An operator resolves them as "success with serial number"
or "failed and refunded to the agent"; a second person approves. The change of status is a
conditional update (only while it is still pending or suspect as it was asked): when the PPOB
application settled it first, nothing changes and the request says what the application decided.
A refund goes through ``am_receivemoneyproc``, and the request links the transaction, the refund
and the mutation it made.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from . import audit
from .agents import MUTATIONS
from .approvals import Decision, PanelQueue, Pending, Refused, decidable, decided_by, rejection_reason
from .database import call_function
from .extensions import db
from .formatting import now_jakarta
from .models.names import TableName
from .models.panel import PanelUser, TransactionRequest
from .models.reflection import ReflectedTable
from .reconciliation import COLUMNS as RECONCILED_COLUMNS
from .report import TransactionReport
from .uploads import MAX_PROBLEMS, BadUpload, find_columns, read_table, rows_of

#: The H2H traffic tables, searched for a transaction's reference.
MESSAGE_TABLES = ("messageout", "messagein", "messageout_backup", "messagein_backup")
#: How far around a transaction's time its messages are looked for.
MESSAGE_WINDOW = timedelta(minutes=30)
MESSAGE_ROWS = 50
#: The biller's answer and where a serial number (or token) is written: "SN:..." in it.
RESPONSE = "respbiller"
SERIAL_PREFIX = "SN:"
NO_RESPONSE = ("", "-")
#: What a resolution writes: the status and response code the application uses for it.
OUTCOMES = {
    "success": {"status": "success", "response_code": "00"},
    "refund": {"status": "failed", "response_code": "05"},
}
OUTCOME_LABELS = {
    "success": lazy_gettext("Success with serial number"),
    "refund": lazy_gettext("Failed and refunded to the agent"),
}
KIND_LABELS = {
    "pending": lazy_gettext("Pending"),
    "no_response": lazy_gettext("Success without the biller's response"),
    "failed_with_serial": lazy_gettext("Failed with a serial number"),
}
STUCK_ROWS = 500
#: The queue looks this far back, through the tables' time index: a history of many millions of
#: rows is never scanned whole for its statuses.
STUCK_DAYS = 7
#: A biller's file of resolutions: its columns, by the names billers give them (the reference as in
#: their statements), and the words of its status column.
RESOLUTION_COLUMNS = {
    "noref": RECONCILED_COLUMNS["noref"],
    "status": ("status", "hasil", "result", "keterangan", "statusreply", "rc"),
    "serial": ("sn", "serial", "serial number", "no seri", "nomor seri", "token", "voucher"),
}
RESOLUTION_WORDS = {
    "success": ("sukses", "success", "berhasil", "00"),
    "refund": ("gagal", "failed", "fail", "refund", "batal", "05"),
}


@dataclass(frozen=True)
class Resolution:
    """One row of a biller's file: a transaction, how it ended, its serial number."""

    noref: str
    outcome: str
    serial: str | None


def read_resolutions(content: bytes, filename: str) -> list[Resolution]:
    """A biller's file of resolutions (through the one upload reader); refused whole, naming each
    bad row, when a row has no reference, an unknown status, a success without its serial
    number, or a reference given twice."""
    dataset = read_table(content, filename)
    columns = find_columns(dataset.headers or [], RESOLUTION_COLUMNS, optional=("serial",))
    resolutions = rows_of(dataset, lambda row: _resolution(row, columns))
    seen, twice = set(), []
    for number, resolution in enumerate(resolutions, start=2):
        if resolution.noref in seen:
            twice.append(
                gettext("Row %(row)s: reference %(ref)s appears twice.", row=number, ref=resolution.noref)
            )
        seen.add(resolution.noref)
    if twice:
        raise BadUpload(twice[:MAX_PROBLEMS])
    return resolutions


def _resolution(row, columns: dict[str, int]) -> Resolution:
    noref = str(row[columns["noref"]] or "").strip()[:60]
    if not noref:
        raise ValueError(gettext("the reference is empty"))
    word = str(row[columns["status"]] or "").strip().lower()
    outcome = next((o for o, words in RESOLUTION_WORDS.items() if word in words), None)
    if outcome is None:
        raise ValueError(
            gettext("the status %(status)s is neither a success nor a failure", status=word[:20])
        )
    serial = str(row[columns["serial"]] or "").strip()[:60] if "serial" in columns else ""
    if outcome == "success" and not serial:
        raise ValueError(gettext("a success needs its serial number"))
    return Resolution(noref, outcome, serial if outcome == "success" else None)


@dataclass(frozen=True)
class Found:
    """One row of a report table with this reference: the table's key and the row."""

    table: str
    row: object


class TransactionDesk(PanelQueue):
    """Transactions over the report's mapping, and the queue of resolutions that wait for a
    second person (one of the approval page's queues)."""

    name = "transaction"
    model = TransactionRequest
    title = lazy_gettext("Stuck transactions")

    def __init__(self, report: TransactionReport, tables: Mapping[str, ReflectedTable], config: Mapping):
        self.mapping = report.mapping
        self.report_tables = {name: tables[name].table for name in self.mapping.tables}
        self.messages = [tables[name].table for name in MESSAGE_TABLES if name in tables]
        self.points = tables["am_update_poin"].table if "am_update_poin" in tables else None
        self.products = tables[self.mapping.products["table"]].table
        self.lifetime = timedelta(hours=int(config["BACKOFFICE_APPROVAL_HOURS"]))

    def column(self, table: sa.Table, name: str) -> sa.Column:
        """The report mapping's column ``name`` (time, noref, status...) of ``table``."""
        return table.c[self.mapping.columns[name]]

    # One transaction -----------------------------------------------------------------------------

    def find(self, noref: str) -> list[Found]:
        """Every row of the report's tables with reference ``noref`` (normally one)."""
        found = []
        for name, table in self.report_tables.items():
            rows = db.session.execute(sa.select(table).where(self.column(table, "noref") == noref).limit(5))
            found += [Found(name, row) for row in rows]
        return found

    def messages_of(self, noref: str, at: datetime) -> list[tuple[str, object]]:
        """The H2H messages that name ``noref``, within :data:`MESSAGE_WINDOW` of ``at``, in time order."""
        found = []
        pattern = "%" + noref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for table in self.messages:
            c = table.c
            rows = db.session.execute(
                sa.select(table)
                .where(c.waktu.between(at - MESSAGE_WINDOW, at + MESSAGE_WINDOW), c.message.like(pattern))
                .order_by(c.waktu)
                .limit(MESSAGE_ROWS)
            )
            found += [(table.name, row) for row in rows]
        return sorted(found, key=lambda item: item[1].waktu)

    def looked_up(self) -> dict[str, tuple[str, ...]]:
        """Table -> the columns this desk finds rows by that the table may not index: the
        message tables' time (for ``index-advice``)."""
        return {TableName.of(table).key: ("waktu",) for table in self.messages}

    def points_of(self, noref: str) -> list:
        if self.points is None:
            return []
        return db.session.execute(sa.select(self.points).where(self.points.c.noref == noref)).all()

    # The queue of stuck transactions ------------------------------------------------------------

    def stuck(self, limit: int = STUCK_ROWS) -> list:
        """Pending and suspect transactions of the last :data:`STUCK_DAYS` days, oldest first:
        time, noref, agent, biller, product and its name, price, status and their kind."""
        since = now_jakarta().replace(tzinfo=None) - timedelta(days=STUCK_DAYS)
        branches = [
            self._stuck_in(table).where(self.column(table, "time") >= since)
            for table in self.report_tables.values()
        ]
        union = (sa.union_all(*branches) if len(branches) > 1 else branches[0]).subquery("stuck")
        p = self.mapping.products
        name = self.products.c[p["name"]].label("product_name")
        joined = union.outerjoin(self.products, self.products.c[p["key"]] == union.c.product)
        query = sa.select(union, name).select_from(joined).order_by(union.c.time)
        return db.session.execute(query.limit(limit)).all()

    def _stuck_in(self, table: sa.Table) -> sa.Select:
        kind = self._kind(table)
        fields = ("time", "noref", "agent", "biller", "product", "price", "status")
        query = sa.select(*(self.column(table, name).label(name) for name in fields), kind.label("kind"))
        return query.where(kind.is_not(None))

    def _kind(self, table: sa.Table) -> sa.Case:
        """Why a row is stuck (pending, no_response, failed_with_serial), NULL when it is not."""
        status = self.column(table, "status")
        return sa.case(
            (status.in_(self.mapping.status_values["pending"]), "pending"),
            *self._suspect_kinds(table),
            else_=None,
        )

    def _suspect_kinds(self, table: sa.Table) -> list:
        if RESPONSE not in table.c:
            return []
        status, response = self.column(table, "status"), table.c[RESPONSE]
        return [
            (
                sa.and_(
                    status.in_(self.mapping.status_values["success"]),
                    sa.or_(response.is_(None), response.in_(NO_RESPONSE)),
                ),
                "no_response",
            ),
            (
                sa.and_(status.in_(self.mapping.status_values["failed"]), response.like(SERIAL_PREFIX + "%")),
                "failed_with_serial",
            ),
        ]

    def stuck_one(self, noref: str):
        """The stuck transaction ``noref`` (as :meth:`stuck` has it), or None."""
        for table_name, table in self.report_tables.items():
            query = self._stuck_in(table).where(self.column(table, "noref") == noref)
            row = db.session.execute(query.limit(1)).first()
            if row is not None:
                return table_name, row
        return None

    # Resolutions -----------------------------------------------------------------------------

    def preview(self, resolutions: list[Resolution]) -> list[dict]:
        """What each resolution would change: the transaction as it stands (None when it is not
        stuck) and why it cannot be asked for, if it cannot."""
        waiting = set(
            db.session.scalars(
                sa.select(TransactionRequest.noref).where(TransactionRequest.status == "pending")
            )
        )
        previews = []
        for resolution in resolutions:
            stuck = self.stuck_one(resolution.noref)
            problem = None
            if stuck is None:
                problem = gettext("not pending or suspect (any more)")
            elif resolution.noref in waiting:
                problem = gettext("a resolution of it waits for approval already")
            previews.append(
                {"resolution": resolution, "row": stuck[1] if stuck else None, "problem": problem}
            )
        return previews

    def ask(self, noref: str, outcome: str, serial: str | None, actor: PanelUser, token: uuid.UUID):
        """Ask for ``noref`` to be resolved as ``outcome``; it waits for a second person. Refused
        when it is not stuck (any more), or a resolution of it waits already."""
        stuck = self.stuck_one(noref)
        if stuck is None:
            raise Refused(gettext("Transaction %(noref)s is not pending or suspect (any more).", noref=noref))
        table_name, row = stuck
        request = self.new_request(
            actor,
            token=token,
            noref=noref,
            table_name=table_name,
            kind_seen=row.kind,
            outcome=outcome,
            serial=serial,
            agent_id=row.agent,
            amount=row.price,
        )  # one waiting resolution per transaction: a unique index, checked here
        audit.record("transaction_request", **_about(request), detail=_detail(request))
        return request

    def pending(self) -> list[Pending]:
        return [
            self.pending_item(
                r,
                what=f"{OUTCOME_LABELS[r.outcome]}: {r.noref}" + (f" ({r.serial})" if r.serial else ""),
                subject=r.agent_id or "-",
                amount=None if r.amount is None else Decimal(r.amount),
                unit="rupiah",
                before=None,
                after=None,
            )
            for r in self.waiting_requests()
        ]

    def approve(self, key: int, actor: PanelUser) -> Decision:
        request = decidable(TransactionRequest, key, actor)
        decided_by(request, actor)
        settled = self._settle(request)
        if settled is None:  # the application decided first: nothing of ours ran
            current = self._status_now(request)
            request.status, request.result_desc = "settled", f"{current or '-'}"[:200]
            audit.record("transaction_settled_elsewhere", **_about(request), detail=_detail(request))
            return Decision(
                False,
                gettext(
                    "The PPOB application settled it first (%(status)s): nothing was changed.", status=current
                ),
            )
        if request.outcome == "refund":
            refund = call_function("am_receivemoneyproc", agent=settled.agent, amount=int(request.amount))
            if refund["vo_status"] != "00":  # the whole decision is rolled back by the caller
                raise Refused(
                    gettext("The database refused the refund: %(desc)s.", desc=refund["vo_statusdesc"])
                )
            request.balance_before, request.balance_after = refund["vo_prev"], refund["vo_curr"]
            request.mutation_id = self._newest_mutation(settled.agent)
        request.status, request.result_desc = "done", OUTCOMES[request.outcome]["status"]
        audit.record(
            f"transaction_{request.outcome}",
            **_about(request),
            before={"status": settled.before},
            after={"status": self.mapping.status_values[OUTCOMES[request.outcome]["status"]][0]},
            detail=_detail(request),
        )
        return Decision(
            True, gettext("Approved and carried out: %(desc)s.", desc=OUTCOME_LABELS[request.outcome])
        )

    def reject(self, key: int, actor: PanelUser, reason: str) -> Decision:
        request = decidable(TransactionRequest, key, actor)
        request.status, request.reason = "rejected", rejection_reason(reason)
        decided_by(request, actor)
        audit.record("transaction_reject", **_about(request), detail=_detail(request))
        return Decision(True, gettext("Rejected."))

    def _settle(self, request: TransactionRequest):
        """The conditional update: the row changes only while it is still as it was asked (pending,
        or suspect of the same kind). Its agent and status before, or None when it was not."""
        table = self.report_tables[request.table_name]
        noref = self.column(table, "noref")
        before = db.session.execute(
            self._stuck_in(table).where(noref == request.noref).with_for_update(of=table)
        ).first()
        if before is None or before.kind != request.kind_seen:
            return None
        still = sa.update(table).where(noref == request.noref, self._kind(table) == request.kind_seen)
        if db.session.execute(still.values(**self._written(request))).rowcount == 0:
            return None
        return _Settled(before.agent, before.status)

    def _written(self, request: TransactionRequest) -> dict:
        table = self.report_tables[request.table_name]
        outcome = OUTCOMES[request.outcome]
        values = {
            self.mapping.columns["status"]: self.mapping.status_values[outcome["status"]][0],
            self.mapping.columns["response_code"]: outcome["response_code"],
        }
        if request.outcome == "success" and RESPONSE in table.c:
            values[RESPONSE] = SERIAL_PREFIX + request.serial
        if "responsetime" in table.c:
            values["responsetime"] = now_jakarta().replace(tzinfo=None)
        return values

    def _status_now(self, request: TransactionRequest) -> str | None:
        table = self.report_tables[request.table_name]
        return db.session.scalar(
            sa.select(self.column(table, "status"))
            .where(self.column(table, "noref") == request.noref)
            .limit(1)
        )

    def _newest_mutation(self, agent: str) -> int | None:
        ledger = sa.table(MUTATIONS, sa.column("id"), sa.column("agent_id"))
        return db.session.scalar(sa.select(sa.func.max(ledger.c.id)).where(ledger.c.agent_id == agent))


@dataclass(frozen=True)
class _Settled:
    agent: str
    before: str


def _about(request: TransactionRequest) -> dict:
    return {"view": "transactions", "table_name": request.table_name, "record_key": request.noref}


def _detail(request: TransactionRequest) -> dict:
    return {
        "request": request.id,
        "noref": request.noref,
        "outcome": request.outcome,
        "serial": request.serial,
        "agent": request.agent_id,
        "amount": audit.json_value(request.amount),
        "status": request.status,
        "mutation": request.mutation_id,
        "requested_by": request.requested_by,
        "reason": request.reason,
        "result": request.result_desc,
    }
