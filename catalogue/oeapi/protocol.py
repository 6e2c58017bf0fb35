"""The OEAPI protocol rules: version negotiation, paging, query parameters, problem+json errors.

Clients ask for a version with `Accept: application/vnd.oeapi+json;version=6.0`; the answer names
the version it is in (`Content-Type: application/vnd.oeapi+json; version=6.0`). A request for
another major version is answered 406. Without such an Accept header answers are plain
`application/json`. Every error is `application/problem+json` (RFC 9457).
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from http import HTTPStatus
from typing import Any

from flask import Response, g, request

SERVED_VERSION = "6.0"
VENDOR_TYPE = "application/vnd.oeapi+json"
PROBLEM_TYPE = "application/problem+json"
PAGE_SIZES = (10, 20, 50, 100, 250)
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_NUMBER = 1_000_000
_VERSION = re.compile(r"^(\d+)(?:\.(\d+))?$")
_LANGUAGE = re.compile(
    r"^([a-z]{2,3})(-([A-Z]{2}|[0-9]{3}))?(-([a-z]{4}))?(-([a-z]{2}|[0-9]{3}))*"
    r"(-[a-z0-9]{2,8})*(-x(-[a-z0-9]{1,8})+)?$"
)


class Problem(Exception):
    """An error answered as problem+json: status, a sentence for people, and extra members."""

    def __init__(self, status: int, detail: str, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem_response(status: int, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem document with the status code."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)


def negotiate_version() -> None:
    """Pick the media type of the answer from Accept; a major version we lack is a 406."""
    g.oeapi_media_type = "application/json"
    asked = []
    for media_range in request.headers.get("Accept", "").split(","):
        kind, *params = (part.strip() for part in media_range.split(";"))
        if kind.lower() != VENDOR_TYPE:
            continue
        options = dict(p.split("=", 1) for p in params if "=" in p)
        version = options.get("version", SERVED_VERSION).strip().strip('"')
        match = _VERSION.match(version)
        if match and match.group(1) == SERVED_VERSION.split(".")[0]:
            g.oeapi_media_type = f"{VENDOR_TYPE}; version={SERVED_VERSION}"
            return
        asked.append(version)
    if asked:
        raise Problem(
            406,
            f"This server serves OEAPI version {SERVED_VERSION} only.",
            requestedVersion=asked[0],
            supportedVersions=[SERVED_VERSION],
        )


def json_response(body: dict[str, Any]) -> Response:
    """A 200 answer in the negotiated media type."""
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Type"] = getattr(g, "oeapi_media_type", "application/json")
    response.vary.add("Accept")
    return response


def _integer(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise Problem(400, f"{name} must be a whole number.", parameter=name)
    return int(raw)


def paging() -> tuple[int, int]:
    """(pageNumber, pageSize) of the request: pageSize one of 10/20/50/100/250, pageNumber ≥ 1."""
    size = _integer("pageSize", DEFAULT_PAGE_SIZE)
    if size not in PAGE_SIZES:
        raise Problem(400, "pageSize must be one of 10, 20, 50, 100 or 250.", parameter="pageSize")
    number = _integer("pageNumber", 1)
    if not 1 <= number <= MAX_PAGE_NUMBER:
        raise Problem(400, "pageNumber must be 1 or more.", parameter="pageNumber")
    return number, size


def envelope(items: list[dict[str, Any]], number: int, size: int, total: int) -> dict[str, Any]:
    """The OEAPI paging envelope around one page of items."""
    pages = max(1, math.ceil(total / size))
    return {
        "pageSize": size,
        "pageNumber": number,
        "hasPreviousPage": number > 1,
        "hasNextPage": number < pages,
        "totalPages": pages,
        "items": items,
    }


def day_parameter(name: str) -> date | None:
    """A date query parameter (YYYY-MM-DD, or the date part of a date-time); 400 if malformed."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise Problem(400, f"{name} must be a date such as 2026-09-01.", parameter=name) from None


def enum_parameter(name: str, allowed: list[str]) -> str | None:
    """A query parameter from an OEAPI extensible enumeration (a listed value or x-…)."""
    raw = request.args.get(name)
    if raw is None or raw in allowed or raw.startswith("x-"):
        return raw
    raise Problem(400, f"{name} must be one of: {', '.join(allowed)}.", parameter=name)


def language_parameter(name: str) -> str | None:
    """A language code query parameter (ISO 639 with an optional region, e.g. nld, en-GB)."""
    raw = request.args.get(name)
    if raw is None or _LANGUAGE.match(raw):
        return raw
    raise Problem(400, f"{name} must be a language code such as nld or en-GB.", parameter=name)


def text_parameter(name: str, *, max_length: int = 200) -> str | None:
    """A free text query parameter of bounded length."""
    raw = request.args.get(name)
    if raw is not None and (len(raw) > max_length or "\x00" in raw):
        raise Problem(400, f"{name} is too long or holds a NUL character.", parameter=name)
    return raw or None


def expand_parameter(allowed: set[str]) -> set[str]:
    """The relations asked for with expand=a,b (each must be one we can expand)."""
    asked = {v.strip() for raw in request.args.getlist("expand") for v in raw.split(",")}
    asked.discard("")
    unknown = asked - allowed
    if unknown:
        raise Problem(
            400,
            f"expand may only name: {', '.join(sorted(allowed))}.",
            parameter="expand",
        )
    return asked
