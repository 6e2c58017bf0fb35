"""How recognition reacts to other domains: new module versions, search documents, drains."""

from __future__ import annotations

from datetime import date

from catalogue.recognition import services
from catalogue.signals import (
    module_version_published,
    search_document_extras,
    search_drain_starting,
)

_expired_on: dict[str, date] = {}


@module_version_published.connect
def _flag_agreements_for_review(module, *, session, version, actor, **_kwargs):
    """A new version of a pinned module or unit: the agreements pinning it need review."""
    services.mark_review_needed(session, module, version, actor)


@search_document_extras.connect
def _recognised_regions(session, *, module_ids, **_kwargs):
    """Search can filter on the regions where a module is recognised."""
    regions = services.recognised_regions(session, module_ids)
    return {module_id: {"recognised_in_ids": sorted(ids)} for module_id, ids in regions.items()}


@search_drain_starting.connect
def _expire_agreements_daily(session, **_kwargs):
    """Once a day per process, mark agreements past their end date as expired (which re-indexes
    the modules they covered)."""
    today = date.today()
    if _expired_on.get("last") == today:
        return
    services.expire_due_agreements(session, today=today)
    _expired_on["last"] = today
