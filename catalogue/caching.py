"""Cheap reads: validators, 304 answers, Cache-Control and a cache of rendered responses.

Published content changes rarely, and every change goes through a service that records an audit
event (and, when search must know, an outbox entry) in the same transaction. The newest ids of
those two tables are therefore the catalogue's *generation*: one cheap query tells whether
anything may have changed since a response was made, on this node or on any other node sharing
the database. A cacheable read by an anonymous visitor gets the validator

    ETag: "g<audit id>-<outbox id>.<language>.<day>"

(the day because pages show "upcoming" runs; an API resource with a lock version keeps it in
front, `"<lock version>.g…"`, so that the same ETag still works in If-Match). A request whose
If-None-Match names the current validator gets 304 before any view runs, and a response already
made for the same URL and validator is served again from this process's memory without running
the view. Any write ends every cached copy at once, which suits a catalogue that is read far more
than it is written.

Requests that carry a session cookie, a remember-me cookie or an Authorization header are
never cached and get `Cache-Control: no-store`, as does everything that is not a cacheable read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from flask import Flask, Request, Response, current_app, g, request, session
from flask_babel import get_locale

from catalogue.db import engine

# Reads of published content that look the same to every anonymous visitor.
CACHEABLE_ENDPOINTS = frozenset(
    {
        "pages.home",
        "pages.module_list",
        "pages.module_detail",
        "pages.module_versions",
        "pages.module_version",
        "pages.compare_versions",
        "pages.institution_list",
        "pages.institution_detail",
        "pages.region_list",
        "pages.region_detail",
        "search.search_page",
        "recognition.registry",
        "recognition.registry_csv",
        "recognition.agreement_page",
        "recognition.matrix",
        "api_docs.docs",
        "api-docs.openapi_json",
        "api_modules.list_modules",
        "api_modules.get_module",
        "api_modules.list_versions",
        "api_modules.get_version",
        "api_modules.compare_versions",
        "api_offerings.get_offering",
        "api_institutions.list_regions",
        "api_institutions.get_region",
        "api_institutions.list_institutions",
        "api_institutions.get_institution",
        "api_search.search",
        "api_recognition.list_agreements",
        "api_recognition.get_agreement",
        "api_recognition.matrix",
        "api_recognition.recognised_by",
    }
)
CREDENTIAL_HEADERS = ("Authorization",)
NO_STORE = "no-store"


# Read on every cacheable read, so it skips the ORM: a pooled DBAPI connection and one plain
# statement (through a Session, the transaction set-up and tear-down cost more than the query).
GENERATION_SQL = "SELECT (SELECT max(id) FROM audit_event), (SELECT max(id) FROM search_outbox)"


def catalogue_generation() -> str:
    """A value that changes with every write to the catalogue (see the module docstring)."""
    connection = engine().raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(GENERATION_SQL)
        audit, outbox = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    return f"g{audit or 0}-{outbox or 0}"


def is_anonymous(req: Request) -> bool:
    """Whether the request carries no credentials at all (no session, no token)."""
    config = current_app.config
    cookies = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    if any(name in req.cookies for name in cookies):
        return False
    return not any(name in req.headers for name in CREDENTIAL_HEADERS)


def current_validator() -> str:
    """The validator of the current cacheable read: generation, language and day."""
    generation = catalogue_generation()
    return f"{generation}.{get_locale()}.{date.today():%Y%m%d}"


def matches(header: str | None, validator: str) -> str | None:
    """The entity tag in an If-None-Match header that names `validator`, if any."""
    for tag in (header or "").split(","):
        value = tag.strip().removeprefix("W/").strip('"')
        if value == validator or value.endswith("." + validator):
            return tag.strip()
    return None


@dataclass
class CachedResponse:
    """A response as it left the view: enough to send it again."""

    body: bytes
    status: int
    headers: list[tuple[str, str]]


class ResponseCache:
    """Responses of one generation by URL and validator, least recently used dropped first."""

    def __init__(self, capacity: int, max_body: int):
        self.capacity = capacity
        self.max_body = max_body
        self._entries: OrderedDict[tuple[str, str], CachedResponse] = OrderedDict()
        self._generation = ""
        self._lock = threading.Lock()

    def get(self, url: str, validator: str) -> CachedResponse | None:
        """The cached response for a URL at a validator, if there is one."""
        with self._lock:
            self._forget_older(validator)
            entry = self._entries.get((url, validator))
            if entry is not None:
                self._entries.move_to_end((url, validator))
            return entry

    def put(self, url: str, validator: str, response: Response) -> None:
        """Keep a response (unless it is too big to be worth keeping)."""
        body = response.get_data()
        if len(body) > self.max_body or self.capacity <= 0:
            return
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        with self._lock:
            self._forget_older(validator)
            self._entries[(url, validator)] = CachedResponse(body, response.status_code, headers)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def _forget_older(self, validator: str) -> None:
        # Every entry of an older generation is dead: drop them all at once.
        generation = validator.partition(".")[0]
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation

    def __len__(self) -> int:
        return len(self._entries)


def _cache() -> ResponseCache:
    return current_app.extensions["response_cache"]


def _public_cache_control() -> str:
    return f"public, max-age={int(current_app.config['CACHE_MAX_AGE'])}"


def _before_read():
    """Answer 304, or a response made before, for a cacheable anonymous read."""
    g.cache_validator = None
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHEABLE_ENDPOINTS:
        return None
    if not is_anonymous(request):
        return None
    validator = g.cache_validator = current_validator()
    tag = matches(request.headers.get("If-None-Match"), validator)
    if tag is not None:
        g.cache_hit = True
        response = Response(status=304)
        response.headers["ETag"] = tag
        response.headers["Cache-Control"] = _public_cache_control()
        response.headers["Vary"] = _vary()
        return response
    cached = _cache().get(request.full_path, validator)
    if cached is not None:
        g.cache_hit = True
        return Response(cached.body, status=cached.status, headers=cached.headers)
    return None


def _vary() -> str:
    return "Accept-Language, Cookie" if request.path.startswith("/api/") else "Cookie"


def _after(response: Response) -> Response:
    """Set validators and Cache-Control; keep cacheable responses for the next request."""
    validator = g.get("cache_validator")
    if g.get("cache_hit"):
        return response
    # A response that sets a cookie (or will: a changed session) belongs to one visitor only.
    sets_cookie = "Set-Cookie" in response.headers or session.modified
    if validator is None or response.status_code != 200 or sets_cookie:
        if request.endpoint != "static":
            response.headers["Cache-Control"] = NO_STORE
        return response
    lock_tag = (response.headers.get("ETag") or "").strip('"')
    tag = f"{lock_tag}.{validator}" if lock_tag.isdigit() else validator
    response.headers["ETag"] = f'"{tag}"'
    response.headers["Cache-Control"] = _public_cache_control()
    response.headers["Vary"] = _vary()
    if request.method == "GET" and not response.is_streamed:
        _cache().put(request.full_path, validator, response)
    return response


def init_app(app: Flask) -> None:
    """Answer cacheable anonymous reads from validators and the response cache."""
    app.config.setdefault("CACHE_MAX_AGE", 30)
    app.config.setdefault("RESPONSE_CACHE_SIZE", 512)
    app.config.setdefault("RESPONSE_CACHE_MAX_BODY", 512 * 1024)
    app.extensions["response_cache"] = ResponseCache(
        int(app.config["RESPONSE_CACHE_SIZE"]), int(app.config["RESPONSE_CACHE_MAX_BODY"])
    )
    app.before_request(_before_read)
    app.after_request(_after)
