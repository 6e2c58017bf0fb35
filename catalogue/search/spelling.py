"""Spelling: the words offered as "did you mean" corrections, and finding those near a typo.

Each index generation keeps a vocabulary file beside its segments: the words of titles, codes,
names and places with how many documents hold them, written by catalogue.search.writer and read
here once per change of the file. Near words are found with whoosh's Levenshtein automata over
the sorted vocabulary. Which correction is offered is decided in catalogue.search.engine.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton

from catalogue.search.text import WORD_RE, fold

VOCABULARY_FILE = "vocabulary.tsv"


def spelling_words(document: dict[str, Any]) -> set[str]:
    """Words offered as spelling corrections: those of titles, codes, names and places."""
    text = f"{document['title']} {document['keys']}"
    return {w for w in (fold(x) for x in WORD_RE.findall(text)) if len(w) > 2 and w.isalpha()}


def vocabulary_text(counts: Counter[str]) -> str:
    """The vocabulary file's contents: word, tab, count, one a line, sorted."""
    return "".join(f"{word}\t{count}\n" for word, count in sorted(counts.items()))


def read_vocabulary(path: Path) -> Counter[str]:
    """The vocabulary of the generation in folder `path` (empty when it has none)."""
    counts: Counter[str] = Counter()
    try:
        for line in (path / VOCABULARY_FILE).read_text().splitlines():
            word, _sep, count = line.partition("\t")
            counts[word] = int(count or 0)
    except FileNotFoundError:
        pass
    return counts


def cached_vocabulary(cache, path: Path) -> tuple[list[str], dict[str, int]]:
    """The sorted words and counts of a generation's vocabulary, read once per file change."""
    return cache.get(
        ("vocabulary", str(path), _mtime(path / VOCABULARY_FILE)),
        lambda: _sized_vocabulary(read_vocabulary(path)),
    )


def near_words(
    word: str,
    words_sorted: Sequence[str],
    counts: dict[str, int],
    *,
    max_distance: int = 2,
    extra_words: Sequence[str] = (),
) -> list[tuple[int, int, str]]:
    """(distance, -count, word) of known words within `max_distance` edits, best first.

    Known words are those of the index's spelling vocabulary and `extra_words` (sorted; the
    field's own terms, which count as rarer than any indexed word at the same distance).
    """
    word_lists = [w for w in (words_sorted, extra_words) if w]
    if not word_lists:
        return []
    found: dict[str, int] = {}
    for distance in range(1, max_distance + 1):
        automaton = levenshtein_automaton(word, distance, prefix=1).to_dfa()
        for sorted_words in word_lists:
            for match in find_all_matches(automaton, _successor_in(sorted_words)):
                found.setdefault(match, distance)
        if found:
            break
    return sorted((d, -counts.get(w, 0), w) for w, d in found.items() if w != word)


def _successor_in(sorted_words: Sequence[str]) -> Callable[[str], str | None]:
    """The first word at or after a key in a sorted list (what whoosh's automata walk)."""

    def lookup(key: str) -> str | None:
        i = bisect_left(sorted_words, key)
        return sorted_words[i] if i < len(sorted_words) else None

    return lookup


def _sized_vocabulary(counts: Counter[str]) -> tuple[tuple[list[str], dict[str, int]], int]:
    words_sorted = sorted(counts)
    return (words_sorted, dict(counts)), 80 * len(words_sorted) + 1000


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0.0
