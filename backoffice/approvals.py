"""Four eyes: deposits and corrections that wait for a second person, changes to the panel's
accounts, and the application's own point-redemption queue (``redeem_approval``), decided through
one mechanism.

A queue lists what waits (:class:`Pending`, oldest first in every queue) and approves or rejects
one item in the caller's transaction: a database function runs only on approval, inside the
approval's transaction, with the audit record beside it. What may not be decided raises
:class:`Refused`; the caller rolls back.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext

from . import audit
from .billers import LEDGER, Billers, TopUpResult
from .database import call_function, one_at_a_time
from .extensions import db
from .formatting import JAKARTA, now_jakarta, today_jakarta
from .models.panel import DATABASE_NOW, AccountRequest, BalanceRequest, PanelUser
from .models.reflection import ReflectedTable

#: The longest reason a rejection keeps.
MAX_REASON = 200


class Refused(Exception):
    """This decision cannot be taken; the message says why, for the user."""


@dataclass(frozen=True)
class Decision:
    """How a decision ended: ``ok`` False when the database function refused (nothing changed)."""

    ok: bool
    message: str


@dataclass(frozen=True)
class Pending:
    """One item waiting for a decision, as the approver sees it."""

    queue: str
    key: int
    what: str
    subject: str
    amount: Decimal | None
    unit: str  # "rupiah", "poin", or "account" (no amount)
    asked_by: str
    asked_at: datetime
    before: Decimal | None
    after: Decimal | None
    note: str | None = None
    expires_at: datetime | None = None
    #: The panel account that asked (None: the application's agents ask, as for redemptions).
    asked_by_id: int | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= datetime.now(UTC)


class PanelQueue:
    """A queue of the panel's own requests (a model with ``FourEyes``): what waits, oldest first."""

    model: type

    def waiting(self) -> int:
        """How many requests wait (expired ones included until someone tries them)."""
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(self.model).where(self.model.status == "pending")
        )

    def waiting_requests(self):
        """The requests that wait, oldest first."""
        return db.session.scalars(
            sa.select(self.model).where(self.model.status == "pending").order_by(self.model.requested_at)
        )

    def new_request(self, actor: PanelUser, waits: bool = True, **fields):
        """A request of this queue asked by ``actor``, added and flushed, so that its unique keys are
        checked here, before anything runs. It waits ``lifetime`` for a decision, or (``waits``
        False) is due at once."""
        now = datetime.now(UTC)
        request = self.model(
            requested_by=actor.username,
            requested_by_id=actor.id,
            requested_at=DATABASE_NOW,  # compared with accounts' times: see decidable()
            expires_at=now + self.lifetime if waits else now,
            status="pending",
            **fields,
        )
        db.session.add(request)
        db.session.flush()
        return request

    def pending_item(self, request, **shown) -> Pending:
        """``request`` as the approver sees it; ``shown``: what, subject, amount, unit, before,
        after and a note."""
        return Pending(
            queue=self.name,
            key=request.id,
            asked_by=request.requested_by,
            asked_by_id=request.requested_by_id,
            asked_at=request.requested_at,
            expires_at=request.expires_at,
            **shown,
        )


