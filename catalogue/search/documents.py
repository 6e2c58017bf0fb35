"""Search documents: the projection of a published module that the index holds.

A document is built from the database alone and holds no time-dependent values (the index
stores every run; "upcoming" is decided at query time), so `catalogue search check` can compare
index and database at any moment. Documents are built in bulk with plain SQL, a chunk of
modules at a time, so that a full rebuild of 100,000 modules reads the database quickly.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from catalogue.institutions.models import Institution, Region
from catalogue.modules.models import LearningUnit, Material, Module, ModuleTag, Offering
from catalogue.modules.translations import TRANSLATION_LANGUAGES, text_language
from catalogue.search.run_columns import run_display, run_values
from catalogue.search.text import language_of
from catalogue.signals import search_document_extras
from catalogue.vocabularies import Licence, ModuleStatus, OfferingStatus, study_load_in_ec

CHUNK = 2000
SNIPPET_SOURCE_CHARS = 700
HOURS_PER_UNIT = {"ects": 28.0, "sbu": 1.0, "hour": 1.0, "contacttime": 1.0}


def published_module_ids(session: Session) -> list[int]:
    """Ids of every published module, ascending."""
    return list(
        session.scalars(
            select(Module.id).where(Module.status == ModuleStatus.PUBLISHED).order_by(Module.id)
        )
    )


def build_documents(session: Session, module_ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    """Search documents of the given modules that are published (others yield nothing)."""
    ids = list(module_ids)
    for start in range(0, len(ids), CHUNK):
        yield from _build_chunk(session, ids[start : start + CHUNK])


def _build_chunk(session: Session, ids: list[int]) -> Iterator[dict[str, Any]]:
    rows = _module_rows(session, ids)
    if not rows:
        return
    found = [r.id for r in rows]
    tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for module_id, vocabulary, code in session.execute(
        select(ModuleTag.module_id, ModuleTag.vocabulary, ModuleTag.code)
        .where(ModuleTag.module_id.in_(found))
        .order_by(ModuleTag.module_id, ModuleTag.vocabulary, ModuleTag.code)
    ):
        tags[module_id][vocabulary].append(code)
    units = _by_module(
        session,
        LearningUnit,
        [
            LearningUnit.code,
            LearningUnit.title,
            LearningUnit.description,
            LearningUnit.learning_outcomes,
            LearningUnit.translations,
        ],
        found,
        order=[LearningUnit.position],
    )
    materials = _by_module(
        session, Material, [Material.title, Material.licence], found, order=[Material.position]
    )
    offerings = _by_module(
        session,
        Offering,
        [
            Offering.id,
            Offering.code,
            Offering.start_date,
            Offering.end_date,
            Offering.enrol_until,
            Offering.city,
            Offering.price_eur,
            Offering.status,
            Offering.delivery_mode,
            Offering.language,
            Offering.seats,
            Offering.seats_left,
            Offering.guaranteed,
        ],
        found,
        order=[Offering.start_date, Offering.id],
    )
    extras: dict[int, dict[str, Any]] = defaultdict(dict)
    for _receiver, result in search_document_extras.send(session, module_ids=found):
        for module_id, values in (result or {}).items():
            extras[module_id].update(values)
    for row in rows:
        yield _document(
            row, tags[row.id], units[row.id], materials[row.id], offerings[row.id], extras[row.id]
        )


# A module's institution and region as search documents name them (modules and material alike).
PLACE_COLUMNS = (
    Institution.code.label("institution_code"),
    Institution.name.label("institution_name"),
    Region.code.label("region_code"),
    Region.name.label("region_name"),
)


def published_with_place(statement: Select, ids: list[int]) -> Select:
    """`statement` (which selects from modules) joined to each module's institution and
    region, for the published modules among `ids`."""
    return (
        statement.join(Institution, Institution.id == Module.institution_id)
        .join(Region, Region.id == Institution.region_id)
        .where(Module.id.in_(ids), Module.status == ModuleStatus.PUBLISHED)
    )


def _module_rows(session: Session, ids: list[int]) -> list[Any]:
    """The published modules among `ids`, with their institution and region, by id."""
    statement = published_with_place(
        select(
            Module.id,
            Module.code,
            Module.title,
            Module.summary,
            Module.description,
            Module.sector,
            Module.level,
            Module.study_load_value,
            Module.study_load_unit,
            Module.learning_outcomes,
            Module.prerequisites,
            Module.assessment,
            Module.participation,
            Module.micro_credential,
            Module.published_at,
            Module.translations,
            Institution.id.label("institution_id"),
            Institution.short_name.label("institution_short"),
            Institution.city.label("institution_city"),
            Region.id.label("region_id"),
            *PLACE_COLUMNS,
        ),
        ids,
    ).order_by(Module.id)
    return session.execute(statement).all()


def _by_module(session: Session, model, columns, module_ids, *, order) -> dict[int, list]:
    """Rows of a module's child table (its `columns`), grouped by module id, in `order`."""
    grouped: dict[int, list] = defaultdict(list)
    for row in session.execute(
        select(model.module_id, *columns)
        .where(model.module_id.in_(module_ids))
        .order_by(model.module_id, *order)
    ):
        grouped[row.module_id].append(row)
    return grouped


