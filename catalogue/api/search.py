"""Search through the API: the same search as the search page."""

from __future__ import annotations

from catalogue.api.common import api_blueprint, search_operation
from catalogue.db import get_session
from catalogue.search.service import request_from_args, search_catalogue
from schemas.search import SearchArgsSchema, SearchResultSchema

blp = api_blueprint("api_search", __name__, "Full-text search with facets, ranges and sorting")


@search_operation(blp, "/search", args=SearchArgsSchema, response=SearchResultSchema)
def search(args):
    """Search published modules, or with `view=runs` their matching runs (sorted by start
    date). Every run filter applies to one and the same run. Counts per facet value are
    computed with the filters of the other facets applied (OR within a facet, AND across
    facets)."""
    return search_catalogue(session=get_session(), request=request_from_args(args))
