"""Harvesting a foreign OEAPI v6 endpoint (base v6 fields only, a real HTTP server in a thread):
what is missing is inferred and reported; broken data, a timeout or a server error stops the
harvest, leaves the database as it was and names the culprit by object id and JSON path."""

from __future__ import annotations

import time
import uuid

import pytest
from flask import Flask, abort, request
from sqlalchemy import select

from catalogue.accounts.permissions import SYSTEM, Actor
from catalogue.errors import PermissionDenied
from catalogue.institutions import services as institutions
from catalogue.modules.models import Module
from catalogue.oeapi.client import Limits
from catalogue.oeapi.harvest import harvest
from catalogue.oeapi.report import HarvestFailed
from tests.api.conftest import serve
from tests.factories import INSTITUTION_A, REGION_A, app_session, institution_data, snapshot

COURSES = 25
PAGE = 10
ORGANISATION = str(uuid.uuid5(uuid.NAMESPACE_URL, "foreign-organisation"))


def _id(kind: str, number: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"foreign-{kind}-{number}"))


SLOW_URL = f"/courses/{_id('course', 4)}/learning-components"


def foreign_course(number: int) -> dict:
    """A course as another institution's system serves it: base v6, a RIO consumer at most."""
    course = {
        "courseId": _id("course", number),
        "primaryCode": {"codeType": "identifier", "code": f"F-{number:02d}"},
        "name": [{"language": "nl-NL", "value": f"Buitenlandse cursus {number}"}],
        "description": [{"language": "nl-NL", "value": "Een cursus van elders."}],
        "studyLoad": [{"studyLoadUnit": "sbu", "value": 40}],
        "modesOfDelivery": ["presential"],
        "teachingLanguages": ["nld"],
        "level": "secondary_vocational_education_3",
        "organisationId": ORGANISATION,
    }
    if number == 1:
        course["level"] = "undefined"
        course["consumer"] = {"consumerKey": "rio", "sector": "secondary_vocational_education"}
    return course


def foreign_offering(number: int) -> dict:
    return {
        "courseOfferingId": _id("offering", number),
        "primaryCode": {"codeType": "offering_code", "code": "2030-01"},
        "name": [{"language": "nl-NL", "value": f"Buitenlandse cursus {number}"}],
        "state": "active",
        "startDateTime": "2030-01-14T09:00:00+01:00",
        "endDateTime": "2030-03-29T17:00:00+02:00",
        "addresses": [{"addressType": "teaching", "city": "Enschede"}],
        "priceInformation": [{"costType": "total_costs", "amount": "250", "currency": "EUR"}],
        "maxNumberStudents": 20,
        "courseId": _id("course", number),
    }


def foreign_component(number: int) -> dict:
    return {
        "componentId": _id("component", number),
        "primaryCode": {"codeType": "component_code", "code": f"F-{number:02d}-U1"},
        "componentType": "lecture",
        "name": [{"language": "nl-NL", "value": "Hoorcollege"}],
        "courseId": _id("course", number),
    }


