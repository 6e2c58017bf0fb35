"""Search through the API: the same search as the search page."""

from __future__ import annotations

from flask import url_for

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
    page = search_catalogue(session=get_session(), request=request_from_args(args))
    items = []
    for hit in page.hits:
        d = hit.display
        item = {
            "id": hit.module_id,
            "code": d["code"],
            "title": d["title"],
            "summary": d["summary"],
            "institution": d["institution"],
            "institution_code": d["institution_code"],
            "region": d["region"],
            "sector": d["sector"],
            "level": d["level"],
            "study_load": d["study_load"],
            "languages": d["languages"],
            "delivery_modes": d["delivery_modes"],
            "competencies": d["competencies"],
            "snippet": hit.snippet,
            "next_run": hit.next_run,
            "more_runs": hit.more_runs,
            "distance_km": hit.distance_km,
            "url": url_for("pages.module_detail", module_id=hit.module_id, _external=True),
        }
        if d.get("translations"):
            item["translations"] = d["translations"]
        items.append(item)
    return {
        "total": page.total,
        "view": page.request.view,
        "page": page.request.page,
        "page_size": page.request.page_size,
        "pages": page.pages,
        "items": items,
        "facets": {name: [vars(value) for value in values] for name, values in page.facets.items()},
        "searched_for": page.searched_for,
        "corrected_from": page.corrected_from,
        "did_you_mean": page.did_you_mean,
        "relaxed": page.relaxed,
    }
