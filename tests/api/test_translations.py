"""Translations through the API: sent, stored and returned on module and units, refused with the
field's path when wrong, and searched: a word only the English text holds finds the module."""

from __future__ import annotations

import pytest

from tests.api.conftest import (
    API,
    assert_error,
    content_payload,
    create_and_publish,
    module_payload,
    stored_rows,
)
from tests.factories import EDITOR_A

ENGLISH = {
    "en": {
        "title": "Vacuum technology in practice",
        "summary": "Pumps, leak detection and pressure measurement for technicians.",
        "description": "Works with turbomolecular pumps.",
        "learning_outcomes": ["Finds a leak with a helium leak detector."],
    }
}


def _translated_payload(code: str, **overrides) -> dict:
    body = module_payload(code, translations=ENGLISH, **overrides)
    body["units"][0]["translations"] = {"en": {"title": "Pumps, leaks and measuring"}}
    return body


def test_translations_are_created_read_and_replaced(api_client_for):
    editor = api_client_for(EDITOR_A)

    created = editor.post(f"{API}/modules", json=_translated_payload("TR-1"))

    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["translations"] == ENGLISH
    assert body["units"][0]["translations"] == {"en": {"title": "Pumps, leaks and measuring"}}
    draft = editor.get(f"{API}/modules/{body['id']}/draft").get_json()
    assert draft["translations"] == ENGLISH

    changed = content_payload("TR-1", translations={"en": {"title": "Vacuum, second edition"}})
    replaced = editor.put(
        f"{API}/modules/{body['id']}", json=changed, headers={"If-Match": created.headers["ETag"]}
    )

    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["translations"] == {"en": {"title": "Vacuum, second edition"}}
    assert "translations" not in replaced.get_json()["units"][0]
    cleared = editor.put(
        f"{API}/modules/{body['id']}",
        json=content_payload("TR-1", translations={"en": {"title": ""}}),
        headers={"If-Match": replaced.headers["ETag"]},
    )
    assert "translations" not in cleared.get_json()


def test_a_published_translation_is_in_the_version_and_the_comparison(
    api_client_for, anonymous_client
):
    editor = api_client_for(EDITOR_A)
    module, first = create_and_publish(editor, "TR-2")
    changed = editor.put(
        f"{API}/modules/{module}",
        json=content_payload("TR-2", translations={"en": {"title": "Vacuum"}}),
        headers={"If-Match": first.headers["ETag"]},
    )
    editor.post(f"{API}/modules/{module}/publish", headers={"If-Match": changed.headers["ETag"]})

    version = anonymous_client.get(f"{API}/modules/{module}/versions/2").get_json()
    assert version["content"]["translations"] == {"en": {"title": "Vacuum"}}
    assert (
        "translations"
        not in anonymous_client.get(f"{API}/modules/{module}/versions/1").get_json()["content"]
    )
    changes = anonymous_client.get(f"{API}/modules/{module}/compare?from=1&to=2").get_json()
    assert changes == [{"field": "translations.en.title", "before": None, "after": "Vacuum"}]


@pytest.mark.parametrize(
    ("translations", "unit_translations", "fields"),
    [
        ({"de": {"title": "Vakuumtechnik"}}, None, {"translations.de"}),
        ({"": {"title": "No language"}}, None, {"translations."}),
        ({"en": {"title": "T" * 201}}, None, {"translations.en.title"}),
        ({"en": {"title": "ab"}}, None, {"translations.en.title"}),
        ({"en": {"colour": "red"}}, None, {"translations.en.colour"}),
        ({"en": {"title": 12}}, None, {"translations.en.title"}),
        (
            {"en": {"learning_outcomes": ["Same.", "Same."]}},
            None,
            {"translations.en.learning_outcomes"},
        ),
        ({"nl": {"title": "Al Nederlands"}}, None, {"translations.nl"}),
        ("English", None, {"translations._schema"}),
        (None, {"fr": {"title": "Pompes"}}, {"units[0].translations.fr"}),
        (None, {"en": {"title": "Two\nlines"}}, {"units[0].translations.en.title"}),
    ],
)
def test_bad_translations_get_422_naming_the_field_and_write_nothing(
    world_app, api_client_for, translations, unit_translations, fields
):
    editor = api_client_for(EDITOR_A)
    assert editor.get(f"{API}/me").status_code == 200
    body = module_payload("TR-BAD")
    if translations is not None:
        body["translations"] = translations
    if unit_translations is not None:
        body["units"][0]["translations"] = unit_translations
    before = stored_rows(world_app)

    error = assert_error(editor.post(f"{API}/modules", json=body), 422)

    assert set(error["fields"]) == fields, error
    assert all(error["fields"][name] for name in fields)
    after = stored_rows(world_app)
    assert {t: rows for t, rows in after.items() if t != "api_token"} == {
        t: rows for t, rows in before.items() if t != "api_token"
    }


def test_an_unknown_language_is_explained(api_client_for):
    editor = api_client_for(EDITOR_A)
    body = module_payload("TR-DE", translations={"de": {"title": "Vakuumtechnik"}})
    error = assert_error(editor.post(f"{API}/modules", json=body), 422)
    assert error["fields"]["translations.de"] == [
        "Translations can be given in Dutch (nl) or English (en) only."
    ]


def test_script_tags_in_a_translation_are_kept_as_text(api_client_for):
    editor = api_client_for(EDITOR_A)
    script = "<script>alert(1)</script> Vacuum"
    body = module_payload("TR-JS", translations={"en": {"title": script}})
    created = editor.post(f"{API}/modules", json=body)
    assert created.status_code == 201
    assert created.get_json()["translations"]["en"]["title"] == script


def test_a_word_only_the_english_translation_holds_finds_the_module(
    world_app, api_client_for, anonymous_client
):
    editor = api_client_for(EDITOR_A)
    body = _translated_payload("TR-SEARCH")
    body["translations"]["en"]["description"] = "Covers turbomolecular pumps and cryopumps."
    created = editor.post(f"{API}/modules", json=body)
    module = created.get_json()["id"]
    before = anonymous_client.get(f"{API}/search?q=cryopumps").get_json()
    assert module not in [item["id"] for item in before["items"]]

    editor.post(f"{API}/modules/{module}/publish", headers={"If-Match": created.headers["ETag"]})

    for word in ("cryopumps", "Pumps leaks measuring"):
        found = anonymous_client.get(f"{API}/search?q={word}").get_json()
        assert module in [item["id"] for item in found["items"]], word
    item = next(i for i in found["items"] if i["id"] == module)
    assert item["title"] == "Vacuümtechniek in de praktijk TR-SEARCH"
    assert item["translations"]["en"]["title"] == "Vacuum technology in practice"
