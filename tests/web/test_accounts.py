"""Logging in and out, throttling, password changes and the session cookie."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from catalogue.accounts.models import User
from tests.factories import (
    ADMIN,
    BLOCKED,
    EDITOR_A,
    EDITOR_B,
    NO_ROLE,
    app_session,
    form_on,
    input_value,
    login,
    post_with_csrf,
)


def _user(app, email) -> User:
    with app_session(app) as session:
        return session.scalar(select(User).where(User.email == email))


def _is_logged_in(client) -> bool:
    return client.get("/manage/").status_code == 200


def _set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def test_login_with_the_right_password_opens_the_dashboard(client_for, world_app):
    client = world_app.test_client()
    response = login(client, EDITOR_A)
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"
    assert _is_logged_in(client)
    assert _user(world_app, EDITOR_A.email).last_login_at is not None


def test_login_is_case_insensitive_in_the_email_address(world_app):
    client = world_app.test_client()
    assert login(client, EDITOR_A.email.upper(), EDITOR_A.password).status_code == 302


def test_login_goes_where_the_person_was_heading_but_never_off_site(world_app, world):
    client = world_app.test_client()
    page = client.get("/manage/institutions/test-instituut-a")
    assert page.status_code == 302
    target = page.headers["Location"]
    assert target.startswith("/login?next=")
    form = client.get(target)
    token = form_on(form.text, r"/login").get("csrf_token")
    response = client.post(
        target, data={"csrf_token": token, "email": EDITOR_A.email, "password": EDITOR_A.password}
    )
    assert response.headers["Location"] == "/manage/institutions/test-instituut-a"

    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        other = world_app.test_client()
        page = other.get("/login")
        response = other.post(
            "/login",
            query_string={"next": evil},
            data={
                "csrf_token": form_on(page.text, "/login").get("csrf_token"),
                "email": EDITOR_A.email,
                "password": EDITOR_A.password,
            },
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/manage/", evil


def test_wrong_password_is_refused_and_the_address_stays_in_the_form(world_app):
    client = world_app.test_client()
    response = login(client, EDITOR_A.email, "not-the-password")
    assert response.status_code == 401
    assert input_value(response.text, "email") == EDITOR_A.email
    assert input_value(response.text, "password") == ""
    assert 'role="alert"' in response.text
    assert not _is_logged_in(client)


def test_unknown_address_and_wrong_password_get_the_same_answer(world_app):
    wrong_password = login(world_app.test_client(), EDITOR_A.email, "not-the-password")
    unknown = login(world_app.test_client(), "nobody@test.example", "not-the-password")
    assert unknown.status_code == wrong_password.status_code == 401

    def message(response):
        return response.text.split('role="alert">', 1)[1].split("<", 1)[0]

    assert message(unknown) == message(wrong_password)


def test_five_failed_logins_lock_the_account_even_for_the_right_password(world_app):
    client = world_app.test_client()
    for attempt in range(5):
        response = login(client, EDITOR_A.email, f"wrong-{attempt}")
        assert response.status_code == 401, f"attempt {attempt + 1}"
    locked = login(client, EDITOR_A)
    assert locked.status_code == 429
    assert not _is_logged_in(client)
    # Another device does not get around the lock either.
    assert login(world_app.test_client(), EDITOR_A).status_code == 429
    # Other accounts are not affected.
    assert login(world_app.test_client(), EDITOR_B).status_code == 302


def test_four_failures_then_the_right_password_logs_in_and_resets_the_count(world_app):
    client = world_app.test_client()
    for attempt in range(4):
        assert login(client, EDITOR_A.email, f"wrong-{attempt}").status_code == 401
    assert login(client, EDITOR_A).status_code == 302
    assert _user(world_app, EDITOR_A.email).failed_logins == 0
    other = world_app.test_client()
    for attempt in range(4):
        assert login(other, EDITOR_A.email, f"wrong-again-{attempt}").status_code == 401
    assert login(other, EDITOR_A).status_code == 302


def test_the_lock_ends_after_the_lockout_time(world_app_factory):
    app = world_app_factory(LOGIN_LOCKOUT=timedelta(seconds=-1))
    client = app.test_client()
    for attempt in range(5):
        login(client, EDITOR_A.email, f"wrong-{attempt}")
    # A lock that has already run out does not refuse the right password.
    assert login(client, EDITOR_A).status_code == 302


def test_a_blocked_account_cannot_log_in(world_app):
    client = world_app.test_client()
    assert login(client, BLOCKED).status_code == 401
    assert not _is_logged_in(client)


def test_blocking_an_account_ends_its_sessions(world_app, world, client_for):
    victim = client_for(EDITOR_A)
    admin = client_for(ADMIN)
    response = post_with_csrf(
        admin, f"/manage/admin/users/{world.user(EDITOR_A)}", {"action": "block"}
    )
    assert response.status_code == 302
    assert not _is_logged_in(victim)
    assert login(world_app.test_client(), EDITOR_A).status_code == 401


def test_logout_ends_the_session(client_for):
    client = client_for(EDITOR_A)
    response = post_with_csrf(client, "/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert not _is_logged_in(client)


def test_logout_needs_a_post_with_a_token(client_for):
    client = client_for(EDITOR_A)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert _is_logged_in(client)


def test_the_header_offers_a_logout_form_with_a_token(client_for):
    page = client_for(EDITOR_A).get("/").text
    form = form_on(page, r"/logout$")
    assert form.method == "post"
    assert form.get("csrf_token")


# -- password change ----------------------------------------------------------------------------


def _change_password(client, current, new):
    page = client.get("/account")
    assert page.status_code == 200
    form = form_on(page.text, r"/account$")
    return client.post(form.action, data=form.values(current_password=current, new_password=new))


def test_password_change_ends_other_sessions_and_keeps_this_one(world_app, client_for):
    here = client_for(EDITOR_A)
    elsewhere = client_for(EDITOR_A)
    response = _change_password(here, EDITOR_A.password, "a-brand-new-password")
    assert response.status_code == 302
    assert _is_logged_in(here)
    assert not _is_logged_in(elsewhere)
    assert login(world_app.test_client(), EDITOR_A).status_code == 401
    assert login(world_app.test_client(), EDITOR_A.email, "a-brand-new-password").status_code == 302


def test_password_change_also_ends_remembered_logins(world_app, client_for):
    remembered = world_app.test_client()
    assert login(remembered, EDITOR_A, remember=True).status_code == 302
    assert remembered.get_cookie("remember_token") is not None
    # The browser is closed: the session cookie is gone, the remember cookie stays.
    remembered.delete_cookie("catalogue_session")
    assert _is_logged_in(remembered), "the remember cookie logs the person back in"
    remembered.delete_cookie("catalogue_session")

    here = client_for(EDITOR_A)
    assert _change_password(here, EDITOR_A.password, "a-brand-new-password").status_code == 302
    assert not _is_logged_in(remembered)


def test_password_change_with_a_wrong_current_password_is_refused(world_app, client_for):
    client = client_for(EDITOR_A)
    before = _user(world_app, EDITOR_A.email).password_hash
    response = _change_password(client, "not-my-password", "a-brand-new-password")
    assert response.status_code == 422
    assert 'id="current_password-error"' in response.text
    assert _user(world_app, EDITOR_A.email).password_hash == before
    assert _is_logged_in(client)


def test_a_too_short_new_password_is_refused_beside_the_field(world_app, client_for):
    client = client_for(EDITOR_A)
    before = _user(world_app, EDITOR_A.email).password_hash
    response = _change_password(client, EDITOR_A.password, "short")
    assert response.status_code == 422
    assert 'id="new_password-error"' in response.text
    assert _user(world_app, EDITOR_A.email).password_hash == before


def test_password_change_is_in_the_audit_trail(world_app, world, client_for):
    from catalogue.audit.models import AuditEvent

    client = client_for(EDITOR_A)
    assert _change_password(client, EDITOR_A.password, "a-brand-new-password").status_code == 302
    with app_session(world_app) as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.password_changed")
        )
    assert event is not None
    assert event.actor_id == world.user(EDITOR_A)
    assert event.entity_id == world.user(EDITOR_A)


def test_the_account_page_lists_the_person_s_roles(client_for):
    page = client_for(EDITOR_A).get("/account").text
    assert "test-instituut-a" in page.lower() or "Test institution test-instituut-a" in page
    assert client_for(NO_ROLE).get("/account").status_code == 200


# -- the session cookie ----------------------------------------------------------------------


def test_session_cookie_is_http_only_and_same_site_lax(world_app):
    client = world_app.test_client()
    response = login(client, EDITOR_A)
    (cookie,) = _set_cookie_headers(response, "catalogue_session")
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # the test app runs with SESSION_COOKIE_SECURE off


def test_session_and_remember_cookies_are_secure_when_configured(world_app_factory):
    app = world_app_factory(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    response = login(client, EDITOR_A, remember=True)
    assert response.status_code == 302
    for name in ("catalogue_session", "remember_token"):
        (cookie,) = _set_cookie_headers(response, name)
        flags = [part.strip().lower() for part in cookie.split(";")]
        assert "secure" in flags, name
        assert "httponly" in flags, name
        assert "samesite=lax" in flags, name


def test_secure_cookies_are_the_default_configuration(tmp_path):
    from catalogue import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    app.extensions["db_engine"].dispose()


def test_a_login_post_without_a_token_is_refused(world_app):
    client = world_app.test_client()
    response = client.post("/login", data={"email": EDITOR_A.email, "password": EDITOR_A.password})
    assert response.status_code == 400
    assert not _is_logged_in(client)
