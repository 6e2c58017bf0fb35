"""Reading one generation of the index for a search: segments into arrays, terms into postings.

An `IndexView` is what a search holds while it runs (see `SearchIndex.reading`). It reads each
segment's numeric columns and each term's postings once and caches them by segment id (see
catalogue.search.arrays). A writer may merge away a segment that a view is still reading; the
reading then fails with whoosh's FileNotFoundError, which `SearchIndex.reading` raises as
`SegmentGone`; the caller searches again on a fresh view.

The block reads below use private attributes of whoosh-reloaded's W3 codec (the version
catalogue.search.whoosh_patches checks at start-up); other codecs take the slow, public path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from catalogue.search import spelling
from catalogue.search.arrays import (
    GenerationArrays,
    SegmentCache,
    SegmentData,
    array_bytes,
    generation_arrays,
)
from catalogue.search.index_schema import word_terms
from catalogue.search.run_columns import unpack_runs
from catalogue.search.terms import FieldTerms


class SegmentGone(Exception):
    """A segment this view was reading has been merged into another by a writer."""


class IndexView:
    """One generation of the index as arrays over global doc numbers, plus term lookups."""

    def __init__(self, cache: SegmentCache, path: Path, reader):
        self.cache = cache
        self.path = path
        self.reader = reader
        leaves = list(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else []
        base = 0
        self.segments: list[tuple[Any, int, str, SegmentData]] = []
        for leaf, _offset in leaves:
            segid = _segment_id(leaf, path)
            data = cache.get(("segment", segid), lambda leaf=leaf: load_segment(leaf))
            self.segments.append((leaf, base, segid, data))
            base += data.doc_count
        self.doc_count = base
        self.generation = (str(path), tuple((s[2], s[0].doc_count()) for s in self.segments))

    def arrays(self) -> GenerationArrays:
        """Concatenated per-document arrays of this generation (built once, cached)."""
        return self.cache.get(("generation", self.generation), self._build_arrays)

    def _build_arrays(self) -> tuple[GenerationArrays, int]:
        live = np.ones(self.doc_count, dtype=bool)
        for leaf, base, _segid, _data in self.segments:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                live[base + deleted] = False
        parts = [s[3] for s in self.segments]
        return generation_arrays(parts, [s[1] for s in self.segments], live)

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Global doc numbers and term frequencies of a term (deleted docs included)."""
        chunks_ids, chunks_tf = [], []
        for leaf, base, segid, _data in self.segments:
            ids, tf = self.cache.get(
                ("postings", segid, fieldname, term),
                lambda leaf=leaf: _sized(_postings(leaf, fieldname, term)),
            )
            if len(ids):
                chunks_ids.append(ids + base)
                chunks_tf.append(tf)
        if not chunks_ids:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        if len(chunks_ids) == 1:
            return chunks_ids[0], chunks_tf[0]
        return np.concatenate(chunks_ids), np.concatenate(chunks_tf)

    def word_postings(self, word: str) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """(kind of field, doc numbers, term frequencies) of a folded word in each field that
        holds it: "title", "outcomes" and "body" of both languages (stemmed as each), and "keys"."""
        for kind, fieldname, term in word_terms(word):
            ids, tf = self.postings(fieldname, term)
            if len(ids):
                yield kind, ids, tf

    def field_terms(self, fieldname: str) -> FieldTerms:
        """Every term of a field in this generation (read once per segment, joined once per
        generation; deleted documents' terms included, as they cost nothing to match)."""

        def build() -> tuple[FieldTerms, int]:
            terms: set[str] = set()
            for leaf, _base, segid, _data in self.segments:
                terms.update(
                    self.cache.get(
                        ("terms", segid, fieldname),
                        lambda leaf=leaf: _sized_terms(leaf, fieldname),
                    )
                )
            joined = FieldTerms.of(terms)
            return joined, joined.size()

        return self.cache.get(("field terms", self.generation, fieldname), build)

    def stored(self, docnum: int) -> dict[str, Any]:
        """The display values of a document."""
        try:
            return json.loads(self.reader.stored_fields(int(docnum))["display"])
        except (FileNotFoundError, TypeError) as exc:
            # Whoosh opens a segment's stored values on first use; a writer may have merged
            # that segment away since this view opened (whoosh then finds no file).
            raise SegmentGone("a segment of this view was merged away; search again") from exc

    def fingerprints(self) -> dict[int, str]:
        """Module id → fingerprint of every live document."""
        arrays = self.arrays()
        result: dict[int, str] = {}
        for leaf, base, _segid, data in self.segments:
            values = list(leaf.column_reader("fingerprint")) if data.doc_count else []
            for local, value in enumerate(values):
                if arrays.live[base + local]:
                    result[int(data.module_ids[local])] = value.decode("ascii")
        return result

    def vocabulary(self) -> tuple[list[str], dict[str, int]]:
        """Words that may be offered as corrections, sorted, with their counts."""
        return spelling.cached_vocabulary(self.cache, self.path)

    def corrections(
        self, word: str, *, max_distance: int = 2, extra_words: Sequence[str] = ()
    ) -> list[tuple[int, int, str]]:
        """(distance, -count, word) of known words within `max_distance` edits, best first
        (see catalogue.search.spelling.near_words)."""
        words_sorted, counts = self.vocabulary()
        return spelling.near_words(
            word, words_sorted, counts, max_distance=max_distance, extra_words=extra_words
        )


