"""The material finder as pages and the API use it: search, then label the facets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from catalogue import vocabularies
from catalogue.institutions.models import Institution, Region
from catalogue.search.materials import FACETS, MaterialPage, MaterialRequest, search_materials
from catalogue.search.service import FacetValue

FACET_TITLES = {
    "licence": _l("Licence"),
    "open_licence": _l("Open licence"),
    "material_type": _l("Type"),
    "format": _l("Format"),
    "language": _l("Language"),
    "sector": _l("Sector"),
    "level": _l("Level"),
    "competency": _l("Competency"),
    "region": _l("Region"),
    "institution": _l("Institution"),
    "reused": _l("Reused elsewhere"),
}
_VOCABULARIES = {
    "licence": vocabularies.Licence,
    "material_type": vocabularies.MaterialType,
    "language": vocabularies.TeachingLanguage,
    "sector": vocabularies.Sector,
    "level": vocabularies.Level,
    "competency": vocabularies.Competency,
}
_FLAG_LABELS = {
    "open_licence": {"yes": _l("open licence"), "no": _l("other licences")},
    "reused": {"yes": _l("reused elsewhere"), "no": _l("not reused yet")},
}


@dataclass
class FinderPage:
    """A page of the finder: found material, the total and labelled facets."""

    result: MaterialPage
    facets: dict[str, list[FacetValue]]
    request: MaterialRequest


def find_material(*, session: Session, args: dict[str, Any]) -> FinderPage:
    """Search material with the finder's (validated) arguments."""
    request = MaterialRequest(
        text=args.get("q", ""),
        filters={name: args.get(name) or [] for name in FACETS},
        sort=args.get("sort", "relevance"),
        page=args.get("page", 1),
        page_size=args.get("page_size", 20),
    )
    result = search_materials(session, request)
    names = {
        "region": dict(session.execute(select(Region.code, Region.name)).all()),
        "institution": dict(session.execute(select(Institution.code, Institution.name)).all()),
    }
    facets = {
        name: [
            FacetValue(
                value, str(_label(name, value, names)), count, value in request.filters[name]
            )
            for value, count in values
        ]
        for name, values in result.facets.items()
    }
    return FinderPage(result, facets, request)


def _label(name: str, value: str, names: dict[str, dict[str, str]]):
    if name in _VOCABULARIES:
        return _VOCABULARIES[name].label(value)
    if name in _FLAG_LABELS:
        return _FLAG_LABELS[name].get(value, value)
    return names.get(name, {}).get(value, value)
