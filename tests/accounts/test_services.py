"""Account services: logging in with throttling, passwords, accounts, roles, and who reads the
audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from catalogue.accounts import services as accounts
from catalogue.accounts.models import Membership, User
from catalogue.accounts.permissions import ANONYMOUS
from catalogue.audit import services as audit
from catalogue.audit.models import AuditEvent
from catalogue.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from catalogue.institutions.models import Institution
from catalogue.model_base import utcnow
from catalogue.modules.models import Module
from tests.factories import (
    ADMIN,
    BLOCKED,
    COORDINATOR_A,
    EDITOR_A,
    EDITOR_B,
    NO_ROLE,
    PASSWORD,
    actor_of,
    app_session,
)


@pytest.fixture
def session(world_app):
    with app_session(world_app) as session:
        yield session


def _user(session, account) -> User:
    user = accounts.find_user_by_email(session, account.email)
    session.refresh(user)
    return user


# -- logging in -------------------------------------------------------------------------------


def test_the_right_password_logs_in_and_resets_the_failure_count(session):
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            accounts.authenticate(session=session, email=EDITOR_A.email, password="wrong")
    assert _user(session, EDITOR_A).failed_logins == 3
    user = accounts.authenticate(session=session, email=EDITOR_A.email, password=PASSWORD)
    assert user.email == EDITOR_A.email
    user = _user(session, EDITOR_A)
    assert user.failed_logins == 0
    assert user.last_login_at is not None and user.last_login_at.tzinfo is not None


def test_the_fifth_failure_locks_the_account_for_the_lockout_time(session, world_app):
    for _ in range(5):
        with pytest.raises(PermissionDenied) as refused:
            accounts.authenticate(session=session, email=EDITOR_A.email, password="wrong")
        assert not isinstance(refused.value, accounts.LoginThrottled)
    user = _user(session, EDITOR_A)
    lockout = world_app.config["LOGIN_LOCKOUT"]
    assert user.locked_until is not None
    assert timedelta(0) < user.locked_until - utcnow() <= lockout
    assert accounts.lockout_left(user) is not None
    with pytest.raises(accounts.LoginThrottled) as throttled:
        accounts.authenticate(session=session, email=EDITOR_A.email, password=PASSWORD)
    assert throttled.value.status_code == 429
    assert "15" in throttled.value.message or "16" in throttled.value.message


def test_a_lock_that_has_run_out_lets_the_right_password_in(session):
    user = _user(session, EDITOR_A)
    user.locked_until = utcnow() - timedelta(seconds=1)
    session.add(user)
    session.commit()
    assert accounts.lockout_left(user) is None
    assert accounts.authenticate(session=session, email=EDITOR_A.email, password=PASSWORD)


def test_unknown_addresses_are_refused_like_wrong_passwords(session):
    with pytest.raises(PermissionDenied) as unknown:
        accounts.authenticate(session=session, email="nobody@test.example", password=PASSWORD)
    with pytest.raises(PermissionDenied) as wrong:
        accounts.authenticate(session=session, email=EDITOR_A.email, password="wrong")
    assert unknown.value.message == wrong.value.message
    assert type(unknown.value) is type(wrong.value)


def test_a_blocked_account_is_refused_even_with_the_right_password(session):
    with pytest.raises(PermissionDenied):
        accounts.authenticate(session=session, email=BLOCKED.email, password=PASSWORD)


# -- passwords --------------------------------------------------------------------------------


def test_changing_the_password_changes_the_session_nonce(session):
    user = _user(session, EDITOR_A)
    nonce, digest = user.session_nonce, user.password_hash
    accounts.change_password(session=session, user=user, current=PASSWORD, new="a-new-password")
    user = _user(session, EDITOR_A)
    assert user.session_nonce != nonce
    assert user.password_hash != digest
    assert user.password_hash.startswith("scrypt:")
    assert accounts.authenticate(session=session, email=EDITOR_A.email, password="a-new-password")


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("wrong-password", "a-new-password", "current_password"),
        (PASSWORD, "short", "new_password"),
        (PASSWORD, "x" * 201, "new_password"),
    ],
)
def test_a_bad_password_change_is_refused_on_its_field(session, current, new, field):
    user = _user(session, EDITOR_A)
    digest = user.password_hash
    with pytest.raises(InvalidInput) as refused:
        accounts.change_password(session=session, user=user, current=current, new=new)
    assert field in refused.value.fields
    assert _user(session, EDITOR_A).password_hash == digest


def test_passwords_are_stored_as_scrypt_hashes(session):
    user = _user(session, NO_ROLE)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


# -- accounts and roles ---------------------------------------------------------------------


def test_administrators_create_accounts_with_lower_case_addresses(session):
    admin = actor_of(session, ADMIN)
    user = accounts.create_user(
        session=session, actor=admin, email=" New@Test.Example ", name="New", password=PASSWORD
    )
    assert user.email == "new@test.example"
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.created", AuditEvent.entity_id == user.id
        )
    )
    assert event.actor_id == admin.user_id
    with pytest.raises(Conflict):
        accounts.create_user(
            session=session, actor=admin, email="NEW@test.example", name="Again", password=PASSWORD
        )


@pytest.mark.parametrize("account", [EDITOR_A, COORDINATOR_A, NO_ROLE])
def test_only_administrators_manage_accounts(session, world, account):
    actor = actor_of(session, account)
    with pytest.raises(PermissionDenied):
        accounts.create_user(
            session=session, actor=actor, email="x@test.example", name="X", password=PASSWORD
        )
    with pytest.raises(PermissionDenied):
        accounts.grant_role(
            session=session, actor=actor, user_id=actor.user_id, role="administrator"
        )
    with pytest.raises(PermissionDenied):
        accounts.grant_role(
            session=session,
            actor=actor,
            user_id=actor.user_id,
            role="editor",
            institution_id=world.b,
        )
    with pytest.raises(PermissionDenied):
        accounts.revoke_role(
            session=session, actor=actor, membership_id=world.memberships[EDITOR_B.email]
        )
    with pytest.raises(PermissionDenied):
        accounts.set_active(
            session=session, actor=actor, user_id=world.user(EDITOR_B), active=False
        )
    with pytest.raises(PermissionDenied):
        accounts.list_users(session=session, actor=actor)
    assert actor_of(session, account) == actor, "no role was gained"
    assert accounts.find_user_by_email(session, "x@test.example") is None


def test_a_new_account_needs_a_long_enough_password(session):
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(
            session=session,
            actor=actor_of(session, ADMIN),
            email="x@test.example",
            name="X",
            password="short",
        )
    assert "password" in refused.value.fields


def test_granting_a_role_gives_its_permissions_and_granting_it_again_changes_nothing(
    session, world
):
    admin = actor_of(session, ADMIN)
    user_id = world.user(NO_ROLE)
    first = accounts.grant_role(
        session=session, actor=admin, user_id=user_id, role="editor", institution_id=world.b
    )
    again = accounts.grant_role(
        session=session, actor=admin, user_id=user_id, role="editor", institution_id=world.b
    )
    assert first.id == again.id
    actor = actor_of(session, NO_ROLE)
    assert actor.editor_of == frozenset({world.b})
    assert not actor.is_administrator and not actor.coordinator_of


@pytest.mark.parametrize(
    ("role", "institution", "region", "field"),
    [
        ("editor", None, None, "institution"),
        ("coordinator", None, None, "region"),
        ("emperor", None, None, "role"),
    ],
)
def test_a_role_needs_its_scope(session, world, role, institution, region, field):
    with pytest.raises(InvalidInput) as refused:
        accounts.grant_role(
            session=session,
            actor=actor_of(session, ADMIN),
            user_id=world.user(NO_ROLE),
            role=role,
            institution_id=institution,
            region_id=region,
        )
    assert field in refused.value.fields


def test_an_administrator_role_ignores_a_given_scope(session, world):
    membership = accounts.grant_role(
        session=session,
        actor=actor_of(session, ADMIN),
        user_id=world.user(NO_ROLE),
        role="administrator",
        institution_id=world.a,
        region_id=world.region_ids["brainport"],
    )
    assert (membership.institution_id, membership.region_id) == (None, None)


def test_revoking_a_role_takes_its_permissions_away(session, world):
    accounts.revoke_role(
        session=session,
        actor=actor_of(session, ADMIN),
        membership_id=world.memberships[EDITOR_B.email],
    )
    assert actor_of(session, EDITOR_B).editor_of == frozenset()
    with pytest.raises(NotFound):
        accounts.revoke_role(
            session=session,
            actor=actor_of(session, ADMIN),
            membership_id=world.memberships[EDITOR_B.email],
        )


def test_blocking_changes_the_session_nonce_and_administrators_cannot_block_themselves(
    session, world
):
    admin = actor_of(session, ADMIN)
    nonce = _user(session, EDITOR_B).session_nonce
    accounts.set_active(session=session, actor=admin, user_id=world.user(EDITOR_B), active=False)
    user = _user(session, EDITOR_B)
    assert not user.is_active and user.session_nonce != nonce
    with pytest.raises(Conflict):
        accounts.set_active(session=session, actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(NotFound):
        accounts.set_active(session=session, actor=admin, user_id=10**6, active=False)


def test_actor_permissions_follow_memberships(session, world):
    editor = actor_of(session, EDITOR_A)
    coordinator = actor_of(session, COORDINATOR_A)
    admin = actor_of(session, ADMIN)
    assert editor.editor_of == frozenset({world.a}) and not editor.coordinator_of
    assert coordinator.coordinator_of == frozenset({world.region_ids["brainport"]})
    assert not coordinator.editor_of
    assert admin.is_administrator
    assert not ANONYMOUS.is_administrator and ANONYMOUS.is_anonymous


def test_memberships_cannot_hold_a_scope_that_does_not_fit_the_role(session, world):
    """The database itself refuses an editor without an institution."""
    from sqlalchemy.exc import IntegrityError

    session.add(Membership(user_id=world.user(NO_ROLE), role="editor"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


# -- the audit trail --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "allowed"),
    [(EDITOR_A, True), (ADMIN, True), (EDITOR_B, False), (COORDINATOR_A, False), (None, False)],
)
def test_the_audit_trail_is_read_by_the_institution_s_editors_and_administrators(
    session, world, account, allowed
):
    actor = actor_of(session, account) if account else ANONYMOUS
    institution = session.get(Institution, world.a)
    module = session.get(Module, world.modules["A-PUB"])
    if allowed:
        page = audit.institution_trail(session=session, actor=actor, institution=institution)
        assert page.total > 0
        assert all(event.institution_id == world.a for event in page.items)
        events = audit.module_trail(session=session, actor=actor, module=module)
        assert {e.action for e in events} >= {"module.created", "module.published"}
        assert {e.action for e in events} >= {"offering.created"}
    else:
        with pytest.raises(PermissionDenied):
            audit.institution_trail(session=session, actor=actor, institution=institution)
        with pytest.raises(PermissionDenied):
            audit.module_trail(session=session, actor=actor, module=module)


def test_the_audit_trail_is_newest_first(session, world):
    page = audit.institution_trail(
        session=session,
        actor=actor_of(session, EDITOR_A),
        institution=session.get(Institution, world.a),
    )
    moments = [(e.occurred_at, e.id) for e in page.items]
    assert moments == sorted(moments, reverse=True)
