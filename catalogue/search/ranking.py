"""Which documents match a query, and in what order: BM25 per word, concepts weighed by how much
they say, and a "minimum should match" instead of all-or-nothing.

- Each word is scored with BM25 over the title (weight 3), the learning outcomes (1.5), the
  codes and names (2) and the body (1, normalised by its length); its idf makes a word that few
  modules hold count for more than one that many hold.
- A concept (a word with its synonyms, or a thesaurus phrase) scores its best alternative: what
  was typed 1, a synonym SYNONYM_WEIGHT, a phrase by the mean of its words. Words also match,
  at a lower weight, as the start of longer terms ("elektro" → "elektronica", "opfrissen" →
  "opfriscursus") and as their end ("operator" → "procesoperator").
- A typed compound is split with the index's own terms ("gasleidingen" → "gas" + "leidingen";
  else with the thesaurus' parts) and counts as its parts, each satisfied by the part
  (COMPOUND_WEIGHT) or by the whole word.
- Weak words of the thesaurus ("cursus", "medewerkers", "monteurs") count for WEAK_WEIGHT.
- A document's coverage is the share of the query's concepts it holds, each weighed by its idf.
  Shown are the documents with at least MIN_SHOULD_MATCH of it, or with half of the query's
  (not weak) concepts; never for weak words alone. They are ranked by their summed scores times
  coverage squared, and up to TITLE_BONUS more when the title holds the query's concepts: the
  modules that hold every word first, related ones below. Concepts typed in quotes must occur.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from catalogue.search.adapter import GenerationArrays, IndexView
from catalogue.search.analysis import stem
from catalogue.search.index_schema import LANGUAGES, TEXT_FIELDS, word_terms
from catalogue.search.query import Alternative, Concept, ParsedQuery
from catalogue.search.terms import partial_terms

# Weight of a word found in each kind of field; only "body" is normalised by its length.
FIELD_WEIGHTS = {"title": 3.0, "outcomes": 1.5, "body": 1.0, "keys": 2.0}
K1 = 1.2
B = 0.75
PARTIAL_WEIGHT = 0.3  # a word found as the start or end of a longer term
COMPOUND_WEIGHT = 0.8  # a compound typed, found as its parts
SYNONYM_WEIGHT = 0.8  # a synonym of what was typed, from the thesaurus
TITLE_BONUS = 0.5  # up to half as much again for a title that holds all of the query
WEAK_WEIGHT = 0.25  # a weak word of the thesaurus ("cursus", "medewerkers")
MIN_SHOULD_MATCH = 0.25  # share of the query's (idf-weighed) concepts a result must hold
MIN_COMPOUND = 7  # shortest typed word that is split into parts found in the index
MIN_PART = 3  # shortest part of such a split ("gas" in "gasleidingen")


@dataclass
class Match:
    """Which documents match the text, with their scores."""

    mask: np.ndarray
    scores: np.ndarray | None
    relaxed: bool = False


class _ScoreCache:
    """Sparse score vectors of words, per generation; small and least recently used."""

    def __init__(self, max_items: int = 4096):
        self.max_items = max_items
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return value


_word_scores = _ScoreCache()


def _bm25(
    arrays: GenerationArrays, kind: str, ids, tf, total_docs: int, holding: int | None = None
) -> np.ndarray:
    """BM25 of postings; `holding`: how many documents hold the word (default: len(ids))."""
    df = len(ids) if holding is None else holding
    idf = math.log(1 + (total_docs - df + 0.5) / (df + 0.5))
    if kind == "body":
        norm = 1 - B + B * arrays.body_length[ids] / arrays.average_body_length
    else:
        norm = 1.0
    return FIELD_WEIGHTS[kind] * idf * tf * (K1 + 1) / (tf + K1 * norm)


def _combine(chunks_ids, chunks_scores, how) -> tuple[np.ndarray, np.ndarray]:
    """One (sorted unique ids, scores) pair from several, adding or taking the best per id."""
    if not chunks_ids:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    ids = np.concatenate(chunks_ids)
    scores = np.concatenate(chunks_scores).astype(np.float32)
    unique, inverse = np.unique(ids, return_inverse=True)
    combined = np.zeros(len(unique), dtype=np.float32)
    how.at(combined, inverse, scores)
    return unique.astype(np.int32), combined


def word_score(view: IndexView, arrays: GenerationArrays, word: str):
    """(doc numbers, BM25 scores) of one folded word over all text fields and both languages."""
    return _word_scores.get((view.generation, word), lambda: _word_score(view, arrays, word))


def _word_score(view: IndexView, arrays: GenerationArrays, word: str):
    # Per kind of field the better of the two languages, then added over the kinds; a word's
    # rarity counted over the documents holding it in either language. A module with a
    # translation holds its words twice, and counts them once, as a module without one does.
    total_docs = max(1, int(arrays.live.sum()))
    by_kind: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for kind, ids, tf in view.word_postings(word):
        by_kind.setdefault(kind, []).append((ids, tf))
    chunks_ids, chunks_scores = [], []
    for kind, postings in by_kind.items():
        holding = len(np.unique(np.concatenate([ids for ids, _tf in postings])))
        kind_ids, kind_scores = _combine(
            [ids for ids, _tf in postings],
            [_bm25(arrays, kind, ids, tf, total_docs, holding) for ids, tf in postings],
            np.maximum,
        )
        chunks_ids.append(kind_ids)
        chunks_scores.append(kind_scores)
    return _combine(chunks_ids, chunks_scores, np.add)


def title_ids(view: IndexView, word: str) -> np.ndarray:
    """Sorted doc numbers of the documents whose title holds the word (in either language)."""

    def build():
        found = [
            view.postings(fieldname, term)[0]
            for kind, fieldname, term in word_terms(word)
            if kind == "title"
        ]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int32)

    return _word_scores.get((view.generation, "title", word), build)


def _title_hits(view: IndexView, size: int, alternatives: list[Alternative]) -> np.ndarray:
    """Documents whose title holds every word of some alternative."""
    mask = np.zeros(size, dtype=bool)
    for alternative in alternatives:
        ids = title_ids(view, alternative[0])
        for word in alternative[1:]:
            ids = np.intersect1d(ids, title_ids(view, word), assume_unique=True)
        mask[ids] = True
    return mask


def partial_score(view: IndexView, arrays: GenerationArrays, word: str):
    """(doc numbers, scores) of a word found as the start or end of longer terms of the title
    and body (a term's BM25 times PARTIAL_WEIGHT; the best term per document)."""
    return _word_scores.get(
        (view.generation, "partial", word), lambda: _partial_score(view, arrays, word)
    )


def _partial_score(view: IndexView, arrays: GenerationArrays, word: str):
    total_docs = max(1, int(arrays.live.sum()))
    chunks_ids, chunks_scores = [], []
    for kind, fieldname, term in word_terms(word):
        if kind == "keys" or len(word) < 4 or not word.isalpha():
            continue
        for longer in partial_terms(view.field_terms(fieldname), term):
            ids, tf = view.postings(fieldname, longer)
            if len(ids):
                chunks_ids.append(ids)
                chunks_scores.append(PARTIAL_WEIGHT * _bm25(arrays, kind, ids, tf, total_docs))
    return _combine(chunks_ids, chunks_scores, np.maximum)


def index_split(view: IndexView, word: str) -> Alternative | None:
    """A typed compound as two parts that both occur in the index ("gasleidingen" → "gas",
    "leidingen"; a linking "s" dropped: "onderhoudsmonteur" → "onderhoud", "monteur"), the most
    even split first; None when the word is short or no split has two known parts."""
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return None
    fields = [
        (language, view.field_terms(f"{name}_{language}"))
        for language in LANGUAGES
        for name in TEXT_FIELDS
    ]

    def indexed(part: str) -> str | None:
        return part if any(stem(part, lang) in terms for lang, terms in fields) else None

    best: tuple[int, Alternative] | None = None
    for cut in range(MIN_PART, len(word) - MIN_PART - 1):
        left, right = word[:cut], word[cut:]
        if best and min(len(left), len(right)) <= best[0]:
            continue
        right_form = indexed(right)
        if right_form is None:
            continue
        for head in (left, left[:-1] if left.endswith("s") and len(left) > MIN_PART else ""):
            head_form = indexed(head) if head else None
            if head_form:
                best = (min(len(head), len(right)), (head_form, right_form))
                break
    return best[1] if best else None


def is_known(view: IndexView, arrays: GenerationArrays, word: str) -> bool:
    """Whether any live document holds the word."""
    ids, _scores = word_score(view, arrays, word)
    return bool(len(ids)) and bool(arrays.live[ids].any())


def _alternatives(
    view: IndexView, concept: Concept, *, with_split: bool = True
) -> list[tuple[Alternative, float]]:
    """The concept's alternatives with their weights (what was typed, or another form of it,
    1; a synonym SYNONYM_WEIGHT), plus the index's split of a compound (COMPOUND_WEIGHT)."""
    typed = _stems(concept.alternatives[0])
    weighted = [
        (alternative, 1.0 if _stems(alternative) == typed else SYNONYM_WEIGHT)
        for alternative in concept.alternatives
    ]
    split = compound_split(view, concept) if with_split else None
    if split and split not in concept.alternatives:
        weighted.append((split, COMPOUND_WEIGHT))
    return weighted


def _stems(alternative: Alternative) -> tuple[str, ...]:
    return tuple(stem(word, "nl") for word in alternative)


def compound_split(view: IndexView, concept: Concept) -> Alternative | None:
    """The two parts of a one-word concept that is a compound: split with the index's terms,
    else with the thesaurus' compound parts when both parts occur in the index."""
    typed = concept.alternatives[0]
    if len(typed) != 1:
        return None
    split = index_split(view, typed[0])
    if split is None:
        split = next((a for a in concept.alternatives[1:] if _is_split_of(a, typed[0])), None)
    return split


def _is_split_of(alternative: Alternative, word: str) -> bool:
    return (
        len(alternative) == 2
        and len(alternative[1]) >= MIN_PART + 1
        and "".join(alternative) in (word, word.replace(alternative[0] + "s", alternative[0], 1))
    )


def concept_matches_anything(view: IndexView, arrays: GenerationArrays, concept: Concept) -> bool:
    """Whether some alternative of the concept, or its compound split, has all its words in
    the index, or its word is found inside longer terms."""
    if any(
        all(is_known(view, arrays, word) for word in alternative)
        for alternative, _weight in _alternatives(view, concept)
    ):
        return True
    return any(
        len(alternative) == 1 and len(partial_score(view, arrays, alternative[0])[0])
        for alternative in concept.alternatives
    )


def concept_scores(
    view: IndexView, arrays: GenerationArrays, concept: Concept, *, with_split: bool = True
) -> np.ndarray:
    """Dense scores of a concept: the best of its (weighed) alternatives and of its one-word
    alternatives inside longer terms; an alternative needs all its words (intersected on the words'
    sorted doc numbers, so rare words stay cheap)."""
    best = np.zeros(len(arrays.live), dtype=np.float32)
    for alternative, weight in _alternatives(view, concept, with_split=with_split):
        ids: np.ndarray | None = None
        total: np.ndarray | None = None
        for word in alternative:
            word_ids, word_scores = word_score(view, arrays, word)
            if ids is None:
                ids, total = word_ids, word_scores
            else:
                ids, left, right = np.intersect1d(
                    ids, word_ids, assume_unique=True, return_indices=True
                )
                total = total[left] + word_scores[right]
            if not len(ids):
                break
        if ids is not None and len(ids):
            best[ids] = np.maximum(best[ids], weight * total / len(alternative))
    for alternative, weight in _alternatives(view, concept, with_split=False):
        if len(alternative) == 1:
            # Inside longer terms, for a synonym as for the word typed (so that synonyms find
            # the same modules whichever was typed).
            ids, scores = partial_score(view, arrays, alternative[0])
            if len(ids):
                best[ids] = np.maximum(best[ids], weight * scores)
    return best


def _units(
    view: IndexView, arrays: GenerationArrays, concept: Concept, weak_words: frozenset[str]
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """What a concept adds to the coverage: (dense scores, title hits, weight factor) once, or
    once per part for a compound ("veiligheidscursus" counts as "veiligheid" and "cursus", each
    satisfied by a part or by the whole word), so that a module about safety is found without
    "cursus"."""
    size = len(arrays.live)
    split = compound_split(view, concept) if not concept.required else None
    whole = concept_scores(view, arrays, concept, with_split=split is None)
    in_title = _title_hits(view, size, concept.alternatives)
    if split is None:
        return [(whole, in_title, WEAK_WEIGHT if concept.weak else 1.0)]
    units = []
    for part in split:
        scores = np.maximum(whole, COMPOUND_WEIGHT * _dense(view, arrays, part))
        part_in_title = in_title | _title_hits(view, size, [(part,)])
        units.append((scores, part_in_title, WEAK_WEIGHT if part in weak_words else 1.0))
    return units


def _dense(view: IndexView, arrays: GenerationArrays, word: str) -> np.ndarray:
    dense = np.zeros(len(arrays.live), dtype=np.float32)
    ids, scores = word_score(view, arrays, word)
    dense[ids] = scores
    return dense


def _shown(hits: np.ndarray, strong: np.ndarray, counts, coverage: np.ndarray) -> np.ndarray:
    """Documents with enough of the query's weight, or with half of its (not weak) concepts;
    never for weak words alone, unless the query is nothing but weak words ("training")."""
    if not strong.any():
        strong = np.ones_like(strong)
    strong_hits = hits[strong & (counts > 0)]
    enough_words = strong_hits.sum(axis=0) * 2 >= max(len(strong_hits), 1)
    return hits[strong].any(axis=0) & ((coverage >= MIN_SHOULD_MATCH - 1e-6) | enough_words)


def match_text(view: IndexView, arrays: GenerationArrays, query: ParsedQuery) -> Match:
    """Documents holding enough of the query (see the module's docstring), with their scores."""
    live = arrays.live
    if query.is_empty:
        return Match(mask=live.copy(), scores=None)
    units, required, titles = [], [], []
    for concept in query.concepts:
        for scores, in_title, factor in _units(view, arrays, concept, query.weak_words):
            units.append((scores, factor))
            titles.append(in_title)
            required.append(concept.required)
    per_unit = np.stack([scores for scores, _factor in units])
    hits = (per_unit > 0) & live
    counts = hits.sum(axis=1)
    total_docs = max(1, int(np.count_nonzero(live)))
    # A unit's weight is its idf (less for weak words); one that nothing holds (a word the
    # index does not know) leaves the coverage of every document alone.
    weights = np.array(
        [
            factor * math.log(1 + (total_docs - n + 0.5) / (n + 0.5)) if n else 0.0
            for (_scores, factor), n in zip(units, counts, strict=True)
        ],
        dtype=np.float32,
    )
    factors = np.array([factor for _scores, factor in units], dtype=np.float32)
    coverage = (weights @ hits) / max(float(weights.sum()), 1e-9)
    scores = (factors @ per_unit) * coverage * coverage
    # The query's words together in the title: a module about what was asked for.
    title_coverage = (weights @ (np.stack(titles) & live)) / max(float(weights.sum()), 1e-9)
    scores *= 1 + TITLE_BONUS * title_coverage * title_coverage
    mask = _shown(hits, factors == 1.0, counts, coverage)
    for unit_hits, must in zip(hits, required, strict=True):
        if must:
            mask &= unit_hits
    relaxed = len(units) > 1 and not hits.all(axis=0).any()
    for word in query.excluded:
        ids, _ = word_score(view, arrays, word)
        mask[ids] = False
    return Match(mask=mask, scores=scores, relaxed=relaxed)
