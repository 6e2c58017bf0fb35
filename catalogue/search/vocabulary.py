"""The field's vocabulary for search: synonym groups, the parts of Dutch compounds, and weak
words (what people type around the topic: "cursus", "training", "medewerkers", which rank low).

Both come from `seed/synonyms.yaml`, so that course designers can extend them without code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from catalogue.resources import resource_dir
from catalogue.search.text import content_words, fold

MIN_PART = 4  # shorter parts would split far too many words ("data" is the shortest we want)


@dataclass
class Thesaurus:
    """Synonym groups (of words or phrases) and known compound parts."""

    # Each phrase (a tuple of folded words) maps to the index of its group.
    phrase_groups: dict[tuple[str, ...], set[int]] = field(default_factory=dict)
    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    parts: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()
    longest_phrase: int = 1

    @classmethod
    def from_lists(
        cls, groups: list[list[str]], parts: list[str], weak: list[str] = ()
    ) -> Thesaurus:
        """Build from plain lists of words and phrases."""
        thesaurus = cls()
        for raw_group in groups:
            phrases = []
            for entry in raw_group:
                phrase = tuple(content_words(str(entry))) or tuple(fold(str(entry)).split())
                if phrase and phrase not in phrases:
                    phrases.append(phrase)
            if len(phrases) < 2:
                continue
            index = len(thesaurus.groups)
            thesaurus.groups.append(phrases)
            for phrase in phrases:
                thesaurus.phrase_groups.setdefault(phrase, set()).add(index)
                thesaurus.longest_phrase = max(thesaurus.longest_phrase, len(phrase))
        thesaurus.parts = frozenset(fold(p) for p in parts if len(fold(p)) >= MIN_PART)
        thesaurus.weak = frozenset(fold(str(w)) for w in weak)
        return thesaurus

    def knows(self, word: str) -> bool:
        """Whether the word is one of the field's own words (never "corrected" into another)."""
        return word in self.parts or any(word in phrase for phrase in self.phrase_groups)

    @cached_property
    def terms(self) -> list[str]:
        """Every word of the field's own terms (phrase words and compound parts), sorted: the
        words a misspelling may be corrected to besides those of the indexed titles."""
        words = {word for phrase in self.phrase_groups for word in phrase} | self.parts
        return sorted(word for word in words if len(word) > 3 and word.isalpha())

    def synonyms(self, phrase: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Other phrases that mean the same as `phrase` (not including itself)."""
        result: list[tuple[str, ...]] = []
        for index in sorted(self.phrase_groups.get(phrase, ())):
            for other in self.groups[index]:
                if other != phrase and other not in result:
                    result.append(other)
        return result

    def split_compound(self, word: str) -> list[str]:
        """Known parts inside a Dutch compound: "cleanroomtechniek" → ["cleanroom", "techniek"].

        The longest known part at the start and at the end of the word is taken, with the rest
        of the word beside it when that rest is long enough to mean something; a linking "s"
        ("veiligheidsprotocol") is dropped.
        """
        if len(word) < 2 * MIN_PART:
            return []
        found: list[str] = []
        for size in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            if word[:size] in self.parts:
                rest = word[size:]
                if rest.startswith("s") and rest[1:] in self.parts:
                    rest = rest[1:]
                found += [word[:size]] + ([rest] if len(rest) >= MIN_PART else [])
                break
        for size in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            if word[-size:] in self.parts:
                head = word[:-size]
                if head.endswith("s") and head[:-1] in self.parts:
                    head = head[:-1]
                found += [word[-size:]] + ([head] if len(head) >= MIN_PART else [])
                break
        return list(dict.fromkeys(part for part in found if part != word))


def load_thesaurus(path: Path | None = None) -> Thesaurus:
    """The thesaurus from seed/synonyms.yaml (cached per path)."""
    return _load(str(path or resource_dir("seed") / "synonyms.yaml"))


@lru_cache(maxsize=4)
def _load(path: str) -> Thesaurus:
    file = Path(path)
    if not file.exists():
        return Thesaurus()
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return Thesaurus.from_lists(
        data.get("groups") or [], data.get("compound_parts") or [], data.get("weak_words") or []
    )
