"""One projection of a material for the API, the finder and the OAI-PMH feed."""

from __future__ import annotations

from typing import Any

from catalogue.materials import licences
from catalogue.materials.queries import ReuseCount
from catalogue.modules.models import Material


def attribution_of(material: Material) -> str:
    """The material's ready-to-copy TASL attribution."""
    return licences.attribution(
        title=material.title,
        authors=material.authors,
        source=material.module.institution.name,
        url=material.url,
        licence=material.licence,
    )


def licence_view(code: str) -> dict[str, Any]:
    """A licence value with its label, link and what it allows."""
    terms = licences.terms_of(code)
    return {
        "code": code,
        "label": str(terms.label),
        "url": terms.url,
        "open": licences.is_open(code),
        "share": terms.share,
        "adapt": terms.adapt,
        "commercial": terms.commercial,
    }


def material_view(material: Material, count: ReuseCount) -> dict[str, Any]:
    """A material as the API shows it."""
    module = material.module
    return {
        "id": material.id,
        "title": material.title,
        "description": material.description,
        "url": material.url,
        "material_type": material.material_type,
        "format": material.format,
        "language": material.language,
        "authors": material.authors,
        "licence": licence_view(material.licence),
        "attribution": attribution_of(material),
        "module_id": module.id,
        "module_code": module.code,
        "module_title": module.title,
        "unit_code": material.unit_code,
        "institution": module.institution.code,
        "region": module.institution.region.code,
        "reused_by_institutions": count.institutions,
        "reused_in_regions": count.regions,
    }


def reuse_view(reuse, *, covered: bool) -> dict[str, Any]:
    """A reuse registration as the API shows it; `covered` as `queries.is_covered` says."""
    institution = reuse.institution
    return {
        "id": reuse.id,
        "material_id": reuse.material_id,
        "institution": institution.code,
        "institution_name": institution.name,
        "region": institution.region.code,
        "module_id": reuse.module_id,
        "course": reuse.course,
        "note": reuse.note,
        "agreement_id": reuse.agreement_id,
        "status": reuse.status,
        "covered": covered,
        "created_at": reuse.created_at,
        "ended_at": reuse.ended_at,
    }
