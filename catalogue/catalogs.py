"""Maintaining the translation catalogs: extract the messages, update Dutch and English, compile.

Messages are written in English in the code and templates. The Dutch catalog translates them;
the English catalog maps each message to itself, so both catalogs are complete. Used by the
`catalogue translations` commands and by the test that keeps the catalogs complete.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALES = ("nl", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "_t": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
}
METHODS = [
    ("catalogue/**.py", "python"),
    ("schemas/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("catalogue/vocabularies.toml", "catalogue.catalogs:extract_labels"),
]
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def extract_labels(fileobj, keywords, comment_tags, options):
    """Babel extractor for vocabularies.toml: every member's `label`, at the line that holds it."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for members in tomllib.loads(text).values():
        for attributes in members.values():
            label = attributes["label"]
            written = f"label = {json.dumps(label, ensure_ascii=False)}"
            lineno = next((n for n, line in enumerate(lines, 1) if written in line), 0)
            yield lineno, "_l", label, []


def source_root() -> Path:
    """The source checkout that holds catalogue/, schemas/ and templates/."""
    return Path(__file__).resolve().parent.parent


def extract() -> Catalog:
    """Every translatable message in the code and the templates."""
    catalog = Catalog(project="semicon-catalogue")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(source_root()),
        METHODS,
        keywords=KEYWORDS,
        comment_tags=("NOTE:",),
        strip_comment_tags=True,
    ):
        if filename.startswith(("tests/", "catalogue/bench/")):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def write(locale: str, catalog: Catalog) -> None:
    with po_path(locale).open("wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, sort_output=True)


def update() -> dict[str, int]:
    """Bring both catalogs in line with the sources; returns untranslated counts per locale."""
    template = extract()
    result = {}
    for locale in LOCALES:
        catalog = read(locale)
        catalog.update(template, no_fuzzy_matching=True)
        if locale == "en":
            for message in catalog:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id and not all(strings):
                    message.string = message.id
        catalog.obsolete.clear()
        write(locale, catalog)
        result[locale] = len(missing(locale))
    return result


def missing(locale: str) -> list[str]:
    """Messages of the sources without a translation in the locale's catalog."""
    catalog = read(locale)
    template = extract()
    absent = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        string = found.string if found else None
        if not string or (isinstance(string, tuple) and not all(string)) or (found and found.fuzzy):
            absent.append(message.id if isinstance(message.id, str) else message.id[0])
    return absent


def compile_all() -> None:
    """Write the .mo files the app reads."""
    for locale in LOCALES:
        catalog = read(locale)
        with (po_path(locale).with_suffix(".mo")).open("wb") as handle:
            write_mo(handle, catalog)
