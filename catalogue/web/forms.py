"""Submitting a form: validate its input with a schema, save it, and say what to show if not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError

from catalogue.errors import CatalogueError, Conflict


def save_form(
    schema: Schema,
    raw: dict[str, Any],
    save: Callable[[dict[str, Any]], Any],
    refusals: tuple[type[CatalogueError], ...] = (Conflict,),
) -> tuple[Any, dict[str, Any]]:
    """Load `raw` with `schema` and pass it to `save`: (its result, {}) or (None, errors by field).

    The schema's field messages come back as they are; a service's refusal (one of `refusals`)
    comes back under the fields it names, or under `_schema` for the form as a whole.
    """
    try:
        return save(schema.load(raw)), {}
    except ValidationError as exc:
        return None, exc.messages
    except refusals as exc:
        return None, getattr(exc, "fields", None) or {"_schema": [exc.message]}
