"""API tokens: create (shown once), revoke, list, and resolve a Bearer token to an actor."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.accounts.models import ApiToken, Membership, User
from catalogue.accounts.permissions import Actor
from catalogue.audit.services import record_event
from catalogue.db import write_transaction
from catalogue.errors import InvalidInput, NotFound, PermissionDenied
from catalogue.model_base import utcnow

TOKEN_PREFIX = "sct_"  # noqa: S105 - a public marker, not a secret
PREFIX_LENGTH = 12
# last_used_at is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION_SECONDS = 300


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the secret (shown once) and its row."""

    secret: str
    token: ApiToken


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(*, session: Session, actor: Actor, user: User, name: str) -> IssuedToken:
    """Create a named token for the actor's own account (administrators: for anyone's)."""
    if actor.user_id != user.id and not actor.is_administrator:
        raise PermissionDenied(_("You can only create tokens for your own account."))
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput(
            _("Give the token a name of at most 100 characters."),
            fields={"name": [_("Give the token a name of at most 100 characters.")]},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(session):
        token = ApiToken(
            user_id=user.id, name=name, prefix=secret[:PREFIX_LENGTH], token_hash=_digest(secret)
        )
        session.add(token)
        session.flush()
        record_event(
            session,
            actor,
            action="token.created",
            entity_type="api_token",
            entity_id=token.id,
            summary=f"{name} ({token.prefix}…) for {user.email}",
        )
    return IssuedToken(secret=secret, token=token)


def revoke_token(*, session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token of the actor's own account (administrators: anyone's)."""
    with write_transaction(session):
        token = session.get(ApiToken, token_id)
        if token is None or (token.user_id != actor.user_id and not actor.is_administrator):
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            record_event(
                session,
                actor,
                action="token.revoked",
                entity_type="api_token",
                entity_id=token.id,
                summary=f"{token.name} ({token.prefix}…)",
            )
    return token


def list_tokens(*, session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def actor_for_token(*, session: Session, secret: str) -> Actor | None:
    """The actor a Bearer token stands for, or None if it is unknown, revoked or blocked.

    The token carries its user's roles and nothing more.
    """
    from catalogue.accounts.services import actor_for

    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    candidates = session.scalars(
        select(ApiToken)
        .where(ApiToken.prefix == secret[:PREFIX_LENGTH], ApiToken.revoked_at.is_(None))
        .options(
            selectinload(ApiToken.user)
            .selectinload(User.memberships)
            .selectinload(Membership.institution)
        )
    )
    digest = _digest(secret)
    for token in candidates:
        if hmac.compare_digest(token.token_hash, digest) and token.user.is_active:
            _touch(session, token)
            return actor_for(token.user, via="api")
    return None


def _touch(session: Session, token: ApiToken) -> None:
    now = utcnow()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        with write_transaction(session):
            fresh = session.get(ApiToken, token.id)
            fresh.last_used_at = now
