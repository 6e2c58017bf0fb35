"""Who calls the API: the user behind a Bearer token, or nobody. Cookies are not looked at."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from catalogue.accounts.permissions import ANONYMOUS, Actor
from catalogue.accounts.tokens import actor_for_token
from catalogue.db import get_session
from catalogue.errors import CatalogueError, NotAuthenticated, StaleEdit

BEARER = [{"bearerAuth": []}]


class UnsupportedMediaType(CatalogueError):
    """A write sent a body that is not JSON."""

    status_code = 415


class PreconditionRequired(CatalogueError):
    """A write to an existing resource came without If-Match."""

    status_code = 428


def api_actor() -> Actor:
    """The actor of this API request, from its Authorization header (resolved once)."""
    if "api_actor" in g:
        return g.api_actor
    header = request.headers.get("Authorization", "")
    actor = ANONYMOUS
    if header:
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated(_("Send the token as: Authorization: Bearer <token>."))
        actor = actor_for_token(session=get_session(), secret=secret.strip())
        if actor is None:
            raise NotAuthenticated(_("This API token is unknown or has been revoked."))
    g.api_actor = actor
    return actor


def writing_actor() -> Actor:
    """The actor of a write: a token is required (a session cookie never authorises a write)."""
    actor = api_actor()
    if actor.is_anonymous:
        raise NotAuthenticated(_("This needs an API token: Authorization: Bearer <token>."))
    return actor


def check_api_write() -> None:
    """Before any API write: a token (before the body is read), and a JSON body if any.

    Requests that routing already refused (unknown path, method not allowed) are left to
    answer 404 or 405.
    """
    if not request.path.startswith("/api/") or request.routing_exception is not None:
        return
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    writing_actor()
    if (request.content_length or request.headers.get("Transfer-Encoding")) and (
        request.mimetype != "application/json"
    ):
        raise UnsupportedMediaType(_("Send the body as JSON (Content-Type: application/json)."))


def etag(lock_version: int) -> str:
    """The ETag of a resource at a lock version."""
    return f'"{lock_version}"'


def _if_match_versions() -> list[int] | None:
    """The lock versions If-Match names (None for `*`); 428 when there is no If-Match."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired(
            _("Send If-Match with the ETag you read, so that no one's changes are overwritten.")
        )
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags:
        return None
    versions = []
    for tag in tags:
        # A cacheable read's ETag adds the catalogue's validator: "<lock version>.g…".
        value = tag.removeprefix("W/").strip('"').partition(".")[0]
        if value.isdigit() and len(value) < 10:
            versions.append(int(value))
    return versions


def required_base_version(current: int) -> int | None:
    """The lock version the client's If-Match names: 428 without one, 412 if it is stale.

    `If-Match: *` matches whatever is stored.
    """
    versions = _if_match_versions()
    if versions is None or current in versions:
        return None if versions is None else current
    raise StaleEdit(
        _("The resource has changed since you read it (ETag %(etag)s now).", etag=etag(current)),
        current_version=current,
    )


def client_base_version(current: int) -> int | None:
    """The version the client's copy was based on, for services that compare it themselves
    (and then say what changed since); 428 without If-Match, 412 when it names no version."""
    versions = _if_match_versions()
    if versions is None:
        return None
    if current in versions:
        return current
    if versions:
        return versions[0]
    raise StaleEdit(
        _("The resource has changed since you read it (ETag %(etag)s now).", etag=etag(current)),
        current_version=current,
    )
