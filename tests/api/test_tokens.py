"""API tokens: who a token acts for, what it may change, revoking, how tokens are stored, and the
`catalogue users` / `catalogue tokens` commands that hand them out."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from catalogue.accounts.models import ApiToken
from catalogue.accounts.permissions import SYSTEM
from catalogue.accounts.tokens import revoke_token
from catalogue.cli import main as catalogue_cli
from tests.api.conftest import (
    API,
    assert_error,
    bearer,
    content_payload,
    issue_token,
    module_payload,
    offering_payload,
    stored_rows,
)
from tests.factories import (
    ADMIN,
    BLOCKED,
    COORDINATOR_A,
    EDITOR_A,
    EDITOR_B,
    INSTITUTION_A,
    INSTITUTION_B,
    NO_ROLE,
    REGION_A,
    app_session,
    form_on,
)


def _token_row(app, secret: str) -> ApiToken:
    with app_session(app) as session:
        return session.scalar(select(ApiToken).where(ApiToken.prefix == secret[:12]))


# -- who a token acts for -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "editor_of", "coordinator_of", "administrator"),
    [
        (EDITOR_A, [INSTITUTION_A], [], False),
        (EDITOR_B, [INSTITUTION_B], [], False),
        (COORDINATOR_A, [], [REGION_A], False),
        (ADMIN, [], [], True),
        (NO_ROLE, [], [], False),
    ],
)
def test_me_names_the_tokens_user_and_their_roles(
    api_client_for, account, editor_of, coordinator_of, administrator
):
    response = api_client_for(account).get(f"{API}/me")

    assert response.status_code == 200
    assert response.get_json() == {
        "name": account.name,
        "email": account.email,
        "administrator": administrator,
        "editor_of": editor_of,
        "coordinator_of": coordinator_of,
    }


def test_me_without_a_token_is_refused(anonymous_client):
    response = anonymous_client.get(f"{API}/me")

    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# -- a token carries its user's roles and nothing more ---------------------------------------


def _writes_to_b(world, b_module_etag: str, b_offering_etag: str):
    """Every kind of write, aimed at institution B's data."""
    module = world.modules["B-PUB"]
    offering = world.offerings["B-PUB"]
    return [
        ("post", f"{API}/modules", module_payload("A-STEALS-B", institution=INSTITUTION_B), None),
        ("put", f"{API}/modules/{module}", content_payload("B-PUB"), b_module_etag),
        ("post", f"{API}/modules/{module}/publish", None, b_module_etag),
        ("post", f"{API}/modules/{module}/archive", None, b_module_etag),
        ("post", f"{API}/modules/{module}/offerings", offering_payload("2030-01"), None),
        ("put", f"{API}/offerings/{offering}", offering_payload("2026-09"), b_offering_etag),
        ("delete", f"{API}/offerings/{offering}", None, b_offering_etag),
    ]


def test_token_of_institution_a_editor_cannot_change_institution_b_data(
    world_app, world, api_client_for
):
    editor_b = api_client_for(EDITOR_B)
    # The ETags B's editor would send: a stale ETag cannot be the reason for a refusal.
    b_module_etag = editor_b.get(f"{API}/modules/{world.modules['B-PUB']}").headers["ETag"]
    b_offering_etag = editor_b.get(f"{API}/offerings/{world.offerings['B-PUB']}").headers["ETag"]
    editor_a = api_client_for(EDITOR_A)
    before = stored_rows(world_app)

    for method, url, body, if_match in _writes_to_b(world, b_module_etag, b_offering_etag):
        headers = {"If-Match": if_match} if if_match else {}
        response = getattr(editor_a, method)(url, json=body, headers=headers)
        body = assert_error(response, 403)
        assert "institution" in body["message"].lower(), body

    after = stored_rows(world_app)
    # Using a token notes when it was last used; nothing else may have changed.
    assert after == {**before, "api_token": after["api_token"]}


def test_token_of_institution_a_editor_does_not_see_institution_b_drafts(world, api_client_for):
    editor_a = api_client_for(EDITOR_A)

    assert_error(editor_a.get(f"{API}/modules/{world.modules['B-DRAFT']}"), 404)
    assert_error(editor_a.get(f"{API}/modules/{world.modules['B-PUB']}/draft"), 403)
    assert_error(editor_a.get(f"{API}/modules/{world.modules['B-PUB']}/audit"), 403)
    listed = editor_a.get(f"{API}/modules?status=draft&page_size=100").get_json()["items"]
    assert {m["code"] for m in listed} == {"A-DRAFT"}


def test_the_same_writes_succeed_for_institution_b_editor(world, api_client_for):
    """The refusals above come from the token's institution, not from the requests."""
    editor_b = api_client_for(EDITOR_B)
    module = world.modules["B-PUB"]
    offering = world.offerings["B-PUB"]

    etag = editor_b.get(f"{API}/modules/{module}").headers["ETag"]
    changed = content_payload("B-PUB", title="Changed by B's own editor")
    response = editor_b.put(f"{API}/modules/{module}", json=changed, headers={"If-Match": etag})
    assert response.status_code == 200, response.get_json()

    etag = editor_b.get(f"{API}/offerings/{offering}").headers["ETag"]
    response = editor_b.delete(f"{API}/offerings/{offering}", headers={"If-Match": etag})
    assert response.status_code == 204