class BalanceRequests(PanelQueue):
    """The panel's own queue: deposits and corrections at billers."""

    name = "balance"
    model = BalanceRequest
    title = lazy_gettext("Biller deposits and corrections")

    def __init__(self, billers: Billers, config: Mapping):
        self.billers = billers
        self.approval_above = int(config["BACKOFFICE_APPROVAL_ABOVE"])
        self.daily_above = int(config["BACKOFFICE_APPROVAL_DAILY_ABOVE"])
        self.lifetime = timedelta(hours=int(config["BACKOFFICE_APPROVAL_HOURS"]))

    def needs_approval(self, kind: str, code: str, amount: int) -> bool:
        """Every correction waits for a second person, and so does a deposit above the configured
        amount, or one that takes the biller's deposits of the day (Jakarta) above the daily total:
        splitting an amount does not walk around four eyes."""
        if kind == "correction" or amount > self.approval_above:
            return True
        return self.deposited_today(code) + amount > self.daily_above

    def deposited_today(self, code: str) -> int:
        """The deposits asked for at ``code`` since midnight in Jakarta, carried out or waiting."""
        return deposited_today(BalanceRequest, BalanceRequest.billercode == code)

    def find(self, token: uuid.UUID) -> BalanceRequest | None:
        return db.session.scalar(sa.select(BalanceRequest).where(BalanceRequest.token == token))

    def submit(
        self, token: uuid.UUID, kind: str, code: str, amount: int, note: str, actor: PanelUser
    ) -> BalanceRequest:
        """Record a request, and run it at once unless it needs approval.

        The token is unique: a second submit of the same form fails on it (``IntegrityError``) before
        any function runs; the caller rolls back and shows the first submit's request. Requests at
        one biller are taken one at a time, so two at once cannot both fit under the daily total.
        """
        one_at_a_time(f"balance_request:{code}")
        waits = self.needs_approval(kind, code, amount)
        request = self.new_request(
            actor,
            waits,
            token=token,
            kind=kind,
            billercode=code,
            amount=amount,
            note=note or None,
            needs_approval=waits,
        )
        if waits:
            request.balance_before = self.billers.balance(code)
            audit.record("balance_request", view="billers", table_name=LEDGER, detail=_detail(request))
        else:
            self._run(request, actor)
        return request

    def pending(self) -> list[Pending]:
        items = []
        for r in self.waiting_requests():
            before = self.billers.balance(r.billercode)
            sign = 1 if r.kind == "deposit" else -1
            items.append(
                self.pending_item(
                    r,
                    what=gettext("Deposit") if r.kind == "deposit" else gettext("Correction"),
                    subject=r.billercode,
                    amount=Decimal(r.amount),
                    unit="rupiah",
                    before=before,
                    after=None if before is None else before + sign * r.amount,
                    note=r.note,
                )
            )
        return items

    def approve(self, key: int, actor: PanelUser) -> Decision:
        request = self._decidable(key, actor)
        result = self._run(request, actor)
        if result.ok:
            return Decision(True, gettext("Approved and carried out: %(desc)s.", desc=result.description))
        return Decision(False, gettext("The database refused it: %(desc)s.", desc=result.description))

    def reject(self, key: int, actor: PanelUser, reason: str) -> Decision:
        request = self._decidable(key, actor)
        request.status, request.reason = "rejected", rejection_reason(reason)
        decided_by(request, actor)
        audit.record("balance_reject", view="approvals", table_name=LEDGER, detail=_detail(request))
        return Decision(True, gettext("Rejected."))

    def _decidable(self, key: int, actor: PanelUser) -> BalanceRequest:
        return decidable(BalanceRequest, key, actor)

    def _run(self, request: BalanceRequest, actor: PanelUser) -> TopUpResult:
        result = self.billers.run(request.kind, request.billercode, request.amount)
        request.status = "done" if result.ok else "refused"
        request.result_status, request.result_desc = result.status, result.description
        request.balance_before, request.balance_after = result.before, result.after
        if request.needs_approval:
            decided_by(request, actor)
        action = request.kind if result.ok else f"{request.kind}_refused"
        audit.record(
            action,
            view="billers",
            table_name=LEDGER,
            record_key=None if result.ledger_id is None else str(result.ledger_id),
            before={"curr_bal": audit.json_value(result.before)},
            after={"curr_bal": audit.json_value(result.after)},
            detail=_detail(request),
        )
        return result


