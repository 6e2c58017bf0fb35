"""/oeapi/ serves the published catalogue as OEAPI v6: every object valid against the standard's
schema, exactly the published modules, nothing of a draft, and the protocol's paging, versions
and errors."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from catalogue.accounts.permissions import SYSTEM
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.models import Module
from tests.factories import INSTITUTION_A, app_session, module_content, offering_data
from tests.oeapi.conftest import EXAMPLES, VERSIONED, assert_valid, get_json, schema_errors, walk

ALL_RUNS = "since=2000-01-01"
# The lists under a course: (path, path of one item, its id field, its OEAPI definition).
PARTS = [
    (f"course-offerings?{ALL_RUNS}", "course-offerings", "courseOfferingId", "CourseOffering"),
    ("learning-components", "learning-components", "componentId", "LearningComponent"),
]


def test_the_schema_accepts_the_standards_examples_and_refuses_a_broken_course():
    for name, definition in [
        ("course.json", "Course"),
        ("organisation.json", "Organisation"),
        ("service.json", "Service"),
        ("courses-page.json", "CourseCollection"),
    ]:
        example = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
        if name == "course.json":
            example["primaryCode"]["codeType"] = "identifier"
        assert schema_errors(example, definition) == [], name
    course = json.loads((EXAMPLES / "course.json").read_text(encoding="utf-8"))
    del course["name"]
    course["level"] = "bachelors"
    errors = schema_errors(course, "Course")
    assert any("'name' is a required property" in e for e in errors)
    assert any(e.startswith("level") for e in errors)


def test_every_object_the_catalogue_serves_is_valid_oeapi_v6(world_app):
    client = world_app.test_client()
    assert_valid(get_json(client, "/oeapi/"), "Service", "/oeapi/")
    courses = walk(client, "/oeapi/courses", "CourseCollection")
    assert courses
    for course in courses:
        course_id = course["courseId"]
        one = get_json(client, f"/oeapi/courses/{course_id}")
        assert_valid(one, "Course", course_id)
        assert one == course
        expanded = get_json(client, f"/oeapi/courses/{course_id}?expand=organisation")
        assert_valid(expanded, "CourseExpanded", course_id)
        assert expanded["organisation"]["organisationId"] == course["organisationId"]
        for listing, single_path, id_field, definition in PARTS:
            url = f"/oeapi/courses/{course_id}/{listing}"
            for part in walk(client, url, f"{definition}Collection", page_size=10):
                single = get_json(client, f"/oeapi/{single_path}/{part[id_field]}")
                assert_valid(single, definition, part[id_field])
                assert single == part and single["courseId"] == course_id
    organisations = walk(client, "/oeapi/organisations", "OrganisationCollection", page_size=10)
    assert [o["organisationType"] for o in organisations].count("root") == 1
    for organisation in organisations:
        single = get_json(client, f"/oeapi/organisations/{organisation['organisationId']}")
        assert_valid(single, "Organisation", organisation["organisationId"])
        assert single == organisation


def test_courses_are_exactly_the_published_modules_per_organisation(world_app):
    client = world_app.test_client()
    with app_session(world_app) as session:
        published = dict(
            session.execute(
                select(Institution.code, func.count(Module.id))
                .join(Module, Module.institution_id == Institution.id)
                .where(Module.status == "published")
                .group_by(Institution.code)
            ).all()
        )
        total = sum(published.values())
    courses = walk(client, "/oeapi/courses", "CourseCollection", page_size=250)
    assert len(courses) == total
    assert len({c["courseId"] for c in courses}) == total
    first = get_json(client, "/oeapi/courses")
    assert first["pageSize"] == 10 and first["totalPages"] == -(-total // 10)
    organisations = walk(client, "/oeapi/organisations", "OrganisationCollection", page_size=100)
    counted = 0
    for organisation in organisations:
        code = organisation["primaryCode"]["code"]
        url = f"/oeapi/organisations/{organisation['organisationId']}/courses"
        own = walk(client, url, "CourseCollection", page_size=100)
        if organisation["organisationType"] == "root":
            assert len(own) == total
            continue
        assert len(own) == published.get(code, 0), code
        assert {c["organisationId"] for c in own} <= {organisation["organisationId"]}
        counted += len(own)
    assert counted == total


def _hidden(world_app) -> dict[str, dict]:
    """The draft, the archived module and the unpublished edit of institution A, with ids."""
    with app_session(world_app) as session:
        found = {}
        for code in ("A-DRAFT", "A-ARCH"):
            module = session.scalar(select(Module).where(Module.code == code))
            found[code] = {
                "uuid": module.uuid,
                "title": module.title,
                "units": [u.uuid for u in module.units],
            }
        return found


def test_no_draft_or_archived_module_is_reachable_by_any_path_or_filter(world_app):
    client = world_app.test_client()
    hidden = _hidden(world_app)
    with app_session(world_app) as session:
        draft = session.scalar(select(Module).where(Module.code == "A-DRAFT"))
        # A draft may have runs; they must stay hidden with it.
        run = editing.create_offering(
            session=session,
            actor=SYSTEM,
            module_id=draft.id,
            data=offering_data("2099-01", start_date="2099-01-05", end_date="2099-02-05",
                               enrol_from=None, enrol_until=None),
        )  # fmt: skip
        run_uuid = run.uuid
        institution = session.scalar(select(Institution).where(Institution.code == INSTITUTION_A))
        organisation_id = institution.uuid
    for code, facts in hidden.items():
        course_id = facts["uuid"]
        for url in (
            f"/oeapi/courses/{course_id}",
            f"/oeapi/courses/{course_id}?expand=organisation",
            f"/oeapi/courses/{course_id}/course-offerings?{ALL_RUNS}",
            f"/oeapi/courses/{course_id}/learning-components",
            *(f"/oeapi/learning-components/{unit}" for unit in facts["units"]),
        ):
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.mimetype == "application/problem+json"
        for query in (
            f"primaryCode={code}",
            f"q={facts['title']}",
            "level=secondary_vocational_education_3",
        ):
            for base in ("/oeapi/courses", f"/oeapi/organisations/{organisation_id}/courses"):
                items = walk(client, f"{base}?{query}", "CourseCollection", page_size=250)
                assert course_id not in {c["courseId"] for c in items}, (base, query)
    assert client.get(f"/oeapi/course-offerings/{run_uuid}").status_code == 404
    # The published module with unpublished edits shows its published title, not the draft's.
    changed = get_json(client, "/oeapi/courses?primaryCode=A-CHANGED")["items"]
    assert [c["name"][0]["value"] for c in changed] == ["Module A-CHANGED"]


def test_version_paging_and_unknown_ids_are_answered_as_problems(world_app):
    client = world_app.test_client()
    wrong_version = client.get(
        "/oeapi/courses", headers={"Accept": "application/vnd.oeapi+json;version=7.0"}
    )
    assert wrong_version.status_code == 406
    assert wrong_version.mimetype == "application/problem+json"
    assert wrong_version.get_json(force=True)["supportedVersions"] == ["6.0"]
    assert wrong_version.get_json(force=True)["requestedVersion"] == "7.0"
    right = client.get("/oeapi/courses", headers={"Accept": VERSIONED})
    assert right.status_code == 200
    assert right.headers["Content-Type"] == "application/vnd.oeapi+json; version=6.0"
    minor = client.get("/oeapi/", headers={"Accept": "application/vnd.oeapi+json;version=6.1"})
    assert minor.headers["Content-Type"] == "application/vnd.oeapi+json; version=6.0"
    assert client.get("/oeapi/courses").mimetype == "application/json"
    for url, status in [
        ("/oeapi/courses?pageSize=7", 400),
        ("/oeapi/courses?pageSize=ten", 400),
        ("/oeapi/courses?pageNumber=0", 400),
        ("/oeapi/courses?level=bachelors", 400),
        ("/oeapi/courses?expand=organisation", 200),
        (f"/oeapi/courses/{uuid.uuid4()}?expand=everything", 400),
        (f"/oeapi/courses/{uuid.uuid4()}", 404),
        ("/oeapi/courses/not-a-uuid", 404),
        (f"/oeapi/course-offerings/{uuid.uuid4()}", 404),
        (f"/oeapi/learning-components/{uuid.uuid4()}", 404),
        (f"/oeapi/organisations/{uuid.uuid4()}", 404),
        (f"/oeapi/organisations/{uuid.uuid4()}/courses", 404),
        ("/oeapi/no-such-thing", 404),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        if status != 200:
            assert response.mimetype == "application/problem+json", url
            body = response.get_json(force=True)
            assert body["status"] == status and body["title"] and body["type"], url
    not_allowed = client.post("/oeapi/courses")
    assert not_allowed.status_code == 405 and not_allowed.mimetype == "application/problem+json"
    assert "GET" in not_allowed.headers["Allow"]
    pages = get_json(client, "/oeapi/courses?pageNumber=999")
    assert pages["items"] == [] and pages["hasPreviousPage"] and not pages["hasNextPage"]


def test_filters_narrow_the_courses_as_named(world_app):
    client = world_app.test_client()
    everything = walk(client, "/oeapi/courses", "CourseCollection", page_size=250)
    by_level = walk(client, "/oeapi/courses?level=master", "CourseCollection", page_size=250)
    assert by_level and {c["level"] for c in by_level} == {"master"}
    assert len(by_level) == sum(c["level"] == "master" for c in everything)
    english = walk(client, "/oeapi/courses?teachingLanguage=eng", "CourseCollection", page_size=250)
    assert english and all("eng" in c["teachingLanguages"] for c in english)
    assert (
        walk(client, "/oeapi/courses?teachingLanguage=en-GB", "CourseCollection", page_size=250)
        == english
    )
    online = walk(client, "/oeapi/courses?modeOfDelivery=online", "CourseCollection", page_size=250)
    assert online and all("online" in c["modesOfDelivery"] for c in online)
    one = everything[5]
    code = one["primaryCode"]["code"]
    assert [
        c["courseId"]
        for c in get_json(client, f"/oeapi/courses?primaryCode={code.lower()}")["items"]
    ] == [one["courseId"]]
    word = one["name"][0]["value"].split()[0].upper()
    found = walk(client, f"/oeapi/courses?q={word}", "CourseCollection", page_size=250)
    assert one["courseId"] in {c["courseId"] for c in found}
    assert get_json(client, "/oeapi/courses?q=%25_")["items"] == []


def test_runs_default_to_those_not_ended_and_honour_since_and_until(world_app):
    today = date.today()
    with app_session(world_app) as session:
        module = session.scalar(select(Module).where(Module.code == "A-PUB"))
        course_id = module.uuid
        for code, start, end in [("PAST", -40, -1), ("NOW", -5, 5), ("NEXT", 30, 60)]:
            editing.create_offering(
                session=session, actor=SYSTEM, module_id=module.id,
                data=offering_data(code, start_date=str(today + timedelta(start)),
                                   end_date=str(today + timedelta(end)),
                                   enrol_from=None, enrol_until=None),
            )  # fmt: skip
    client = world_app.test_client()

    def codes(query: str = "") -> list[str]:
        url = f"/oeapi/courses/{course_id}/course-offerings{query}"
        return [o["primaryCode"]["code"] for o in walk(client, url, "CourseOfferingCollection")]

    assert codes() == ["NOW", "NEXT"]
    assert codes(f"?since={today - timedelta(days=1)}") == ["PAST", "NOW", "NEXT"]
    assert codes(f"?since={today + timedelta(days=6)}") == ["NEXT"]
    assert codes(f"?until={today}") == ["NOW"]
    assert (
        client.get(f"/oeapi/courses/{course_id}/course-offerings?since=tomorrow").status_code == 400
    )


def test_uuids_stay_when_a_module_is_edited_and_published_again(world_app):
    with app_session(world_app) as session:
        module = session.scalar(select(Module).where(Module.code == "A-PUB"))
        before = (module.uuid, [u.uuid for u in module.units], module.institution.uuid)
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module.id,
            content=module_content("A-PUB", title="Module A-PUB, revised"), base_version=None,
        )  # fmt: skip
        editing.publish_module(session=session, actor=SYSTEM, module_id=module.id)
    client = world_app.test_client()
    course = get_json(client, f"/oeapi/courses/{before[0]}")
    assert course["name"][0]["value"] == "Module A-PUB, revised"
    units = walk(
        client, f"/oeapi/courses/{before[0]}/learning-components", "LearningComponentCollection"
    )
    assert [u["componentId"] for u in units] == before[1]
    assert course["organisationId"] == before[2]