def test_coordinator_token_reads_drafts_of_its_region_but_cannot_write(
    world_app, world, api_client_for
):
    coordinator = api_client_for(COORDINATOR_A)
    module = world.modules["A-DRAFT"]

    assert coordinator.get(f"{API}/modules/{module}").status_code == 200
    etag = coordinator.get(f"{API}/modules/{module}").headers["ETag"]
    response = coordinator.post(f"{API}/modules/{module}/publish", headers={"If-Match": etag})

    assert_error(response, 403)
    assert coordinator.get(f"{API}/modules/{module}").get_json()["status"] == "draft"


# -- revoked and blocked ---------------------------------------------------------------------


def test_revoked_token_is_refused(world_app, world):
    secret = issue_token(world_app, EDITOR_A.email)
    client = world_app.test_client()
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 200

    with app_session(world_app) as session:
        revoke_token(session=session, actor=SYSTEM, token_id=_token_row(world_app, secret).id)

    assert_error(client.get(f"{API}/me", headers=bearer(secret)), 401)
    before = stored_rows(world_app)
    response = client.post(
        f"{API}/modules", json=module_payload("REVOKED-1"), headers=bearer(secret)
    )
    assert_error(response, 401)
    assert stored_rows(world_app) == before


def test_token_revoked_on_the_account_page_is_refused(world_app, client_for):
    secret = issue_token(world_app, EDITOR_A.email, name="Osiris koppeling")
    api = world_app.test_client()
    assert api.get(f"{API}/me", headers=bearer(secret)).status_code == 200
    browser = client_for(EDITOR_A)
    token_id = _token_row(world_app, secret).id

    page = browser.get("/account")
    form = form_on(page.text, rf"/account/tokens/{token_id}/revoke$")
    response = browser.post(form.action, data=form.values())
    assert response.status_code == 302

    assert_error(api.get(f"{API}/me", headers=bearer(secret)), 401)


def test_token_of_a_blocked_account_is_refused(world_app):
    secret = issue_token(world_app, BLOCKED.email)

    assert_error(world_app.test_client().get(f"{API}/me", headers=bearer(secret)), 401)


# -- a session cookie never authorises a write -----------------------------------------------


def test_cookie_authenticated_write_without_token_is_refused(world_app, world, client_for):
    browser = client_for(EDITOR_A)  # logged in through the web login form
    assert browser.get("/manage/").status_code == 200, "the login did not take"
    module = world.modules["A-PUB"]
    offering = world.offerings["A-PUB"]
    module_etag = browser.get(f"{API}/modules/{module}").headers["ETag"]
    offering_etag = browser.get(f"{API}/offerings/{offering}").headers["ETag"]
    before = stored_rows(world_app)

    writes = [
        ("post", f"{API}/modules", module_payload("COOKIE-1"), None),
        (
            "put",
            f"{API}/modules/{module}",
            content_payload("A-PUB", title="By cookie"),
            module_etag,
        ),
        ("post", f"{API}/modules/{module}/publish", None, module_etag),
        ("post", f"{API}/modules/{module}/archive", None, module_etag),
        ("post", f"{API}/modules/{module}/offerings", offering_payload("2031-01"), None),
        ("put", f"{API}/offerings/{offering}", offering_payload("2026-09"), offering_etag),
        ("delete", f"{API}/offerings/{offering}", None, offering_etag),
    ]
    for method, url, body, if_match in writes:
        headers = {"If-Match": if_match} if if_match else {}
        response = getattr(browser, method)(url, json=body, headers=headers)
        assert_error(response, 401)
        assert "token" in response.get_json()["message"].lower()

    assert stored_rows(world_app) == before


def test_the_api_ignores_the_session_cookie_when_reading(world, client_for):
    browser = client_for(EDITOR_A)

    assert_error(browser.get(f"{API}/me"), 401)
    assert_error(browser.get(f"{API}/modules/{world.modules['A-DRAFT']}"), 404)
    listed = browser.get(f"{API}/modules?status=draft").get_json()
    assert listed["total"] == 0


# -- malformed Authorization headers ---------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Basic ZWRpdG9yOnNlY3JldA==",
        "Token sct_abcdefghijklmnop",
        "sct_abcdefghijklmnop",
        "Bearer sct_thisTokenWasNeverIssued000000000000000000",
        "Bearer not-even-our-prefix",
        "Bearer sct_" + "x" * 300,
    ],
)
def test_malformed_or_unknown_authorization_gets_401(world_app, world, authorization):
    client = world_app.test_client()
    headers = {"Authorization": authorization}
    before = stored_rows(world_app)

    for response in (
        client.get(f"{API}/me", headers=headers),
        client.get(f"{API}/modules", headers=headers),
        client.get(f"{API}/modules/{world.modules['A-PUB']}", headers=headers),
        client.post(f"{API}/modules", json=module_payload("BAD-AUTH"), headers=headers),
    ):
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    assert stored_rows(world_app) == before