class RedeemRequests:
    """The application's point redemptions (``redeem_approval``): approval spends the agent's points
    through ``am_setpoinproc``."""

    name = "redeem"
    title = lazy_gettext("Point redemptions")
    TABLES = ("redeem_approval", "redeem_itemlist", "am_balance", "am_user")
    #: redeem_approval.status: waiting, approved, rejected.
    WAITING, APPROVED, REJECTED = "0", "1", "2"

    def __init__(self, tables: Mapping[str, ReflectedTable]):
        self.requests, self.items, self.balances, self.agents = (tables[name].table for name in self.TABLES)

    @classmethod
    def available(cls, tables: Mapping[str, ReflectedTable]) -> bool:
        return all(name in tables for name in cls.TABLES)

    def waiting(self) -> int:
        r = self.requests.c
        return db.session.scalar(sa.select(sa.func.count()).where(r.status == self.WAITING))

    def pending(self) -> list[Pending]:
        r, i, b, a = self.requests.c, self.items.c, self.balances.c, self.agents.c
        rows = db.session.execute(
            sa.select(r.redeem_id, i.item_name, r.agent_id, a.agent_name, r.poin, r.requesttime, b.poin_bal)
            .outerjoin(self.items, i.item_id == r.item_id)
            .outerjoin(self.balances, b.agent_id == r.agent_id)
            .outerjoin(self.agents, a.agent_id == r.agent_id)
            .where(r.status == self.WAITING)
            .order_by(r.requesttime)
        )
        return [
            Pending(
                queue=self.name,
                key=key,
                what=gettext("Point redemption: %(item)s", item=item or "-"),
                subject=agent,
                amount=points,
                unit="poin",
                asked_by=f"{agent} ({name})" if name else agent,
                asked_at=asked_at.replace(tzinfo=JAKARTA),  # the application's wall time
                before=balance,
                after=None if balance is None else balance - points,
            )
            for key, item, agent, name, points, asked_at, balance in rows
        ]

    def approve(self, key: int, actor: PanelUser) -> Decision:
        request = self._decidable(key)
        answer = call_function("am_setpoinproc", agent=request.agent_id, points=int(request.poin))
        if answer["vo_status"] != "00":
            raise Refused(gettext("The database refused it: %(desc)s.", desc=answer["vo_statusdesc"]))
        self._decide(key, self.APPROVED, actor, "-")
        audit.record(
            "redeem_approve",
            view="approvals",
            table_name="redeem_approval",
            record_key=str(key),
            before={"poin_bal": audit.json_value(answer["vo_prev"])},
            after={"poin_bal": audit.json_value(answer["vo_curr"])},
            detail={"agent": request.agent_id, "poin": audit.json_value(request.poin)},
        )
        return Decision(True, gettext("Approved and carried out: %(desc)s.", desc=answer["vo_statusdesc"]))

    def reject(self, key: int, actor: PanelUser, reason: str) -> Decision:
        request = self._decidable(key)
        self._decide(key, self.REJECTED, actor, rejection_reason(reason))
        audit.record(
            "redeem_reject",
            view="approvals",
            table_name="redeem_approval",
            record_key=str(key),
            detail={"agent": request.agent_id, "poin": audit.json_value(request.poin), "reason": reason},
        )
        return Decision(True, gettext("Rejected."))

    def _decidable(self, key: int):
        r = self.requests.c
        row = db.session.execute(
            sa.select(r.agent_id, r.poin)
            .where(r.redeem_id == key, r.status == self.WAITING)
            .with_for_update()
        ).first()
        if row is None:
            raise Refused(gettext("This request has already been decided or does not exist."))
        return row

    def _decide(self, key: int, status: str, actor: PanelUser, note: str) -> None:
        r = self.requests.c
        db.session.execute(
            sa.update(self.requests)
            .where(r.redeem_id == key)
            .values(
                status=status, approveby=actor.username[:40], approvetime=now_jakarta(), keterangan=note[:200]
            )
        )


class AccountRequests(PanelQueue):
    """Changes to the panel's accounts that wait for a second administrator: a role to give, and
    the reset of a lost second factor. Neither who asked nor the account concerned may decide."""

    name = "account"
    model = AccountRequest
    title = lazy_gettext("Panel accounts")
    ROLE, RESET = "role", "reset_second_factor"

    def __init__(self, config: Mapping):
        self.lifetime = timedelta(hours=int(config["BACKOFFICE_APPROVAL_HOURS"]))

    def ask(self, kind: str, user: PanelUser, actor: PanelUser, role: str | None = None) -> AccountRequest:
        """Record a request about ``user``; refused while another of its kind waits for them."""
        one_at_a_time(f"account_request:{user.id}")
        waiting = sa.select(AccountRequest.id).where(
            AccountRequest.user_id == user.id, AccountRequest.kind == kind, AccountRequest.status == "pending"
        )
        if db.session.scalar(waiting) is not None:
            raise Refused(gettext("A request of this kind waits for this account already (Approvals)."))
        request = self.new_request(actor, kind=kind, user_id=user.id, role=role)
        audit.record("account_request", **_about(user), detail=_account_detail(request, user))
        return request

    def pending(self) -> list[Pending]:
        rows = db.session.execute(
            sa.select(AccountRequest, PanelUser)
            .join(PanelUser, PanelUser.id == AccountRequest.user_id)
            .where(AccountRequest.status == "pending")
            .order_by(AccountRequest.requested_at)
        )
        return [
            self.pending_item(
                request,
                what=self._what(request, user),
                subject=user.username,
                amount=None,
                unit="account",
                before=None,
                after=None,
            )
            for request, user in rows
        ]

    def _what(self, request: AccountRequest, user: PanelUser) -> str:
        if request.kind == self.ROLE:
            return gettext("Role: %(before)s to %(after)s", before=user.role, after=request.role)
        return gettext("Reset of the second factor")

    def approve(self, key: int, actor: PanelUser) -> Decision:
        request = decidable(AccountRequest, key, actor)
        if request.user_id == actor.id:
            raise Refused(gettext("This is about your own account: another administrator must decide it."))
        user = db.session.get(PanelUser, request.user_id, with_for_update=True)
        before = {"role": user.role, "second_factor": user.totp_secret is not None}
        if request.kind == self.ROLE:
            if request.role != "administrator" and is_last_administrator(user):
                raise Refused(
                    gettext("The last active administrator cannot be removed, demoted or deactivated.")
                )
            user.role, user.role_since = request.role, DATABASE_NOW
        else:
            user.totp_secret = user.totp_last_step = user.totp_enrolled_at = user.recovery_codes = None
            user.session_version += 1  # whoever holds the lost phone and a session is out
        request.status = "done"
        decided_by(request, actor)
        after = {"role": user.role, "second_factor": user.totp_secret is not None}
        action = "role_changed" if request.kind == self.ROLE else "second_factor_reset"
        audit.record(
            action, **_about(user), before=before, after=after, detail=_account_detail(request, user)
        )
        return Decision(True, gettext("Approved and carried out: %(desc)s.", desc=self._what(request, user)))

    def reject(self, key: int, actor: PanelUser, reason: str) -> Decision:
        request = decidable(AccountRequest, key, actor)
        request.status, request.reason = "rejected", rejection_reason(reason)
        decided_by(request, actor)
        user = db.session.get(PanelUser, request.user_id)
        audit.record("account_reject", **_about(user), detail=_account_detail(request, user))
        return Decision(True, gettext("Rejected."))


