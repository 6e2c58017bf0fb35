"""Filtering, facet counting, sorting and paging over one index generation, with numpy (which
documents match the text, and their scores, is decided in catalogue.search.ranking).

The index gives, per term, the documents that hold it and how often; everything else happens
here on arrays the size of the catalogue: a query is a handful of vector operations whatever
the number of hits, and facet counts are one `bincount` per facet. Terms' scores and the
per-day arrays (next run, lowest price) are cached per generation.

Facets are multi-select: the counts of one facet are computed with the filters of all *other*
facets applied, so that a person can tick a second value of the same facet (OR within a facet,
AND across facets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

import numpy as np

from catalogue.search import run_filters
from catalogue.search.adapter import GenerationArrays, IndexView
from catalogue.search.facets import FACETS, SINGLE_FACETS
from catalogue.search.query import ParsedQuery, concept_of_word
from catalogue.search.ranking import (
    concept_matches_anything,
    is_known,
    match_text,
)
from catalogue.search.text import STOP_WORDS, fold
from catalogue.search.vocabulary import Thesaurus

NO_RUN = np.iinfo(np.int32).max

T = TypeVar("T", float, date)


@dataclass(frozen=True)
class Between(Generic[T]):
    """A range with both ends included; an open end (None) does not limit. A range with both
    ends open is false: it filters nothing."""

    low: T | None = None
    high: T | None = None

    def __bool__(self) -> bool:
        return self.low is not None or self.high is not None

    def within(self, values: np.ndarray) -> np.ndarray:
        """Which of the values lie in the range."""
        inside = np.ones(len(values), dtype=bool)
        if self.low is not None:
            inside &= values >= self.low
        if self.high is not None:
            inside &= values <= self.high
        return inside


@dataclass
class SearchRequest:
    """What to search for: text, facet filters, ranges, sort and page."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    study_hours: Between[float] = Between()
    # Run filters (catalogue.search.run_filters): the price and start of one and the same run.
    price: Between[float] = Between()
    starts: Between[date] = Between()
    # More run filters, on that same run.
    seats_min: int | None = None
    available_only: bool = False
    guaranteed_only: bool = False
    near: tuple[float, float] | None = None
    km: float | None = None
    also_online: bool = False
    view: str = "modules"
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facet_limit: int = 15


@dataclass
class EngineResult:
    """Doc numbers of the page, the total, facet counts, and derived per-doc values used."""

    docnums: list[int]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    relaxed: bool
    next_start: np.ndarray
    min_price: np.ndarray
    # With run filters: per page document, the positions of its matching runs; in the runs
    # view, the page's (doc number, run position, distance) and `total` counts runs.
    matched: dict[int, list[int]] | None = None
    runs: list[tuple[int, int, float | None]] | None = None


def runs_for_day(arrays: GenerationArrays, today: date) -> tuple[np.ndarray, np.ndarray]:
    """Per document: the start day of the next run, and the lowest price of upcoming runs."""
    key = ("runs", today.toordinal())
    cached = arrays.derived.get(key)
    if cached is not None:
        return cached
    size = len(arrays.live)
    upcoming = (arrays.run_starts >= today.toordinal()) & np.isin(
        arrays.run_status, run_filters.UPCOMING
    )
    docs = arrays.run_docs[upcoming]
    next_start = np.full(size, NO_RUN, dtype=np.int32)
    np.minimum.at(next_start, docs, arrays.run_starts[upcoming])
    min_price = np.full(size, np.inf, dtype=np.float32)
    np.minimum.at(min_price, docs, arrays.run_prices[upcoming])
    arrays.derived[key] = (next_start, min_price)
    return next_start, min_price


def facet_mask(arrays: GenerationArrays, name: str, values: list[str]) -> np.ndarray | None:
    """Documents with any of `values` in facet `name`; None when nothing is selected."""
    if not values:
        return None
    if name in SINGLE_FACETS:
        codes, known = arrays.single[name]
        wanted = [i for i, v in enumerate(known) if v in set(values)]
        return np.isin(codes, wanted) if wanted else np.zeros(len(codes), dtype=bool)
    masks = arrays.multi[name]
    result = np.zeros(len(arrays.live), dtype=bool)
    for value in values:
        if value in masks:
            result |= masks[value]
    return result


def range_mask(arrays: GenerationArrays, request: SearchRequest):
    """Documents within the study load range (price and start dates are run filters: see
    catalogue.search.run_filters)."""
    return request.study_hours.within(arrays.study_hours)