def _document(row, tags, units, materials, offerings, extras) -> dict[str, Any]:
    runs = [o for o in offerings if o.status != OfferingStatus.CANCELLED]
    body, keys = _body(row, units, materials), _keys(row, units, runs)
    outcomes = _outcomes(row, units)
    hours = row.study_load_value * HOURS_PER_UNIT[row.study_load_unit]
    language = language_of(f"{row.title}\n{outcomes}\n{body}")
    document = {
        "id": row.id,
        "lang": language,
        "title": row.title,
        "body": body,
        "outcomes": outcomes,
        "keys": keys,
        "sector": row.sector,
        "level": row.level,
        "region": row.region_code,
        "region_id": row.region_id,
        "institution": row.institution_code,
        "institution_id": row.institution_id,
        "competency": tags.get("competencies", []),
        "delivery_mode": tags.get("delivery_modes", []),
        "language": tags.get("languages", []),
        "target_group": tags.get("target_groups", []),
        "audience": tags.get("audiences", []),
        # Database ids of the regions where the module is recognised (an active agreement).
        "recognised_in_ids": sorted(extras.get("recognised_in_ids", [])),
        "open_material": any(m.licence in Licence.having("open") for m in materials),
        "micro_credential": bool(row.micro_credential),
        "study_hours": round(hours, 2),
        # Milliseconds: a module published just now sorts before one of the same second.
        "published": int(row.published_at.timestamp() * 1000) if row.published_at else 0,
        # Every run that is not cancelled (see catalogue.search.run_columns); "upcoming" is
        # decided when searching, so that the document does not change with the date.
        "runs": [run_values(o) for o in runs],
        "display": _display(row, tags, runs, language),
    }
    translations = _translations(row, units)
    if translations:
        # Searched in the fields of their own language (see catalogue.search.index_schema).
        document["translations"] = translations
        document["display"]["translations"] = {
            lang: {name: texts[name] for name in ("title", "summary") if texts[name]}
            for lang, texts in translations.items()
        }
    document["fingerprint"] = fingerprint(document)
    return document


def _translations(row, units) -> dict[str, dict[str, str]]:
    """The module's texts in other languages, per language: title, summary, outcomes, body."""
    found: dict[str, dict[str, str]] = {}
    for language in TRANSLATION_LANGUAGES:
        texts = (row.translations or {}).get(language) or {}
        unit_titles = [((u.translations or {}).get(language) or {}).get("title", "") for u in units]
        if not texts and not any(unit_titles):
            continue
        found[language] = {
            "title": texts.get("title", ""),
            "summary": texts.get("summary", ""),
            "outcomes": "\n".join(texts.get("learning_outcomes", [])),
            "body": "\n".join(
                [texts.get("summary", ""), texts.get("description", ""), *filter(None, unit_titles)]
            ),
        }
    return found


def _body(row, units, materials) -> str:
    """The text searched as the body: descriptions, units and material titles."""
    unit_text = "\n".join("\n".join([u.title, u.description]) for u in units)
    return "\n".join(
        [
            row.summary,
            row.description,
            row.prerequisites,
            row.assessment,
            row.participation,
            unit_text,
            *(m.title for m in materials),
        ]
    )


def _outcomes(row, units) -> str:
    """The learning outcomes of the module and its units: what it is about, said exactly, so
    searched with more weight than the body (see catalogue.search.ranking)."""
    return "\n".join(
        [*(row.learning_outcomes or []), *(o for u in units for o in u.learning_outcomes or [])]
    )


def _keys(row, units, runs) -> str:
    """Codes, names and places, searched without stemming."""
    return " ".join(
        [
            row.code,
            *(u.code for u in units),
            row.institution_name,
            row.institution_short or "",
            row.institution_city or "",
            row.region_name,
            *sorted({o.city for o in runs if o.city}),
        ]
    )


def _display(row, tags, runs, language: str) -> dict[str, Any]:
    """What a result shows, stored in the index so a results page needs no database reads."""
    return {
        "lang": language,
        # The language of the module's own texts, against which the page says "only in Dutch".
        "text_lang": text_language(tags.get("languages", [])),
        "title": row.title,
        "summary": row.summary,
        "code": row.code,
        "institution": row.institution_name,
        "institution_code": row.institution_code,
        "region": row.region_name,
        "sector": row.sector,
        "level": row.level,
        "study_load": {"value": row.study_load_value, "unit": row.study_load_unit},
        "study_load_ec": study_load_in_ec(row.study_load_value, row.study_load_unit),
        "languages": tags.get("languages", []),
        "delivery_modes": tags.get("delivery_modes", []),
        "competencies": tags.get("competencies", []),
        "runs": [run_display(o) for o in runs],
        "snippet_source": "\n".join([row.summary, row.description])[:SNIPPET_SOURCE_CHARS],
    }


def fingerprint(document: dict[str, Any]) -> str:
    """SHA-256 of a document's content (without its fingerprint), to compare index and DB."""
    content = {k: v for k, v in document.items() if k != "fingerprint"}
    data = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def upcoming_runs(runs: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Display runs that start today or later and are still open to enrol or planned."""
    day = today.isoformat()
    return [r for r in runs if r["start"] >= day and r["status"] in ("planned", "open", "full")]
