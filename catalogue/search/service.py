"""Searching the catalogue: the one entry point the search page and the API call.

It keeps the index fresh (applying pending outbox entries first), reads what was typed, corrects
unknown words, runs the engine, and turns doc numbers into results with labels and snippets.
"""

from __future__ import annotations

import gc
import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlmodel import Session

from catalogue import vocabularies
from catalogue.institutions.models import Institution, Region
from catalogue.search import engine, indexer, materials
from catalogue.search.adapter import (
    SearchIndex,
    SegmentGone,
    apply_whoosh_patches,
    highlight_snippet,
)
from catalogue.search.documents import upcoming_runs
from catalogue.search.engine import Between, SearchRequest
from catalogue.search.facets import FACETS
from catalogue.search.query import parse_query, replace_words
from catalogue.search.run_results import run_request_args, with_availability
from catalogue.search.vocabulary import load_thesaurus

log = logging.getLogger(__name__)

FACET_VOCABULARIES = {
    "sector": vocabularies.Sector,
    "level": vocabularies.Level,
    "competency": vocabularies.Competency,
    "delivery_mode": vocabularies.DeliveryMode,
    "language": vocabularies.TeachingLanguage,
    "target_group": vocabularies.TargetGroup,
    "audience": vocabularies.Audience,
}


def init_app(app: Flask) -> None:
    """Give the app its index and apply outbox entries after requests that wrote some."""
    apply_whoosh_patches()
    app.extensions["search_index"] = SearchIndex(
        app.config["SEARCH_INDEX_DIR"],
        load_thesaurus(),
        lock_timeout=float(app.config["SEARCH_LOCK_TIMEOUT"]),
    )
    materials.init_app(app)
    app.after_request(_drain_after_writes)


def search_index() -> SearchIndex:
    """This node's search index."""
    return current_app.extensions["search_index"]


def _drain_after_writes(response):
    # A publish or archive shows in search as soon as the person sees the next page. Failing to
    # index here loses nothing: the outbox keeps the entries for the next drain.
    from catalogue.db import request_session

    session = request_session()
    if session is not None and session.info.pop("outbox_written", False):
        _drain_in_own_session("after a write")
    return response


def _drain_in_own_session(when: str) -> None:
    """Apply the outbox in a session of its own, so the request's session is left alone."""
    from catalogue.db import new_session

    session = new_session()
    try:
        indexer.drain(session, search_index())
        materials.drain_materials(session, materials.material_index())
    except Exception:
        log.exception("could not apply the search outbox %s; the next drain will", when)
    finally:
        session.close()


def ensure_fresh(session: Session, index: SearchIndex) -> None:
    """Apply pending outbox entries before searching (one cheap query when there are none)."""
    if not index.exists() or indexer.latest_outbox_id(session) > index.applied_seq():
        _drain_in_own_session("before a search")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Hit:
    """One result: the module's id and display values, a snippet and its next run."""

    module_id: int
    display: dict[str, Any]
    snippet: str
    next_run: dict[str, Any] | None
    runs: list[dict[str, Any]]
    # The run this result is shown with (with run filters: the first that matched), and how
    # many more runs match; in the runs view, the distance of the run from the place searched.
    more_runs: int = 0
    distance_km: float | None = None


@dataclass
class SearchPage:
    """Everything a results page or API response shows."""

    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    searched_for: str
    corrected_from: str | None = None
    did_you_mean: str | None = None
    relaxed: bool = False
    pages: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def search_catalogue(
    *, session: Session, request: SearchRequest, today: date | None = None
) -> SearchPage:
    """Search published modules: text, facets, ranges, sort and page."""
    for attempt in range(3):
        try:
            page = _search(session, request, today)
            _freeze_long_lived_objects()
            return page
        except SegmentGone:
            # A writer merged away a segment file this search was about to read: the new
            # generation has the same documents, so search again (on a new reader).
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


_frozen = threading.Event()


