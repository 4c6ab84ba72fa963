"""The back office's own tables (schema ``backoffice``, created by ``sql/backoffice_schema.sql``)."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db

MIN_PASSWORD_LENGTH = 10


class UtcDateTime(sa.types.TypeDecorator):
    """The panel's own times: stored in UTC, read back as aware UTC on every engine.

    PostgreSQL's ``timestamptz`` returns them aware; MySQL's ``datetime`` (the session runs in UTC,
    see ``database.engine_options``) returns them naive, and a naive time is shown as Jakarta's
    wall time. Reading every one as aware UTC lets one formatter (``formatting.wib``) show each
    in Jakarta time.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


#: The database's clock, to the microsecond on both engines. The times that four eyes compares
#: (an account's creation and role against a request) all come from it: the web hosts' clocks
#: need not agree with each other or with the database's.
DATABASE_NOW = sa.literal_column("CURRENT_TIMESTAMP(6)")

#: jsonb on PostgreSQL, JSON elsewhere.
JSON_VALUE = sa.JSON().with_variant(JSONB(), "postgresql")


class PanelUser(UserMixin, db.Model):
    """A person who logs in to the panel, with one role of the permission matrix."""

    __tablename__ = "panel_user"
    __table_args__ = {"schema": "backoffice"}

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    full_name: Mapped[str | None] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(server_default=sa.true())
    session_version: Mapped[int] = mapped_column(server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The interface language the user chose ("id", "en"); None: the panel's default.
    language: Mapped[str | None] = mapped_column(sa.String(5))
    #: Since when the user has their role (four eyes: see approvals.BalanceRequests).
    role_since: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    #: The second factor (``second_factor.py``): the TOTP secret (None: not enrolled), the last
    #: time step a code was accepted for (each code is good once), and the digests of the unused
    #: recovery codes, space-separated.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recovery_codes: Mapped[str | None] = mapped_column(sa.Text)

    def set_password(self, password: str) -> None:
        """Hash and store ``password`` (scrypt); refuse one shorter than the minimum."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # The session version is part of the id, so bumping it (logout, password change) ends
        # every session signed before, although the session lives in a signed cookie.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active


class AuditRecord(db.Model):
    """One thing done through the panel: who, when, from where, on what, before and after."""

    __tablename__ = "audit_log"
    __table_args__ = {"schema": "backoffice"}

    # Taken by the chaining trigger under its lock (the column has no default).
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, server_default=sa.FetchedValue())
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    actor: Mapped[str | None] = mapped_column(sa.String(60))
    #: The account's id: a rename does not change it (four eyes and history compare ids).
    actor_id: Mapped[int | None]
    actor_role: Mapped[str | None] = mapped_column(sa.String(40))
    source_ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    action: Mapped[str] = mapped_column(sa.String(40))
    view: Mapped[str | None] = mapped_column(sa.String(80))
    table_name: Mapped[str | None] = mapped_column(sa.String(80))
    record_key: Mapped[str | None] = mapped_column(sa.String(200))
    before: Mapped[dict | None] = mapped_column(JSON_VALUE)
    after: Mapped[dict | None] = mapped_column(JSON_VALUE)
    detail: Mapped[dict | None] = mapped_column(JSON_VALUE)
    #: Set by the database (trigger backoffice.audit_chain), never by the panel.
    prev_hash: Mapped[str | None] = mapped_column(sa.CHAR(64))
    hash: Mapped[str | None] = mapped_column(sa.CHAR(64))
    #: Which columns ``hash`` covers (see ``backoffice.audit_hash``); set by the database.
    chain_version: Mapped[int] = mapped_column(sa.SmallInteger, server_default=sa.FetchedValue())


class BillerSetting(db.Model):
    """What administrators set per biller: the low-balance threshold, the agreed checkpoint."""

    __tablename__ = "biller_setting"
    __table_args__ = {"schema": "backoffice"}

    billercode: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    low_balance: Mapped[Decimal] = mapped_column(sa.Numeric(15, 0), server_default="0")
    #: Jakarta wall time, like the application's timestamps it is compared with.
    checkpoint_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    checkpoint_balance: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))
    updated_by: Mapped[str | None] = mapped_column(sa.String(60))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())


class FourEyes:
    """The bookkeeping of a request that may wait for a second person: who asked (by name and by
    account id, which a rename does not change) and when, until when it waits, its status, who
    decided and when, and a rejection's reason. See ``approvals.decidable``."""

    requested_by: Mapped[str] = mapped_column(sa.String(60))
    #: None only on requests from before ids were kept (compared by name then).
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("backoffice.panel_user.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), server_default="pending")
    decided_by: Mapped[str | None] = mapped_column(sa.String(60))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("backoffice.panel_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(sa.String(300))


class BalanceRequest(FourEyes, db.Model):
    """A deposit or correction asked for through the panel, run at once or after approval."""

    __tablename__ = "balance_request"
    __table_args__ = {"schema": "backoffice"}

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    billercode: Mapped[str] = mapped_column(sa.String(40))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    needs_approval: Mapped[bool]
    result_status: Mapped[str | None] = mapped_column(sa.String(10))
    result_desc: Mapped[str | None] = mapped_column(sa.String(200))
    balance_before: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))
    balance_after: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))


