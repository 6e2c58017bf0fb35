"""Password reset: a mailed or administrator-made token works once, expires,
and only its hash is stored."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from catalogue.accounts import resets
from catalogue.accounts.models import PasswordResetToken
from catalogue.model_base import utcnow
from tests.factories import ADMIN, EDITOR_A, app_session, login, post_with_csrf
from tests.mailbox import smtp_server

NEW = "a-brand-new-password-42"


@pytest.fixture
def mailing_app(world_app_factory):
    with smtp_server() as (url, mailbox):
        yield world_app_factory(SMTP_URL=url), mailbox


def _link(text: str) -> str:
    return re.search(r"https?://\S+/password/reset/(\S+)", text).group(1)


def test_a_mailed_token_works_once_is_stored_hashed_and_the_page_tells_nobody(mailing_app):
    app, mailbox = mailing_app
    client = app.test_client()
    answer = post_with_csrf(client, "/password/forgot", {"email": EDITOR_A.email})
    unknown = post_with_csrf(client, "/password/forgot", {"email": "nobody@test.example"})
    assert answer.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'name="csrf_token" value="[^"]+"', "", html)  # noqa: E731
    assert strip(answer.text) == strip(unknown.text), "the page does not tell who has an account"
    (message,) = mailbox.to(EDITOR_A.email)
    token = _link(message.get_body(("plain",)).get_content())

    with app_session(app) as session:
        stored = session.scalars(select(PasswordResetToken.token_hash)).all()
    assert token not in " ".join(stored) and resets.token_digest(token) in stored

    assert client.get(f"/password/reset/{token}").status_code == 200
    done = post_with_csrf(client, f"/password/reset/{token}", {"new_password": NEW})
    assert done.status_code == 302
    assert login(app.test_client(), EDITOR_A, NEW).status_code == 302
    again = post_with_csrf(client, f"/password/reset/{token}", {"new_password": NEW + "x"})
    assert again.status_code == 410, "a token works once"
    assert login(app.test_client(), EDITOR_A, NEW).status_code == 302


def test_an_administrator_s_token_expires(world_app, client_for, world):
    admin = client_for(ADMIN)
    page = post_with_csrf(admin, f"/admin/users/{world.user(EDITOR_A)}/reset-link")
    assert page.status_code == 200
    token = _link(page.text.replace("</code>", " "))
    with app_session(world_app) as session:
        for row in session.scalars(select(PasswordResetToken)):
            row.expires_at = utcnow() - timedelta(minutes=1)  # 24 hours went by
        session.commit()
    client = world_app.test_client()
    assert client.get(f"/password/reset/{token}").status_code == 410
    refused = post_with_csrf(client, f"/password/reset/{token}", {"new_password": NEW})
    assert refused.status_code == 410
    assert login(world_app.test_client(), EDITOR_A, NEW).status_code != 302


def test_only_administrators_make_reset_links(client_for, world):
    editor = client_for(EDITOR_A)
    answer = post_with_csrf(editor, f"/admin/users/{world.user(EDITOR_A)}/reset-link")
    assert answer.status_code == 403


def test_without_mail_the_page_points_to_an_administrator(world_app):
    page = world_app.test_client().get("/password/forgot")
    assert page.status_code == 200 and 'name="email"' not in page.text
