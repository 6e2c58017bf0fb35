"""Both languages are searched: a module's translation is indexed in the fields of its own
language, so a word only the English text holds finds the module; the result shows the
translated title, and index and database agree."""

from __future__ import annotations

import pytest

from catalogue.accounts.permissions import SYSTEM
from catalogue.cli import main
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module
from tests.factories import module_content as content_for
from tests.factories import unit_content
from tests.search.conftest import app_session, build_index, found_ids, search

ENGLISH = {
    "en": {
        "title": "Cleanroom gowning for newcomers",
        "summary": "Putting on a bunny suit.",
        "description": "Explains laminar airflow.",
        "learning_outcomes": ["Recognises particulate contamination."],
    }
}


def _retranslate(
    app, module_id: int, translations: dict, unit_title: str | None = None, **overrides
):
    """Give a published module other translations, publish, and apply the change to the index."""
    with app_session(app) as session:
        module = session.get(Module, module_id)
        content = working_content(module)
        units = [unit_content(f"{module.code}-U1")]
        if unit_title:
            units[0]["translations"] = {"en": {"title": unit_title}}
        changed = content_for(module.code, translations=translations, units=units, **overrides)
        assert changed != content
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module_id, content=changed, base_version=None
        )
        editing.publish_module(session=session, actor=SYSTEM, module_id=module_id)
    assert app.test_cli_runner().invoke(main, ["search", "drain"]).exit_code == 0


@pytest.mark.parametrize(
    "word",
    ["gowning", "bunny", "laminar", "particulate", "newcomers", "degowning"],
)
def test_a_word_only_the_english_text_holds_finds_the_module(world_app, world, word):
    build_index(world_app)
    module_id = world.modules["A-PUB"]
    assert module_id not in found_ids(world_app, word)

    _retranslate(world_app, module_id, ENGLISH, unit_title="Degowning and leaving")

    assert module_id in found_ids(world_app, word)


def test_the_original_stays_searchable_and_a_removed_translation_is_no_longer_found(
    world_app, world
):
    build_index(world_app)
    module_id = world.modules["A-PUB"]
    _retranslate(world_app, module_id, ENGLISH)
    assert module_id in found_ids(world_app, "cleanroom")
    assert module_id in found_ids(world_app, "laminar")

    _retranslate(world_app, module_id, {"en": {"title": "Other title"}})

    assert module_id not in found_ids(world_app, "laminar")
    assert module_id in found_ids(world_app, "cleanroom")


def test_the_result_carries_the_translated_title_and_the_texts_language(world_app, world):
    build_index(world_app)
    module_id = world.modules["A-PUB"]
    _retranslate(world_app, module_id, ENGLISH)

    (hit,) = [h for h in search(world_app, "laminar").hits if h.module_id == module_id]

    assert hit.display["title"] == "Module A-PUB"
    assert hit.display["text_lang"] == "nl"
    assert hit.display["translations"] == {
        "en": {"title": "Cleanroom gowning for newcomers", "summary": "Putting on a bunny suit."}
    }


def test_the_results_page_shows_the_title_in_the_page_language(world_app, world):
    build_index(world_app)
    module_id = world.modules["A-PUB"]
    _retranslate(world_app, module_id, ENGLISH)
    client = world_app.test_client()

    english = client.get("/search?q=laminar&lang=en").text
    dutch = client.get("/search?q=laminar&lang=nl").text
    untranslated = client.get("/search?q=A-DRAFT+OR+cleanroom&lang=en").text

    assert ">Cleanroom gowning for newcomers</a>" in english
    assert "Putting on a bunny suit." in english
    assert ">Module A-PUB</a>" in dutch and "Cleanroom gowning" not in dutch
    assert 'lang="nl">Module A-CHANGED</a>' in untranslated
    assert "Only available in Dutch" in untranslated


def test_index_and_database_agree_after_a_translation(world_app, world):
    build_index(world_app)
    _retranslate(world_app, world.modules["A-PUB"], ENGLISH, unit_title="Degowning")
    result = world_app.test_cli_runner().invoke(main, ["search", "check"])
    assert result.exit_code == 0, result.output


DUTCH = {
    "summary": "Werken in een cleanroom voor nieuwe collega's van de fabriek.",
    "description": "Waarom er stofvrije ruimtes zijn en hoe je je daarin gedraagt.",
    "learning_outcomes": ["Kleedt zich om volgens de regels van de ruimte."],
}


def test_a_word_in_both_languages_counts_once(world_app, world):
    build_index(world_app)
    a, b = world.modules["A-PUB"], world.modules["B-PUB"]
    for module_id in (a, b):
        _retranslate(world_app, module_id, {}, **DUTCH)
    # A-PUB and B-PUB hold the same Dutch texts. A-PUB gets an English summary with the same
    # word, B-PUB an English title without it, published last: with equal scores the newer
    # comes first, so A-PUB stays below unless its word counted twice.
    _retranslate(world_app, a, {"en": {"summary": "Working in a cleanroom."}}, **DUTCH)
    _retranslate(world_app, b, {"en": {"title": "Working clean"}}, **DUTCH)
    assert [i for i in found_ids(world_app, "cleanroom") if i in (a, b)] == [b, a]
