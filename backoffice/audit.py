"""The audit hook: every record of what was done through the panel is written here, and only here.

Records go to ``backoffice.audit_log``, whose triggers chain them by hash and refuse any update or
delete. A change and its record share one transaction (:func:`record`); an event that changes
nothing in the application's data (an export, seen from a read-only transaction) gets a short
transaction of its own (:func:`record_separately`).
"""

from collections.abc import Callable
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .inputs import clean_text
from .models.panel import AuditRecord


def record(action: str, *, actor: str | None = None, **fields) -> AuditRecord:
    """Add an audit record to the current transaction, so it commits (or not) with what it records.

    ``actor`` defaults to the logged-in user; ``fields`` are columns of ``AuditRecord``
    (``view``, ``table_name``, ``record_key``, ``before``, ``after``, ``detail``; ``actor_id`` for an
    account that is not logged in, such as a failed login's).
    """
    entry = AuditRecord(action=action, **{**_who(actor), **fields})
    db.session.add(entry)
    return entry


def record_separately(action: str, *, who: dict | None = None, **fields) -> int:
    """Write an audit record in a transaction of its own, committed at once; its id.

    ``who`` holds the user, role, address and browser as they were when the event began (a
    streamed download ends after its request has handed over); by default they are taken now.
    """
    with db.engine.begin() as conn:
        values = {"action": action, **(who or _who(None)), **fields}
        return conn.execute(sa.insert(AuditRecord).values(**values).returning(AuditRecord.id)).scalar_one()


def export_recorder(view: str, table: str | None, export_type: str) -> Callable[[int, bool], None]:
    """Record an export before its first byte leaves: an ``export`` record with its format and
    query, committed now (if it cannot be written, this raises and nothing is sent). Returns what
    the export calls when it has finished or was cut off: an ``export_end`` record with the rows
    sent and whether all were (the trail is append-only, so the end is a record of its own)."""
    at_start = _who(None)  # a streamed download ends after its request has handed over
    started = record_separately(
        "export", who=at_start, view=view, table_name=table, detail={"format": export_type, "query": _query()}
    )

    def finished(rows: int, complete: bool) -> None:
        detail = {"export": started, "format": export_type, "rows": rows, "complete": complete}
        record_separately("export_end", who=at_start, view=view, table_name=table, detail=detail)

    return finished


def snapshot(model, attributes) -> dict:
    """The JSON-safe values of ``attributes`` on ``model`` (pass only non-secret attributes)."""
    return {name: json_value(getattr(model, name)) for name in attributes}


def changes(model, attributes) -> tuple[dict, dict]:
    """``(before, after)`` of the attributes changed on ``model`` in this session, for an update."""
    state = sa.inspect(model)
    before, after = {}, {}
    for name in attributes:
        history = state.attrs[name].history
        if history.has_changes():
            before[name] = json_value(history.deleted[0]) if history.deleted else None
            after[name] = json_value(history.added[0]) if history.added else None
    return before, after


def json_value(value):
    """A value as JSON can hold it: numbers as exact strings, dates in ISO form, a MySQL SET as
    its sorted members, lists and objects item by item, anything else JSON has no type for
    (a UUID, a time span) as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, set | frozenset):
        return sorted(json_value(item) for item in value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)  # Decimal included: its exact digits


#: What a record keeps of a request's query string: this many arguments, each this long at most.
MAX_QUERY_ARGUMENTS = 40
MAX_QUERY_TEXT = 200


def _query() -> dict:
    """The request's query arguments as a record may hold them: without the characters the
    database refuses, and bounded (an argument nobody uses must not stop the record)."""
    items = list(request.args.items(multi=True))[:MAX_QUERY_ARGUMENTS]
    return {clean_text(name, MAX_QUERY_TEXT): clean_text(value, MAX_QUERY_TEXT) for name, value in items}


def _who(actor: str | None) -> dict:
    who = {}
    if has_request_context():
        who["source_ip"] = request.remote_addr
        who["user_agent"] = clean_text(request.user_agent.string, 300)
        if current_user.is_authenticated:
            who["actor"], who["actor_role"] = current_user.username, current_user.role
            who["actor_id"] = current_user.id
    if actor is not None:
        who["actor"] = clean_text(actor, 60)  # typed at login: anything may be in it
    return who
