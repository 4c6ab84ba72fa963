"""The audit hook: every record of what was done through the panel is written here, and only here."""

from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .models.panel import AuditRecord


def record(action: str, *, actor: str | None = None, **fields) -> AuditRecord:
    """Add an audit record to the current transaction, so it commits (or not) with what it records.

    ``actor`` defaults to the logged-in user; ``fields`` are columns of ``AuditRecord``
    (``view``, ``table_name``, ``record_key``, ``before``, ``after``, ``detail``).
    """
    entry = AuditRecord(action=action, **fields)
    if has_request_context():
        entry.source_ip = request.remote_addr
        entry.user_agent = (request.user_agent.string or "")[:300]
        if current_user.is_authenticated:
            entry.actor, entry.actor_role = current_user.username, current_user.role
    if actor is not None:
        entry.actor = actor[:60]
    db.session.add(entry)
    return entry