def _freeze_long_lived_objects() -> None:
    """After the first search of a process, move everything alive into the permanent
    generation of the garbage collector.

    The app and the search caches (word stems, index arrays) are hundreds of thousands of
    objects that live as long as the process; scanning them in every full collection paused
    searches by up to 90 ms at 100,000 modules. Objects made later are collected as usual.
    """
    if not _frozen.is_set():
        _frozen.set()
        gc.collect()
        gc.freeze()


def _search(session: Session, request: SearchRequest, today: date | None) -> SearchPage:
    index = search_index()
    ensure_fresh(session, index)
    today = today or date.today()
    text = request.text or ""
    query = parse_query(text, index.thesaurus)
    corrected_from = did_you_mean = None
    with index.reading() as view:
        arrays = view.arrays()
        corrections = _corrections(view, arrays, query, index.thesaurus)
        filters = _ids_for_codes(session, request)
        result = engine.run(view, query, filters, today=today)
        if corrections:
            # Words the index does not know match nothing: search for the correction instead,
            # and say so; unless the correction finds fewer modules than the words as typed
            # (the other words of the query found something), then offer it instead.
            corrected_text = replace_words(text, corrections)
            corrected_query = parse_query(corrected_text, index.thesaurus)
            corrected = engine.run(view, corrected_query, filters, today=today)
            if corrected.total >= result.total:
                corrected_from, text, query, result = (
                    text,
                    corrected_text,
                    corrected_query,
                    corrected,
                )
            else:
                did_you_mean = corrected_text
        elif result.total == 0 and query.raw_words:
            did_you_mean = _did_you_mean(view, query, request.text)
        if result.runs is not None:
            hits = run_hits(view, arrays, result.runs, today)
        else:
            hits = _hits(view, arrays, result.docnums, query, today, result.matched)
        facets = _label_facets(session, result.facets, request, view.generation)
    pages = max(1, -(-result.total // request.page_size))
    return SearchPage(
        request=request,
        total=result.total,
        hits=hits,
        facets=facets,
        searched_for=query.describe(),
        corrected_from=corrected_from,
        did_you_mean=did_you_mean,
        relaxed=result.relaxed,
        pages=pages,
    )


def _corrections(view, arrays, query, thesaurus) -> dict[str, str]:
    """Typed word → correction, for the words of concepts that nothing can satisfy."""
    # Only a concept that nothing can satisfy (no alternative, no synonym, no compound part
    # is in the index) has misspelt words; "clean room" and "mechatronics" are fine as typed.
    unknown_words = [
        word
        for concept in query.concepts
        if not engine.concept_matches_anything(view, arrays, concept)
        for word in concept.typed.split()
        if not thesaurus.knows(word)
    ]
    return engine.corrections_for(view, arrays, unknown_words, thesaurus)


def _did_you_mean(view, query, typed: str) -> str | None:
    """Known but rare words found nothing: the text with the closest frequent words instead."""
    near = {}
    for word in filter(engine.correctable, query.raw_words):
        candidates = view.corrections(word, max_distance=1)
        if candidates:
            near[word] = candidates[0][2]
    return replace_words(typed, near) if near else None


def _hits(view, arrays, docnums: list[int], query, today: date, matched) -> list[Hit]:
    """The page's results: display values, a snippet with the searched words, and the runs
    that matched the run filters (without run filters: the upcoming runs)."""
    marked = {w for c in query.concepts for alt in c.alternatives for w in alt}
    hits = []
    for docnum in docnums:
        display = view.stored(docnum)
        if matched is not None:
            runs = [display["runs"][position] for position in matched.get(docnum, [])]
        else:
            runs = upcoming_runs(display.get("runs", []), today)
        runs = [with_availability(r, today) for r in runs]
        snippet = (
            highlight_snippet(
                display.get("snippet_source", ""), marked, language=display.get("lang", "nl")
            )
            if marked
            else ""
        )
        hits.append(
            Hit(
                module_id=int(arrays.module_ids[docnum]),
                display=display,
                snippet=snippet,
                next_run=runs[0] if runs else None,
                runs=runs,
                more_runs=max(0, len(runs) - 1),
            )
        )
    return hits


def run_hits(view, arrays, rows, today: date) -> list[Hit]:
    """The runs view's results: (doc number, run position, distance) as hits with one run."""
    displays: dict[int, dict[str, Any]] = {}
    hits = []
    for docnum, position, km in rows:
        display = displays.get(docnum) or displays.setdefault(docnum, view.stored(docnum))
        run = with_availability(display["runs"][position], today)
        hits.append(
            Hit(
                module_id=int(arrays.module_ids[docnum]),
                display=display,
                snippet="",
                next_run=run,
                runs=[run],
                distance_km=None if km is None or km == float("inf") else round(km, 1),
            )
        )
    return hits


# Facets the index keeps as database ids; people and URLs use codes.
ID_FACETS = {"region": Region, "recognised_in": Region, "institution": Institution}


def _ids_for_codes(session: Session, request: SearchRequest) -> SearchRequest:
    """The request with region and institution codes replaced by the index's ids."""
    filters = dict(request.filters)
    for facet, model in ID_FACETS.items():
        codes = filters.get(facet)
        if codes:
            ids = session.scalars(select(model.id).where(model.code.in_(codes))).all()
            filters[facet] = [str(i) for i in ids] or ["-1"]
    return replace(request, filters=filters)


_names_cache: dict[tuple, dict[str, tuple[str, str]]] = {}


def _names(session: Session, model, generation) -> dict[str, tuple[str, str]]:
    """id → (code, name) of all regions or institutions, read once per index generation (an
    institution that is renamed or moved changes its modules' documents, so a new generation)."""
    key = (model.__tablename__, generation)
    if key not in _names_cache:
        if len(_names_cache) > 16:
            _names_cache.clear()
        rows = session.execute(select(model.id, model.code, model.name))
        _names_cache[key] = {str(i): (code, name) for i, code, name in rows}
    return _names_cache[key]


def _label_facets(
    session, counts, request: SearchRequest, generation
) -> dict[str, list[FacetValue]]:
    """Facet values with labels (id facets turned back into codes), most frequent first, ties
    by label; each facet keeps `facet_limit` values plus any selected one."""
    labelled = {}
    locale = str(get_locale())
    for facet, pairs in counts.items():
        selected = set(request.filters.get(facet, []))
        names = _names(session, ID_FACETS[facet], generation) if facet in ID_FACETS else {}
        values = []
        for value, count in pairs:
            if facet in ID_FACETS:
                if value not in names:
                    continue
                value, label = names[value]
            else:
                label = _label(locale, facet, value)
            values.append(FacetValue(value, label, count, value in selected))
        values.sort(key=lambda v: (-v.count, v.value))
        shown = values[: request.facet_limit]
        shown += [v for v in values[request.facet_limit :] if v.selected]
        labelled[facet] = shown
    return labelled


_labels: dict[tuple[str, str, str], str] = {}


def _label(locale: str, facet: str, value: str) -> str:
    """A vocabulary value's label in a language (translated once per process)."""
    key = (locale, facet, value)
    if key not in _labels:
        if facet in FACET_VOCABULARIES:
            _labels[key] = str(FACET_VOCABULARIES[facet].label(value))
        else:
            _labels[key] = str(FLAG_LABELS.get(value, value))
    return _labels[key]


FLAG_LABELS = {
    "open-material": _l("openly licensed material"),
    "micro-credential": _l("micro-credential"),
}


def request_from_args(args: dict[str, Any]) -> SearchRequest:
    """A SearchRequest from arguments loaded by schemas.search.SearchArgsSchema."""
    return SearchRequest(
        text=args.get("q", ""),
        filters={name: args.get(name) or [] for name in FACETS if args.get(name)},
        study_hours=Between(args.get("hours_min"), args.get("hours_max")),
        price=Between(args.get("price_min"), args.get("price_max")),
        starts=Between(args.get("start_from"), args.get("start_until")),
        page=args.get("page", 1),
        page_size=args.get("page_size", 20),
        **run_request_args(args),
    )
