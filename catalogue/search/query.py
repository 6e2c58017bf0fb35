"""What a person typed, turned into what to look for.

Nothing a person types is a syntax error: text is read as plain words. A few habits are
understood: `"quoted words"` and the parts of a code typed ("FHT-YLD-03") must all occur (other
words are ranked: a module need not hold every one, see catalogue.search.ranking), `-word`
excludes, and phrases from the thesaurus ("programmable logic controller") are one concept.
Every word is expanded with its synonyms and, for Dutch compounds, with its parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalogue.search.text import STOP_WORDS, fold, words
from catalogue.search.vocabulary import Thesaurus

MAX_QUERY_CHARS = 500
MAX_CONCEPTS = 12

Alternative = tuple[str, ...]  # words that must all occur


@dataclass
class Concept:
    """One thing the person asks for: what they typed, and the alternatives that satisfy it."""

    typed: str
    alternatives: list[Alternative]
    required: bool = False  # typed in quotes: every result must hold it
    weak: bool = False  # a weak word of the thesaurus ("cursus"): counts for little


@dataclass
class ParsedQuery:
    """The concepts to match (ranked by how many and how telling), the words to exclude, and
    the raw words typed."""

    concepts: list[Concept] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    raw_words: list[str] = field(default_factory=list)
    weak_words: frozenset[str] = frozenset()  # the thesaurus' weak words (for compound parts)

    @property
    def is_empty(self) -> bool:
        return not self.concepts

    def describe(self) -> str:
        """The words searched for, for a results heading."""
        return " ".join(c.typed for c in self.concepts)


_TOKEN_RE = re.compile(r'"([^"]*)"|(\S+)')
_CODE_RE = re.compile(r"^(?=.*\d)\w+(?:[-./]\w+)+$")


def _candidate_words(text: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """(word, quoted) pairs and excluded words of the query text."""
    kept: list[tuple[str, bool]] = []
    excluded: list[str] = []
    for quoted, bare in _TOKEN_RE.findall(text[:MAX_QUERY_CHARS]):
        if quoted:
            kept += [(w, True) for w in words(quoted)]
        elif bare.startswith("-") and len(bare) > 1:
            excluded += words(bare[1:])
        else:
            # A code ("FHT-YLD-03", "IEC 61340-5-1" in parts) is several words that all occur.
            parts = words(bare)
            code = len(parts) > 1 and bool(_CODE_RE.match(bare))
            kept += [(w, code and len(w) > 1) for w in parts]
    return kept, excluded


def parse_query(text: str, thesaurus: Thesaurus) -> ParsedQuery:
    """Turn the search box's text into concepts; never fails, whatever the text."""
    candidates, excluded = _candidate_words(text or "")
    raw = [w for w, _quoted in candidates]
    kept = [(w, q) for w, q in candidates if q or (w not in STOP_WORDS and len(w) > 1)]
    if not kept:
        kept = [(w, q) for w, q in candidates if len(w) > 1]
    meaningful = [w for w, _q in kept]
    concepts: list[Concept] = []
    i = 0
    while i < len(meaningful) and len(concepts) < MAX_CONCEPTS:
        # Longest thesaurus phrase starting here ("programmable logic controller").
        for size in range(min(thesaurus.longest_phrase, len(meaningful) - i), 0, -1):
            phrase = tuple(meaningful[i : i + size])
            if size == 1 or phrase in thesaurus.phrase_groups:
                break
        concept = _concept(phrase, thesaurus)
        concept.required = any(quoted for _w, quoted in kept[i : i + len(phrase)])
        concepts.append(concept)
        i += len(phrase)
    return ParsedQuery(
        concepts=concepts, excluded=excluded, raw_words=raw, weak_words=thesaurus.weak
    )


def concept_of_word(word: str, thesaurus: Thesaurus) -> Concept:
    """What a single folded word would be searched as (with its synonyms and parts)."""
    return _concept((word,), thesaurus)


def _concept(phrase: tuple[str, ...], thesaurus: Thesaurus) -> Concept:
    alternatives: list[Alternative] = [phrase]
    alternatives += thesaurus.synonyms(phrase)
    if len(phrase) == 1:
        parts = thesaurus.split_compound(phrase[0])
        if len(parts) >= 2:
            # The compound written as separate words ("cleanroom techniek") also matches.
            alternatives.append(tuple(parts[:2]))
    unique = list(dict.fromkeys(alternatives))
    weak = len(phrase) == 1 and phrase[0] in thesaurus.weak
    return Concept(typed=" ".join(phrase), alternatives=unique, weak=weak)


def replace_words(text: str, corrections: dict[str, str]) -> str:
    """The query text with some words replaced (for "did you mean")."""

    def swap(match: re.Match) -> str:
        word = match.group(0)
        return corrections.get(fold(word), word)

    return re.sub(r"\w+", swap, text)
