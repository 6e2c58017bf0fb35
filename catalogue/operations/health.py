"""/health: whether this node can serve, for a load balancer.

It answers 200 when the database answers and 503 when it does not; the body says whether this
node's search index exists and how far it is behind the outbox (`index.lag`, in changes not yet
applied). A load balancer that wants fresh search can ask `/health?max_lag=N`: then a node
without an index, or more than N changes behind, answers 503 as well. Searches apply pending
changes themselves before they run, so a lagging node still answers correctly, only slower.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request
from sqlalchemy.exc import SQLAlchemyError

from catalogue.db import get_session
from catalogue.search import indexer
from catalogue.search.service import search_index

log = logging.getLogger(__name__)

bp = Blueprint("operations", __name__)


def index_state(session) -> dict:
    """The newest outbox entry, the one this node's index has applied, and the lag between."""
    index = search_index()
    latest = indexer.latest_outbox_id(session)
    applied = index.applied_seq() if index.exists() else 0
    return {
        "exists": index.exists(),
        "applied": applied,
        "latest": latest,
        "lag": indexer.pending_changes(session, index),
    }


@bp.get("/health")
def health():
    """The node's health: database, search index and index lag (503 when it cannot serve)."""
    session = get_session()
    try:
        index = index_state(session)
    except SQLAlchemyError as exc:
        log.warning("health check: the database does not answer: %s", exc.__class__.__name__)
        return {"status": "unhealthy", "database": "unreachable"}, 503
    max_lag = request.args.get("max_lag", type=int)
    healthy = max_lag is None or (index["exists"] and index["lag"] <= max_lag)
    body = {"status": "ok" if healthy else "unhealthy", "database": "ok", "index": index}
    return body, 200 if healthy else 503
