"""Every write route of the editor, the administration and the account pages, for every role.

The table below lists each route with the roles allowed to use it on institution A's data. Each
(route, role) pair is a test: an allowed role's post takes effect; a refused role gets an answer
that says so (the login page for anonymous visitors, 403 or 404 for others) and the database is
exactly as it was. Further tests show that an editor of A cannot reach B's data by crafting posts
with B's ids, that posts without a valid CSRF token are refused, and that the editor keeps what
people typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select

from catalogue.accounts.models import ApiToken, Membership, User
from catalogue.institutions.models import Institution
from catalogue.modules.models import Module, Offering
from tests.factories import (
    ADMIN,
    EDITOR_A,
    EDITOR_A2,
    EDITOR_B,
    INSTITUTION_A,
    INSTITUTION_B,
    NO_ROLE,
    ROLE_ACCOUNTS,
    World,
    app_session,
    csrf_token,
    form_on,
    forms_on,
    input_value,
    load_module,
    module_content,
    module_form_fields,
    offering_form_fields,
    post_with_csrf,
    snapshot,
)

ROLES = tuple(ROLE_ACCOUNTS)
EDITORS_OF_A = frozenset({"editor_a", "administrator"})
ADMINISTRATORS = frozenset({"administrator"})
EVERYONE = frozenset(ROLES)
LOGGED_IN = frozenset(ROLES) - {"anonymous"}


@dataclass(frozen=True)
class WriteRoute:
    """A write route, how to post to it, who may, and how to see that the write took effect."""

    name: str
    allowed: frozenset[str]
    request: Callable[[World], tuple[str, dict]]
    took_effect: Callable[..., bool]
    # What a refused, logged-in role gets, where it is not 403 (a draft is 404 to outsiders).
    refused_status: dict[str, int] = field(default_factory=dict)
    # What an allowed role gets: a redirect after a successful post, unless stated otherwise.
    allowed_status: int = 302


def _module(app, world, code) -> Module | None:
    return load_module(app, world.modules[code])


def _offering(app, offering_id) -> Offering | None:
    with app_session(app) as session:
        return session.get(Offering, offering_id)


def _user(app, email) -> User | None:
    with app_session(app) as session:
        return session.scalar(select(User).where(User.email == email))


def _memberships(app, user_id) -> set[tuple]:
    with app_session(app) as session:
        return {
            (m.role, m.institution_id, m.region_id)
            for m in session.scalars(select(Membership).where(Membership.user_id == user_id))
        }


def _institution(app, code) -> Institution | None:
    with app_session(app) as session:
        return session.scalar(select(Institution).where(Institution.code == code))


def _institution_form(code: str, region: str, name: str) -> dict:
    return {
        "code": code,
        "name": name,
        "short_name": "",
        "kind": "hogeschool",
        "region": region,
        "city": "Enschede",
        "brin": "",
        "kvk": "",
        "website": "https://example.org",
        "email": "info@example.org",
        "description_nl": "",
        "description_en": "",
    }


def _is_logged_in(client) -> bool:
    return client.get("/manage/").status_code == 200


# Each account's password hash before a test's post (to see that a password change happened).
_PASSWORD_HASHES: dict[str, str] = {}


def _token_names(app, email) -> set[str]:
    with app_session(app) as session:
        return set(session.scalars(select(ApiToken.name).join(User).where(User.email == email)))


def _token_revoked(app, token_id) -> bool:
    with app_session(app) as session:
        return session.get(ApiToken, token_id).revoked_at is not None


def _module_by_code(app, institution_id, code) -> Module | None:
    with app_session(app) as session:
        return session.scalar(
            select(Module).where(Module.institution_id == institution_id, Module.code == code)
        )


WRITE_ROUTES = [
    # -- catalogue/web/editor.py ------------------------------------------------------------
    WriteRoute(
        "new_module",
        EDITORS_OF_A,
        lambda w: (
            f"/manage/institutions/{INSTITUTION_A}/modules/new",
            module_form_fields(module_content("A-NEW", title="A brand new module")),
        ),
        lambda app, w, client, actor: _module_by_code(app, w.a, "A-NEW") is not None,
    ),
    WriteRoute(
        "edit_module",
        EDITORS_OF_A,
        lambda w: (
            f"/manage/modules/{w.modules['A-DRAFT']}/edit",
            module_form_fields(module_content("A-DRAFT", title="Retitled by a post")),
        ),
        lambda app, w, client, actor: _module(app, w, "A-DRAFT").title == "Retitled by a post",
        refused_status={"editor_b": 404},
    ),
    WriteRoute(
        "publish_module",
        EDITORS_OF_A,
        lambda w: (f"/manage/modules/{w.modules['A-DRAFT']}/publish", {}),
        lambda app, w, client, actor: _module(app, w, "A-DRAFT").status == "published",
        refused_status={"editor_b": 404},
    ),
    WriteRoute(
        "archive_module",
        EDITORS_OF_A,
        lambda w: (f"/manage/modules/{w.modules['A-PUB']}/archive", {}),
        lambda app, w, client, actor: _module(app, w, "A-PUB").status == "archived",
    ),
    WriteRoute(
        "discard_draft",
        EDITORS_OF_A,
        lambda w: (f"/manage/modules/{w.modules['A-CHANGED']}/discard", {}),
        lambda app, w, client, actor: _module(app, w, "A-CHANGED").draft_content is None,
    ),
    WriteRoute(
        "new_offering",
        EDITORS_OF_A,
        lambda w: (f"/manage/modules/{w.modules['A-PUB']}/offerings/new", offering_form_fields()),
        lambda app, w, client, actor: (
            "2027-02" in {o.code for o in _module(app, w, "A-PUB").offerings}
        ),
    ),
    WriteRoute(
        "edit_offering",
        EDITORS_OF_A,
        lambda w: (
            f"/manage/offerings/{w.offerings['A-PUB']}/edit",
            offering_form_fields(code="2026-09", seats="3"),
        ),
        lambda app, w, client, actor: _offering(app, w.offerings["A-PUB"]).seats == 3,
    ),
    WriteRoute(
        "delete_offering",
        EDITORS_OF_A,
        lambda w: (f"/manage/offerings/{w.offerings['A-PUB']}/delete", {}),
        lambda app, w, client, actor: _offering(app, w.offerings["A-PUB"]) is None,
    ),
    # -- catalogue/web/admin.py -------------------------------------------------------------
    WriteRoute(
        "create_user",
        ADMINISTRATORS,
        lambda w: (
            "/manage/admin/users",
            {"name": "New Person", "email": "new@test.example", "password": "a-long-password"},
        ),
        lambda app, w, client, actor: _user(app, "new@test.example") is not None,
    ),
    WriteRoute(
        "grant_role",
        ADMINISTRATORS,
        lambda w: (
            f"/manage/admin/users/{w.user(NO_ROLE)}",
            {"action": "grant", "role": "editor", "institution": str(w.a), "region": ""},
        ),
        lambda app, w, client, actor: ("editor", w.a, None) in _memberships(app, w.user(NO_ROLE)),
    ),
    WriteRoute(
        "revoke_role",
        ADMINISTRATORS,
        lambda w: (
            f"/manage/admin/users/{w.user(EDITOR_A2)}",
            {"action": "revoke", "membership": str(w.memberships[EDITOR_A2.email])},
        ),
        lambda app, w, client, actor: _memberships(app, w.user(EDITOR_A2)) == set(),
    ),
    WriteRoute(
        "block_user",
        ADMINISTRATORS,
        lambda w: (f"/manage/admin/users/{w.user(EDITOR_A2)}", {"action": "block"}),
        lambda app, w, client, actor: not _user(app, EDITOR_A2.email).is_active,
    ),
    WriteRoute(
        "unblock_user",
        ADMINISTRATORS,
        lambda w: (f"/manage/admin/users/{w.users['blocked@test.example']}", {"action": "unblock"}),
        lambda app, w, client, actor: _user(app, "blocked@test.example").is_active,
    ),
    WriteRoute(
        "new_institution",
        ADMINISTRATORS,
        lambda w: (
            "/manage/admin/institutions/new",
            _institution_form("nieuwe-hogeschool", "twente", "Nieuwe Hogeschool"),
        ),
        lambda app, w, client, actor: _institution(app, "nieuwe-hogeschool") is not None,
    ),
    WriteRoute(
        "edit_institution",
        ADMINISTRATORS,
        lambda w: (
            f"/manage/admin/institutions/{INSTITUTION_A}/edit",
            _institution_form(INSTITUTION_A, "brainport", "Renamed Institution A"),
        ),
        lambda app, w, client, actor: (
            _institution(app, INSTITUTION_A).name == "Renamed Institution A"
        ),
    ),
    # -- catalogue/web/accounts.py ----------------------------------------------------------
    WriteRoute(
        "login",
        EVERYONE,
        lambda w: ("/login", {"email": NO_ROLE.email, "password": NO_ROLE.password}),
        lambda app, w, client, actor: _user(app, NO_ROLE.email).last_login_at is not None,
    ),
    WriteRoute(
        "logout",
        EVERYONE,
        lambda w: ("/logout", {}),
        lambda app, w, client, actor: not _is_logged_in(client),
    ),
    WriteRoute(
        "change_password",
        LOGGED_IN,
        lambda w: (
            "/account",
            {"current_password": "correct-horse-battery-staple", "new_password": "a-new-password"},
        ),
        lambda app, w, client, actor: (
            _user(app, actor.email).password_hash != _PASSWORD_HASHES[actor.email]
        ),
    ),
    WriteRoute(
        "create_token",
        LOGGED_IN,
        lambda w: ("/account/tokens", {"token_name": "Nightly export"}),
        lambda app, w, client, actor: "Nightly export" in _token_names(app, actor.email),
        allowed_status=201,
    ),
    WriteRoute(
        "revoke_token",
        EDITORS_OF_A,
        lambda w: (f"/account/tokens/{w.api_tokens[EDITOR_A.email]}/revoke", {}),
        lambda app, w, client, actor: _token_revoked(app, w.api_tokens[EDITOR_A.email]),
        # Another person's token is reported as absent.
        refused_status={"editor_b": 404, "coordinator_a": 404},
    ),
]


def _post_lock_version(app, world, path, data) -> dict:
    """Add the lock version the editor's page would carry, for the lifecycle forms."""
    for code, module_id in world.modules.items():
        if path.startswith(f"/manage/modules/{module_id}/"):
            return {**data, "lock_version": str(_module(app, world, code).lock_version)}
    for offering_id in world.offerings.values():
        if path.startswith(f"/manage/offerings/{offering_id}/"):
            return {**data, "lock_version": str(_offering(app, offering_id).lock_version)}
    return data


