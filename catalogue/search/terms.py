"""The terms of one text field of an index generation, for partial matching and decompounding.

A field's terms are kept sorted, and once more with each term written backwards, so that terms
starting with a stem ("elektro" → "elektronica", "elektrotechniek": the stem as the modifier of
a compound) and terms ending with one ("operator" → "procesoperator": the stem as its head) are
found by bisection. This module does not know whoosh (catalogue.search.reader reads the terms).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

MIN_PREFIX = 4  # shortest stem matched as the start of longer terms ("data", not "las")
MIN_HEAD = 5  # shortest stem matched as the end of longer terms ("monteur", not "ring")
MIN_REST = 3  # what a compound adds to the head at least ("las" + "operator")
MAX_PARTIAL = 40  # longer terms taken per stem, at most


@dataclass
class FieldTerms:
    """A field's terms, sorted forwards and (each written backwards) sorted backwards."""

    forwards: list[str]
    backwards: list[str]

    @classmethod
    def of(cls, terms) -> FieldTerms:
        unique = sorted(set(terms))
        return cls(unique, sorted(term[::-1] for term in unique))

    def __contains__(self, term: str) -> bool:
        i = bisect_left(self.forwards, term)
        return i < len(self.forwards) and self.forwards[i] == term

    def starting_with(self, prefix: str, limit: int = MAX_PARTIAL) -> list[str]:
        """Terms longer than `prefix` that start with it, alphabetically, at most `limit`."""
        return _run(self.forwards, prefix, limit)

    def ending_with(self, suffix: str, limit: int = MAX_PARTIAL) -> list[str]:
        """Terms at least MIN_REST longer than `suffix` that end with it, at most `limit`."""
        found = _run(self.backwards, suffix[::-1], limit * 2)
        return [t[::-1] for t in found if len(t) >= len(suffix) + MIN_REST][:limit]

    def size(self) -> int:
        """Bytes taken, roughly (for the cache's bound)."""
        return 2 * sum(60 + len(term) for term in self.forwards)


def _run(sorted_terms: list[str], prefix: str, limit: int) -> list[str]:
    found = []
    i = bisect_left(sorted_terms, prefix)
    while i < len(sorted_terms) and len(found) < limit and sorted_terms[i].startswith(prefix):
        if sorted_terms[i] != prefix:
            found.append(sorted_terms[i])
        i += 1
    return found


def partial_terms(terms: FieldTerms, stem: str) -> list[str]:
    """Longer terms of the field that hold `stem` as their start or end: "opfris" (the stem of
    "opfrissen") finds "opfriscursus", "operator" finds "lasoperator"."""
    found: list[str] = []
    if len(stem) >= MIN_PREFIX:
        found += terms.starting_with(stem)
    if len(stem) >= MIN_HEAD:
        found += terms.ending_with(stem)
    return list(dict.fromkeys(found))[:MAX_PARTIAL]
