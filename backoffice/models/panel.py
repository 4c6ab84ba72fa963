"""The back office's own tables (schema ``backoffice``, created by ``sql/backoffice_schema.sql``)."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db

MIN_PASSWORD_LENGTH = 10


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
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

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
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    actor: Mapped[str | None] = mapped_column(sa.String(60))
    actor_role: Mapped[str | None] = mapped_column(sa.String(40))
    source_ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    action: Mapped[str] = mapped_column(sa.String(40))
    view: Mapped[str | None] = mapped_column(sa.String(80))
    table_name: Mapped[str | None] = mapped_column(sa.String(80))
    record_key: Mapped[str | None] = mapped_column(sa.String(200))
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
    detail: Mapped[dict | None] = mapped_column(JSONB)
    #: Set by the database (trigger backoffice.audit_chain), never by the panel.
    prev_hash: Mapped[str | None] = mapped_column(sa.CHAR(64))
    hash: Mapped[str | None] = mapped_column(sa.CHAR(64))
