"""Submitting a form: validate its input with a schema, save it, and say what to show if not."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from flask import render_template
from marshmallow import Schema, ValidationError

from catalogue.accounts.auth import current_actor
from catalogue.db import get_session
from catalogue.errors import CatalogueError, Conflict


@dataclass
class FormState:
    """What a form shows again after a post: the values as typed and the errors by form field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def save_form(
    schema: Schema,
    raw: dict[str, Any],
    save: Callable[..., Any],
    refusals: tuple[type[CatalogueError], ...] = (Conflict,),
    **arguments: Any,
) -> tuple[Any, dict[str, Any]]:
    """Load `raw` with `schema` and save it: (what the service returned, {}) or (None, errors).

    `save` is a service called as the visitor with the loaded input as `data` and `arguments`.
    The schema's field messages come back as they are; a service's refusal (one of `refusals`)
    comes back under the fields it names, or under `_schema` for the form as a whole.
    """
    try:
        data = schema.load(raw)
        return save(session=get_session(), actor=current_actor(), data=data, **arguments), {}
    except ValidationError as exc:
        return None, exc.messages
    except refusals as exc:
        return None, getattr(exc, "fields", None) or {"_schema": [exc.message]}


def form_page(template: str, values: dict[str, Any], errors: dict[str, Any], **context: Any):
    """A form page with what was typed and the errors by field; 422 when there are errors."""
    page = render_template(template, values=values, errors=errors, **context)
    return page, (422 if errors else 200)


# One separator and no grouping ("2.5", "2,5"): read as a decimal mark in any language.
_PLAIN_DECIMAL = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def parse_number(text: str, locale: str) -> Decimal | None:
    """A number as typed in the page's language ("1.250,50" in Dutch, "1,250.50" in English).

    Babel reads it strictly by the locale's notation; a number with one separator and no
    grouping ("2.5" on a Dutch page) is read with that separator as the decimal mark. None when
    it is not a number at all (the schema then says so).
    """
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        if _PLAIN_DECIMAL.match(text):
            return Decimal(text.replace(",", "."))
        return None


def number_input(text: str, locale: str) -> str | None:
    """A typed number normalised for a schema ("1250.50"); what was typed when it is no number."""
    value = parse_number(text, locale)
    if value is None:
        return (text or "").strip() or None
    return str(value)


def whole_number_input(text: str, locale: str) -> int | str:
    """A typed whole number as an int (negative ones too, so the range check speaks); else text."""
    value = parse_number(text, locale)
    if value is not None and value == value.to_integral_value():
        return int(value)
    return (text or "").strip()
