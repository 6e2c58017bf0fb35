"""The facets and sort orders search offers: the names the index, the engine, the service and
the search arguments (schemas/search.py) share."""

from __future__ import annotations

# Facets with one value per module, and with several.
SINGLE_FACETS = ("sector", "level", "region", "institution")
MULTI_FACETS = (
    "competency",
    "delivery_mode",
    "language",
    "target_group",
    "audience",
    "recognised_in",
    "flags",
)
FACETS = SINGLE_FACETS + MULTI_FACETS
SORTS = ("relevance", "soonest", "newest", "distance")
VIEWS = ("modules", "runs")
