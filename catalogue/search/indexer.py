"""Keeping the index in step with the database: drain the outbox, rebuild, check.

Every change that affects search writes an outbox entry in its own transaction. `drain` applies
the entries after the index's last applied one, in id order, under the index's write lock, and
records the last id it applied together with the change. A process that dies between the
database commit and the indexing leaves its entries behind; the next drain (on the next search,
the next write, or the next start) applies them. Every node drains the same outbox into its own
index, so nodes converge. Applying an entry twice is harmless: it rewrites the module's document
from the database as it is now. `prune` removes old entries and records how far it went; an
index that had not applied them yet is rebuilt on its next drain instead of missing them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from catalogue.db import write_transaction
from catalogue.model_base import utcnow
from catalogue.search.adapter import IndexBusy, SearchIndex
from catalogue.search.documents import build_documents, published_module_ids
from catalogue.search.models import OutboxEntry, OutboxHorizon

log = logging.getLogger(__name__)
BATCH = 5000


def latest_outbox_id(session: Session) -> int:
    """The newest outbox entry's id (0 when empty)."""
    return session.scalar(select(func.max(OutboxEntry.id))) or 0


def pruned_through(session: Session) -> int:
    """The id up to which outbox entries have been pruned (0 when never)."""
    return session.scalar(select(OutboxHorizon.pruned_through).where(OutboxHorizon.id == 1)) or 0


class PrunedPastIndex(Exception):
    """The index has not applied entries that have since been pruned: it must be rebuilt."""


def pending_changes(session: Session, index: SearchIndex) -> int:
    """How many outbox entries the index has not applied yet."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.id > index.applied_seq())
        )
        or 0
    )


def drain(session: Session, index: SearchIndex) -> int:
    """Apply every outbox entry the index has not applied yet; returns how many were applied.

    Returns 0 without waiting long when another process holds the lock: that process is
    draining the same entries.
    """
    if not index.exists():
        # A new node, a first start, or an index of an older format: build it from the
        # database (the outbox may not hold every module), once, whoever asks first.
        with index.rebuilding():
            if not index.exists():
                log.warning("no usable search index in %s; building it", index.root)
                _rebuild_holding_lock(session, index)
        return drain(session, index)
    while True:
        try:
            return apply_outbox(session, index, _write_modules)
        except IndexBusy:
            log.info("search index busy; another process is applying the outbox")
            return 0
        except PrunedPastIndex:
            # This node was behind for longer than the outbox keeps entries (it was stopped, or
            # its index was restored from an old copy): the missing changes are gone, so build
            # the index again from the database.
            log.warning("the search index is older than the pruned outbox; rebuilding it")
            session.rollback()
            with index.rebuilding():
                if index.applied_seq() < pruned_through(session):
                    _rebuild_holding_lock(session, index)


def _write_modules(session: Session, writer, module_ids: list[int]) -> None:
    """Rewrite the documents of these modules from the database (delete the unpublished)."""
    documents = {d["id"]: d for d in build_documents(session, module_ids)}
    for module_id in module_ids:
        if module_id in documents:
            writer.upsert(documents[module_id])
        else:
            writer.delete(module_id)


def apply_outbox(session: Session, index, write: Callable[[Session, Any, list[int]], None]) -> int:
    """Apply the outbox entries an index (of modules or of material) has not applied, a batch at
    a time under its write lock: `write(session, writer, module_ids)` rewrites what those modules
    put in the index, and the writer records the batch's last entry with the changes.

    Returns how many entries were applied. Raises `PrunedPastIndex` when entries the index has
    not applied were pruned, and `IndexBusy` when another process holds the lock.
    """
    applied = 0
    while latest_outbox_id(session) > index.applied_seq():
        try:
            with index.writing() as writer:
                entries = session.execute(
                    select(OutboxEntry.id, OutboxEntry.module_id)
                    .where(OutboxEntry.id > writer.applied_seq)
                    .order_by(OutboxEntry.id)
                    .limit(BATCH)
                ).all()
                # Read after the entries: a prune that removed some of them has committed by
                # now, so its horizon shows (on PostgreSQL each statement sees the latest commit;
                # on SQLite the read transaction's snapshot holds both or neither).
                if writer.applied_seq < pruned_through(session):
                    raise PrunedPastIndex
                if not entries:
                    break
                write(session, writer, list(dict.fromkeys(m for _id, m in entries)))
                writer.set_applied_seq(entries[-1].id)
                applied += len(entries)
        finally:
            # End the read transaction so the next round (and the caller) see fresh data.
            session.rollback()
    return applied


def prune(session: Session, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete outbox entries created more than `older_than` ago; returns how many.

    Every running node applies an entry within a second of its commit, so old entries are only
    of use to a node that was stopped (or an index restored from a copy) for that long. Such a
    node sees the recorded horizon on its next drain and rebuilds its index instead. The newest
    entry is always kept, so that entry ids never restart below an index's position.
    """
    cutoff = (now or utcnow()) - older_than
    with write_transaction(session):
        newest = latest_outbox_id(session)
        through = session.scalar(
            select(func.max(OutboxEntry.id)).where(
                OutboxEntry.created_at < cutoff, OutboxEntry.id < newest
            )
        )
        if not through:
            return 0
        horizon = session.get(OutboxHorizon, 1)
        if horizon is None:
            horizon = OutboxHorizon(id=1, pruned_through=0, pruned_at=utcnow())
            session.add(horizon)
        horizon.pruned_through = max(horizon.pruned_through, through)
        horizon.pruned_at = utcnow()
        deleted = session.execute(delete(OutboxEntry).where(OutboxEntry.id <= through)).rowcount
    return deleted


def rebuild(
    session: Session,
    index: SearchIndex,
    *,
    processes: int = 2,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Build a fresh index of every published module beside the current one and swap it in.

    The outbox position is read before the modules, so any change made while the new index is
    being built is applied to it by the drain that follows the swap.
    """
    with index.rebuilding():
        count = _rebuild_holding_lock(session, index, processes=processes, progress=progress)
    drain(session, index)
    return count


def _rebuild_holding_lock(session, index, *, processes=1, progress=None) -> int:
    seq = latest_outbox_id(session)
    ids = published_module_ids(session)
    count = index.rebuild(
        build_documents(session, ids), applied_seq=seq, processes=processes, progress=progress
    )
    session.rollback()
    return count


@dataclass
class Difference:
    """A module whose index entry does not match the database."""

    module_id: int
    problem: str


def check(session: Session, index: SearchIndex) -> list[Difference]:
    """Every module whose index entry differs from what the database says it should be."""
    expected = {
        d["id"]: d["fingerprint"] for d in build_documents(session, published_module_ids(session))
    }
    session.rollback()
    with index.reading() as view:
        actual = view.fingerprints()
    differences = [
        Difference(module_id, "published but missing from the index")
        for module_id in sorted(expected.keys() - actual.keys())
    ]
    differences += [
        Difference(module_id, "in the index but not published")
        for module_id in sorted(actual.keys() - expected.keys())
    ]
    differences += [
        Difference(module_id, "index entry differs from the database")
        for module_id in sorted(expected.keys() & actual.keys())
        if expected[module_id] != actual[module_id]
    ]
    return sorted(differences, key=lambda d: d.module_id)
