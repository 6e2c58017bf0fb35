"""A module's content in a second language: which language its texts are in, and which of its
fields a translation may give.

The module's own fields are written in its text language (that of its first teaching language).
A translation gives some of those fields in Dutch or English; a field it leaves out is shown in
the original. In the canonical content form `translations` is left out when empty, so that
content without translations keeps the hash it always had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogue.vocabularies import TeachingLanguage

# Languages a translation may be given in, as page languages (Flask-Babel locales).
TRANSLATION_LANGUAGES = ("nl", "en")
# Teaching language (ISO 639-2) → the language of the module's texts (ISO 639-1).
TEXT_LANGUAGE_OF = {"nld": "nl", "eng": "en", "deu": "de"}
MODULE_TRANSLATED_FIELDS = ("title", "summary", "description", "learning_outcomes")
UNIT_TRANSLATED_FIELDS = ("title",)


def text_language(languages: list[str] | tuple[str, ...]) -> str:
    """The language the module's texts are written in: that of its first teaching language, in
    the vocabulary's order (Dutch, English, German) as a module lists them, however given."""
    first = next((code for code in TeachingLanguage.values() if code in languages), "nld")
    return TEXT_LANGUAGE_OF[first]


def translation_language(languages: list[str] | tuple[str, ...]) -> str:
    """The language an editor translates into: English for Dutch texts, else Dutch."""
    return "en" if text_language(languages) == "nl" else "nl"


def cleaned(translations: dict[str, Any] | None, names: tuple[str, ...]) -> dict[str, Any]:
    """Translations without empty fields and empty languages, in a fixed order."""
    result: dict[str, Any] = {}
    for language in TRANSLATION_LANGUAGES:
        given = (translations or {}).get(language) or {}
        kept = {name: given[name] for name in names if given.get(name)}
        if kept:
            result[language] = kept
    return result


@dataclass(frozen=True)
class Shown:
    """A text as a page shows it: the text, and its language when not the page's own."""

    text: Any
    lang: str | None = None

    @property
    def is_original(self) -> bool:
        """Whether the text is shown untranslated, in another language than the page's."""
        return self.lang is not None


def _read(item: Any, key: str, default: Any = None) -> Any:
    """A field of a row, an object or a content dict."""
    return item.get(key, default) if isinstance(item, dict) else getattr(item, key, default)


def _own_language(item: Any, languages=None) -> str:
    """The language of a module's (or a unit's, given `languages`) own texts."""
    if languages is None:
        languages = _read(item, "languages") or []
    return _read(item, "text_lang") or text_language(languages)


def shown(item: Any, name: str, page_language: str, languages=None) -> Shown:
    """A field of a module or unit (row or content dict) in the page's language when translated.

    `languages` are the module's teaching languages (read from `item` when it is a module).
    """
    original_language = _own_language(item, languages)
    original = _read(item, name, "")
    if page_language == original_language:
        return Shown(original)
    translated = ((_read(item, "translations") or {}).get(page_language) or {}).get(name)
    if translated:
        return Shown(translated)
    return Shown(original, original_language if original else None)


def untranslated_language(module: Any, page_language: str) -> str | None:
    """The language of the module's texts when the page is in another one and no translation
    into the page's language exists (the page then says it shows the original), else None."""
    own = _own_language(module)
    if page_language == own or (_read(module, "translations") or {}).get(page_language):
        return None
    return own
