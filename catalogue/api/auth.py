"""Who calls the API: the user behind a Bearer token, or nobody. Cookies are not looked at."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from catalogue.accounts.permissions import ANONYMOUS, Actor
from catalogue.accounts.tokens import actor_for_token
from catalogue.db import get_session
from catalogue.errors import CatalogueError, NotAuthenticated, StaleEdit

BEARER = [{"bearerAuth": []}]


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


def require_token_for_writes() -> None:
    """Before any API write: refuse requests without a valid token before reading the body."""
    if request.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
        writing_actor()


def etag(lock_version: int) -> str:
    """The ETag of a resource at a lock version."""
    return f'"{lock_version}"'


def required_base_version(current: int) -> int | None:
    """The lock version the client's If-Match names: 428 without one, 412 if it is stale.

    `If-Match: *` matches whatever is stored.
    """
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired(
            _("Send If-Match with the ETag you read, so that no one's changes are overwritten.")
        )
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags:
        return None
    for tag in tags:
        value = tag.removeprefix("W/").strip('"')
        if value.isdigit() and int(value) == current:
            return current
    raise StaleEdit(
        _("The resource has changed since you read it (ETag %(etag)s now).", etag=etag(current)),
        current_version=current,
    )
