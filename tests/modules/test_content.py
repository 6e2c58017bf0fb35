"""The canonical content form: hashing, field-by-field differences and the round trip to rows."""

from __future__ import annotations

import copy

import pytest

from catalogue.modules.content import (
    apply_content,
    content_hash,
    content_of,
    diff_content,
    unit_hash,
)
from catalogue.modules.models import Module
from tests.factories import material_content, module_content, unit_content


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


pytestmark = pytest.mark.usefixtures("app_context")


def _module_row() -> Module:
    """A module row with placeholder content, to write content into."""
    return Module(
        institution_id=1,
        code="M-1",
        title="x",
        sector="mbo",
        level="mbo-3",
        study_load_value=1,
        study_load_unit="ects",
    )


def _paths(before, after) -> list[str]:
    return [change.path for change in diff_content(before, after)]


def test_the_hash_is_sha256_hex_and_ignores_key_order():
    content = module_content("M-1")
    reordered = dict(reversed(list(content.items())))
    digest = content_hash(content)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(reordered) == digest


def test_the_hash_changes_with_any_field():
    content = module_content("M-1")
    digest = content_hash(content)
    for change in (
        {"title": "Other title"},
        {"micro_credential": True},
        {"study_load": {"value": 4.0, "unit": "ects"}},
        {"competencies": ["technology", "digitalisation"]},
        {"units": []},
    ):
        assert content_hash({**content, **change}) != digest, change
    changed_unit = copy.deepcopy(content)
    changed_unit["units"][0]["assessment"] = "Written exam."
    assert content_hash(changed_unit) != digest


def test_a_whole_number_study_load_hashes_the_same_however_it_was_typed():
    assert content_hash(
        module_content("M-1", study_load={"value": 5, "unit": "ects"})
    ) == content_hash(module_content("M-1", study_load={"value": "5.0", "unit": "ects"}))


def test_the_diff_names_exactly_the_changed_fields():
    before = module_content("M-1", units=[unit_content("U1"), unit_content("U2")])
    after = copy.deepcopy(before)
    after["title"] = "New title"
    after["units"][1]["study_load"] = {"value": 56.0, "unit": "sbu"}
    after["materials"][0]["licence"] = "cc0-10"
    assert _paths(before, after) == ["title", "units[U2].study_load", "materials[1].licence"]
    assert _paths(before, before) == []


def test_the_diff_reports_added_removed_and_reordered_units():
    one, two = unit_content("U1"), unit_content("U2")
    base = module_content("M-1", units=[one, two])
    fewer = module_content("M-1", units=[one])
    more = module_content("M-1", units=[one, two, unit_content("U3")])
    swapped = module_content("M-1", units=[two, one])
    removed = diff_content(base, fewer)
    assert [(c.path, c.kind) for c in removed] == [("units[U2]", "removed")]
    added = diff_content(base, more)
    assert [(c.path, c.kind) for c in added] == [("units[U3]", "added")]
    assert _paths(base, swapped) == ["units.order"]


def test_the_diff_reports_added_material_by_position():
    base = module_content("M-1", materials=[])
    more = module_content("M-1", materials=[material_content()])
    (change,) = diff_content(base, more)
    assert (change.path, change.kind) == ("materials[1]", "added")


def test_content_written_to_rows_reads_back_the_same():
    content = module_content(
        "M-1",
        competencies=["technology", "collaboration"],
        languages=["nld", "eng"],
        esco_uris=["http://data.europa.eu/esco/skill/abc"],
        units=[unit_content("U1"), unit_content("U2", component_type="lab")],
        materials=[
            material_content(unit_code="U2"),
            material_content(title="Video", url="https://example.org/v"),
        ],
    )
    module = _module_row()
    apply_content(module, content)
    assert content_of(module) == content
    assert content_hash(content_of(module)) == content_hash(content)


def test_tags_read_back_in_vocabulary_order_whatever_order_they_were_given():
    content = module_content("M-1", competencies=["collaboration", "technology"])
    module = _module_row()
    apply_content(module, content)
    assert content_of(module)["competencies"] == ["technology", "collaboration"]


def test_a_unit_hash_covers_only_that_unit():
    content = module_content("M-1", units=[unit_content("U1"), unit_content("U2")])
    changed = copy.deepcopy(content)
    changed["units"][1]["title"] = "Changed"
    assert unit_hash(content, "u1") == unit_hash(changed, "U1")
    assert unit_hash(content, "U2") != unit_hash(changed, "U2")
    assert unit_hash(content, "nope") is None


def test_content_read_from_rows_is_what_the_content_schema_dumps():
    from schemas.modules import ModuleContentSchema

    content = module_content(
        "M-1",
        study_load={"value": 3, "unit": "ects"},
        units=[unit_content("U1", study_load={"value": 2, "unit": "ects"})],
        materials=[material_content(unit_code="U1")],
    )
    module = _module_row()
    apply_content(module, content)
    read = content_of(module)
    dumped = ModuleContentSchema().dump(read)
    assert read == dumped
    assert list(read) == list(dumped)
    assert [list(unit) for unit in read["units"]] == [list(unit) for unit in dumped["units"]]
    assert isinstance(read["study_load"]["value"], float)


ENGLISH = {
    "en": {
        "title": "Cleanroom basics",
        "summary": "Learn to work in a cleanroom.",
        "learning_outcomes": ["Explains the ISO cleanroom classes."],
    }
}


def test_content_without_translations_has_no_translations_key_and_keeps_its_hash():
    content = module_content("M-1", translations={"en": {"title": "", "summary": "  "}})
    assert "translations" not in content
    assert "translations" not in content["units"][0]
    assert content_hash(content) == content_hash(module_content("M-1"))
    module = _module_row()
    apply_content(module, content)
    assert module.translations == {} and "translations" not in content_of(module)


def test_translations_are_written_to_rows_and_read_back_in_canonical_form():
    content = module_content(
        "M-1",
        translations=ENGLISH,
        units=[unit_content("U1", translations={"en": {"title": "Gowning up"}})],
    )
    module = _module_row()
    apply_content(module, content)
    assert module.translations == ENGLISH
    assert module.units[0].translations == {"en": {"title": "Gowning up"}}
    read = content_of(module)
    assert read == content and content_hash(read) == content_hash(content)
    assert list(read)[-1] == "translations"
    from schemas.modules import ModuleContentSchema

    assert ModuleContentSchema().dump(read) == read


def test_a_translation_changes_the_hash_and_the_diff_names_the_translated_field():
    plain = module_content("M-1", units=[unit_content("U1")])
    translated = module_content(
        "M-1",
        translations=ENGLISH,
        units=[unit_content("U1", translations={"en": {"title": "Gowning up"}})],
    )
    assert content_hash(plain) != content_hash(translated)
    assert unit_hash(plain, "U1") != unit_hash(translated, "U1")
    assert _paths(plain, translated) == [
        "translations.en.title",
        "translations.en.summary",
        "translations.en.learning_outcomes",
        "units[U1].translations.en.title",
    ]
