"""A module's translation in OEAPI: served as a second language in its LanguageTypedStrings, and
read back from a course that gives its texts in Dutch and English."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.institutions.models import Institution
from catalogue.oeapi.mapping.from_oeapi import Defaults, module_content
from schemas.modules import ModuleContentSchema
from tests.factories import INSTITUTION_A, app_session, create_module, unit_content
from tests.factories import module_content as content_for
from tests.oeapi.conftest import assert_valid, get_json


def _publish_translated(app) -> tuple[str, str]:
    content = content_for(
        "A-TR",
        title="Cleanroomgedrag",
        description="Waarom cleanrooms bestaan.",
        translations={"en": {"title": "Cleanroom behaviour", "summary": "Work clean."}},
        units=[unit_content("TR-1", title="Omkleden", translations={"en": {"title": "Gowning"}})],
    )
    with app_session(app) as session:
        a = session.scalar(select(Institution.id).where(Institution.code == INSTITUTION_A))
        module = create_module(session, a, content, status="published")
        return module.uuid, module.units[0].uuid


def test_a_translated_module_is_served_in_both_languages(world_app):
    client = world_app.test_client()
    course_id, component_id = _publish_translated(world_app)

    course = get_json(client, f"/oeapi/courses/{course_id}")
    component = get_json(client, f"/oeapi/learning-components/{component_id}")

    assert_valid(course, "Course", course_id)
    assert_valid(component, "LearningComponent", component_id)
    assert course["name"] == [
        {"language": "nl-NL", "value": "Cleanroomgedrag"},
        {"language": "en-GB", "value": "Cleanroom behaviour"},
    ]
    # Without a translated description the translated summary stands in, as the original's does.
    assert course["description"] == [
        {"language": "nl-NL", "value": "Waarom cleanrooms bestaan."},
        {"language": "en-GB", "value": "Work clean."},
    ]
    assert course["consumer"]["translations"] == {
        "en": {"title": "Cleanroom behaviour", "summary": "Work clean."}
    }
    assert component["name"] == [
        {"language": "nl-NL", "value": "Omkleden"},
        {"language": "en-GB", "value": "Gowning"},
    ]


def test_an_untranslated_module_is_served_in_its_own_language_only(world, world_app):
    client = world_app.test_client()
    with app_session(world_app) as session:
        from catalogue.modules.models import Module

        course_id = session.get(Module, world.modules["A-PUB"]).uuid
    course = get_json(client, f"/oeapi/courses/{course_id}")
    assert [n["language"] for n in course["name"]] == ["nl-NL"]
    assert "translations" not in course["consumer"]


def _foreign_course(languages: list[str]) -> dict:
    """A course of another endpoint (no consumer of ours), its texts in Dutch and English."""
    return {
        "courseId": "0f6f6d8e-1b0e-4b7e-9d59-3f0f0b0c0a01",
        "primaryCode": {"codeType": "identifier", "code": "FOREIGN-1"},
        "name": [
            {"language": "nl-NL", "value": "Vacuümtechniek"},
            {"language": "en-GB", "value": "Vacuum technology"},
        ],
        "description": [
            {"language": "en-GB", "value": "Pumps and leaks."},
            {"language": "nl-NL", "value": "Pompen en lekken."},
        ],
        "studyLoad": [{"studyLoadUnit": "ects", "value": 3}],
        "teachingLanguages": languages,
        "level": "secondary_vocational_education_4",
        "modesOfDelivery": ["presential"],
    }


def _component() -> dict:
    return {
        "componentId": "0f6f6d8e-1b0e-4b7e-9d59-3f0f0b0c0a02",
        "primaryCode": {"codeType": "component_code", "code": "F-1"},
        "componentType": "lecture",
        "name": [
            {"language": "nl-NL", "value": "Examen"},
            {"language": "en-GB", "value": "Exam"},
        ],
    }


def test_a_course_in_dutch_and_english_is_harvested_with_its_translation(app):
    with app.app_context():
        raw = module_content(_foreign_course(["nld"]), [_component()], Defaults("mbo-college"))
        content = ModuleContentSchema().load(raw)
    assert (content["title"], content["description"]) == ("Vacuümtechniek", "Pompen en lekken.")
    assert content["translations"] == {
        "en": {"title": "Vacuum technology", "description": "Pumps and leaks."}
    }
    assert content["units"][0]["title"] == "Examen"
    assert content["units"][0]["translations"] == {"en": {"title": "Exam"}}


def test_an_english_course_keeps_english_as_its_own_and_dutch_as_translation(app):
    with app.app_context():
        raw = module_content(_foreign_course(["eng"]), [_component()], Defaults("mbo-college"))
        content = ModuleContentSchema().load(raw)
    assert content["title"] == "Vacuum technology"
    assert content["translations"] == {
        "nl": {"title": "Vacuümtechniek", "description": "Pompen en lekken."}
    }
    assert content["units"][0]["translations"] == {"nl": {"title": "Examen"}}


def test_a_course_in_one_language_gets_no_translation(app):
    course = _foreign_course(["nld"])
    course["name"] = course["name"][:1]
    course["description"] = course["description"][1:]
    with app.app_context():
        raw = module_content(course, [], Defaults("mbo-college"))
        content = ModuleContentSchema().load(raw)
    assert "translations" not in content
