"""HTML and script typed into any text field is shown as text, escaped, on every page showing it."""

from __future__ import annotations

from markupsafe import escape

from tests.factories import (
    ADMIN,
    INSTITUTION_A,
    Account,
    form_on,
    module_content,
    module_form_fields,
    offering_form_fields,
    post_with_csrf,
)


def payload(field: str) -> str:
    """A script, marked with the field it was typed into."""
    return f'<script>alert("{field}")</script>'


def escaped(field: str) -> str:
    return str(escape(payload(field)))


MODULE_FIELDS = (
    "title",
    "summary",
    "description",
    "prerequisites",
    "assessment",
    "participation",
    "quality_assurance",
    "learning_outcomes",
    "units-0-title",
    "units-0-description",
    "units-0-learning_outcomes",
    "units-0-assessment",
    "materials-0-title",
    "materials-0-authors",
    "materials-0-description",
)
OFFERING_FIELDS = ("city", "price_note")
INSTITUTION_FIELDS = ("name", "city", "description_nl", "description_en")
EVIL_EDITOR = Account("evil-editor@test.example", payload("user-name"))


def _form_with_payloads(code: str) -> dict:
    fields = module_form_fields(module_content(code))
    for name in MODULE_FIELDS:
        fields[name] = payload(name)
    return fields


def _set_up(world_app, world, client_for):
    """An editor whose name is a payload puts payloads in every field of a module, a run and
    their institution, and publishes the module twice."""
    admin = client_for(ADMIN)
    response = post_with_csrf(
        admin,
        "/manage/admin/users",
        {"name": EVIL_EDITOR.name, "email": EVIL_EDITOR.email, "password": EVIL_EDITOR.password},
    )
    assert response.status_code == 302, response.text[:2000]
    user_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = post_with_csrf(
        admin,
        f"/manage/admin/users/{user_id}",
        {"action": "grant", "role": "editor", "institution": str(world.a)},
    )
    assert response.status_code == 302

    institution_page = admin.get(f"/manage/admin/institutions/{INSTITUTION_A}/edit").text
    form = form_on(institution_page, r"^$")
    changes = {name: payload(f"institution-{name}") for name in INSTITUTION_FIELDS}
    changes["short_name"] = payload("sn")  # cards show the short name
    response = admin.post(
        f"/manage/admin/institutions/{INSTITUTION_A}/edit", data=form.values(**changes)
    )
    assert response.status_code == 302, response.text[:3000]

    editor = client_for(EVIL_EDITOR)
    response = post_with_csrf(
        editor, f"/manage/institutions/{INSTITUTION_A}/modules/new", _form_with_payloads("XSS-1")
    )
    assert response.status_code == 302, response.text[:3000]
    module_id = int(response.headers["Location"].split("/")[-2])
    response = post_with_csrf(
        editor,
        f"/manage/modules/{module_id}/offerings/new",
        offering_form_fields(**{name: payload(name) for name in OFFERING_FIELDS}),
    )
    assert response.status_code == 302, response.text[:3000]
    _publish(editor, module_id)
    edit = form_on(editor.get(f"/manage/modules/{module_id}/edit").text, r"/edit$")
    response = editor.post(
        edit.action, data=edit.values(action="save", title=payload("second-title"))
    )
    assert response.status_code == 302, response.text[:3000]
    _publish(editor, module_id)
    return editor, module_id


def _publish(client, module_id):
    form = form_on(client.get(f"/manage/modules/{module_id}/edit").text, r"/edit$")
    assert client.post(form.action, data=form.values(action="publish")).status_code == 302


def test_payloads_in_every_text_field_are_escaped_on_every_page(world_app, world, client_for):
    editor, module_id = _set_up(world_app, world, client_for)
    anonymous = world_app.test_client()
    v1_fields = tuple(n for n in MODULE_FIELDS if not n.startswith("materials-0-desc"))
    pages = {
        # path: (client, fields whose payload the page must show)
        f"/modules/{module_id}": (
            anonymous,
            (
                "second-title",
                "summary",
                "description",
                "prerequisites",
                "assessment",
                "participation",
                "quality_assurance",
                "learning_outcomes",
                "units-0-title",
                "units-0-description",
                "units-0-learning_outcomes",
                "units-0-assessment",
                "materials-0-title",
                "materials-0-authors",
                "city",
                "price_note",
                "institution-name",
            ),
        ),
        "/": (anonymous, ("second-title", "summary", "sn")),
        "/modules": (anonymous, ("second-title", "summary", "sn")),
        f"/institutions/{INSTITUTION_A}": (
            anonymous,
            ("institution-name", "institution-city", "institution-description_nl", "second-title"),
        ),
        f"/institutions/{INSTITUTION_A}?lang=en": (anonymous, ("institution-description_en",)),
        "/institutions": (anonymous, ("institution-name", "institution-city")),
        "/regions/brainport": (anonymous, ("institution-name", "second-title")),
        f"/modules/{module_id}/versions": (anonymous, ("second-title", "user-name")),
        f"/modules/{module_id}/versions/1": (anonymous, (*v1_fields[:8], "user-name")),
        f"/modules/{module_id}/compare?from=1&to=2": (anonymous, ("title", "second-title")),
        "/manage/": (editor, ("institution-name",)),
        f"/manage/institutions/{INSTITUTION_A}": (editor, ("institution-name", "second-title")),
        f"/manage/modules/{module_id}/edit": (
            editor,
            (*tuple(n for n in MODULE_FIELDS if n != "title"), "second-title", "city"),
        ),
        f"/manage/modules/{module_id}/preview": (editor, ("second-title", "description")),
        f"/manage/modules/{module_id}/audit": (editor, ("user-name", "second-title")),
        f"/manage/institutions/{INSTITUTION_A}/audit": (editor, ("user-name",)),
        "/account": (editor, ("user-name", "institution-name")),
        "/manage/admin/users": (client_for(ADMIN), ("user-name",)),
    }
    problems = []
    for path, (client, fields) in pages.items():
        response = client.get(path)
        if response.status_code != 200:
            problems.append(f"{path}: status {response.status_code}")
            continue
        html = response.text
        if "<script>alert(" in html:
            start = html.find("<script>alert(")
            problems.append(f"{path}: a payload is not escaped: {html[start : start + 120]!r}")
        for field in fields:
            if escaped(field) not in html:
                problems.append(f"{path}: does not show the escaped {field}")
    assert not problems, "\n".join(problems)


def test_a_payload_in_the_address_is_escaped_on_the_404_page(world_app):
    response = world_app.test_client().get("/regions/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.text


def test_a_payload_as_a_form_field_name_is_escaped_in_the_error_list(world, client_for):
    client = client_for(ADMIN)
    fields = offering_form_fields()
    fields['<script>alert("name")</script>'] = "x"
    response = post_with_csrf(
        client, f"/manage/modules/{world.modules['A-PUB']}/offerings/new", fields
    )
    assert response.status_code == 422
    assert '<script>alert("name")' not in response.text


def test_script_addresses_are_refused_as_material_links(world, client_for):
    client = client_for(ADMIN)
    fields = module_form_fields(module_content("A-JS"))
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>"):
        fields["materials-0-url"] = url
        response = post_with_csrf(
            client, f"/manage/institutions/{INSTITUTION_A}/modules/new", fields
        )
        assert response.status_code == 422, url
        assert 'id="materials-0-url-error"' in response.text
