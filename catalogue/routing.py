"""URL converters shared by the pages and the API."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """A database id in a URL: 1 to 2^31-1; anything else does not match (404), so a huge
    number never reaches the database."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


def id_parameter_schema(_converter) -> dict:
    """How an <id:...> path parameter is described in OpenAPI."""
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
