"""Checking and trimming the audit trail's hash chain (``flask audit-verify``, ``flask audit-purge``).

The chain itself is built by the database (trigger ``backoffice.audit_chain``); here it is walked
with the same hash function, so a record edited behind the panel's back (by the database owner
with triggers disabled, say) no longer fits.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from .audit import record
from .extensions import db

WALK = sa.text("""
    SELECT id, hash = backoffice.audit_hash(a) AS hash_ok, prev_hash,
           lag(hash) OVER (ORDER BY id) AS previous_hash, lag(id) OVER (ORDER BY id) AS previous_id
      FROM backoffice.audit_log a ORDER BY id
""")
ANCHORS = sa.text("SELECT detail->>'last_purged_hash' FROM backoffice.audit_log WHERE action = 'audit_purge'")


def verify_chain() -> tuple[str | None, int]:
    """``(problem, records that fit before it)``; ``problem`` is None when every record fits."""
    with db.engine.connect() as conn:
        anchors = {row[0] for row in conn.execute(ANCHORS)}
        good = 0
        for row in conn.execution_options(stream_results=True, yield_per=5000).execute(WALK):
            problem = _misfit(row, anchors)
            if problem:
                return problem, good
            good += 1
        return None, good


def _misfit(row, anchors: set[str]) -> str | None:
    if not row.hash_ok:
        return f"record {row.id} does not match its hash (its content was changed)"
    if row.previous_id is None:
        if row.prev_hash is not None and row.prev_hash not in anchors:
            return f"record {row.id} follows a record that is missing (not removed by a purge)"
    elif row.prev_hash != row.previous_hash:
        return f"record {row.id} does not follow record {row.previous_id} (removed or reordered)"
    return None


def purge_audit_trail(days: int) -> int:
    """Delete records older than ``days``, and record the purge (with the chain's new anchor) with it."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    session = db.session
    session.execute(
        sa.text("SELECT set_config('backoffice.purge_before', :cutoff, true)"), {"cutoff": cutoff.isoformat()}
    )
    last_hash = session.scalar(
        sa.text("SELECT hash FROM backoffice.audit_log WHERE occurred_at < :cutoff ORDER BY id DESC LIMIT 1"),
        {"cutoff": cutoff},
    )
    removed = session.execute(
        sa.text("DELETE FROM backoffice.audit_log WHERE occurred_at < :cutoff"), {"cutoff": cutoff}
    ).rowcount
    record(
        "audit_purge",
        actor="flask audit-purge",
        detail={"older_than": cutoff.isoformat(), "removed": removed, "last_purged_hash": last_hash},
    )
    session.commit()
    return removed
