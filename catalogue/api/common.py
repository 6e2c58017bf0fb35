"""Helpers shared by the API's blueprints: created answers, OpenAPI links and documented error
responses."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_smorest import Blueprint
from marshmallow import utils

from catalogue.api.auth import BEARER, etag
from schemas.api import object_url

# Error responses every operation may give, documented once per kind of operation.
READ_ERRORS = (400, 401, 404, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 415, 422)
PRECONDITION_ERRORS = (412, 428)


def if_match(what: str) -> dict:
    """The OpenAPI description of the If-Match header a write of `what` requires."""
    return {
        "in": "header",
        "name": "If-Match",
        "required": True,
        "schema": {"type": "string"},
        "description": f"The ETag of the {what} as you read it",
    }


API_ROOT = "/api/v1"
ETAG = "$response.header.ETag"


def link(method: str, path: str, **parameters: str) -> dict:
    """An OpenAPI link to the operation `method path` of this API (path as in the document,
    below /api/v1), its parameters given as runtime expressions ("header.If-Match" for a
    header). Clients and schemathesis' stateful tests follow these from one answer to the next."""
    pointer = (API_ROOT + path).replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method.lower()}", "parameters": parameters}


def follow_ups(path: str, parameter: str, *targets: str, **also: str) -> dict[str, dict]:
    """Links from an answer that holds a resource (its id in the body's `id`, its ETag in the
    header) to operations on it, each given as "Name METHOD [suffix] [if-match]"; `also` names
    further parameters with their runtime expressions (e.g. the parent's id from the request)."""
    named = {}
    for target in targets:
        name, method, *rest = target.split()
        conditional = {"header.If-Match": ETAG} if rest[-1:] == ["if-match"] else {}
        suffix = rest[0] if rest and rest[0] != "if-match" else ""
        named[name] = link(
            method, path + suffix, **{parameter: "$response.body#/id"}, **conditional
        )
    return named


def links(blp, status: int, **named: dict):
    """Decorator: document the links of a successful response."""
    return blp.doc(responses={status: {"links": named}})


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A blueprint of the API, below /api/v1, with its description for the OpenAPI tags."""
    return Blueprint(name, import_name, url_prefix=API_ROOT, description=description)


def read_operation(blp, rule: str, *, response, args=None, as_kwargs=True, errors=READ_ERRORS):
    """Decorator of a GET operation: its route, query arguments, response schema and errors."""

    def decorate(view):
        view = document_errors(blp, *errors)(view)
        view = blp.response(200, response)(view)
        if args is not None:
            view = blp.arguments(args, location="query", as_kwargs=as_kwargs)(view)
        return blp.route(rule, methods=["GET"])(view)

    return decorate


def search_operation(blp, rule: str, *, args, response):
    """Decorator of a search: its query arguments arrive whole, and a query that cannot be read
    is answered 400 or 422 (no login is involved)."""
    return read_operation(
        blp, rule, args=args, as_kwargs=False, response=response, errors=(400, 422)
    )


def token_operation(
    blp,
    rule: str,
    method: str,
    *,
    body=None,
    response=None,
    status: int = 200,
    errors: tuple[int, ...] = WRITE_ERRORS,
    if_match: dict | None = None,
    follow: dict[str, dict] | None = None,
):
    """Decorator of an operation that needs an API token: its route, bearer security, the
    If-Match header it requires (if any, with the errors that brings), its schemas and errors,
    and the links (`follow`) of its successful answer."""
    if if_match:
        errors = (*errors, *PRECONDITION_ERRORS)

    def decorate(view):
        view = document_errors(blp, *errors)(view)
        view = blp.response(status, response)(view)
        if body is not None:
            view = blp.arguments(body)(view)
        parameters = {"parameters": [if_match]} if if_match else {}
        view = blp.doc(security=BEARER, **parameters)(view)
        if follow:
            view = links(blp, status, **follow)(view)
        return blp.route(rule, methods=[method])(view)

    return decorate


@dataclass(frozen=True)
class Created:
    """What the API creates of one kind: its output schema, the endpoint that reads one (its
    URL's arguments read from the new object's attributes or keys) and the links from the answer
    to what may be done with it next."""

    schema: type
    endpoint: str
    arguments: dict[str, str]
    follow: dict[str, dict]

    def headers(self, created) -> dict[str, str]:
        """The new object's ETag, for its next write, and its Location."""
        return {
            "ETag": etag(utils.get_value(created, "lock_version")),
            "Location": object_url(created, self.endpoint, self.arguments),
        }


def create_operation(blp, rule: str, *, body, created: Created):
    """Decorator of an operation that creates a resource: a POST that needs an API token. The
    view returns the new object as stored; the answer is 201 with it, its ETag and its Location,
    and links to what may be done with it next."""

    def decorate(view):
        @functools.wraps(view)
        def answer(*args, **kwargs):
            new = view(*args, **kwargs)
            return new, 201, created.headers(new)

        operation = token_operation(
            blp, rule, "POST", body=body, response=created.schema, status=201, follow=created.follow
        )
        return operation(answer)

    return decorate


def document_errors(blp, *codes: int):
    """Decorator: document error responses with the API's error schema."""

    def decorate(view):
        for code in codes:
            view = blp.alt_response(code, schema="Error", description=_DESCRIPTIONS[code])(view)
        return view

    return decorate


_DESCRIPTIONS = {
    400: "Malformed request (not JSON, wrong structure)",
    401: "No valid API token",
    403: "The token's user may not do this",
    404: "Not found, or not visible to you",
    409: "Conflicts with the current state (duplicate code, invalid transition)",
    412: "If-Match does not match the stored version (someone else changed it)",
    415: "Send JSON (Content-Type: application/json)",
    422: "Invalid input; `fields` names every bad field",
    428: "If-Match is required for this write",
}
