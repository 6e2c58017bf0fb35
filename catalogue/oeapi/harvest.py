"""Harvesting another OEAPI v6 endpoint into one institution's modules.

read (every page validated against the standard's schema) → map back (mapping) → validate as
any other input (the content schemas: this is a boundary, like catalogue/api) → report → one
transaction through the module services → outbox. A dry run is the same code without the last
step. Anything wrong anywhere stops the harvest before it writes, with a report naming each
culprit by its object id and JSON path.

Modules are matched by the course's UUID, then by primary code; runs by UUID, then by code.
A new module, unit or run keeps the UUID the endpoint gave it; an existing one keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, require_edit_institution
from catalogue.audit.services import record_event
from catalogue.db import write_transaction
from catalogue.errors import NotFound, flatten_errors
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.content import diff_content, working_content
from catalogue.modules.models import LearningUnit, Module, Offering
from catalogue.oeapi import mapping
from catalogue.oeapi.client import FetchError, Limits
from catalogue.oeapi.reading import HarvestedCourse, Progress, read_endpoint
from catalogue.oeapi.report import CourseOutcome, Culprit, HarvestFailed, HarvestReport
from schemas.modules import ModuleContentSchema, OfferingSchema

# Where a field of our content comes from in a Course, a LearningComponent or a CourseOffering.
COURSE_PATHS = {
    "code": "$.primaryCode.code", "title": "$.name", "description": "$.description",
    "level": "$.level", "study_load": "$.studyLoad", "languages": "$.teachingLanguages",
    "delivery_modes": "$.modesOfDelivery", "prerequisites": "$.admissionRequirements",
    "assessment": "$.assessment", "sector": "$.consumer.sector",
}  # fmt: skip
UNIT_PATHS = {
    "code": "$.primaryCode.code", "title": "$.name", "description": "$.description",
    "assessment": "$.assessment", "component_type": "$.componentType",
    "study_load": "$.consumer.studyLoad", "learning_outcomes": "$.consumer.learningOutcomes",
}  # fmt: skip
RUN_PATHS = {
    "code": "$.primaryCode.code", "start_date": "$.startDateTime", "end_date": "$.endDateTime",
    "enrol_from": "$.enrolmentPeriods[0].startDateTime",
    "enrol_until": "$.enrolmentPeriods[0].endDateTime", "city": "$.addresses",
    "delivery_mode": "$.modesOfDelivery", "language": "$.teachingLanguages",
    "price_eur": "$.priceInformation", "seats": "$.maxNumberStudents", "status": "$.state",
    "seats_left": "$.enrolledNumberStudents", "enrol_url": "$.link",
    "enrol_email": "$.consumer.enrolEmail", "enrol_phone": "$.consumer.enrolPhone",
}  # fmt: skip
CAMEL = {
    "learning_outcomes": "learningOutcomes",
    "esco_uris": "escoUris",
    "target_groups": "targetGroups",
    "quality_assurance": "qualityAssurance",
    "micro_credential": "microCredential",
}


@dataclass(frozen=True)
class Existing:
    """The stored row a plan updates, at the lock version the plan was made against: a write
    after someone else's change is refused as stale instead of overwriting it."""

    id: int
    lock_version: int

    @classmethod
    def of(cls, row: Module | Offering) -> Existing:
        return cls(row.id, row.lock_version)


@dataclass
class PlannedRun:
    """A run to create (no existing row), update or leave, with its validated data."""

    action: str
    data: dict[str, Any]
    existing: Existing | None = None


@dataclass
class PlannedCourse:
    """A course to create (no existing module), update or leave, with its validated content
    and runs."""

    outcome: CourseOutcome
    content: dict[str, Any]
    existing: Existing | None = None
    unit_ids: dict[str, str] = field(default_factory=dict)
    runs: list[PlannedRun] = field(default_factory=list)


def _content_culprits(harvested: HarvestedCourse, errors: dict) -> list[Culprit]:
    course = harvested.course
    found = []
    for path, message in flatten_errors(errors):
        head = path.split(".")[0].split("[")[0]
        if head == "units" and "[" in path:
            index = int(path.split("[")[1].split("]")[0])
            field_name = path.split("].")[1].split(".")[0] if "]." in path else "code"
            component = harvested.components[index]
            found.append(
                Culprit(component["componentId"], UNIT_PATHS.get(field_name, "$"), message)
            )
            continue
        where = COURSE_PATHS.get(head) or f"$.consumer.{CAMEL.get(head, head)}"
        found.append(Culprit(course["courseId"], where, message, harvested.url))
    return found


