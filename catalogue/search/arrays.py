"""The index as numpy arrays: per segment (read once, cached by segment id) and per generation.

Each segment of the index never changes once written (only its deletions do), so what is read
from a segment is cached by segment id, and a new generation after a small edit reads only its
new segment. A generation's arrays are the segments' arrays put end to end, with a mask of the
live (not deleted) documents; facet masks and run arrays are derived here once per generation.

A new per-document value: add it to `SegmentData` (read in
catalogue.search.reader.load_segment) and to `GenerationArrays` (joined in `generation_arrays`).
This module does not know whoosh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from catalogue.search.index_schema import CODED_FACETS, ID_FACETS, RECOGNISED_BITS, TAG_BITS
from catalogue.search.run_columns import RUN_DTYPE


@dataclass
class RunArrays:
    """Per-run arrays, runs in document order: each run's document, start, price and status;
    its whole record (catalogue.search.run_columns.RUN_DTYPE) and its position among its
    document's runs, which the run filters read."""

    run_docs: np.ndarray
    run_starts: np.ndarray
    run_prices: np.ndarray
    run_status: np.ndarray
    run_records: np.ndarray
    run_positions: np.ndarray


@dataclass
class SegmentData(RunArrays):
    """What search needs from one whoosh segment, as arrays indexed by segment doc number."""

    doc_count: int
    module_ids: np.ndarray
    study_hours: np.ndarray
    published: np.ndarray
    body_length: np.ndarray
    sector: np.ndarray
    level: np.ndarray
    region: np.ndarray
    institution: np.ndarray
    tags: np.ndarray
    recognised: np.ndarray

    def arrays(self) -> list[np.ndarray]:
        """Every array of the segment (to count its bytes)."""
        return [v for v in vars(self).values() if isinstance(v, np.ndarray)]


@dataclass
class GenerationArrays(RunArrays):
    """Per-document arrays of one index generation, over global doc numbers."""

    live: np.ndarray
    module_ids: np.ndarray
    study_hours: np.ndarray
    published: np.ndarray
    body_length: np.ndarray
    average_body_length: float
    single: dict[str, tuple[np.ndarray, list[str]]]
    multi: dict[str, dict[str, np.ndarray]]
    derived: dict[Any, Any] = field(default_factory=dict)


class SegmentCache:
    """Segment data and term postings, by segment id; bounded by bytes, least recently used."""

    def __init__(self, max_bytes: int = 512 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], tuple[Any, int]]) -> Any:
        """The value cached under `key`, built (value, size in bytes) when missing."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
        value, size = build()
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self._bytes += size
                while self._bytes > self.max_bytes and len(self._items) > 1:
                    _old, (_value, old_size) = self._items.popitem(last=False)
                    self._bytes -= old_size
        return value


def array_bytes(*arrays: np.ndarray) -> int:
    """The memory the arrays' data take."""
    return int(sum(a.nbytes for a in arrays))


def generation_arrays(
    parts: list[SegmentData], offsets: list[int], live: np.ndarray
) -> tuple[GenerationArrays, int]:
    """The segments' arrays end to end (segment i starts at doc number offsets[i]), with size."""

    def cat(name, dtype):
        if not parts:
            return np.zeros(0, dtype=dtype)
        return np.concatenate([getattr(p, name) for p in parts]).astype(dtype, copy=False)

    multi = _multi_facets(cat("tags", np.uint64), cat("recognised", np.uint64))
    run_docs = (
        np.concatenate([p.run_docs + base for p, base in zip(parts, offsets, strict=True)])
        if parts
        else np.zeros(0, np.int32)
    )
    body_length = cat("body_length", np.float32)
    arrays = GenerationArrays(
        live=live,
        module_ids=cat("module_ids", np.int64),
        study_hours=cat("study_hours", np.float32),
        published=cat("published", np.int64),
        body_length=body_length,
        average_body_length=float(body_length[live].mean()) if live.any() else 1.0,
        single=_single_facets(cat),
        multi=multi,
        run_docs=run_docs,
        run_starts=cat("run_starts", np.int32),
        run_prices=cat("run_prices", np.float32),
        run_status=cat("run_status", np.int8),
        run_records=cat("run_records", RUN_DTYPE),
        run_positions=cat("run_positions", np.int16),
    )
    size = array_bytes(
        live, arrays.module_ids, arrays.study_hours, body_length, arrays.published
    ) + sum(m.nbytes for masks in multi.values() for m in masks.values())
    return arrays, size


def _single_facets(cat) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Per single-valued facet: each document's value code (-1 for none) and the values."""
    single: dict[str, tuple[np.ndarray, list[str]]] = {}
    for name, values in CODED_FACETS.items():
        single[name] = (cat(name, np.int32), list(values))
    for name in ID_FACETS:
        ids = cat(name, np.int32)
        known, codes = np.unique(ids, return_inverse=True)
        codes = codes.astype(np.int32)
        if len(known) and known[0] < 0:  # documents without a value
            codes -= 1
            known = known[1:]
        single[name] = (codes, [str(int(i)) for i in known])
    return single


def _multi_facets(tags: np.ndarray, recognised: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Per multi-valued facet: a mask of the documents that have each value (present ones)."""
    multi: dict[str, dict[str, np.ndarray]] = {}
    for name, (offset, values) in TAG_BITS.items():
        masks = {}
        for position, value in enumerate(values):
            mask = (tags & np.uint64(1 << (offset + position))) != 0
            if mask.any():
                masks[value] = mask
        multi[name] = masks
    multi["recognised_in"] = {}
    for bit in range(RECOGNISED_BITS):
        mask = (recognised & np.uint64(1 << bit)) != 0
        if mask.any():
            multi["recognised_in"][str(bit)] = mask
    return multi
