"""The agent desk: everything about one agent, and what an operator does for them.

Money moves only through the database's own functions: a deposit confirmed from a bank transfer
through ``am_receivemoneyproc``, points given or spent through ``am_receivepoinproc`` and
``am_setpoinproc``. The function set has no debit of an agent's balance, so no correction that
takes money away is offered. Block, unblock and the reset of the failure counters are audited
updates of the agent's row; new limits are audited updates of ``am_balance`` that always wait for a
second person (the ``am_*limitproc`` functions reserve the day's used limit for the application
and are not offered). A deposit or points above the configured amounts, or a deposit that takes
the agent's day above the daily total, waits too.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from . import audit
from .approvals import (
    Decision,
    PanelQueue,
    Pending,
    Refused,
    decidable,
    decided_by,
    deposited_today,
    rejection_reason,
)
from .database import call_function, one_at_a_time
from .extensions import db
from .models.panel import AgentRequest, PanelUser
from .models.reflection import ReflectedTable

AGENTS, BALANCES = "am_user", "am_balance"
#: The agents' balance mutations, which am_receivemoneyproc writes.
MUTATIONS = "am_update_balance"
#: Operation -> the database function that carries it out, and the balance column it changes.
FUNCTIONS = {
    "deposit": ("am_receivemoneyproc", "curr_bal"),
    "points_add": ("am_receivepoinproc", "poin_bal"),
    "points_spend": ("am_setpoinproc", "poin_bal"),
}
KINDS = {
    "deposit": lazy_gettext("Deposit from a bank transfer"),
    "points_add": lazy_gettext("Points given"),
    "points_spend": lazy_gettext("Points spent"),
    "limits": lazy_gettext("New limits"),
}
#: The limits an operator may set (``am_balance``): per day, per month, the most a balance holds.
LIMITS = ("max_bal_day", "max_bal_month", "max_curr_bal")
#: am_user.status of a blocked and of an active agent.
BLOCKED, ACTIVE = "0", "1"
#: Changes of the agent's row: what they set.
STATUS_CHANGES = {
    "block": {"status": BLOCKED},
    "unblock": {"status": ACTIVE},
    "reset_counters": {"numfaillogin": 0, "numfailpin": 0},
}


@dataclass(frozen=True)
class Result:
    """What the database answered: its status code and words, and the columns it changed
    (``curr_bal``, ``poin_bal`` or the limits) before and after."""

    status: str
    description: str
    before: dict
    after: dict

    @property
    def ok(self) -> bool:
        return self.status == "00"


class AgentDesk(PanelQueue):
    """The agent desk over the PPOB tables, and its queue of operations that wait for a second
    person (one of the approval page's queues)."""

    name = "agent"
    model = AgentRequest
    title = lazy_gettext("Agent operations")

    def __init__(self, tables: Mapping[str, ReflectedTable], config: Mapping):
        self.agents, self.balances = tables[AGENTS].table, tables[BALANCES].table
        self.approval_above = int(config["BACKOFFICE_AGENT_APPROVAL_ABOVE"])
        self.daily_above = int(config["BACKOFFICE_AGENT_APPROVAL_DAILY_ABOVE"])
        self.points_above = int(config["BACKOFFICE_POINTS_APPROVAL_ABOVE"])
        self.lifetime = timedelta(hours=int(config["BACKOFFICE_APPROVAL_HOURS"]))

    @classmethod
    def available(cls, tables: Mapping[str, ReflectedTable]) -> bool:
        return AGENTS in tables and BALANCES in tables

    # Reading -------------------------------------------------------------------------------------

    def find(self, text: str, limit: int = 20) -> list:
        """Agents whose id or phone number is ``text``, or whose name contains it."""
        a = self.agents.c
        text = text.strip()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return db.session.execute(
            sa.select(a.agent_id, a.agent_name, a.phonenumber, a.status)
            .where(sa.or_(a.agent_id == text, a.phonenumber == text, a.agent_name.ilike(pattern)))
            .order_by(a.agent_name)
            .limit(limit)
        ).all()

    def balance(self, agent_id: str, lock: bool = False):
        """The agent's row of ``am_balance`` (None when they have none)."""
        statement = sa.select(self.balances).where(self.balances.c.agent_id == agent_id)
        return db.session.execute(statement.with_for_update() if lock else statement).first()

    def exists(self, agent_id: str) -> bool:
        return (
            db.session.scalar(sa.select(self.agents.c.agent_id).where(self.agents.c.agent_id == agent_id))
            is not None
        )

    # Operations ----------------------------------------------------------------------------------

    def needs_approval(self, kind: str, agent_id: str, amount: int | None) -> bool:
        """New limits always wait; so do points above the configured amount, and a deposit above
        its amount or one that takes the agent's deposits of the day (Jakarta) above the daily
        total: splitting an amount does not walk around four eyes."""
        if kind == "limits":
            return True
        if kind != "deposit":
            return amount > self.points_above
        return amount > self.approval_above or self.deposited_today(agent_id) + amount > self.daily_above

    def deposited_today(self, agent_id: str) -> int:
        """The deposits asked for this agent since midnight in Jakarta, carried out or waiting."""
        return deposited_today(AgentRequest, AgentRequest.agent_id == agent_id)

    def find_request(self, token: uuid.UUID) -> AgentRequest | None:
        return db.session.scalar(sa.select(AgentRequest).where(AgentRequest.token == token))

    def submit(self, token: uuid.UUID, kind: str, agent_id: str, actor: PanelUser, **fields) -> AgentRequest:
        """Record an operation (``fields``: amount, bank, account_no, transfer_ref, limits, note) and
        run it at once unless it needs approval.

        The token is unique, and so is a bank transfer's reference: a second submit of the same
        form, or the same transfer typed again, fails on them (``IntegrityError``) before any
        function runs. Requests for one agent are taken one at a time, so two at once cannot both
        fit under the daily total.
        """
        one_at_a_time(f"agent_request:{agent_id}")
        waits = self.needs_approval(kind, agent_id, fields.get("amount"))
        # The unique token and transfer reference are checked here, before anything runs.
        request = self.new_request(
            actor, waits, token=token, kind=kind, agent_id=agent_id, needs_approval=waits, **fields
        )
        if waits:
            request.balance_before = self._current(request)
            audit.record("agent_request", **_about(request), detail=_detail(request))
        else:
            self._run(request, actor)
        return request

    def change_status(self, agent_id: str, change: str) -> dict:
        """Block, unblock or reset the failure counters of an agent: an audited update of their
        row. The values before the change; raises Refused for an unknown agent."""
        values = STATUS_CHANGES[change]
        a = self.agents.c
        columns = [a[name] for name in values]
        before = db.session.execute(
            sa.select(*columns).where(a.agent_id == agent_id).with_for_update()
        ).first()
        if before is None:
            raise Refused(gettext("There is no agent %(agent)s.", agent=agent_id))
        db.session.execute(sa.update(self.agents).where(a.agent_id == agent_id).values(**values))
        audit.record(
            "update",
            view="agents",
            table_name=AGENTS,
            record_key=agent_id,
            before={name: audit.json_value(value) for name, value in before._mapping.items()},
            after={name: audit.json_value(value) for name, value in values.items()},
            detail={"operation": change},
        )
        return dict(before._mapping)

    def _current(self, request: AgentRequest) -> Decimal | None:
        row = self.balance(request.agent_id)
        if row is None or request.kind == "limits":
            return None
        return row._mapping[FUNCTIONS[request.kind][1]]

    def _run(self, request: AgentRequest, actor: PanelUser) -> Result:
        result = self._limits(request) if request.kind == "limits" else self._call(request)
        request.status = "done" if result.ok else "refused"
        request.result_status, request.result_desc = result.status, result.description
        if request.kind in FUNCTIONS:
            column = FUNCTIONS[request.kind][1]
            request.balance_before, request.balance_after = result.before[column], result.after[column]
        if request.needs_approval:
            decided_by(request, actor)
        action = f"agent_{request.kind}" if result.ok else f"agent_{request.kind}_refused"
        audit.record(
            action,
            **_about(request),
            before={name: audit.json_value(value) for name, value in result.before.items()},
            after={name: audit.json_value(value) for name, value in result.after.items()},
            detail=_detail(request),
        )
        return result

    def _call(self, request: AgentRequest) -> Result:
        function, column = FUNCTIONS[request.kind]
        answer = call_function(function, agent=request.agent_id, amount=request.amount)
        before, after = {column: answer["vo_prev"]}, {column: answer["vo_curr"]}
        return Result(answer["vo_status"], answer["vo_statusdesc"], before, after)

    def _limits(self, request: AgentRequest) -> Result:
        row = self.balance(request.agent_id, lock=True)
        if row is None:  # the words of the functions' own answer for an unknown agent
            return Result("14", "AGEN TIDAK DITEMUKAN", {}, {})
        new = {name: Decimal(value) for name, value in request.limits.items()}
        db.session.execute(
            sa.update(self.balances).where(self.balances.c.agent_id == request.agent_id).values(**new)
        )
        return Result("00", "SUKSES", {name: row._mapping[name] for name in new}, new)

    # The approval queue --------------------------------------------------------------------------

    def pending(self) -> list[Pending]:
        return [self._pending(request) for request in self.waiting_requests()]

    def _pending(self, request: AgentRequest) -> Pending:
        before = self._current(request)
        sign = -1 if request.kind == "points_spend" else 1
        unit = "rupiah" if request.kind == "deposit" else "poin"
        what = str(KINDS[request.kind])
        if request.kind == "deposit":
            what += f" ({request.bank} {request.transfer_ref})"
        elif request.kind == "limits":
            what += ": " + ", ".join(f"{name} {value}" for name, value in request.limits.items())
        return self.pending_item(
            request,
            what=what,
            subject=request.agent_id,
            amount=None if request.amount is None else Decimal(request.amount),
            unit=unit if request.amount is not None else "account",
            before=before,
            after=None if before is None else before + sign * request.amount,
            note=request.note,
        )

    def approve(self, key: int, actor: PanelUser) -> Decision:
        result = self._run(decidable(AgentRequest, key, actor), actor)
        if result.ok:
            return Decision(True, gettext("Approved and carried out: %(desc)s.", desc=result.description))
        return Decision(False, gettext("The database refused it: %(desc)s.", desc=result.description))

    def reject(self, key: int, actor: PanelUser, reason: str) -> Decision:
        request = decidable(AgentRequest, key, actor)
        request.status, request.reason = "rejected", rejection_reason(reason)
        decided_by(request, actor)
        audit.record("agent_reject", **_about(request), detail=_detail(request))
        return Decision(True, gettext("Rejected."))


def _about(request: AgentRequest) -> dict:
    return {"view": "agents", "table_name": AGENTS, "record_key": request.agent_id}


def _detail(request: AgentRequest) -> dict:
    return {
        "request": request.id,
        "kind": request.kind,
        "agent": request.agent_id,
        "amount": request.amount,
        "bank": request.bank,
        "account_no": request.account_no,
        "transfer_ref": request.transfer_ref,
        "limits": request.limits,
        "note": request.note,
        "status": request.status,
        "result": request.result_status,
        "description": request.result_desc,
        "requested_by": request.requested_by,
        "reason": request.reason,
    }
