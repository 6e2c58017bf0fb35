"""Helpers of the OEAPI tests: the standard's schema as the judge, and walking paged lists.

Validation uses the `jsonschema` package directly on the shipped OEAPI v6 subset (formats
asserted), independently of the catalogue's own validation module.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA = Path(__file__).parents[2] / "catalogue" / "oeapi" / "spec" / "oeapi-v6-subset.schema.json"
EXAMPLES = Path(__file__).parent / "spec" / "examples"
VERSIONED = "application/vnd.oeapi+json;version=6.0"


@cache
def _validator(definition: str) -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    wrapper = {
        "$schema": schema["$schema"],
        "$defs": schema["$defs"],
        "$ref": f"#/$defs/{definition}",
    }
    return Draft202012Validator(wrapper, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(instance: Any, definition: str) -> list[str]:
    """Every way the instance breaks the OEAPI v6 definition, as readable lines."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}"
        for e in _validator(definition).iter_errors(instance)
    ]


def assert_valid(instance: Any, definition: str, where: str = "") -> None:
    """Fail with every schema error of the instance."""
    errors = schema_errors(instance, definition)
    assert not errors, f"{where} is not a valid {definition}:\n" + "\n".join(errors[:20])


def get_json(client, url: str, status: int = 200) -> dict[str, Any]:
    """GET an /oeapi/ URL and return its JSON body, checking the status."""
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:500])
    return response.get_json(force=True)


def walk(client, url: str, definition: str, *, page_size: int = 50) -> list[dict[str, Any]]:
    """Every item of a paged OEAPI list, each page validated against the collection schema."""
    items: list[dict[str, Any]] = []
    number = 1
    separator = "&" if "?" in url else "?"
    while True:
        page = get_json(client, f"{url}{separator}pageSize={page_size}&pageNumber={number}")
        assert_valid(page, definition, f"{url} page {number}")
        assert page["pageNumber"] == number and page["pageSize"] == page_size
        assert page["hasPreviousPage"] == (number > 1)
        items.extend(page["items"])
        if not page["hasNextPage"]:
            assert number == page["totalPages"]
            return items
        number += 1
        assert number <= page["totalPages"], "hasNextPage goes on past totalPages"