def _content(
    harvested: HarvestedCourse, defaults: mapping.Defaults, culprits: list[Culprit]
) -> dict[str, Any] | None:
    course = harvested.course
    try:
        raw = mapping.module_content(course, harvested.components, defaults)
    except mapping.MappingError as exc:
        culprits.append(Culprit(course["courseId"], f"$.{exc.path}", exc.reason, harvested.url))
        return None
    try:
        return ModuleContentSchema().load(raw)
    except ValidationError as exc:
        culprits.extend(_content_culprits(harvested, exc.messages))
        return None


def _matching_module(
    session: Session, institution: Institution, course: dict[str, Any], culprits: list[Culprit]
) -> Module | None:
    module = session.scalar(select(Module).where(Module.uuid == course["courseId"]))
    if module is not None and module.institution_id != institution.id:
        culprits.append(
            Culprit(course["courseId"], "$.courseId", "the id of a module of another institution")
        )
        return None
    if module is None:
        module = session.scalar(
            select(Module).where(
                Module.institution_id == institution.id,
                func.lower(Module.code) == course["primaryCode"]["code"].lower(),
            )
        )
    return module


def _unit_ids(session: Session, harvested: HarvestedCourse) -> dict[str, str]:
    """Codes of units mapped to the endpoint's ids that a new unit may take (unused ones)."""
    wanted = {c["primaryCode"]["code"].lower(): c["componentId"] for c in harvested.components}
    taken = set(
        session.scalars(select(LearningUnit.uuid).where(LearningUnit.uuid.in_(wanted.values())))
    )
    return {code: uid for code, uid in wanted.items() if uid not in taken}


def _plan_runs(
    session: Session,
    harvested: HarvestedCourse,
    content: dict[str, Any],
    module: Module | None,
    defaults: mapping.Defaults,
    culprits: list[Culprit],
) -> list[PlannedRun]:
    runs = []
    for offering in harvested.offerings:
        offering_id = offering["courseOfferingId"]
        try:
            raw = mapping.offering_data(offering, content, defaults)
        except mapping.MappingError as exc:
            culprits.append(Culprit(offering_id, f"$.{exc.path}", exc.reason))
            continue
        raw.pop("uuid")
        try:
            data = OfferingSchema().load(raw)
        except ValidationError as exc:
            for path, message in flatten_errors(exc.messages):
                culprits.append(Culprit(offering_id, RUN_PATHS.get(path, "$"), message))
            continue
        runs.append(_plan_run(session, offering_id, data, module, culprits))
    return [r for r in runs if r is not None]


def _plan_run(session, offering_id, data, module, culprits) -> PlannedRun | None:
    existing = session.scalar(select(Offering).where(Offering.uuid == offering_id))
    if existing is not None and (module is None or existing.module_id != module.id):
        culprits.append(Culprit(offering_id, "$.courseOfferingId", "the id of another run"))
        return None
    if existing is None and module is not None:
        same_code = [o for o in module.offerings if o.code.lower() == data["code"].lower()]
        existing = same_code[0] if same_code else None
    if existing is None:
        return PlannedRun("create", {**data, "uuid": offering_id})
    changed = any(getattr(existing, key) != value for key, value in data.items())
    return PlannedRun("update" if changed else "unchanged", data, Existing.of(existing))


def plan_course(
    session: Session,
    institution: Institution,
    harvested: HarvestedCourse,
    *,
    competencies: list[str],
    publish: bool,
    culprits: list[Culprit],
) -> PlannedCourse | None:
    """What to do with one harvested course; None when it cannot be harvested (see culprits)."""
    course = harvested.course
    defaults = mapping.Defaults(institution.kind, list(competencies))
    content = _content(harvested, defaults, culprits)
    if content is None:
        return None
    module = _matching_module(session, institution, course, culprits)
    outcome = CourseOutcome(course["courseId"], content["code"], content["title"], "create")
    planned = PlannedCourse(outcome, content, unit_ids=_unit_ids(session, harvested))
    if module is not None:
        planned.existing = Existing.of(module)
        outcome.changes = [c.path for c in diff_content(working_content(module), content)]
        pending = module.draft_content is not None or module.status == "draft"
        if outcome.changes or (publish and pending):
            outcome.action = "update"
        else:
            outcome.action = "unchanged"
    planned.runs = _plan_runs(session, harvested, content, module, defaults, culprits)
    outcome.runs_created = sum(r.action == "create" for r in planned.runs)
    outcome.runs_updated = sum(r.action == "update" for r in planned.runs)
    outcome.notes = list(dict.fromkeys(defaults.notes))
    return planned


