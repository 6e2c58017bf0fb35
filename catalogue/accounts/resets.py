"""Password reset: a one-time token, mailed to the person (when mail is set up) or handed out by
an administrator. Only the token's SHA-256 is stored; a token expires and works once; using it
ends the account's other sessions and unlocks it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlmodel import Session

from catalogue.accounts.models import PasswordResetToken, User
from catalogue.accounts.permissions import Actor, require_administrator
from catalogue.accounts.services import (
    _account,
    _check_new_password,
    _record_user_event,
    actor_for,
    find_user_by_email,
    hash_password,
)
from catalogue.db import write_transaction
from catalogue.errors import InvalidInput
from catalogue.model_base import utcnow

MAILED_TOKEN_LIFETIME = timedelta(hours=1)
ADMIN_TOKEN_LIFETIME = timedelta(hours=24)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue(session: Session, user: User, lifetime: timedelta, created_by: int | None) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=utcnow() + lifetime,
            created_by_id=created_by,
        )
    )
    return token


def request_reset(*, session: Session, email: str) -> tuple[User, str] | None:
    """A token for the active account with this address (to mail it); None when there is none.

    The page answers the same either way, so that it does not tell which addresses exist.
    """
    user = find_user_by_email(session, email.strip())
    if user is None or not user.is_active:
        return None
    with write_transaction(session):
        token = _issue(session, user, MAILED_TOKEN_LIFETIME, None)
        _record_user_event(
            session, actor_for(user), "user.password_reset_requested", user.id, "by e-mail"
        )
    return user, token


def issue_by_administrator(*, session: Session, actor: Actor, user_id: int) -> str:
    """A token an administrator hands to the person (valid for 24 hours)."""
    require_administrator(actor)
    with write_transaction(session):
        user = _account(session, user_id)
        token = _issue(session, user, ADMIN_TOKEN_LIFETIME, actor.user_id)
        _record_user_event(
            session, actor, "user.password_reset_issued", user.id, f"for {user.email}"
        )
    return token


def _usable(session: Session, token: str) -> PasswordResetToken:
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        message = _("This password-reset link is not valid (any more). Ask for a new one.")
        raise InvalidInput(message, fields={"token": [message]})
    return row


def check_token(*, session: Session, token: str) -> None:
    """Refuse (InvalidInput) a token that is unknown, used or expired."""
    _usable(session, token)


def reset_password(*, session: Session, token: str, new_password: str) -> User:
    """Set a new password with a token; the token is used up, other sessions end."""
    _check_new_password(new_password)
    with write_transaction(session):
        row = _usable(session, token)
        # Used up with a guarded UPDATE, so that two requests with one token cannot both win.
        used = session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:
            raise InvalidInput(_("This password-reset link has been used already."))
        user = session.get(User, row.user_id)
        user.password_hash = hash_password(new_password)
        user.session_nonce = secrets.token_hex(8)
        user.failed_logins = 0
        user.locked_until = None
        _record_user_event(session, actor_for(user), "user.password_reset", user.id, "reset")
    return user