CASES = [
    pytest.param(route, role, id=f"{route.name}-{role}") for route in WRITE_ROUTES for role in ROLES
]


@pytest.mark.parametrize(("route", "role"), CASES)
def test_write_route_permissions(route, role, world_app, world, client_for):
    """Allowed roles change what they post; refused roles change nothing and are told so."""
    account = ROLE_ACCOUNTS[role]
    client = client_for(account)
    if account is not None:
        with app_session(world_app) as session:
            _PASSWORD_HASHES[account.email] = session.scalar(
                select(User.password_hash).where(User.email == account.email)
            )
    path, data = route.request(world)
    data = _post_lock_version(world_app, world, path, data)
    before = snapshot(world_app)

    response = post_with_csrf(client, path, data)

    if role in route.allowed:
        assert response.status_code == route.allowed_status, (
            f"{role} may use {route.name} but got {response.status_code}: {response.text[:2000]}"
        )
        assert route.took_effect(world_app, world, client, account), (
            f"{route.name} by {role} answered {response.status_code} but changed nothing"
        )
    else:
        if role == "anonymous":
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/login")
        else:
            expected = route.refused_status.get(role, 403)
            assert response.status_code == expected, (
                f"{route.name} by {role}: expected {expected}, got {response.status_code}"
            )
            assert "<html lang=" in response.text, "a refusal is answered with a page"
        assert snapshot(world_app) == before, f"{route.name} by {role} changed the database"