def _adopt_unit_ids(module: Module, unit_ids: dict[str, str], keep: set[str]) -> None:
    """New units take the endpoint's ids; units that existed keep theirs."""
    for unit in module.units:
        code = unit.code.lower()
        if code not in keep and code in unit_ids:
            unit.uuid = unit_ids[code]


def _apply_course(session, actor, institution, planned: PlannedCourse, publish: bool) -> int:
    if planned.outcome.action == "create":
        module = editing.create_module(
            session=session, actor=actor, institution_id=institution.id, content=planned.content
        )
        module.uuid = planned.outcome.course_id
        _adopt_unit_ids(module, planned.unit_ids, set())
        session.add(module)
        session.flush()
    else:
        module = session.get(Module, planned.existing.id)
        if planned.outcome.action == "update" and planned.outcome.changes:
            editing.update_module(
                session=session, actor=actor, module_id=module.id,
                content=planned.content, base_version=planned.existing.lock_version,
            )  # fmt: skip
    if publish and planned.outcome.action != "unchanged":
        existing = {u.code.lower() for u in module.units}
        editing.publish_module(session=session, actor=actor, module_id=module.id)
        _adopt_unit_ids(module, planned.unit_ids, existing)
        session.add(module)
    return module.id


def _apply_runs(session, actor, module_id: int, runs: list[PlannedRun]) -> None:
    for run in runs:
        if run.action == "create":
            editing.create_offering(
                session=session, actor=actor, module_id=module_id, data=run.data
            )
        elif run.action == "update":
            editing.update_offering(
                session=session, actor=actor, offering_id=run.existing.id,
                data=run.data, base_version=run.existing.lock_version,
            )  # fmt: skip


def apply_plan(session, actor, institution, planned: list[PlannedCourse], report) -> None:
    """Write the whole harvest through the module services, in one transaction."""
    with write_transaction(session):
        for course in planned:
            module_id = _apply_course(session, actor, institution, course, report.publish)
            _apply_runs(session, actor, module_id, course.runs)
        counts = report.summary()
        record_event(
            session, actor, action="oeapi.harvested", entity_type="institution",
            entity_id=institution.id, institution_id=institution.id,
            summary=f"{report.url}: " + ", ".join(f"{v} {k}" for k, v in counts.items()),
            details={"url": report.url, "publish": report.publish, **counts},
        )  # fmt: skip


def harvest(
    *,
    session: Session,
    actor: Actor,
    url: str,
    institution_code: str,
    organisation_id: str | None = None,
    dry_run: bool = False,
    publish: bool = False,
    competencies: list[str] | tuple[str, ...] = ("technology",),
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> HarvestReport:
    """Harvest an endpoint's courses of one organisation into an institution's modules."""
    institution = session.scalar(select(Institution).where(Institution.code == institution_code))
    if institution is None:
        raise NotFound(_("No institution with code %(code)s.", code=institution_code))
    require_edit_institution(actor, institution.id)
    report = HarvestReport(url, institution.code, dry_run, publish)
    try:
        harvested = read_endpoint(
            url, institution, organisation_id=organisation_id, limits=limits or Limits(),
            culprits=report.culprits, progress=progress,
        )  # fmt: skip
    except FetchError as exc:
        report.culprits.append(Culprit(exc.url, "$", exc.reason, exc.url))
        harvested = []
    planned = _plan_all(session, institution, harvested, report, list(competencies))
    if report.culprits:
        raise HarvestFailed(
            _("Nothing was harvested: %(n)s objects are wrong.", n=report.rejected), report
        )
    if not dry_run:
        apply_plan(session, actor, institution, planned, report)
    return report


def _plan_all(session, institution, harvested, report, competencies) -> list[PlannedCourse]:
    planned, codes = [], set()
    for item in harvested:
        course = plan_course(
            session, institution, item, competencies=competencies,
            publish=report.publish, culprits=report.culprits,
        )  # fmt: skip
        if course is None:
            continue
        if course.content["code"].lower() in codes:
            report.culprits.append(
                Culprit(
                    course.outcome.course_id, "$.primaryCode.code", "a second course with this code"
                )
            )
            continue
        codes.add(course.content["code"].lower())
        planned.append(course)
        report.outcomes.append(course.outcome)
    return planned
