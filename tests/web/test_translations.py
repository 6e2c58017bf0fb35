"""A module's texts in a second language: edited in a folded section of the editor form, shown
on the public pages in the page's language (with a note where only the original exists), and
named readably on version pages and diffs in both page languages."""

from __future__ import annotations

import re
from html import unescape

import pytest

from catalogue.modules.models import Module
from tests.factories import EDITOR_A, app_session, form_on, load_module


def _main_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<code[^>]*>.*?</code>", " ", main, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


TRANSLATION = {
    "tr_en_title": "Cleanroom work in practice",
    "tr_en_summary": "Learn to work in a cleanroom without contaminating it.",
    "tr_en_description": "Why cleanrooms exist.",
    "tr_en_learning_outcomes": "Names the ISO classes.\nPuts on a cleanroom suit.",
    "units-0-tr_en_title": "Gowning up",
}


def _submit(client, module_id: int, changes: dict, action: str = "publish"):
    form = form_on(client.get(f"/manage/modules/{module_id}/edit").text, r"/edit$")
    values = form.values(action=action)
    values.update(changes)
    return client.post(form.action, data=values)


@pytest.fixture
def translated(world, client_for):
    """A-DRAFT published once in Dutch only, then with an English translation."""
    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    assert _submit(client, module_id, {}).status_code == 302
    assert _submit(client, module_id, TRANSLATION).status_code == 302
    return client, module_id


def test_the_editor_offers_the_other_language_folded_and_stores_what_is_typed(
    world_app, translated
):
    client, module_id = translated
    html = client.get(f"/manage/modules/{module_id}/edit").text
    assert '<details class="translation" id="translation-en" open>' in html
    assert "Vertaling (Engels)" in html or "Translation (English)" in html
    assert 'id="translation-nl"' not in html
    module = load_module(world_app, module_id)
    assert module.translations == {
        "en": {
            "title": "Cleanroom work in practice",
            "summary": "Learn to work in a cleanroom without contaminating it.",
            "description": "Why cleanrooms exist.",
            "learning_outcomes": ["Names the ISO classes.", "Puts on a cleanroom suit."],
        }
    }
    assert module.units[0].translations == {"en": {"title": "Gowning up"}}


def test_an_untranslated_module_shows_the_section_closed(world, client_for):
    client = client_for(EDITOR_A)
    html = client.get(f"/manage/modules/{world.modules['A-PUB']}/edit").text
    assert '<details class="translation" id="translation-en">' in html


def test_a_bad_translation_is_refused_with_the_field_named_and_the_text_kept(
    world_app, world, client_for
):
    client = client_for(EDITOR_A)
    client.set_cookie("catalogue_lang", "en")
    module_id = world.modules["A-DRAFT"]
    response = _submit(client, module_id, {"tr_en_title": "T" * 201, "units-0-tr_en_title": "x"})
    assert response.status_code == 422
    html = response.text
    assert '<a href="#tr_en_title">Title (English)</a>: Must be between 0 and 200' in html
    assert (
        '<a href="#units-0-tr_en_title">Learning unit 1: Title (English)</a>: Must be at least'
        in html
    )
    assert 'value="' + "T" * 201 + '"' in response.text
    assert load_module(world_app, module_id).translations == {}


def test_a_translation_in_the_modules_own_language_is_named(world_app, world, client_for):
    client = client_for(EDITOR_A)
    client.set_cookie("catalogue_lang", "en")
    module_id = world.modules["A-DRAFT"]
    # The person switches the module to English but keeps the English translation typed.
    changes = {**TRANSLATION, "languages": ["eng"]}
    response = _submit(client, module_id, changes, action="save")
    assert response.status_code == 422
    assert "Title (English)" in _main_text(response.text)
    assert "give another language" in response.text


@pytest.mark.parametrize(
    ("lang", "title", "unit", "note"),
    [
        ("en", "Cleanroom work in practice", "Gowning up", None),
        ("nl", "Module A-DRAFT", "Unit A-DRAFT-U1", None),
    ],
)
def test_the_public_page_shows_the_texts_in_the_page_language(
    translated, anonymous_client, lang, title, unit, note
):
    _client, module_id = translated
    anonymous_client.set_cookie("catalogue_lang", lang)
    html = anonymous_client.get(f"/modules/{module_id}").text
    assert f"<h1>{title}</h1>" in html
    assert f"<span>{unit}</span>" in html
    assert "translation-note" not in html
    if lang == "en":
        assert "Puts on a cleanroom suit." in html
        # Fields left untranslated are shown in the original, marked as Dutch.
        assert '<dd lang="nl">' not in html