def test_every_write_route_is_in_the_table(world_app):
    """A new write route cannot slip in without being added to the permission table."""
    covered = {
        "editor.new_module",
        "editor.edit_module",
        "editor.publish_module",
        "editor.archive_module",
        "editor.discard_draft",
        "editor.new_offering",
        "editor.edit_offering",
        "editor.delete_offering",
        "admin.users",
        "admin.user",
        "admin.institution_form",
        "accounts.login",
        "accounts.logout",
        "accounts.account",
        "accounts.create_token",
        "accounts.revoke_token",
    }
    writes = {
        rule.endpoint
        for rule in world_app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.split(".")[0] in ("editor", "admin", "accounts")
    }
    assert writes <= covered, f"write routes without permission tests: {writes - covered}"


# -- no escalation from institution A to institution B ----------------------------------------


def _escalation_posts(world: World) -> list[tuple[str, dict]]:
    """Every write an editor of A could try against B's data, with B's ids."""
    b_draft, b_pub, b_changed = (world.modules[c] for c in ("B-DRAFT", "B-PUB", "B-CHANGED"))
    return [
        (
            f"/manage/institutions/{INSTITUTION_B}/modules/new",
            module_form_fields(module_content("B-SNEAKY")),
        ),
        (f"/manage/modules/{b_draft}/edit", module_form_fields(module_content("B-DRAFT"))),
        (
            f"/manage/modules/{b_pub}/edit",
            module_form_fields(module_content("B-PUB", title="Taken over")),
        ),
        (f"/manage/modules/{b_draft}/publish", {}),
        (f"/manage/modules/{b_changed}/publish", {}),
        (f"/manage/modules/{b_pub}/archive", {}),
        (f"/manage/modules/{b_changed}/discard", {}),
        (f"/manage/modules/{b_pub}/offerings/new", offering_form_fields()),
        (f"/manage/offerings/{world.offerings['B-PUB']}/edit", offering_form_fields(seats="1")),
        (f"/manage/offerings/{world.offerings['B-PUB']}/delete", {}),
        (
            f"/manage/admin/users/{world.user(EDITOR_A)}",
            {"action": "grant", "role": "editor", "institution": str(world.b)},
        ),
        (
            f"/manage/admin/institutions/{INSTITUTION_B}/edit",
            _institution_form(INSTITUTION_B, "twente", "Taken over"),
        ),
    ]