def load_segment(reader) -> tuple[SegmentData, int]:
    """Everything search needs from one segment, as arrays, with their size in bytes."""
    count = reader.doc_count_all()
    packed, run_docs, run_positions = unpack_runs(
        list(reader.column_reader("runs")) if count else []
    )
    data = SegmentData(
        doc_count=count,
        module_ids=_numeric_column(reader, "mid", count, np.int64),
        study_hours=_numeric_column(reader, "study_hours", count, np.float32),
        published=_numeric_column(reader, "published", count, np.int64),
        body_length=_numeric_column(reader, "body_length", count, np.float32),
        sector=_numeric_column(reader, "sector", count, np.int32),
        level=_numeric_column(reader, "level", count, np.int32),
        region=_numeric_column(reader, "region", count, np.int32),
        institution=_numeric_column(reader, "institution", count, np.int32),
        tags=_numeric_column(reader, "tags", count, np.uint64),
        recognised=_numeric_column(reader, "recognised", count, np.uint64),
        run_docs=run_docs,
        run_starts=packed["start"].astype(np.int32),
        run_prices=packed["price"].astype(np.float32),
        run_status=packed["status"].astype(np.int8),
        run_records=packed.copy(),
        run_positions=run_positions,
    )
    return data, array_bytes(*data.arrays())


def _numeric_column(reader, name: str, count: int, dtype) -> np.ndarray:
    """A whole numeric column of a segment as an array, read in one piece.

    Whoosh's NumericColumn stores big-endian values back to back, leaving off trailing
    documents that have the default value; the fallback reads value by value.
    """
    if count == 0:
        return np.zeros(0, dtype=dtype)
    column = reader.column_reader(name, translate=False)
    raw = getattr(column, "_dbfile", None)
    if raw is not None and hasattr(column, "_typecode") and hasattr(column, "_count"):
        stored = np.frombuffer(
            raw.get(column._basepos, column._count * column._fixedlen),
            dtype=np.dtype(column._typecode).newbyteorder(">"),
        )
        values = np.full(count, column._default, dtype=dtype)
        values[: len(stored)] = stored[:count]
        return values
    return np.fromiter(column, dtype=dtype, count=count)  # pragma: no cover - other codecs


def _postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Doc numbers and term frequencies of one term in one segment, read block by block."""
    try:
        matcher = reader.postings(fieldname, text)
    except (KeyError, TermNotFound):
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    # Deleted documents are masked out per generation, so the raw postings (cacheable for the
    # segment's whole life) are read from under whoosh's deletion filter.
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids: list[int] = []
    weights: list[float] = []
    # Whole posting blocks at a time: far fewer Python calls than one per posting. This uses the
    # W3 codec's block reader, which the pinned whoosh-reloaded 2.7.5 provides.
    if hasattr(matcher, "_read_ids"):
        while True:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    else:  # pragma: no cover - other codecs
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


def _sized_terms(reader, fieldname: str) -> tuple[frozenset[str], int]:
    try:
        terms = frozenset(reader.field_terms(fieldname))
    except (KeyError, TermNotFound):
        terms = frozenset()
    return terms, sum(60 + len(t) for t in terms)


def _sized(pair: tuple[np.ndarray, np.ndarray]) -> tuple[tuple[np.ndarray, np.ndarray], int]:
    return pair, array_bytes(*pair) + 200


def _segment_id(leaf, path: Path) -> str:
    segment = leaf.segment() if callable(getattr(leaf, "segment", None)) else None
    segid = segment.segment_id() if segment is not None else id(leaf)
    return f"{path.name}/{segid}"