def test_an_untranslated_module_says_so_on_the_english_page_and_marks_the_original(
    world, anonymous_client
):
    module_id = world.modules["A-PUB"]
    anonymous_client.set_cookie("catalogue_lang", "en")
    html = anonymous_client.get(f"/modules/{module_id}").text
    assert '<h1 lang="nl">Module A-PUB</h1>' in html
    assert "Only available in Dutch" in html
    assert '<p class="lead" lang="nl">' in html
    anonymous_client.set_cookie("catalogue_lang", "nl")
    html = anonymous_client.get(f"/modules/{module_id}").text
    assert "<h1>Module A-PUB</h1>" in html and "translation-note" not in html


def test_an_english_module_says_so_on_the_dutch_page(world, client_for, anonymous_client):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    assert _submit(client, module_id, {"languages": ["eng"]}).status_code == 302
    anonymous_client.set_cookie("catalogue_lang", "nl")
    html = anonymous_client.get(f"/modules/{module_id}").text
    assert "Alleen beschikbaar in het Engels" in html
    assert '<h1 lang="en">' in html


def test_script_in_a_translation_is_stored_as_text_and_shown_escaped(
    world_app, world, client_for, anonymous_client
):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    script = "<script>alert('x')</script> Cleanroom"
    assert _submit(client, module_id, {"tr_en_title": script}).status_code == 302
    with app_session(world_app) as session:
        assert session.get(Module, module_id).translations["en"]["title"] == script
    anonymous_client.set_cookie("catalogue_lang", "en")
    html = anonymous_client.get(f"/modules/{module_id}").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Cleanroom" in html


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ("Title (English)", "Learning outcomes (English)", "Learning unit", "(English)")),
        ("nl", ("Titel (Engels)", "Leeruitkomsten (Engels)", "Leereenheid", "(Engels)")),
    ],
)
def test_version_page_and_diff_name_translated_fields_readably(translated, lang, labels):
    client, module_id = translated
    client.set_cookie("catalogue_lang", lang)
    version = _main_text(client.get(f"/modules/{module_id}/versions/2").text)
    compare = _main_text(client.get(f"/modules/{module_id}/compare?from=1&to=2").text)
    assert f"{labels[2]} A-DRAFT-U1: {labels[0]}" in compare
    for text in (version, compare):
        for label in (labels[0], labels[1], labels[3]):
            assert label in text, (label, text)
        assert "Cleanroom work in practice" in text
        assert "Gowning up" in text
        for code in ("translations", "tr_en", "'en'", "{", "["):
            assert code not in text, (code, text)
    assert "Names the ISO classes.; Puts on a cleanroom suit." in compare


def test_module_cards_and_the_shortlist_comparison_show_the_title_in_the_page_language(
    world, translated, anonymous_client
):
    _client, _module_id = translated
    institution = "test-instituut-a"
    english = anonymous_client.get(f"/institutions/{institution}?lang=en").text
    dutch = anonymous_client.get(f"/institutions/{institution}?lang=nl").text
    assert ">Cleanroom work in practice</a>" in english
    assert '<p lang="nl">' not in english.split(">Cleanroom work in practice</a>", 1)[1][:300]
    assert ">Module A-DRAFT</a>" in dutch and "Cleanroom work in practice" not in dutch
    assert 'lang="nl">Module A-PUB</a>' in english

    run = world.offerings["A-PUB"]
    anonymous_client.get("/")
    compare = anonymous_client.get("/shortlist/compare", query_string={"run": [run], "lang": "en"})
    assert 'lang="nl">Module A-PUB</a>' in compare.text


def test_a_saved_translation_shows_in_the_preview_before_it_is_published(
    world, client_for, anonymous_client
):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-PUB"]
    assert _submit(client, module_id, TRANSLATION, action="save").status_code == 302
    client.set_cookie("catalogue_lang", "en")
    preview = client.get(f"/manage/modules/{module_id}/preview").text
    assert "<h1>Cleanroom work in practice</h1>" in preview
    anonymous_client.set_cookie("catalogue_lang", "en")
    public = anonymous_client.get(f"/modules/{module_id}").text
    assert '<h1 lang="nl">Module A-PUB</h1>' in public
    audit = _main_text(client.get(f"/manage/modules/{module_id}/audit").text)
    assert "Title (English)" in audit and "translations.en" not in audit
