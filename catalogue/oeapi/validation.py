"""Validation of OEAPI v6 objects against the standard's JSON Schema subset (spec/).

Formats are asserted (uuid, date-time, uri, email), not only annotated, so an object that the
standard would refuse is refused here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from catalogue.oeapi.openapi import subset_schema


@dataclass(frozen=True)
class SchemaViolation:
    """One place where an object breaks the schema: its JSON path and what is wrong."""

    path: str
    message: str


@cache
def validator(definition: str) -> Draft202012Validator:
    """A validator of one definition of the subset (`Course`, `CourseCollection`, ...)."""
    schema = subset_schema()
    wrapper = {
        "$schema": schema["$schema"],
        "$defs": schema["$defs"],
        "$ref": f"#/$defs/{definition}",
    }
    return Draft202012Validator(wrapper, format_checker=Draft202012Validator.FORMAT_CHECKER)


def json_path(parts) -> str:
    """A JSON path such as `$.items[3].primaryCode.code`."""
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _cause(error):
    """The most telling sub-error of an anyOf/oneOf failure (not "is not of type 'null'")."""
    while error.context:
        candidates = [
            e for e in error.context if not (e.validator == "type" and e.validator_value == "null")
        ] or list(error.context)
        error = max(
            candidates,
            key=lambda e: (len(e.absolute_path), bool(e.context), e.validator == "enum"),
        )
    return error


def violations(instance: Any, definition: str) -> list[SchemaViolation]:
    """Every way `instance` breaks the definition, by path."""
    found = {
        SchemaViolation(json_path(cause.absolute_path), cause.message[:300])
        for cause in map(_cause, validator(definition).iter_errors(instance))
    }
    return sorted(found, key=lambda v: v.path)