def deposited_today(model, subject) -> int:
    """The deposits among ``model``'s requests that meet ``subject`` (``BalanceRequest.billercode
    == code``) asked for since midnight in Jakarta, carried out or waiting: the daily total above
    which every further deposit waits for a second person."""
    # Aware: requested_at is the panel's own UTC time, not the application's Jakarta wall time.
    midnight = datetime.combine(today_jakarta(), time(), tzinfo=JAKARTA)
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(model.amount), 0)).where(
            subject,
            model.kind == "deposit",
            model.status.in_(("done", "pending")),
            model.requested_at >= midnight,
        )
    )


def is_last_administrator(user: PanelUser) -> bool:
    """Would no active administrator be left without ``user``?"""
    others = db.session.scalar(
        sa.select(sa.func.count()).where(
            PanelUser.role == "administrator", PanelUser.active, PanelUser.id != user.id
        )
    )
    return others == 0


def decidable(model, key: int, actor: PanelUser):
    """The pending request ``key`` of ``model``, locked, if ``actor`` may decide it: four eyes by
    the accounts' ids, and only by someone who had their role when it was asked for."""
    request = db.session.get(model, key, with_for_update=True)
    if request is None or request.status != "pending":
        raise Refused(gettext("This request has already been decided or does not exist."))
    if request.expires_at <= datetime.now(UTC):
        request.status = "expired"
        db.session.commit()  # remember it expired, then refuse
        raise Refused(gettext("This request has expired; ask for it again."))
    # By the account's id, which a rename does not change (requests from before ids were kept
    # are compared by name).
    if actor.id == request.requested_by_id or (
        request.requested_by_id is None and actor.username == request.requested_by
    ):
        raise Refused(gettext("You asked for this yourself: another approver must decide it."))
    if actor.created_at >= request.requested_at or actor.role_since >= request.requested_at:
        raise Refused(
            gettext("This was asked for before you had your role: someone who had it then must decide it.")
        )
    return request


def _about(user: PanelUser) -> dict:
    return {"view": "approvals", "table_name": "backoffice.panel_user", "record_key": str(user.id)}


def _account_detail(request: AccountRequest, user: PanelUser) -> dict:
    return {
        "request": request.id,
        "kind": request.kind,
        "user": user.username,
        "role": request.role,
        "status": request.status,
        "requested_by": request.requested_by,
        "reason": request.reason,
    }


def decided_by(request, actor: PanelUser) -> None:
    """Write who decided ``request`` (one of the panel's own request records), and when."""
    request.decided_by, request.decided_by_id, request.decided_at = (
        actor.username,
        actor.id,
        datetime.now(UTC),
    )


def rejection_reason(raw: str) -> str:
    """The reason typed with a rejection, cleaned and bounded; refused when there is none."""
    reason = (raw or "").replace("\x00", "").strip()[:MAX_REASON]
    if not reason:
        raise Refused(gettext("A rejection needs a reason."))
    return reason


def _detail(request: BalanceRequest) -> dict:
    return {
        "request": request.id,
        "kind": request.kind,
        "biller": request.billercode,
        "amount": request.amount,
        "note": request.note,
        "status": request.status,
        "result": request.result_status,
        "description": request.result_desc,
        "requested_by": request.requested_by,
        "reason": request.reason,
    }