def _page(items: list, number: int, total: int) -> dict:
    pages = max(1, -(-total // PAGE))
    return {"pageSize": PAGE, "pageNumber": number, "hasPreviousPage": number > 1,
            "hasNextPage": number < pages, "totalPages": pages, "items": items}  # fmt: skip


def foreign_endpoint(fault: str | None = None) -> Flask:
    """Another institution's OEAPI endpoint, with at most one fault."""
    app = Flask("foreign")
    courses = [foreign_course(n) for n in range(COURSES)]
    offerings = {c["courseId"]: [foreign_offering(n)] for n, c in enumerate(courses)}
    components = {c["courseId"]: [foreign_component(n)] for n, c in enumerate(courses)}
    if fault == "missing-name":
        del courses[7]["name"]
    if fault == "wrong-enum":
        offerings[_id("course", 12)][0]["state"] = "planned"

    @app.get("/oeapi/organisations")
    def organisations():
        organisation = {
            "organisationId": ORGANISATION, "organisationType": "school",
            "primaryCode": {"codeType": "organisation_id", "code": "roc-elders"},
            "name": [{"language": "nl-NL", "value": "ROC Elders"}],
        }  # fmt: skip
        return _page([organisation], 1, 1)

    @app.get("/oeapi/organisations/<organisation_id>/courses")
    def organisation_courses(organisation_id):
        number = int(request.args.get("pageNumber", 1))
        if fault == "500-on-page-3" and number == 3:
            abort(500)
        return _page(courses[(number - 1) * PAGE : number * PAGE], number, COURSES)

    @app.get("/oeapi/courses/<course_id>/course-offerings")
    def course_offerings(course_id):
        return _page(offerings[course_id], 1, 1)

    @app.get("/oeapi/courses/<course_id>/learning-components")
    def learning_components(course_id):
        if fault == "timeout" and course_id == _id("course", 4):
            time.sleep(3)
        return _page(components[course_id], 1, 1)

    return app


@pytest.fixture
def our_catalogue(seeded_app):
    """The seeded catalogue with institution A (an mbo college) to harvest into."""
    with app_session(seeded_app) as session:
        institutions.save_institution(
            session=session, actor=SYSTEM, data=institution_data(INSTITUTION_A, REGION_A)
        )
    return seeded_app


def _harvest(app, url: str, **options):
    with app_session(app) as session:
        return harvest(session=session, actor=SYSTEM, url=url, institution_code=INSTITUTION_A,
                       limits=Limits(timeout=0.5), **options)  # fmt: skip


def test_a_foreign_endpoint_is_harvested_with_what_it_lacks_inferred(our_catalogue):
    for live in serve(foreign_endpoint()):
        report = _harvest(our_catalogue, f"{live.url}/oeapi", publish=True)
    assert (report.created, report.updated, report.rejected) == (COURSES, 0, 0)
    assert report.runs_created == COURSES
    first = report.outcomes[1]
    assert "no competencies given: technology assumed" in first.notes
    assert not any("sector" in note for note in first.notes), "RIO's sector was given"
    assert any("sector not given: mbo" in note for note in report.outcomes[0].notes)
    with app_session(our_catalogue) as session:
        module = session.scalar(select(Module).where(Module.code == "F-01"))
        assert (module.sector, module.level, module.status) == ("mbo", "undefined", "published")
        assert module.uuid == _id("course", 1)
        assert [u.uuid for u in module.units] == [_id("component", 1)]
        run = module.offerings[0]
        assert (run.city, str(run.price_eur), run.seats, run.status) == (
            "Enschede",
            "250.00",
            20,
            "open",
        )
        assert (str(run.start_date), str(run.end_date)) == ("2030-01-14", "2030-03-29")


@pytest.mark.parametrize(
    ("fault", "culprit_id", "path", "reason"),
    [
        ("missing-name", _id("course", 7), "$", "'name' is a required property"),
        ("wrong-enum", _id("offering", 12), "$.state", "'planned' is not one of ['concept'"),
        ("timeout", SLOW_URL, "$", "no answer within 0.5 s"),
        ("500-on-page-3", "pageNumber=3", "$", "the server answered 500"),
    ],
)  # fmt: skip
def test_broken_data_leaves_the_database_unchanged_and_names_the_culprit(
    our_catalogue, fault, culprit_id, path, reason
):
    before = snapshot(our_catalogue)
    for live in serve(foreign_endpoint(fault)):
        with pytest.raises(HarvestFailed) as failed:
            _harvest(our_catalogue, f"{live.url}/oeapi", publish=True)
    assert snapshot(our_catalogue) == before
    culprits = failed.value.report.culprits
    assert len(culprits) == 1, culprits
    assert culprit_id in culprits[0].object_id
    assert culprits[0].path == path
    assert reason in culprits[0].reason


def test_only_editors_of_the_institution_may_harvest(our_catalogue):
    with app_session(our_catalogue) as session, pytest.raises(PermissionDenied):
        harvest(session=session, actor=Actor(user_id=99, name="Someone", editor_of=frozenset({-5})),
                url="https://example.org/oeapi", institution_code=INSTITUTION_A)  # fmt: skip


def test_a_module_with_the_courses_code_is_updated_and_keeps_its_own_uuid(our_catalogue):
    from catalogue.institutions.models import Institution
    from tests.factories import create_module, module_content

    with app_session(our_catalogue) as session:
        a = session.scalar(select(Institution).where(Institution.code == INSTITUTION_A))
        own = create_module(session, a.id, module_content("F-03"), status="published")
        own_uuid, versions = own.uuid, own.current_version
    for live in serve(foreign_endpoint()):
        report = _harvest(our_catalogue, f"{live.url}/oeapi", publish=True)
    assert (report.created, report.updated) == (COURSES - 1, 1)
    [updated] = [o for o in report.outcomes if o.action == "update"]
    assert updated.code == "F-03" and "title" in updated.changes
    with app_session(our_catalogue) as session:
        module = session.scalar(select(Module).where(Module.code == "F-03"))
        assert module.uuid == own_uuid != _id("course", 3)
        assert module.title == "Buitenlandse cursus 3"
        assert module.current_version == versions + 1
