"""Searching material: the material finder's one entry point, and keeping the material index in
step with the database through the same outbox as the module index.

The material index lives beside the module index (`<index dir>/materials`) and records its own
outbox position, so a node applies each outbox entry to both; an entry names a module, and the
material documents of that module are rewritten from the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask import Flask, current_app
from sqlmodel import Session

from catalogue.db import new_session
from catalogue.search.indexer import (
    Difference,
    PrunedPastIndex,
    apply_outbox,
    latest_outbox_id,
    pruned_through,
)
from catalogue.search.materials_documents import (
    build_material_documents,
    published_material_modules,
)
from catalogue.search.materials_store import (
    FLAG_FACETS,
    KEYWORD_FACETS,
    IndexBusy,
    MaterialIndex,
    MaterialWriter,
)
from catalogue.search.query import parse_query, replace_words
from catalogue.search.vocabulary import load_thesaurus

log = logging.getLogger(__name__)
FACETS = ("licence", "open_licence", *KEYWORD_FACETS[1:], "reused")
SORTS = ("relevance", "newest", "most-reused")


def init_app(app: Flask) -> None:
    """Give the app its material index, beside the module index."""
    app.extensions["material_index"] = MaterialIndex(
        app.config["SEARCH_INDEX_DIR"],
        load_thesaurus(),
        lock_timeout=float(app.config["SEARCH_LOCK_TIMEOUT"]),
    )


def material_index() -> MaterialIndex:
    """This node's material index."""
    return current_app.extensions["material_index"]


def rebuild_materials(session: Session, index: MaterialIndex) -> int:
    """Index the material of every published module anew; returns how many documents."""
    seq = latest_outbox_id(session)
    module_ids = published_material_modules(session)
    count = 0
    with index.writing(rebuild=True) as writer:
        for document in build_material_documents(session, module_ids):
            writer.add(document)
            count += 1
        writer.set_applied_seq(seq)
    session.rollback()
    return count


def drain_materials(session: Session, index: MaterialIndex) -> int:
    """Apply the outbox entries the material index has not applied; returns how many."""
    try:
        for _attempt in range(2):
            if not index.exists() or index.applied_seq() < pruned_through(session):
                rebuild_materials(session, index)
            try:
                return apply_outbox(session, index, _write_material)
            except PrunedPastIndex:
                log.warning("the material index is older than the pruned outbox; rebuilding it")
    except IndexBusy:
        log.info("material index busy; another process is applying the outbox")
    finally:
        session.rollback()
    return 0


def _write_material(session: Session, writer: MaterialWriter, module_ids: list[int]) -> None:
    """Replace the material documents of these modules by what the database holds now."""
    by_module: dict[int, list] = {module_id: [] for module_id in module_ids}
    for document in build_material_documents(session, module_ids):
        by_module[document["module_id"]].append(document)
    for module_id, documents in by_module.items():
        writer.replace_module(module_id, documents)


def check_materials(session: Session, index: MaterialIndex) -> list[Difference]:
    """Every material whose index entry differs from the database (ids are material ids)."""
    expected = {
        d["id"]: d["fingerprint"]
        for d in build_material_documents(session, published_material_modules(session))
    }
    session.rollback()
    actual = index.view().fingerprints() if index.exists() else {}
    differences = [
        Difference(i, "published material missing from the index")
        for i in expected.keys() - actual.keys()
    ]
    differences += [
        Difference(i, "in the material index but not published")
        for i in actual.keys() - expected.keys()
    ]
    differences += [
        Difference(i, "material index entry differs from the database")
        for i in expected.keys() & actual.keys()
        if expected[i] != actual[i]
    ]
    return sorted(differences, key=lambda d: d.module_id)


@dataclass
class MaterialRequest:
    """What the finder asks: text, facet filters (OR within a facet, AND across), sort, page."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20


@dataclass
class MaterialPage:
    """One page of found material, the total, and the facet counts."""

    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[tuple[str, int]]]
    searched: str
    corrected_from: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search_materials(session: Session, request: MaterialRequest) -> MaterialPage:
    """Find material: match the text, filter, count every facet, sort and page."""
    index = material_index()
    if not index.exists() or latest_outbox_id(session) > index.applied_seq():
        # In a session of its own, so that the request's session is left alone.
        drain_session = new_session()
        try:
            drain_materials(drain_session, index)
        finally:
            drain_session.close()
    view = index.view()
    query, hits, corrected_from = _match(view, request.text, index.thesaurus)
    selected = {name: _facet_mask(view, name, request.filters.get(name, [])) for name in FACETS}
    final = hits.mask.copy()
    for mask in selected.values():
        if mask is not None:
            final &= mask
    facets = {}
    for name in FACETS:
        others = hits.mask.copy()
        for other, mask in selected.items():
            if other != name and mask is not None:
                others &= mask
        facets[name] = view.counts(name, others)
    docnums = np.flatnonzero(final)
    ordered = _order(view, docnums, hits.scores, request.sort)
    start = (request.page - 1) * request.page_size
    items = [view.stored(int(d)) for d in ordered[start : start + request.page_size]]
    return MaterialPage(
        items,
        len(docnums),
        request.page,
        request.page_size,
        facets,
        query.describe(),
        corrected_from,
    )


def _match(view, text: str, thesaurus):
    """(query, hits, the typed text when it was corrected): unknown words that find nothing are
    corrected like module search corrects them, from the words of the module index (whose
    documents hold the material titles too)."""
    query = parse_query(text, thesaurus)
    hits = view.match([c.alternatives for c in query.concepts], query.excluded)
    if not query.concepts or hits.mask.any():
        return query, hits, None
    corrected = _corrected_text(text, query)
    if corrected is None:
        return query, hits, None
    query = parse_query(corrected, thesaurus)
    return query, view.match([c.alternatives for c in query.concepts], query.excluded), text


def _corrected_text(text: str, query) -> str | None:
    from catalogue.search.service import _corrections, _drain_in_own_session, search_index

    modules = search_index()
    if not modules.exists():
        # A node's first search builds its module index, whichever finder asks first.
        _drain_in_own_session("before correcting a material search")
    if not modules.exists():
        return None
    with modules.reading() as view:
        corrections = _corrections(view, view.arrays(), query, modules.thesaurus)
    return replace_words(text, corrections) if corrections else None


def _facet_mask(view, name: str, values: list[str]):
    if not values:
        return None
    mask = np.zeros(len(view.live), dtype=bool)
    for value in values:
        if value in view.facets[name]:
            mask |= view.facets[name][value]
    return mask


def _order(view, docnums: np.ndarray, scores, sort: str) -> np.ndarray:
    published = view.published[docnums]
    if sort == "most-reused":
        return docnums[np.lexsort((-published, -view.reused_by[docnums]))]
    if sort == "newest" or scores is None:
        return docnums[np.lexsort((docnums, -published))]
    return docnums[np.lexsort((-published, -scores[docnums]))]


__all__ = ["FACETS", "FLAG_FACETS", "MaterialRequest", "search_materials"]
