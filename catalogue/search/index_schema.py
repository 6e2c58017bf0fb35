"""What a search document looks like in the index: its fields, how facets and runs are coded
into numeric columns, and the whoosh schema.

A new kind of document or a new field starts here: add the field to `whoosh_schema`, give it a
value in `field_values`, bump `INDEX_FORMAT` (an index of an older format is rebuilt from the
database), then read it into arrays in catalogue.search.reader (per segment) and
catalogue.search.arrays (per generation).
"""

from __future__ import annotations

import json
from typing import Any

from whoosh import columns, fields

from catalogue.search.analysis import CatalogueTokenizer, TermCounts, stem
from catalogue.search.run_columns import pack_runs
from catalogue.search.vocabulary import Thesaurus
from catalogue.vocabularies import (
    Audience,
    Competency,
    DeliveryMode,
    Level,
    Sector,
    TargetGroup,
    TeachingLanguage,
)

LANGUAGES = ("nl", "en")
TEXT_FIELDS = ("title", "outcomes", "body")
# Facets live in numeric columns, not in postings: a column is read for a whole segment at once,
# and costs the indexer nothing per word. Sector and level are stored as their position in the
# vocabulary; region and institution as database ids (the service turns them into codes).
CODED_FACETS = {"sector": Sector.values(), "level": Level.values()}
ID_FACETS = ("region", "institution")
# Several values per module: bits of one 64-bit column, eight bits reserved per facet so that a
# vocabulary can grow without moving the others (a new value still needs a rebuild).
FLAGS = ("open-material", "micro-credential")
TAG_BITS = {
    "competency": (0, Competency.values()),
    "delivery_mode": (8, DeliveryMode.values()),
    "language": (16, TeachingLanguage.values()),
    "target_group": (24, TargetGroup.values()),
    "audience": (32, Audience.values()),
    "flags": (40, FLAGS),
}
# Regions where a module is recognised: bit n for the region with database id n (n < 64).
RECOGNISED_BITS = 64
# Bumped whenever the schema or the analysis changes: an index in another format is treated as
# missing and rebuilt from the database, never read with the wrong expectations.
# 6: learning outcomes as a field of their own, and runs packed one record each.
# 7: publication times in milliseconds.
# 8: a module's translations searched in the fields of their language, shown on its card.
INDEX_FORMAT = "8"


def whoosh_schema(thesaurus: Thesaurus) -> fields.Schema:
    """The index's fields: text per language, codes and names, and numeric columns."""

    def text(language: str) -> fields.FieldType:
        # Term frequencies only: no positions, no per-document lengths (we keep our own).
        return fields.FieldType(
            TermCounts(),
            analyzer=CatalogueTokenizer(language, thesaurus.parts),
            scorable=False,
        )

    schema = fields.Schema(
        id=fields.ID(unique=True),
        mid=fields.COLUMN(columns.NumericColumn("i")),
        keys=fields.FieldType(TermCounts(), analyzer=CatalogueTokenizer(None), scorable=False),
        study_hours=fields.COLUMN(columns.NumericColumn("f")),
        published=fields.COLUMN(columns.NumericColumn("q")),
        body_length=fields.COLUMN(columns.NumericColumn("i")),
        runs=fields.COLUMN(columns.VarBytesColumn()),
        fingerprint=fields.COLUMN(columns.VarBytesColumn()),
        display=fields.STORED(),
        sector=fields.COLUMN(columns.NumericColumn("b", default=-1)),
        level=fields.COLUMN(columns.NumericColumn("b", default=-1)),
        region=fields.COLUMN(columns.NumericColumn("i", default=-1)),
        institution=fields.COLUMN(columns.NumericColumn("i", default=-1)),
        tags=fields.COLUMN(columns.NumericColumn("Q")),
        recognised=fields.COLUMN(columns.NumericColumn("Q")),
    )
    for language in LANGUAGES:
        for name in TEXT_FIELDS:
            schema.add(f"{name}_{language}", text(language))
    return schema


def tag_bits(document: dict[str, Any]) -> int:
    """The multi-valued facets and flags of a document as bits of one 64-bit number."""
    flags = [
        f
        for f, on in zip(
            FLAGS, (document["open_material"], document.get("micro_credential")), strict=True
        )
        if on
    ]
    bits = 0
    for facet, (offset, values) in TAG_BITS.items():
        chosen = flags if facet == "flags" else document[facet]
        for code in chosen:
            if code in values:
                bits |= 1 << (offset + values.index(code))
    return bits


def field_values(document: dict[str, Any]) -> dict[str, Any]:
    """A search document (see catalogue.search.documents) as whoosh field values."""
    language = document["lang"]
    values: dict[str, Any] = {
        "id": str(document["id"]),
        "mid": document["id"],
        "keys": document["keys"],
        f"title_{language}": document["title"],
        f"outcomes_{language}": document["outcomes"],
        f"body_{language}": document["body"],
        "study_hours": float(document["study_hours"]),
        "published": int(document["published"]),
        "body_length": len(document["body"].split()),
        "runs": pack_runs(document["runs"]),
        "fingerprint": document["fingerprint"].encode("ascii"),
        "display": json.dumps(document["display"], ensure_ascii=False),
        "sector": CODED_FACETS["sector"].index(document["sector"]),
        "level": CODED_FACETS["level"].index(document["level"]),
        "region": document["region_id"],
        "institution": document["institution_id"],
        "tags": tag_bits(document),
        "recognised": sum(
            1 << region_id
            for region_id in set(document["recognised_in_ids"])
            if 0 <= region_id < RECOGNISED_BITS
        ),
    }
    for translated, texts in document.get("translations", {}).items():
        for name in TEXT_FIELDS:
            key = f"{name}_{translated}"
            values[key] = "\n".join(filter(None, [values.get(key, ""), texts[name]]))
    return values


def word_terms(word: str) -> list[tuple[str, str, str]]:
    """Where a folded word is looked up: (kind of field, field name, term) for the title and
    body of each language (stemmed as that language) and for the codes and names."""
    found = []
    for language in LANGUAGES:
        term = stem(word, language)
        found += [(name, f"{name}_{language}", term) for name in TEXT_FIELDS]
    found.append(("keys", "keys", word))
    return found
