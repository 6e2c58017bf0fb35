"""URL converters shared by the pages and the API."""

from __future__ import annotations

from flask import Flask, abort
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """A database id in a URL: digits only. Its range (1 to 2^31-1) is checked once the route
    is found (see `init_app`), so that an id out of range gives 404 on every method, and never
    reaches the database."""


def init_app(app: Flask) -> None:
    """Register the id converter and the range check of ids in URLs."""
    app.url_map.converters["id"] = IdConverter

    @app.url_value_preprocessor
    def _ids_in_range(_endpoint, values):
        for value in (values or {}).values():
            if isinstance(value, int) and not 1 <= value <= MAX_ID:
                abort(404)


def id_parameter_schema(_converter) -> dict:
    """How an <id:...> path parameter is described in OpenAPI."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
