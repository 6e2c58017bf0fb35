"""Accounts: creating users, granting roles, logging in with throttling, changing passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlmodel import Session
from werkzeug.security import check_password_hash, generate_password_hash

from catalogue.accounts.models import Membership, User
from catalogue.accounts.permissions import Actor, require_administrator
from catalogue.audit.services import record_event
from catalogue.db import write_transaction
from catalogue.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from catalogue.institutions.models import Institution, Region
from catalogue.model_base import utcnow
from catalogue.vocabularies import Role

MIN_PASSWORD_LENGTH = 10
# Checked against when the e-mail address is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method="scrypt")


class LoginThrottled(PermissionDenied):
    """Too many failed logins: the account is locked for a while."""

    status_code = 429


def _record_user_event(
    session: Session,
    actor: Actor,
    action: str,
    user_id: int,
    summary: str,
    institution_id: int | None = None,
) -> None:
    """Record an audit event about a user account."""
    record_event(
        session,
        actor,
        action=action,
        entity_id=user_id,
        institution_id=institution_id,
        summary=summary,
    )


def _account(session: Session, user_id: int) -> User:
    """The account with this id; NotFound when there is none."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    return user


def hash_password(password: str) -> str:
    """A werkzeug scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


def actor_for(user: User, *, via: str = "web") -> Actor:
    """The permissions a user holds through their memberships."""
    editor_of = {m.institution_id for m in user.memberships if m.role == Role.EDITOR}
    coordinator_of = {m.region_id for m in user.memberships if m.role == Role.COORDINATOR}
    return Actor(
        user_id=user.id,
        name=user.name,
        is_administrator=any(m.role == Role.ADMINISTRATOR for m in user.memberships),
        editor_of=frozenset(editor_of),
        coordinator_of=frozenset(coordinator_of),
        via=via,
    )


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), if any."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(*, session: Session, email: str, password: str) -> User:
    """The user with these credentials; refuses locked accounts and counts failures.

    After LOGIN_MAX_FAILURES failed attempts the account is locked for LOGIN_LOCKOUT, whatever
    password is tried meanwhile. Unknown addresses and wrong passwords get the same answer.
    """
    config = current_app.config
    with write_transaction(session):
        user = find_user_by_email(session, email)
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
            raise PermissionDenied(_("The e-mail address or password is not correct."))
        now = utcnow()
        if user.locked_until and user.locked_until > now:
            raise LoginThrottled(
                ngettext(
                    "Too many failed attempts. Try again in %(num)s minute.",
                    "Too many failed attempts. Try again in %(num)s minutes.",
                    max(1, int((user.locked_until - now).total_seconds() // 60) + 1),
                )
            )
        if not check_password_hash(user.password_hash, password) or not user.is_active:
            user.failed_logins += 1
            if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + config["LOGIN_LOCKOUT"]
                user.failed_logins = 0
            session.add(user)
            failed = True
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            session.add(user)
            failed = False
    if failed:
        raise PermissionDenied(_("The e-mail address or password is not correct."))
    return user


def _check_new_password(password: str, field: str = "new_password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("The password is too short."),
            fields={field: [_("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)]},
        )
    if len(password) > 200:
        raise InvalidInput(
            _("The password is too long."), fields={field: [_("Use at most 200 characters.")]}
        )


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    """Change a user's own password; ends their other sessions."""
    if not check_password_hash(user.password_hash, current):
        raise InvalidInput(
            _("The current password is not correct."),
            fields={"current_password": [_("The current password is not correct.")]},
        )
    _check_new_password(new)
    with write_transaction(session):
        user = session.merge(user)
        user.password_hash = hash_password(new)
        user.session_nonce = secrets.token_hex(8)
        _record_user_event(
            session, actor_for(user), "user.password_changed", user.id, "password changed"
        )