def test_editor_of_a_cannot_change_anything_of_b_by_any_route(world_app, world, client_for):
    client = client_for(EDITOR_A)
    before = snapshot(world_app)
    for path, data in _escalation_posts(world):
        response = post_with_csrf(client, path, data)
        assert response.status_code in (403, 404), f"{path} answered {response.status_code}"
    assert snapshot(world_app) == before


def test_crafted_ids_in_an_editors_own_form_do_not_move_data_to_b(world_app, world, client_for):
    """Extra fields naming B (institution, module, unit ids) are ignored by the module form."""
    client = client_for(EDITOR_A)
    fields = module_form_fields(module_content("A-DRAFT", title="Still mine"))
    fields.update(institution_id=str(world.b), institution=INSTITUTION_B, module_id="1", id="1")
    response = post_with_csrf(client, f"/manage/modules/{world.modules['A-DRAFT']}/edit", fields)
    assert response.status_code == 302
    module = load_module(world_app, world.modules["A-DRAFT"])
    assert module.title == "Still mine"
    assert module.institution_id == world.a
    b_module = load_module(world_app, world.modules["B-DRAFT"])
    assert b_module.title == "Module B-DRAFT"


def test_crafted_institution_in_the_new_module_url_is_refused(world_app, world, client_for):
    """An editor of A posting A's form to B's "new module" address creates nothing anywhere."""
    client = client_for(EDITOR_A)
    page = client.get(f"/manage/institutions/{INSTITUTION_A}/modules/new")
    form = form_on(page.text, "/modules/new")
    data = form.values(**module_form_fields(module_content("SNEAKY")))
    before = snapshot(world_app)
    response = client.post(f"/manage/institutions/{INSTITUTION_B}/modules/new", data=data)
    assert response.status_code == 403
    assert snapshot(world_app) == before


def test_editor_of_b_does_not_learn_that_drafts_of_a_exist(world, client_for):
    client = client_for(EDITOR_B)
    for code in ("A-DRAFT", "A-ARCH"):
        assert client.get(f"/modules/{world.modules[code]}").status_code == 404
        assert client.get(f"/manage/modules/{world.modules[code]}/edit").status_code == 404


def test_editor_of_b_cannot_open_a_s_editor_pages(world, client_for):
    client = client_for(EDITOR_B)
    pub = world.modules["A-PUB"]
    for path in (
        f"/manage/institutions/{INSTITUTION_A}",
        f"/manage/institutions/{INSTITUTION_A}/modules/new",
        f"/manage/institutions/{INSTITUTION_A}/audit",
        f"/manage/modules/{pub}/edit",
        f"/manage/modules/{pub}/preview",
        f"/manage/modules/{pub}/audit",
        f"/manage/modules/{pub}/offerings/new",
        f"/manage/offerings/{world.offerings['A-PUB']}/edit",
    ):
        assert client.get(path).status_code == 403, path


