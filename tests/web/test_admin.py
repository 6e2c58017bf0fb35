"""The administration pages: accounts, roles and institutions, with errors beside the fields."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.accounts.models import User
from catalogue.institutions.models import Institution
from tests.factories import (
    ADMIN,
    EDITOR_B,
    INSTITUTION_A,
    NO_ROLE,
    app_session,
    form_on,
    forms_on,
    input_value,
    login,
    post_with_csrf,
)


def test_a_new_account_can_log_in_and_gets_its_role_from_the_user_page(world_app, client_for):
    admin = client_for(ADMIN)
    page = admin.get("/manage/admin/users")
    form = form_on(page.text, r"/manage/admin/users$")
    response = admin.post(
        form.action,
        data=form.values(
            name="Nieuwe Ontwerper", email="Nieuw@Test.Example", password="long-enough-1"
        ),
    )
    assert response.status_code == 302
    user_page = admin.get(response.headers["Location"])
    assert "nieuw@test.example" in user_page.text
    (grant,) = [f for f in forms_on(user_page.text) if f.get("action") == "grant"]
    with app_session(world_app) as session:
        institution_id = session.scalar(
            select(Institution.id).where(Institution.code == INSTITUTION_A)
        )
    response = admin.post(
        grant.action, data=grant.values(role="editor", institution=str(institution_id))
    )
    assert response.status_code == 302

    newcomer = world_app.test_client()
    assert login(newcomer, "nieuw@test.example", "long-enough-1").status_code == 302
    assert newcomer.get(f"/manage/institutions/{INSTITUTION_A}/modules/new").status_code == 200


def test_account_form_errors_keep_what_was_typed_but_never_the_password(client_for):
    admin = client_for(ADMIN)
    response = post_with_csrf(
        admin,
        "/manage/admin/users",
        {"name": "Half Typed", "email": "not-an-address", "password": "short"},
    )
    assert response.status_code == 422
    assert input_value(response.text, "name") == "Half Typed"
    assert input_value(response.text, "email") == "not-an-address"
    assert input_value(response.text, "password") == ""
    assert 'id="password-error"' in response.text


def test_an_address_in_use_is_refused(world_app, client_for):
    admin = client_for(ADMIN)
    response = post_with_csrf(
        admin,
        "/manage/admin/users",
        {"name": "Copy", "email": EDITOR_B.email.upper(), "password": "long-enough-1"},
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    with app_session(world_app) as session:
        assert session.scalar(select(User).where(User.name == "Copy")) is None


def test_an_administrator_cannot_block_their_own_account(world_app, world, client_for):
    admin = client_for(ADMIN)
    response = post_with_csrf(
        admin,
        f"/manage/admin/users/{world.user(ADMIN)}",
        {"action": "block"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "flash-error" in response.text
    with app_session(world_app) as session:
        assert session.get(User, world.user(ADMIN)).is_active


def test_a_role_without_its_institution_is_refused_with_a_message(world_app, world, client_for):
    admin = client_for(ADMIN)
    response = post_with_csrf(
        admin,
        f"/manage/admin/users/{world.user(NO_ROLE)}",
        {"action": "grant", "role": "editor", "institution": "", "region": ""},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "flash-error" in response.text
    assert client_for(NO_ROLE).get(f"/manage/institutions/{INSTITUTION_A}").status_code == 403


def test_institution_form_errors_sit_beside_the_fields_and_keep_what_was_typed(
    world_app, client_for
):
    admin = client_for(ADMIN)
    page = admin.get("/manage/admin/institutions/new")
    form = form_on(page.text, r"^$")
    response = admin.post(
        "/manage/admin/institutions/new",
        data=form.values(
            code="nieuw-roc",
            name="Nieuw ROC",
            kind="mbo-college",
            region="twente",
            brin="12345",
            kvk="abc",
            website="ftp://example.org",
        ),
    )
    assert response.status_code == 422
    for name in ("brin", "kvk", "website"):
        assert f'id="{name}-error"' in response.text, name
    assert input_value(response.text, "name") == "Nieuw ROC"
    assert input_value(response.text, "brin") == "12345"
    assert '<option value="twente" selected>' in response.text
    with app_session(world_app) as session:
        assert session.scalar(select(Institution).where(Institution.code == "nieuw-roc")) is None


def test_an_institution_code_in_use_is_refused_on_the_code_field(client_for):
    admin = client_for(ADMIN)
    page = admin.get("/manage/admin/institutions/new")
    form = form_on(page.text, r"^$")
    response = admin.post(
        "/manage/admin/institutions/new",
        data=form.values(code=INSTITUTION_A, name="Copy", kind="hogeschool", region="twente"),
    )
    assert response.status_code == 422
    assert 'id="code-error"' in response.text


def test_a_new_institution_without_codes_or_contact_address_gets_its_public_page(
    client_for, anonymous_client
):
    admin = client_for(ADMIN)
    page = admin.get("/manage/admin/institutions/new")
    form = form_on(page.text, r"^$")
    response = admin.post(
        "/manage/admin/institutions/new",
        data=form.values(code="nieuw-roc", name="Nieuw ROC", kind="mbo-college", region="twente"),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/institutions/nieuw-roc"
    public = anonymous_client.get("/institutions/nieuw-roc")
    assert public.status_code == 200 and "Nieuw ROC" in public.text
    assert "Nieuw ROC" in anonymous_client.get("/regions/twente").text