def test_a_token_with_the_right_prefix_but_wrong_rest_is_refused(world_app):
    secret = issue_token(world_app, EDITOR_A.email)
    forged = secret[:12] + ("A" if secret[12] != "A" else "B") + secret[13:]

    response = world_app.test_client().get(f"{API}/me", headers=bearer(forged))

    assert_error(response, 401)


# -- storage --------------------------------------------------------------------------------


def test_tokens_are_stored_only_as_sha256_hashes(world_app):
    secrets = [issue_token(world_app, EDITOR_A.email, name=f"koppeling {n}") for n in range(3)]
    for secret in secrets:  # use each once, so that last_used_at is written too
        assert world_app.test_client().get(f"{API}/me", headers=bearer(secret)).status_code == 200

    everything = repr(stored_rows(world_app))
    for secret in secrets:
        assert secret not in everything
        assert secret[12:] not in everything  # not even the part after the shown prefix
        row = _token_row(world_app, secret)
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert row.prefix == secret[:12]


def test_each_token_is_different_and_starts_with_the_public_prefix(world_app):
    secrets = {issue_token(world_app, EDITOR_A.email) for _ in range(5)}

    assert len(secrets) == 5
    assert all(re.fullmatch(r"sct_[A-Za-z0-9_-]{40,}", s) for s in secrets)


# -- the command line -----------------------------------------------------------------------


def _cli(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(catalogue_cli, list(args), input=input)


def test_cli_creates_an_editor_and_a_token_that_works_in_the_api(world_app):
    created = _cli(
        world_app,
        "users",
        "create",
        "--email",
        "Sanne.de.Vries@Summa.example",
        "--name",
        "Sanne de Vries",
        "--password",
        "a long enough password",
        "--role",
        "editor",
        "--institution",
        INSTITUTION_A,
    )
    assert created.exit_code == 0, created.output
    assert "sanne.de.vries@summa.example" in created.output

    issued = _cli(
        world_app,
        "tokens",
        "create",
        "--email",
        "sanne.de.vries@summa.example",
        "--name",
        "Osiris koppeling",
    )
    assert issued.exit_code == 0, issued.output
    secret = re.search(r"^(sct_\S+)$", issued.output, re.MULTILINE).group(1)

    me = world_app.test_client().get(f"{API}/me", headers=bearer(secret)).get_json()
    assert me["name"] == "Sanne de Vries"
    assert me["editor_of"] == [INSTITUTION_A]
    assert _token_row(world_app, secret).token_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_cli_users_create_refuses_a_short_password_and_creates_nothing(world_app):
    before = stored_rows(world_app)

    result = _cli(
        world_app,
        "users",
        "create",
        "--email",
        "kort@test.example",
        "--name",
        "Kort Wachtwoord",
        "--password",
        "short",
    )

    assert result.exit_code != 0
    assert "password" in result.output  # the field it names
    assert stored_rows(world_app) == before


def test_cli_users_create_refuses_an_existing_address(world_app):
    before = stored_rows(world_app)

    result = _cli(
        world_app,
        "users",
        "create",
        "--email",
        EDITOR_A.email.upper(),
        "--name",
        "Tweede Anna",
        "--password",
        "a long enough password",
    )

    assert result.exit_code != 0
    assert result.output.startswith("Error")
    assert stored_rows(world_app) == before


def test_cli_lists_and_revokes_tokens(world_app):
    issued = _cli(
        world_app, "tokens", "create", "--email", EDITOR_A.email, "--name", "Planningskoppeling"
    )
    assert issued.exit_code == 0, issued.output
    secret = re.search(r"^(sct_\S+)$", issued.output, re.MULTILINE).group(1)
    token_id = int(re.search(r"Token (\d+) ", issued.output).group(1))

    listed = _cli(world_app, "tokens", "list", "--email", EDITOR_A.email)
    assert listed.exit_code == 0, listed.output
    line = next(ln for ln in listed.output.splitlines() if "Planningskoppeling" in ln)
    assert secret[:12] in line and "active" in line and secret not in listed.output

    revoked = _cli(world_app, "tokens", "revoke", str(token_id))
    assert revoked.exit_code == 0, revoked.output
    assert_error(world_app.test_client().get(f"{API}/me", headers=bearer(secret)), 401)

    listed = _cli(world_app, "tokens", "list", "--email", EDITOR_A.email)
    line = next(ln for ln in listed.output.splitlines() if "Planningskoppeling" in ln)
    assert "revoked" in line


def test_cli_token_commands_report_unknown_accounts_and_tokens(world_app):
    unknown_user = _cli(world_app, "tokens", "create", "--email", "nobody@x.example", "--name", "x")
    unknown_token = _cli(world_app, "tokens", "revoke", "999999")

    assert unknown_user.exit_code != 0 and "nobody@x.example" in unknown_user.output
    assert unknown_token.exit_code != 0 and unknown_token.output.startswith("Error")
    assert "sct_" not in unknown_user.output
