"""Who is making the request: sessions through flask-login, API tokens through a Bearer header.

`current_actor()` is what views hand to services; it is resolved once per request.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy.orm import selectinload
from sqlmodel import select

from catalogue.accounts.models import Membership, User
from catalogue.accounts.permissions import ANONYMOUS, Actor
from catalogue.db import get_session

login_manager = LoginManager()
login_manager.session_protection = "strong"
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Log in to see this page.")
login_manager.login_message_category = "info"


class SessionUser(UserMixin):
    """The logged-in user as flask-login sees it: an id that includes the session nonce."""

    def __init__(self, user: User):
        self.user = user
        self.id = user.id
        self.name = user.name
        self.email = user.email

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_nonce}"


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    user_id, _sep, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = get_session().scalar(
        select(User)
        .where(User.id == int(user_id))
        .options(
            selectinload(User.memberships).selectinload(Membership.institution),
            selectinload(User.memberships).selectinload(Membership.region),
        )
    )
    # A changed nonce (password change, blocked account) ends the session.
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    return SessionUser(user)


def init_app(app: Flask) -> None:
    """Attach flask-login to the app."""
    login_manager.init_app(app)


def current_actor() -> Actor:
    """The actor of the current request: token user, logged-in user, or anonymous."""
    if "actor" in g:
        return g.actor
    from catalogue.accounts.services import actor_for

    actor = ANONYMOUS
    if current_user and current_user.is_authenticated:
        actor = actor_for(current_user.user, via="web")
    g.actor = actor
    return actor


def current_account() -> User | None:
    """The logged-in user's account row, if someone is logged in."""
    if current_user and current_user.is_authenticated:
        return current_user.user
    return None
