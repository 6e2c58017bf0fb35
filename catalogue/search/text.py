"""Text handling shared by indexing and querying: words, accent folding, stop words, language.

Index and query must cut text into the same words, or a search cannot find what was indexed;
both use the functions here. No search engine is imported: this is plain Python.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters and digits, with any combining accents that follow them: "vacuüm" typed as "u" plus a
# separate diaeresis (as some systems paste it) is one word, and folds like the composed form.
WORD_RE = re.compile(r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

DUTCH_STOP_WORDS = frozenset(
    """aan al alle als bij dan dat de den der des deze die dit door dus een en er
    hem het hier hij hoe hun ik in is je kan maar me met mij na naar niet nog nu of om
    onder ons ook op over te tegen toch toen tot u uit van veel voor want waren was wat
    we wel werd wie wij wordt worden zal ze zich zij zijn zo zou""".split()
)
ENGLISH_STOP_WORDS = frozenset(
    """a an and are as at be by for from has have how in into is it its of on or that
    the their this to was were will with within without you your""".split()
)
STOP_WORDS = DUTCH_STOP_WORDS | ENGLISH_STOP_WORDS
# Ambiguous between the languages, so they say nothing about which language a text is in.
_NEUTRAL = DUTCH_STOP_WORDS & ENGLISH_STOP_WORDS


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case without accents: "Vacuüm" → "vacuum", "coördinatie" → "coordinatie"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text, in order (stop words included)."""
    return [fold(w) for w in WORD_RE.findall(text)]


def content_words(text: str) -> list[str]:
    """The folded words of a text without stop words and single letters."""
    return [w for w in words(text) if w not in STOP_WORDS and len(w) > 1]


def language_of(text: str, *, sample: int = 1500) -> str:
    """ "nl" or "en": which of the two the text is mostly written in (by its stop words).

    The start of a text tells; stop words are plain ASCII, so a lower-cased split will do.
    """
    dutch = english = 0
    for word in text[:sample].lower().split():
        word = word.strip(".,;:!?()[]\"'")
        if word in _NEUTRAL:
            continue
        if word in DUTCH_STOP_WORDS:
            dutch += 1
        elif word in ENGLISH_STOP_WORDS:
            english += 1
    return "en" if english > dutch else "nl"