class AgentRequest(FourEyes, db.Model):
    """An operation on an agent asked for at the agent desk, run at once or after approval: a
    deposit from a bank transfer (with the transfer as typed), points given or spent, new limits."""

    __tablename__ = "agent_request"
    __table_args__ = {"schema": "backoffice"}

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    agent_id: Mapped[str] = mapped_column(sa.String(40))
    amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    bank: Mapped[str | None] = mapped_column(sa.String(40))
    account_no: Mapped[str | None] = mapped_column(sa.String(40))
    transfer_ref: Mapped[str | None] = mapped_column(sa.String(60))
    #: For ``limits``: column -> the new value (text of a whole number).
    limits: Mapped[dict | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    needs_approval: Mapped[bool]
    result_status: Mapped[str | None] = mapped_column(sa.String(10))
    result_desc: Mapped[str | None] = mapped_column(sa.String(200))
    balance_before: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))
    balance_after: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))


class TransactionRequest(FourEyes, db.Model):
    """The resolution of a stuck transaction asked for at the transaction desk, carried out when
    a second person approves; with the refund and the mutation it made."""

    __tablename__ = "transaction_request"
    __table_args__ = {"schema": "backoffice"}

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    noref: Mapped[str] = mapped_column(sa.String(60))
    table_name: Mapped[str] = mapped_column(sa.String(120))
    #: Why it was stuck when asked (pending, no_response, failed_with_serial): it is settled only
    #: while it still is.
    kind_seen: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[str] = mapped_column(sa.String(10))
    serial: Mapped[str | None] = mapped_column(sa.String(60))
    agent_id: Mapped[str | None] = mapped_column(sa.String(40))
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))
    result_desc: Mapped[str | None] = mapped_column(sa.String(200))
    balance_before: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))
    balance_after: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))
    mutation_id: Mapped[int | None] = mapped_column(sa.BigInteger)


class AccountRequest(FourEyes, db.Model):
    """A change to an account that waits for a second administrator: a role to give (``role``),
    or a lost second factor to reset."""

    __tablename__ = "account_request"
    __table_args__ = {"schema": "backoffice"}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("backoffice.panel_user.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(sa.String(40))


class Reconciliation(db.Model):
    """One H+1 reconciliation: a biller's statement for a day against our successful transactions."""

    __tablename__ = "reconciliation"
    __table_args__ = {"schema": "backoffice"}

    id: Mapped[int] = mapped_column(primary_key=True)
    billercode: Mapped[str] = mapped_column(sa.String(40))
    day: Mapped[date]
    file_name: Mapped[str] = mapped_column(sa.String(200))
    file_sha256: Mapped[str] = mapped_column(sa.CHAR(64))
    created_by: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=sa.func.now())
    matched: Mapped[int]
    only_ours: Mapped[int]
    only_theirs: Mapped[int]
    mismatched: Mapped[int]
    our_total: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2))
    their_total: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2))

    @property
    def difference(self) -> Decimal:
        """Ours less theirs: what we booked that the biller did not charge (negative: the reverse)."""
        return self.our_total - self.their_total


#: Every row of a reconciliation and its outcome (no key of its own: rows are read per reconciliation).
reconciliation_item = sa.Table(
    "reconciliation_item",
    db.metadata,
    sa.Column("reconciliation_id", sa.Integer, sa.ForeignKey(Reconciliation.id), nullable=False),
    sa.Column("outcome", sa.String(12), nullable=False),
    sa.Column("noref", sa.String(60), nullable=False),
    sa.Column("our_time", sa.DateTime),
    sa.Column("our_amount", sa.Numeric(15, 2)),
    sa.Column("their_time", sa.DateTime),
    sa.Column("their_amount", sa.Numeric(15, 2)),
    schema="backoffice",
)