def create_user(*, session: Session, actor: Actor, email: str, name: str, password: str) -> User:
    """Create an account (administrators only)."""
    require_administrator(actor)
    _check_new_password(password, "password")
    email = email.strip().lower()
    with write_transaction(session):
        if find_user_by_email(session, email):
            raise Conflict(_("An account with this e-mail address exists already."))
        user = User(email=email, name=name.strip(), password_hash=hash_password(password))
        session.add(user)
        session.flush()
        _record_user_event(session, actor, "user.created", user.id, f"account {email} created")
    return user


def grant_role(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    role: str,
    institution_id: int | None = None,
    region_id: int | None = None,
) -> Membership:
    """Give a user a role (administrators only); granting an existing role changes nothing."""
    require_administrator(actor)
    if role not in Role.values():
        raise InvalidInput(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    if role == Role.EDITOR and institution_id is None:
        raise InvalidInput(_("Choose an institution."), fields={"institution": [_("Required.")]})
    if role == Role.COORDINATOR and region_id is None:
        raise InvalidInput(_("Choose a region."), fields={"region": [_("Required.")]})
    if role != Role.EDITOR:
        institution_id = None
    if role != Role.COORDINATOR:
        region_id = None
    with write_transaction(session):
        user = _account(session, user_id)
        for membership in user.memberships:
            if (membership.role, membership.institution_id, membership.region_id) == (
                role,
                institution_id,
                region_id,
            ):
                return membership
        membership = Membership(
            user_id=user.id, role=role, institution_id=institution_id, region_id=region_id
        )
        session.add(membership)
        session.flush()
        _record_user_event(
            session,
            actor,
            "user.role_granted",
            user.id,
            f"{role} granted to {user.email}",
            institution_id=institution_id,
        )
    return membership


def revoke_role(*, session: Session, actor: Actor, membership_id: int) -> None:
    """Take a role away from a user (administrators only)."""
    require_administrator(actor)
    with write_transaction(session):
        membership = session.get(Membership, membership_id)
        if membership is None:
            raise NotFound(_("No such role."))
        _record_user_event(
            session,
            actor,
            "user.role_revoked",
            membership.user_id,
            f"{membership.role} revoked",
            institution_id=membership.institution_id,
        )
        session.delete(membership)


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Block or unblock an account (administrators only; not one's own)."""
    require_administrator(actor)
    if user_id == actor.user_id:
        raise Conflict(_("You cannot block your own account."))
    with write_transaction(session):
        user = _account(session, user_id)
        user.is_active = active
        user.session_nonce = secrets.token_hex(8)
        _record_user_event(
            session, actor, "user.activated" if active else "user.blocked", user.id, user.email
        )


def list_users(*, session: Session, actor: Actor) -> list[User]:
    """All accounts (administrators only)."""
    require_administrator(actor)
    return list(session.scalars(select(User).order_by(User.name)))


def get_user(*, session: Session, actor: Actor, user_id: int) -> User:
    """One account (administrators only)."""
    require_administrator(actor)
    return _account(session, user_id)


@dataclass(frozen=True)
class Identity:
    """The user behind an actor, and the codes of the institutions and regions they act for."""

    name: str
    email: str
    administrator: bool
    editor_of: list[str]
    coordinator_of: list[str]


def who_am_i(*, session: Session, actor: Actor) -> Identity:
    """The user behind an actor, and the codes of the institutions and regions they act for."""
    user = session.get(User, actor.user_id)
    return Identity(
        name=user.name,
        email=user.email,
        administrator=actor.is_administrator,
        editor_of=_codes(session, Institution, actor.editor_of),
        coordinator_of=_codes(session, Region, actor.coordinator_of),
    )


def _codes(session: Session, model, ids) -> list[str]:
    if not ids:
        return []
    return sorted(session.scalars(select(model.code).where(model.id.in_(list(ids)))))


def lockout_left(user: User) -> timedelta | None:
    """How long the account stays locked, if it is."""
    if user.locked_until and user.locked_until > utcnow():
        return user.locked_until - utcnow()
    return None
