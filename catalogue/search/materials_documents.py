"""Search documents of material: one per material of a published module.

Built from the database alone, like the module documents (catalogue.search.documents), so that
`catalogue search check` can compare the material index with the database at any moment. A
material's document changes when its module changes or its reuse changes; both write an outbox
entry for the module, so the material index follows the same outbox as the module index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from catalogue.materials.licences import is_open
from catalogue.materials.queries import reuse_counts
from catalogue.modules.models import LearningUnit, Material, Module, ModuleTag
from catalogue.search.documents import PLACE_COLUMNS, fingerprint, published_with_place
from catalogue.search.text import language_of
from catalogue.vocabularies import Licence, ModuleStatus

CHUNK = 2000
# Words under which each licence is found, besides its label ("CC BY", "creative commons").
LICENCE_WORDS = {
    code: "creative commons cc " + code.replace("-", " ")
    for code in Licence.values()
    if code.startswith("cc")
}
LICENCE_WORDS[Licence.PUBLIC_DOMAIN] = "public domain publiek domein pdm"
LICENCE_WORDS[Licence.ALL_RIGHTS_RESERVED] = "all rights reserved alle rechten voorbehouden"


def published_material_modules(session: Session) -> list[int]:
    """Ids of the published modules that have material, ascending."""
    return list(
        session.scalars(
            select(Module.id)
            .where(Module.status == ModuleStatus.PUBLISHED)
            .where(Module.id.in_(select(Material.module_id)))
            .order_by(Module.id)
        )
    )


def build_material_documents(
    session: Session, module_ids: Iterable[int]
) -> Iterator[dict[str, Any]]:
    """Documents of the material of the given modules that are published."""
    ids = list(module_ids)
    for start in range(0, len(ids), CHUNK):
        yield from _chunk(session, ids[start : start + CHUNK])


def _chunk(session: Session, ids: list[int]) -> Iterator[dict[str, Any]]:
    statement = published_with_place(
        select(
            Material,
            Module.code.label("module_code"),
            Module.title.label("module_title"),
            Module.sector,
            Module.level,
            Module.published_at,
            *PLACE_COLUMNS,
        ).join(Module, Module.id == Material.module_id),
        ids,
    ).order_by(Material.id)
    rows = session.execute(statement).all()
    if not rows:
        return
    found = sorted({r.Material.module_id for r in rows})
    competencies: dict[int, list[str]] = defaultdict(list)
    for module_id, code in session.execute(
        select(ModuleTag.module_id, ModuleTag.code)
        .where(ModuleTag.module_id.in_(found), ModuleTag.vocabulary == "competencies")
        .order_by(ModuleTag.module_id, ModuleTag.code)
    ):
        competencies[module_id].append(code)
    units = {
        (u.module_id, u.code.lower()): u.title
        for u in session.execute(
            select(LearningUnit.module_id, LearningUnit.code, LearningUnit.title).where(
                LearningUnit.module_id.in_(found)
            )
        )
    }
    counts = reuse_counts(session, [r.Material.id for r in rows])
    for row in rows:
        material = row.Material
        unit_title = units.get((material.module_id, (material.unit_code or "").lower()), "")
        yield _document(
            row, material, unit_title, competencies[material.module_id], counts[material.id]
        )


def _document(row, material, unit_title: str, competencies, count) -> dict[str, Any]:
    body = "\n".join([material.description, row.module_title, unit_title])
    document = {
        "id": material.id,
        "module_id": material.module_id,
        "lang": language_of(f"{material.title}\n{body}"),
        "title": material.title,
        "body": body,
        "keys": " ".join(
            [
                material.authors,
                row.module_code,
                material.unit_code or "",
                row.institution_name,
                row.region_name,
                LICENCE_WORDS[material.licence],
            ]
        ),
        "licence": material.licence,
        "open_licence": is_open(material.licence),
        "material_type": material.material_type,
        "format": material.format,
        "language": material.language,
        "sector": row.sector,
        "level": row.level,
        "competency": competencies,
        "region": row.region_code,
        "institution": row.institution_code,
        "reused_by": count.institutions,
        "published": int(row.published_at.timestamp() * 1000) if row.published_at else 0,
        "display": {
            "title": material.title,
            "description": material.description,
            "url": material.url,
            "authors": material.authors,
            "module_id": material.module_id,
            "module_code": row.module_code,
            "module_title": row.module_title,
            "unit_title": unit_title,
            "institution": row.institution_name,
            "region": row.region_name,
            "licence": material.licence,
            "material_type": material.material_type,
            "format": material.format,
            "language": material.language,
            "reused_by": count.institutions,
            "reused_in_regions": count.regions,
        },
    }
    document["fingerprint"] = fingerprint(document)
    return document