# -- CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_a_post_without_a_valid_csrf_token_is_refused(route, token, world_app, world, client_for):
    """Even the administrator's post is refused without the token, and nothing changes."""
    client = client_for(ADMIN)
    path, data = route.request(world)
    data = _post_lock_version(world_app, world, path, data)
    if token == "forged":
        real = csrf_token(client)
        data = {**data, "csrf_token": real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")}
    before = snapshot(world_app)
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "<html lang=" in response.text
    assert snapshot(world_app) == before
    assert _is_logged_in(client), "a refused logout post must not log the person out"


def test_a_csrf_token_of_another_session_is_refused(world_app, world, client_for):
    attacker = client_for(EDITOR_B)
    victim = client_for(EDITOR_A)
    token = csrf_token(attacker)
    before = snapshot(world_app)
    response = victim.post(
        f"/manage/modules/{world.modules['A-PUB']}/archive", data={"csrf_token": token}
    )
    assert response.status_code == 400
    assert snapshot(world_app) == before


# -- concurrent edits -------------------------------------------------------------------------


def test_second_of_two_editors_saving_the_same_module_gets_a_conflict_and_loses_nothing(
    world_app, world, client_for
):
    module_id = world.modules["A-DRAFT"]
    first, second = client_for(EDITOR_A), client_for(EDITOR_A2)
    first_form = form_on(first.get(f"/manage/modules/{module_id}/edit").text, r"/edit$")
    second_form = form_on(second.get(f"/manage/modules/{module_id}/edit").text, r"/edit$")
    assert first_form.get("lock_version") == second_form.get("lock_version")

    saved = first.post(
        first_form.action, data=first_form.values(title="Title by the first editor", action="save")
    )
    assert saved.status_code == 302

    typed = "Second editor's careful description.\n\nTwo paragraphs of it."
    conflict = second.post(
        second_form.action,
        data=second_form.values(
            title="Title by the second editor", description=typed, action="save"
        ),
    )
    assert conflict.status_code == 409
    assert "conflict-heading" in conflict.text
    # The stored module kept the first editor's save ...
    assert load_module(world_app, module_id).title == "Title by the first editor"
    # ... and the second editor's typing is still in the form, with the differences shown.
    assert input_value(conflict.text, "title") == "Title by the second editor"
    assert input_value(conflict.text, "description") == typed
    assert "Title by the first editor" in conflict.text
    assert (
        '<td class="diff-before">Title by the first editor</td>'
        '<td class="diff-after">Title by the second editor</td>'
    ) in conflict.text, "the conflict table shows the stored title beside the typed one"

    # Saving again after reading the differences is a deliberate choice and succeeds.
    again = form_on(conflict.text, r"/edit$")
    resaved = second.post(again.action, data=again.values(action="save"))
    assert resaved.status_code == 302
    module = load_module(world_app, module_id)
    assert module.title == "Title by the second editor"
    assert module.description == typed.replace("\r\n", "\n")


def test_publishing_from_an_outdated_page_is_refused(world_app, world, client_for):
    module_id = world.modules["A-DRAFT"]
    client = client_for(EDITOR_A)
    page = client.get(f"/manage/modules/{module_id}/edit").text
    form = form_on(page, r"/edit$")
    assert client.post(form.action, data=form.values(title="Changed meanwhile")).status_code == 302
    # Publishing from the old page sends its (outdated) form: refused, nothing written.
    response = client.post(form.action, data=form.values(action="publish", title="Old page"))
    assert response.status_code == 409
    module = load_module(world_app, module_id)
    assert (module.status, module.title) == ("draft", "Changed meanwhile")


def test_two_editors_changing_the_same_run_second_is_refused(world_app, world, client_for):
    offering_id = world.offerings["A-PUB"]
    first, second = client_for(EDITOR_A), client_for(EDITOR_A2)
    first_form = form_on(first.get(f"/manage/offerings/{offering_id}/edit").text, r"/edit$")
    second_form = form_on(second.get(f"/manage/offerings/{offering_id}/edit").text, r"/edit$")
    assert first.post(first_form.action, data=first_form.values(seats="5")).status_code == 302
    response = second.post(second_form.action, data=second_form.values(seats="7"))
    assert response.status_code == 422
    assert input_value(response.text, "seats") == "7"
    assert _offering(world_app, offering_id).seats == 5


# -- the form keeps what people typed --------------------------------------------------------


def test_field_errors_sit_beside_the_fields_and_keep_what_was_typed(world_app, world, client_for):
    client = client_for(EDITOR_A)
    page = client.get(f"/manage/institutions/{INSTITUTION_A}/modules/new")
    form = form_on(page.text, "/modules/new")
    data = form.values(
        **module_form_fields(module_content("A-TYPED", title="A title I typed carefully"))
    )
    data.update(
        {
            "study_load_value": "five",
            "units-0-title": "Unit title I typed",
            "units-0-study_load_value": "-3",
            "materials-0-url": "javascript:alert(1)",
            "summary": "Summary\r\nover two lines",
        }
    )
    response = client.post(form.action, data=data)
    assert response.status_code == 422
    html = response.text
    assert input_value(html, "title") == "A title I typed carefully"
    assert input_value(html, "study_load_value") == "five"
    assert input_value(html, "units-0-title") == "Unit title I typed"
    assert input_value(html, "units-0-study_load_value") == "-3"
    assert input_value(html, "materials-0-url") == "javascript:alert(1)"
    assert "over two lines" in input_value(html, "summary")
    for name in ("study_load_value", "units-0-study_load_value", "materials-0-url"):
        assert f'id="{name}-error"' in html, f"no error beside {name}"
        assert re.search(f'id="{name}"[^>]*aria-describedby="[^"]*{name}-error', html), name
    assert 'id="title-error"' not in html
    assert 'id="error-summary"' in html
    assert _module_by_code(world_app, world.a, "A-TYPED") is None


def test_saving_the_blank_form_says_once_per_field_what_to_fill_in(world_app, world, client_for):
    """A box left empty gets one message ("fill in"), not every rule an empty value breaks; a
    select left at "Choose..." is asked to be chosen. Each message has one element to point at."""
    client = client_for(EDITOR_A)
    page = client.get(f"/manage/institutions/{INSTITUTION_A}/modules/new?lang=en")
    form = form_on(page.text, "/modules/new")
    response = client.post(form.action + "?lang=en", data=form.values())
    assert response.status_code == 422
    html = response.text

    def messages(name: str) -> list[str]:
        block = re.search(f'<div class="field-error" id="{name}-error">(.*?)</div>', html, re.S)
        assert block, f"no error beside {name}"
        return re.findall(r"<p>(.*?)</p>", block.group(1))

    assert messages("code") == ["Fill in this field."]
    assert messages("title") == ["Fill in this field."]
    assert messages("sector") == ["Choose one of the options."]
    assert messages("level") == ["Choose one of the options."]
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert not [i for i in set(ids) if ids.count(i) > 1], "every id on the page is unique"


def test_a_level_outside_the_sector_is_reported_on_the_level_field(world_app, world, client_for):
    client = client_for(EDITOR_A)
    fields = module_form_fields(module_content("A-LEVEL", title="Level check"))
    fields["level"] = "master"
    response = post_with_csrf(client, f"/manage/institutions/{INSTITUTION_A}/modules/new", fields)
    assert response.status_code == 422
    assert 'id="level-error"' in response.text
    assert '<option value="master" selected>' in response.text
    assert _module_by_code(world_app, world.a, "A-LEVEL") is None


def test_a_duplicate_code_is_reported_on_the_code_field(world_app, world, client_for):
    client = client_for(EDITOR_A)
    fields = module_form_fields(module_content("a-pub", title="Same code, other case"))
    response = post_with_csrf(client, f"/manage/institutions/{INSTITUTION_A}/modules/new", fields)
    assert response.status_code == 422
    assert 'id="code-error"' in response.text
    assert input_value(response.text, "title") == "Same code, other case"


def test_the_same_code_may_be_used_by_another_institution(world_app, world, client_for):
    client = client_for(EDITOR_A)
    fields = module_form_fields(module_content("B-PUB", title="A's own B-PUB"))
    response = post_with_csrf(client, f"/manage/institutions/{INSTITUTION_A}/modules/new", fields)
    assert response.status_code == 302
    assert _module_by_code(world_app, world.a, "B-PUB") is not None


def test_adding_a_unit_rerenders_the_form_with_one_more_unit_and_saves_nothing(
    world_app, world, client_for
):
    client = client_for(EDITOR_A)
    page = client.get(f"/manage/institutions/{INSTITUTION_A}/modules/new")
    form = form_on(page.text, "/modules/new")
    before = snapshot(world_app)
    response = client.post(
        form.action, data=form.values(title="Half typed", **{"action": "add-unit"})
    )
    assert response.status_code == 200
    assert input_value(response.text, "title") == "Half typed"
    assert input_value(response.text, "units-1-code") == ""
    assert snapshot(world_app) == before


def test_offering_errors_keep_what_was_typed(world_app, world, client_for):
    client = client_for(EDITOR_A)
    path = f"/manage/modules/{world.modules['A-PUB']}/offerings/new"
    response = post_with_csrf(client, path, offering_form_fields(seats="many", code="2027-X"))
    assert response.status_code == 422
    assert input_value(response.text, "seats") == "many"
    assert input_value(response.text, "code") == "2027-X"
    assert 'id="seats-error"' in response.text

    fields = offering_form_fields(start_date="2027-05-01", end_date="2027-04-01", city="")
    response = post_with_csrf(client, path, fields)
    assert response.status_code == 422
    assert input_value(response.text, "start_date") == "2027-05-01"
    for name in ("end_date", "city"):
        assert f'id="{name}-error"' in response.text, name


def test_a_new_run_is_stored_with_its_price_and_shows_on_the_public_page(
    world_app, world, client_for
):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-PUB"]
    response = post_with_csrf(
        client, f"/manage/modules/{module_id}/offerings/new", offering_form_fields()
    )
    assert response.status_code == 302
    offering = next(o for o in load_module(world_app, module_id).offerings if o.code == "2027-02")
    assert offering.price_eur == Decimal("1250.00")
    assert offering.seats == 12


# -- publishing through the editor ---------------------------------------------------------


def _edit_and_save(client, module_id, **changes):
    page = client.get(f"/manage/modules/{module_id}/edit").text
    form = form_on(page, r"/edit$")
    response = client.post(form.action, data=form.values(action="save", **changes))
    assert response.status_code == 302, response.text[:2000]


def _publish(client, module_id, **changes):
    page = client.get(f"/manage/modules/{module_id}/edit").text
    form = form_on(page, r"/edit$")
    return client.post(
        form.action, data=form.values(action="publish", **changes), follow_redirects=True
    )


def test_publishing_twice_with_changes_gives_two_versions_and_the_diff_shows_what_changed(
    world_app, world, client_for
):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    assert _publish(client, module_id).status_code == 200
    _edit_and_save(
        client,
        module_id,
        title="Cleanroom basics, second edition",
        **{"units-0-title": "First unit, revised"},
    )
    # Until it is published again, the public sees version 1.
    public = client.get(f"/modules/{module_id}").text
    assert "Module A-DRAFT" in public and "second edition" not in public
    assert _publish(client, module_id).status_code == 200

    versions = client.get(f"/modules/{module_id}/versions")
    assert versions.status_code == 200
    module = load_module(world_app, module_id)
    assert module.current_version == 2
    with app_session(world_app) as session:
        from catalogue.modules.editing import list_versions

        v2, v1 = list_versions(session, module_id)
    assert (v1.number, v2.number) == (1, 2)
    assert v1.content_hash != v2.content_hash
    assert v1.content_hash in versions.text and v2.content_hash in versions.text

    compare = client.get(f"/modules/{module_id}/compare?from=1&to=2")
    assert compare.status_code == 200
    changed = set(_data_fields(compare.text))
    assert changed == {"title", f"units[{'A-DRAFT-U1'}].title"}

    # Publishing again without changes makes no new version.
    again = _publish_without_form(client, module_id, module.lock_version)
    assert again.status_code == 302
    assert load_module(world_app, module_id).current_version == 2
    with app_session(world_app) as session:
        assert len(list_versions(session, module_id)) == 2


def _publish_without_form(client, module_id, lock_version):
    return post_with_csrf(
        client, f"/manage/modules/{module_id}/publish", {"lock_version": str(lock_version)}
    )


def forms_on_matching(html: str, pattern: str) -> list:
    return [f for f in forms_on(html) if re.search(pattern, f.action)]


def _data_fields(html: str) -> list[str]:
    return re.findall(r'<tr data-field="([^"]+)"', html)


def test_a_published_module_s_edits_stay_a_draft_and_preview_shows_them(
    world_app, world, client_for
):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-PUB"]
    _edit_and_save(client, module_id, title="Draft title not yet public")
    assert "Draft title not yet public" not in client.get(f"/modules/{module_id}").text
    preview = client.get(f"/manage/modules/{module_id}/preview")
    assert preview.status_code == 200
    assert "Draft title not yet public" in preview.text


def test_archiving_takes_a_module_off_the_public_pages(world_app, world, client_for):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-PUB"]
    anonymous = world_app.test_client()
    assert anonymous.get(f"/modules/{module_id}").status_code == 200
    page = client.get(f"/manage/modules/{module_id}/edit").text
    assert not forms_on_matching(page, r"/archive$"), "archiving is a link to a question first"
    client.set_cookie("catalogue_lang", "en")
    question = client.get(f"/manage/modules/{module_id}/archive")
    assert question.status_code == 200 and "Archive Module A-PUB?" in question.text
    assert load_module(world_app, module_id).status == "published", "asking changes nothing"
    form = form_on(question.text, r"/archive$")
    assert client.post(form.action, data=form.values()).status_code == 302
    assert anonymous.get(f"/modules/{module_id}").status_code == 404
    assert "Module A-PUB" not in anonymous.get(f"/institutions/{INSTITUTION_A}").text


# -- reading: coordinators, dashboards, audit trail -------------------------------------------


def test_coordinator_reads_drafts_and_dashboards_of_institutions_in_their_region(world, client_for):
    client = client_for(ROLE_ACCOUNTS["coordinator_a"])
    dashboard = client.get("/manage/")
    assert dashboard.status_code == 200
    assert INSTITUTION_A in dashboard.text and INSTITUTION_B not in dashboard.text
    institution = client.get(f"/manage/institutions/{INSTITUTION_A}")
    assert institution.status_code == 200
    assert "Module A-DRAFT" in institution.text
    assert f"/manage/institutions/{INSTITUTION_A}/modules/new" not in institution.text
    assert client.get(f"/modules/{world.modules['A-DRAFT']}").status_code == 200
    assert client.get(f"/modules/{world.modules['A-ARCH']}").status_code == 200


def test_coordinator_cannot_read_other_regions_or_open_editor_forms(world, client_for):
    client = client_for(ROLE_ACCOUNTS["coordinator_a"])
    assert client.get(f"/manage/institutions/{INSTITUTION_B}").status_code == 403
    assert client.get(f"/modules/{world.modules['B-DRAFT']}").status_code == 404
    assert client.get(f"/manage/modules/{world.modules['A-DRAFT']}/edit").status_code == 403
    assert client.get(f"/manage/institutions/{INSTITUTION_A}/modules/new").status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("editor_a", 200),
        ("administrator", 200),
        ("editor_b", 403),
        ("coordinator_a", 403),
        ("anonymous", 302),
    ],
)
def test_audit_trail_is_for_the_institution_s_editors_and_administrators(
    role, status, world, client_for
):
    client = client_for(ROLE_ACCOUNTS[role])
    assert client.get(f"/manage/institutions/{INSTITUTION_A}/audit").status_code == status
    assert client.get(f"/manage/modules/{world.modules['A-PUB']}/audit").status_code == status


