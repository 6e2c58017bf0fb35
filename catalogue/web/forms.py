"""Submitting a form: validate its input with a schema, save it, and say what to show if not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
