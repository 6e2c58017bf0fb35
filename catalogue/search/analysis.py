"""Analysis of text for the index: words, accent folding, stop words, Dutch compound parts, and
one Dutch or English stem per word, chosen by the language of the document.

The tokenizer works out each distinct word's terms once and caches them, so indexing a large
catalogue mostly costs one dictionary lookup per word. Queries are analysed with the same `stem`
(see catalogue.search.reader), so a word typed finds the word indexed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from whoosh import formats
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem as english_stem
from whoosh.lang.snowball.dutch import DutchStemmer
from whoosh.system import pack_uint

from catalogue.search.text import STOP_WORDS, WORD_RE, fold
from catalogue.search.vocabulary import Thesaurus

_dutch = DutchStemmer()


@lru_cache(maxsize=500_000)
def stem(word: str, language: str) -> str:
    """The stem of a folded word in Dutch or English."""
    if word.isdigit() or len(word) < 3:
        return word
    if language != "nl":
        return english_stem(word)
    stemmed = _dutch.stem(word)
    # Snowball leaves a doubled consonant where the ending went ("gassen" → "gass", "opfrissen"
    # → "opfriss") but not in the word alone ("gas"); one letter, so that both meet.
    if len(stemmed) > 3 and stemmed[-1] == stemmed[-2] and stemmed[-1] not in "aeiouy":
        return stemmed[:-1]
    # A plural or inflection voices the last consonant ("bedrijven" → "bedrijv", "reizen" →
    # "reiz") where the word alone has f or s ("bedrijf", "reis").
    if (
        len(stemmed) > 3
        and stemmed[-1] in "vz"
        and (stemmed[-2] not in "aeiouy" or stemmed[-3:-1] in _LONG_VOWELS)
    ):
        return stemmed[:-1] + ("f" if stemmed[-1] == "v" else "s")
    return stemmed


_LONG_VOWELS = {"aa", "ee", "oo", "uu", "ie", "oe", "ei", "ij", "ui", "eu", "ou", "au"}


class CatalogueTokenizer(Tokenizer):
    """Words → folded → without stop words → plus compound parts → stemmed, in one pass.

    Each distinct word's terms are worked out once and cached, so indexing a large catalogue
    mostly costs one dictionary lookup per word. With `stemming=None` words are only folded
    (for codes, names and places).
    """

    def __init__(self, stemming: str | None, parts: frozenset[str] = frozenset()):
        self.stemming = stemming
        self.parts = parts

    def __eq__(self, other):
        return (
            isinstance(other, CatalogueTokenizer)
            and self.stemming == other.stemming
            and self.parts == other.parts
        )

    def __hash__(self):
        return hash((self.stemming, len(self.parts)))

    def _terms_of(self, raw: str) -> tuple[str, ...]:
        word = fold(raw)
        language = self.stemming
        if language is None:
            return (word,)
        if word in STOP_WORDS or len(word) < 2:
            return ()
        terms = [stem(word, language)]
        if self.parts and len(word) >= 8:
            terms += [stem(part, language) for part in _splitter(self.parts)(word)]
        return tuple(terms)

    def terms(self, value: str) -> list[str]:
        """The terms of a text, in order (a word may give several)."""
        cache = _term_cache(self)
        found: list[str] = []
        for raw in WORD_RE.findall(value):
            terms = cache.get(raw)
            if terms is None:
                terms = cache[raw] = self._terms_of(raw)
            found.extend(terms)
        return found

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        token.boost = 1.0
        for term in self.terms(value):
            token.text = term
            yield token


_term_caches: dict[tuple, dict[str, tuple[str, ...]]] = {}
_TERM_CACHE_WORDS = 300_000


def _term_cache(tokenizer: CatalogueTokenizer) -> dict[str, tuple[str, ...]]:
    key = (tokenizer.stemming, hash(tokenizer.parts))
    cache = _term_caches.setdefault(key, {})
    if len(cache) > _TERM_CACHE_WORDS:
        cache.clear()
    return cache


class TermCounts(formats.Frequency):
    """Term frequencies, counted with Counter from the tokenizer's list of terms.

    The same postings as whoosh's Frequency format, without a Token object per word.
    """

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, CatalogueTokenizer):
            return super().word_values(value, analyzer, **kwargs)
        counts = Counter(analyzer.terms(value))
        boost = self.field_boost
        return ((term, n, n * boost, pack_uint(n)) for term, n in counts.items())


_splitters: dict[int, Callable[[str], list[str]]] = {}


def _splitter(parts: frozenset[str]) -> Callable[[str], list[str]]:
    key = hash(parts)
    if key not in _splitters:
        thesaurus = Thesaurus(parts=parts)
        _splitters[key] = lru_cache(maxsize=200_000)(thesaurus.split_compound)
    return _splitters[key]