def test_audit_trail_records_who_when_what_and_the_hashes(world_app, world, client_for):
    from catalogue.audit.models import AuditEvent

    client = client_for(EDITOR_A2)
    module_id = world.modules["A-DRAFT"]
    _edit_and_save(client, module_id, title="Audited change")
    with app_session(world_app) as session:
        event = session.scalar(
            select(AuditEvent)
            .where(AuditEvent.module_id == module_id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    assert event.action == "module.updated"
    assert event.actor_id == world.user(EDITOR_A2)
    assert event.actor_name == EDITOR_A2.name
    assert event.via == "web"
    assert event.occurred_at.tzinfo is not None
    assert event.before_hash and event.after_hash and event.before_hash != event.after_hash
    assert "title" in event.summary

    trail = client.get(f"/manage/modules/{module_id}/audit").text
    assert EDITOR_A2.name in trail
    assert event.before_hash[:12] in trail and event.after_hash[:12] in trail
    institution_trail = client.get(f"/manage/institutions/{INSTITUTION_A}/audit").text
    assert event.after_hash[:12] in institution_trail
    assert "B-DRAFT" not in institution_trail


def test_publishing_is_recorded_with_the_version_hash(world_app, world, client_for):
    from catalogue.audit.models import AuditEvent
    from catalogue.modules.editing import latest_version

    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    _publish(client, module_id)
    with app_session(world_app) as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.module_id == module_id, AuditEvent.action == "module.published"
            )
        )
        version = latest_version(session, module_id)
    assert event.actor_id == world.user(EDITOR_A)
    assert event.after_hash == version.content_hash


def test_administrator_sees_every_institution_on_the_dashboard(client_for):
    page = client_for(ADMIN).get("/manage/").text
    assert INSTITUTION_A in page and INSTITUTION_B in page


def test_an_account_without_roles_sees_no_institution(client_for):
    page = client_for(NO_ROLE).get("/manage/")
    assert page.status_code == 200
    assert INSTITUTION_A not in page.text and INSTITUTION_B not in page.text


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_editor_page(
    world, anonymous_client
):
    for path in (
        "/manage/",
        f"/manage/institutions/{INSTITUTION_A}",
        f"/manage/modules/{world.modules['A-PUB']}/edit",
        "/manage/admin/users",
        "/account",
    ):
        response = anonymous_client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path


def test_editors_cannot_open_the_administration(client_for):
    for account in (EDITOR_A, ROLE_ACCOUNTS["coordinator_a"], NO_ROLE):
        client = client_for(account)
        assert client.get("/manage/admin/users").status_code == 403
        assert client.get("/manage/admin/institutions/new").status_code == 403
