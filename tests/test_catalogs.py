"""Both translation catalogs cover every message of the code and templates, compiled as written."""

from __future__ import annotations

import pytest
from babel.messages.mofile import read_mo

from catalogue import catalogs


@pytest.mark.parametrize("locale", catalogs.LOCALES)
def test_every_message_has_a_translation(locale):
    assert catalogs.missing(locale) == [], (
        f"messages without a {locale} translation: run `catalogue translations update`, "
        "translate them, then `catalogue translations compile`"
    )


@pytest.mark.parametrize("locale", catalogs.LOCALES)
def test_compiled_catalog_matches_the_po_file(locale):
    written = {_key(m.id): _key(m.string) for m in catalogs.read(locale) if m.id and not m.fuzzy}
    with catalogs.po_path(locale).with_suffix(".mo").open("rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    assert compiled == written, f"run `catalogue translations compile` for {locale}"


def test_dutch_differs_from_english_where_it_should():
    """A catalog that maps messages to themselves would pass the checks above; Dutch must not."""
    dutch = catalogs.read("nl")
    assert dutch.get("Search the catalogue").string == "Zoeken in de catalogus"
    # Long sentences are never the same in both languages (short ones can be: "Module", "API").
    same = [m.id for m in dutch if isinstance(m.id, str) and m.string == m.id and len(m.id) > 20]
    assert same == []


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value
