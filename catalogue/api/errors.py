"""The API's one error format, for every error raised while serving /api/ paths."""

from __future__ import annotations

from http import HTTPStatus

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from catalogue.errors import CatalogueError, StaleEdit, flatten_errors
from schemas.api import ErrorSchema


def _name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def error_response(status: int, message: str, *, fields=None, headers=None, **extra):
    """The API's error body (`ErrorSchema`: status, error, message, and fields or the 412's
    extras where there are any) with the status code."""
    body = {"status": status, "error": _name(status), "message": message}
    if fields:
        body["fields"] = {path: m if isinstance(m, list) else [m] for path, m in fields.items()}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(ErrorSchema().dump(body))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flat(messages) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for path, message in flatten_errors(messages):
        flat.setdefault(path or "_body", []).append(message)
    return flat


def http_error(error: HTTPException):
    """Werkzeug and webargs errors (400, 404, 405, 415, 422 from argument parsing, ...)."""
    data = getattr(error, "data", None) or {}
    fields = None
    if "messages" in data:
        # webargs nests messages by location: {"json": {...}, "query": {...}}.
        messages = data["messages"]
        fields = {}
        for location, errors in messages.items():
            for path, texts in _flat(errors).items():
                key = path if location == "json" else f"{location}.{path}"
                fields.setdefault(key, []).extend(texts)
    status = error.code or 500
    if data.get("message"):
        message = data["message"]
    elif status == 400:
        message = _("Malformed request: the body is not valid JSON of the expected shape.")
    elif fields:
        message = _("The request is not valid: see fields.")
    else:
        message = error.description
    # Keep the exception's own headers (Allow on 405, WWW-Authenticate, ...).
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return error_response(status, message, fields=fields, headers=headers)


def catalogue_error(error: CatalogueError):
    """Errors raised by services: 403, 404, 409, 412, 422 with the service's message."""
    fields = getattr(error, "fields", None)
    if isinstance(error, StaleEdit):
        etag = f'"{error.current_version}"' if error.current_version >= 0 else None
        return error_response(
            412,
            error.message,
            current_etag=etag,
            changes=error.changes or None,
            headers={"ETag": etag} if etag else None,
        )
    headers = {"WWW-Authenticate": 'Bearer realm="catalogue"'} if error.status_code == 401 else None
    return error_response(
        error.status_code, error.message, fields=_flat(fields) if fields else None, headers=headers
    )
