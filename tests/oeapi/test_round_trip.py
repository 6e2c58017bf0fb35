"""Two catalogues on two databases: institution A of the first is harvested into the second over
real HTTP, through the first's /oeapi/. The mapped content arrives field by field, a second
harvest changes nothing, and one change in the first becomes exactly one new version."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from catalogue.accounts.permissions import SYSTEM
from catalogue.audit.models import AuditEvent
from catalogue.cli import main
from catalogue.institutions import services as institutions
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.content import content_of
from catalogue.modules.models import Module, ModuleVersion, Offering
from catalogue.oeapi.harvest import harvest
from tests.api.conftest import serve
from tests.factories import (
    INSTITUTION_A,
    REGION_A,
    app_session,
    create_module,
    institution_data,
    material_content,
    module_content,
    offering_data,
    snapshot,
    unit_content,
)
from tests.oeapi.conftest import walk

SERVED_BY_A = ("A-CHANGED", "A-PUB", "A-RICH")
# What cannot travel: the ids and links of the serving catalogue, its agreements and versions.
LOCAL_FIELDS = ("organisationId", "link")
LOCAL_CONSUMER_FIELDS = ("recognisedBy", "version")


def _future(days: int) -> str:
    return str(date.today() + timedelta(days=days))


def rich_content(title: str = "Vacuümtechniek voor onderhoudsmonteurs") -> dict:
    """A module using every field the mapping carries."""
    return module_content(
        "A-RICH",
        title=title,
        sector="hbo",
        level="associate-degree",
        study_load={"value": 7.5, "unit": "ects"},
        competencies=["technology", "collaboration"],
        languages=["eng", "nld"],
        delivery_modes=["distance-learning", "hybrid", "situated"],
        target_groups=["upskilling"],
        audiences=["employees", "alumni"],
        learning_outcomes=["Pumps a chamber down to 1e-6 mbar.", "Finds a leak with helium."],
        esco_uris=["http://data.europa.eu/esco/skill/abc-123"],
        micro_credential=True,
        summary="Short summary.",
        # Dutch comes first of its teaching languages: the English texts are its translation.
        translations={
            "en": {
                "title": "Vacuum technology for maintenance technicians",
                "summary": "A short summary.",
                "learning_outcomes": ["Pumps a chamber down to 1e-6 mbar."],
            }
        },
        units=[
            unit_content(
                "VAC-1",
                component_type="lab",
                study_load={"value": 40, "unit": "hour"},
                translations={"en": {"title": "Pumping and measuring"}},
            ),
            unit_content("VAC-2", component_type="test", title="Exam", description=""),
            unit_content("VAC-3", component_type="e-learning", assessment=""),
        ],
        materials=[
            material_content(unit_code="VAC-1", licence="cc-by-sa-40", language="eng"),
            material_content(title="Slides", url="https://example.org/s.pdf", licence="yes"),
        ],
    )


def _prepare_first(app) -> None:
    """Institution A of the world, plus a rich module and upcoming runs."""
    with app_session(app) as session:
        a = session.scalar(select(Institution).where(Institution.code == INSTITUTION_A))
        rich = create_module(session, a.id, rich_content(), status="published")
        editing.create_offering(
            session=session, actor=SYSTEM, module_id=rich.id,
            data=offering_data("R1", start_date=_future(30), end_date=_future(60),
                               enrol_from=_future(1), enrol_until=_future(20),
                               delivery_mode="hybrid", language="eng", price_eur="1234.50",
                               status="planned", seats=12, seats_left=5,
                               enrol_url="https://example.org/enrol/r1",
                               enrol_email="enrol@example.org", enrol_phone="+31 40 123 4567",
                               guaranteed=True),
        )  # fmt: skip
        editing.create_offering(
            session=session, actor=SYSTEM, module_id=rich.id,
            data=offering_data("R2", start_date=_future(90), end_date=_future(91),
                               enrol_from=None, enrol_until=_future(80), city="",
                               delivery_mode="distance-learning", price_eur="0", status="full"),
        )  # fmt: skip
        pub = session.scalar(select(Module).where(Module.code == "A-PUB"))
        editing.create_offering(
            session=session, actor=SYSTEM, module_id=pub.id,
            data=offering_data("P1", start_date=_future(10), end_date=_future(40),
                               enrol_from=None, enrol_until=None),
        )  # fmt: skip


def _prepare_second(app) -> None:
    with app_session(app) as session:
        institutions.save_institution(
            session=session, actor=SYSTEM, data=institution_data(INSTITUTION_A, REGION_A)
        )


@pytest.fixture
def catalogues(world_app, seeded_app):
    """(first app served over HTTP with its /oeapi/ URL, second app), on the same backend."""
    _prepare_first(world_app)
    _prepare_second(seeded_app)
    for live in serve(world_app):
        yield live, f"{live.url}/oeapi", seeded_app


def _harvest(app, url: str, **options):
    with app_session(app) as session:
        return harvest(session=session, actor=SYSTEM, url=url, institution_code=INSTITUTION_A,
                       publish=True, **options)  # fmt: skip


def _contents(app) -> dict[str, dict]:
    with app_session(app) as session:
        a = session.scalar(select(Institution).where(Institution.code == INSTITUTION_A))
        return {
            m.code: content_of(m)
            for m in session.scalars(
                select(Module).where(Module.institution_id == a.id, Module.status == "published")
            )
        }


def _served(app) -> dict[str, dict]:
    """Every course of institution A as the app serves it, with its units and runs."""
    client = app.test_client()
    with app_session(app) as session:
        organisation = session.scalar(
            select(Institution.uuid).where(Institution.code == INSTITUTION_A)
        )
    found = {}
    for course in walk(client, f"/oeapi/organisations/{organisation}/courses", "CourseCollection"):
        course_id = course["courseId"]
        for name in LOCAL_FIELDS:
            course.pop(name)
        for name in LOCAL_CONSUMER_FIELDS:
            course["consumer"].pop(name)
        course["units"] = [
            {k: v for k, v in u.items() if k not in LOCAL_FIELDS}
            for u in walk(client, f"/oeapi/courses/{course_id}/learning-components",
                          "LearningComponentCollection")
        ]  # fmt: skip
        course["runs"] = walk(
            client, f"/oeapi/courses/{course_id}/course-offerings", "CourseOfferingCollection"
        )
        found[course["primaryCode"]["code"]] = course
    return found


def _versions(app) -> int:
    with app_session(app) as session:
        return session.scalar(select(func.count()).select_from(ModuleVersion))


def test_harvest_round_trip_between_two_catalogues(catalogues):
    live, url, second = catalogues
    first = live.app
    before = snapshot(second)
    preview = _harvest(second, url, dry_run=True)
    assert (preview.created, preview.updated, preview.rejected) == (3, 0, 0)
    assert snapshot(second) == before, "a dry run wrote something"

    report = _harvest(second, url)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.runs_created == 3
    assert sorted(_contents(second)) == list(SERVED_BY_A)
    assert _contents(second) == {code: _contents(first)[code] for code in SERVED_BY_A}
    assert _served(second) == _served(first)
    (r1,) = [run for run in _served(first)["A-RICH"]["runs"] if run["primaryCode"]["code"] == "R1"]
    assert (r1["link"], r1["maxNumberStudents"], r1["enrolledNumberStudents"]) == (
        "https://example.org/enrol/r1",
        12,
        7,
    )
    with app_session(second) as session:
        run = session.scalar(select(Offering).where(Offering.code == "R1"))
        enrolment = (run.seats_left, run.enrol_url, run.enrol_email, run.enrol_phone)
        assert enrolment == (
            5,
            "https://example.org/enrol/r1",
            "enrol@example.org",
            "+31 40 123 4567",
        )
        assert run.guaranteed

    versions = _versions(second)
    again = _harvest(second, url)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (again.runs_created, again.runs_updated) == (0, 0)
    assert _versions(second) == versions

    with app_session(first) as session:
        rich = session.scalar(select(Module).where(Module.code == "A-RICH"))
        editing.update_module(
            session=session, actor=SYSTEM, module_id=rich.id,
            content=rich_content("Vacuümtechniek, tweede editie"), base_version=None,
        )  # fmt: skip
        editing.publish_module(session=session, actor=SYSTEM, module_id=rich.id)
        editing.create_offering(
            session=session, actor=SYSTEM, module_id=rich.id,
            data=offering_data("R3", start_date=_future(120), end_date=_future(150),
                               enrol_from=None, enrol_until=None),
        )  # fmt: skip
    changed = _harvest(second, url)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert [o.code for o in changed.outcomes if o.action == "update"] == ["A-RICH"]
    assert [o.changes for o in changed.outcomes if o.action == "update"] == [["title"]]
    assert (changed.runs_created, changed.runs_updated) == (1, 0)
    assert _versions(second) == versions + 1
    with app_session(second) as session:
        rich = session.scalar(select(Module).where(Module.code == "A-RICH"))
        assert rich.current_version == 2 and rich.title == "Vacuümtechniek, tweede editie"
        runs = session.scalars(select(Offering.code).where(Offering.module_id == rich.id)).all()
        assert sorted(runs) == ["R1", "R2", "R3"]
        trail = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "oeapi.harvested")
        ).all()
    assert len(trail) == 3
    assert _served(second) == _served(first)


def test_the_command_line_harvests_with_a_dry_run_first(catalogues):
    _live, url, second = catalogues
    runner = second.test_cli_runner()
    dry = runner.invoke(main, ["harvest", url, "--institution", INSTITUTION_A, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would harvest: 3 created, 0 updated, 0 unchanged, 0 rejected" in dry.output
    assert "Dry run: nothing was written." in dry.output
    assert _contents(second) == {}
    done = runner.invoke(main, ["harvest", url, "--institution", INSTITUTION_A])
    assert done.exit_code == 0, done.output
    assert "Harvested: 3 created" in done.output
    with app_session(second) as session:
        statuses = session.scalars(
            select(Module.status).join(Institution).where(Institution.code == INSTITUTION_A)
        ).all()
    assert sorted(statuses) == ["draft", "draft", "draft"]
    http = runner.invoke(
        main, ["harvest", url.replace("127.0.0.1", "example.org"), "--institution", INSTITUTION_A]
    )
    assert http.exit_code == 1 and "only https:// URLs" in http.output
