"""Highlighting: a snippet of a result's text with the searched words marked.

Words are matched as the index matches them (folded, then stemmed in the document's language),
so "cleanrooms" typed marks "cleanroom" in the text. Uses whoosh's highlighter.
"""

from __future__ import annotations

from functools import lru_cache

from whoosh import highlight
from whoosh.analysis import Token

from catalogue.search.analysis import CatalogueTokenizer, stem
from catalogue.search.text import WORD_RE, fold


def highlight_snippet(
    text: str, words_to_mark: set[str], *, language: str, limit: int = 240
) -> str:
    """An HTML-escaped fragment of `text` with the searched words in <mark>; plain start of the
    text when none of them occurs."""
    tokenizer = CatalogueTokenizer(language)
    terms = {stem(w, language) for w in words_to_mark} | set(words_to_mark)
    fragmenter = highlight.ContextFragmenter(maxchars=limit, surround=60)
    formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    analyzer = _HighlightAnalyzer(tokenizer)
    marked = highlight.highlight(text, frozenset(terms), analyzer, fragmenter, formatter, top=2)
    if marked:
        return marked
    return highlight.htmlescape(text[:limit].rsplit(" ", 1)[0] + ("…" if len(text) > limit else ""))


class _HighlightAnalyzer:
    """Yields tokens with character positions, as whoosh's highlighter needs."""

    def __init__(self, tokenizer: CatalogueTokenizer):
        self.language = tokenizer.stemming

    def __call__(self, text, chars=True, mode="query", removestops=False, **kwargs):
        token = Token(positions=False, chars=True, removestops=False, mode=mode)
        for match in WORD_RE.finditer(text):
            token.text = _term(match.group(0), self.language)
            token.original = match.group(0)
            token.startchar, token.endchar = match.start(), match.end()
            token.stopped = False
            token.boost = 1.0
            yield token


@lru_cache(maxsize=200_000)
def _term(raw: str, language: str | None) -> str:
    """A word of a snippet as the index holds it (cached: result pages repeat their words)."""
    word = fold(raw)
    return stem(word, language) if language else word
