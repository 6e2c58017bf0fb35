"""Writing outbox entries: called by every service that changes what search shows.

Entries must become visible in id order, or an indexer that has read up to id N could miss an
entry N-1 that commits later. SQLite has one writer at a time, so ids are committed in order. On
PostgreSQL a transaction-scoped advisory lock, taken just before the insert and held until
commit, makes writers of outbox entries take turns at that point.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from catalogue.search.models import OutboxEntry

OUTBOX_LOCK_KEY = 7_342_001


def enqueue_module(session: Session, module_id: int) -> None:
    """Record that module `module_id` changed, in the caller's transaction.

    Call it as the last write of a transaction: the caller's other changes are flushed first, so
    that the lock is held only for the insert and the commit (and cannot wait on a row lock).
    """
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_LOCK_KEY})
    session.add(OutboxEntry(module_id=module_id))
    # Tells the request to apply the outbox once it has committed (see search.service).
    session.info["outbox_written"] = True