def run(
    view: IndexView, query: ParsedQuery, request: SearchRequest, *, today: date
) -> EngineResult:
    """Match, filter, count facets, sort and page."""
    arrays = view.arrays()
    match = match_text(view, arrays, query)
    next_start, min_price = runs_for_day(arrays, today)
    on_runs = run_filters.active(request)
    runs = run_filters.run_mask(arrays, request, today) if on_runs else None
    base = match.mask & range_mask(arrays, request)
    without_runs = base.copy()
    if runs is not None:
        base &= run_filters.docs_with(arrays, runs.ok)
    selected = {
        name: None
        if on_runs and name in run_filters.RUN_FACETS
        else facet_mask(arrays, name, request.filters.get(name, []))
        for name in FACETS
    }
    final = base.copy()
    for mask in selected.values():
        if mask is not None:
            final &= mask
    result = EngineResult(
        docnums=[],
        total=0,
        facets=_facet_counts(arrays, base, without_runs, selected, runs),
        relaxed=match.relaxed,
        next_start=next_start,
        min_price=min_price,
    )
    start = (request.page - 1) * request.page_size
    if runs is not None and request.view == "runs":
        _page_of_runs(arrays, runs, final, request, result)
        return result
    docnums = np.flatnonzero(final)
    result.total = len(docnums)
    nearest = run_filters.nearest(arrays, runs) if runs is not None else None
    page = _order(
        arrays, docnums, match.scores, request, next_start, start + request.page_size, nearest
    )
    result.docnums = [int(d) for d in page[start : start + request.page_size]]
    if runs is not None:
        result.matched = run_filters.matched_runs(arrays, runs, result.docnums)
    return result


def _facet_counts(arrays, base, without_runs, selected, runs):
    """Counts of every facet, each with the filters of the other facets applied."""
    facets = {}
    for name in FACETS:
        on_run_level = runs is not None and name in run_filters.RUN_FACETS
        others = (without_runs if on_run_level else base).copy()
        for other, mask in selected.items():
            if other != name and mask is not None:
                others &= mask
        if on_run_level:
            facets[name] = run_filters.count_facet(arrays, runs, name, others)
            continue
        # Few matches (a selective search): count over their doc numbers, not whole masks.
        docs = np.flatnonzero(others)
        facets[name] = _count(arrays, name, others, docs if len(docs) * 32 < len(others) else None)
    return facets


def _page_of_runs(arrays, runs, final: np.ndarray, request: SearchRequest, result) -> None:
    """The runs view: the page's matching runs (of matching modules), counted as runs."""
    rows = run_filters.run_rows(arrays, runs, final, request.sort)
    start = (request.page - 1) * request.page_size
    result.total = len(rows)
    result.runs = [
        (
            int(arrays.run_docs[row]),
            int(arrays.run_positions[row]),
            float(runs.distance[row]) if runs.distance is not None else None,
        )
        for row in rows[start : start + request.page_size]
    ]
    result.docnums = list(dict.fromkeys(doc for doc, _pos, _km in result.runs))


def _count(arrays: GenerationArrays, name: str, mask: np.ndarray, docs: np.ndarray | None):
    """(value, count) of one facet over the documents in `mask` (or, when few, `docs`)."""
    if name in SINGLE_FACETS:
        codes, values = arrays.single[name]
        chosen = codes[docs] if docs is not None else codes[mask]
        counts = np.bincount(chosen[chosen >= 0], minlength=len(values))
        pairs = [(values[i], int(c)) for i, c in enumerate(counts) if c]
    elif docs is not None:
        pairs = [
            (value, int(np.count_nonzero(value_mask[docs])))
            for value, value_mask in arrays.multi[name].items()
        ]
    else:
        pairs = [
            (value, int(np.count_nonzero(value_mask & mask)))
            for value, value_mask in arrays.multi[name].items()
        ]
    # Every value with a count; the service orders them by count and label, and keeps as many
    # as the page shows (it knows the labels, which break ties).
    return [(v, c) for v, c in pairs if c]


def _order(arrays, docnums, scores, request: SearchRequest, next_start, needed: int, nearest):
    """The first `needed` doc numbers in the requested order."""
    if not len(docnums):
        return docnums
    published = arrays.published[docnums]
    if request.sort == "distance" and nearest is not None:
        order = np.lexsort((next_start[docnums], nearest[docnums]))
        return docnums[order[:needed]]
    if request.sort == "soonest":
        primary = next_start[docnums].astype(np.int64)
        secondary = -(scores[docnums] if scores is not None else published)
        order = np.lexsort((secondary, primary))
        return docnums[order[:needed]]
    if request.sort == "newest" or scores is None:
        order = np.lexsort((docnums, -published))
        return docnums[order[:needed]]
    relevance = scores[docnums]
    if needed < len(docnums):
        # Only the top of the list is needed: partition first, then sort that part.
        top = np.argpartition(-relevance, needed - 1)[:needed]
        top = top[np.lexsort((-published[top], -relevance[top]))]
        return docnums[top]
    order = np.lexsort((-published, -relevance))
    return docnums[order]


def corrections_for(
    view: IndexView,
    arrays: GenerationArrays,
    words: list[str],
    thesaurus: Thesaurus,
    *,
    max_distance: int = 2,
) -> dict[str, str]:
    """For each word worth correcting, the best word within `max_distance` edits that finds
    something: a word of the indexed titles (most frequent first) or one of the field's terms
    ("clenroom" → "cleanroom", found through "cleanroomtechniek")."""
    found = {}
    for word in words:
        word = fold(word)
        if not correctable(word) or is_known(view, arrays, word):
            continue
        for _distance, _count, candidate in view.corrections(
            word, max_distance=max_distance, extra_words=thesaurus.terms
        ):
            if concept_matches_anything(view, arrays, concept_of_word(candidate, thesaurus)):
                found[word] = candidate
                break
    return found


def correctable(word: str) -> bool:
    """Whether a typed word may be replaced by a correction: not short words, numbers, codes
    or stop words ("or" is no misspelling of "ori")."""
    return len(word) >= 4 and word.isalpha() and word not in STOP_WORDS
