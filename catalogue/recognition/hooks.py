"""How recognition reacts to other domains: new module versions and search documents."""

from __future__ import annotations

from catalogue.recognition import queries, services
from catalogue.signals import module_version_published, search_document_extras


@module_version_published.connect
def _flag_agreements_for_review(module, *, session, version, actor, **_kwargs):
    """A new version of a pinned module or unit: the agreements pinning it need review."""
    services.mark_review_needed(session, module, version, actor)


@search_document_extras.connect
def _recognised_regions(session, *, module_ids, **_kwargs):
    """Search can filter on the regions where a module is recognised."""
    regions = queries.recognised_regions(session, module_ids)
    return {module_id: {"recognised_in_ids": sorted(ids)} for module_id, ids in regions.items()}
