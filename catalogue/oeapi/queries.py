"""What /oeapi/ may show: published modules, their units and runs, and the institutions.

Every query here starts from published modules, so no draft or archived module (nor its units
or runs) can be reached by any path or filter. Orders are total, so paging is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.institutions.models import Institution
from catalogue.modules.models import LearningUnit, Module, ModuleTag, Offering
from catalogue.oeapi.mapping import LANGUAGE_BACK, LEVEL_BACK, MODE_OF_DELIVERY
from catalogue.vocabularies import ModuleStatus


@dataclass(frozen=True)
class CourseFilter:
    """The filters of a course list, in OEAPI terms; None means "any"."""

    institution_id: int | None = None
    primary_code: str | None = None
    q: str | None = None
    level: str | None = None
    teaching_language: str | None = None
    mode_of_delivery: str | None = None


@dataclass(frozen=True)
class Slice:
    """One page of a list and the size of the whole list."""

    items: list
    total: int


def page_of(session: Session, statement: Select, *, number: int, size: int) -> Slice:
    """Run `statement` for page `number` of `size` items, and count all its rows."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(session.scalars(statement.limit(size).offset((number - 1) * size)).unique())
    return Slice(items=items, total=total or 0)


def _published():
    return Module.status == ModuleStatus.PUBLISHED


def _tagged(vocabulary: str, codes: list[str]):
    return exists().where(
        ModuleTag.module_id == Module.id,
        ModuleTag.vocabulary == vocabulary,
        ModuleTag.code.in_(codes),
    )


def courses(session: Session, filters: CourseFilter, *, number: int, size: int) -> Slice:
    """A page of published modules matching the filters, by institution and code."""
    statement = (
        select(Module)
        .join(Institution)
        .where(_published())
        .options(
            selectinload(Module.institution).selectinload(Institution.region),
            selectinload(Module.tags),
            selectinload(Module.materials),
        )
        .order_by(Institution.code, Module.code, Module.id)
    )
    if filters.institution_id is not None:
        statement = statement.where(Module.institution_id == filters.institution_id)
    if filters.primary_code:
        statement = statement.where(func.lower(Module.code) == filters.primary_code.lower())
    if filters.q:
        needle = filters.q.lower()
        statement = statement.where(
            or_(
                func.lower(Module.title).contains(needle, autoescape=True),
                func.lower(Module.summary).contains(needle, autoescape=True),
                func.lower(Module.description).contains(needle, autoescape=True),
            )
        )
    if filters.level:
        statement = statement.where(Module.level == LEVEL_BACK.get(filters.level, "-"))
    if filters.teaching_language:
        code = LANGUAGE_BACK.get(filters.teaching_language.split("-")[0].lower(), "-")
        statement = statement.where(_tagged("languages", [code]))
    if filters.mode_of_delivery:
        modes = [ours for ours, v6 in MODE_OF_DELIVERY.items() if v6 == filters.mode_of_delivery]
        statement = statement.where(_tagged("delivery_modes", modes or ["-"]))
    return page_of(session, statement, number=number, size=size)


def course(session: Session, course_id: str) -> Module | None:
    """The published module with this UUID, with what a Course shows; None otherwise."""
    return session.scalar(
        select(Module)
        .where(Module.uuid == course_id, _published())
        .options(
            selectinload(Module.institution).selectinload(Institution.region),
            selectinload(Module.tags),
            selectinload(Module.materials),
            selectinload(Module.units),
        )
    )


def offerings(
    session: Session, module: Module, *, since: date, until: date | None, number: int, size: int
) -> Slice:
    """A page of a module's runs that end on or after `since` and start by `until`."""
    statement = (
        select(Offering)
        .where(Offering.module_id == module.id, Offering.end_date >= since)
        .order_by(Offering.start_date, Offering.code, Offering.id)
    )
    if until is not None:
        statement = statement.where(Offering.start_date <= until)
    return page_of(session, statement, number=number, size=size)


def _published_part(session: Session, model, part_id: str, *options):
    """The run or unit with this UUID, when its module is published; None otherwise."""
    return session.scalar(
        select(model).join(Module).where(model.uuid == part_id, _published()).options(*options)
    )


def offering(session: Session, offering_id: str) -> Offering | None:
    """The run with this UUID, when its module is published."""
    return _published_part(
        session, Offering, offering_id, selectinload(Offering.module).selectinload(Module.tags)
    )


def components(session: Session, module: Module, *, number: int, size: int) -> Slice:
    """A page of a module's learning units, in the module's order."""
    statement = (
        select(LearningUnit)
        .where(LearningUnit.module_id == module.id)
        .order_by(LearningUnit.position, LearningUnit.code, LearningUnit.id)
    )
    return page_of(session, statement, number=number, size=size)


def component(session: Session, component_id: str) -> LearningUnit | None:
    """The learning unit with this UUID, when its module is published."""
    module = selectinload(LearningUnit.module)
    return _published_part(
        session,
        LearningUnit,
        component_id,
        module.selectinload(Module.tags),
        module.selectinload(Module.institution).selectinload(Institution.region),
    )


def institutions(session: Session) -> list[Institution]:
    """Every institution, by code."""
    return list(
        session.scalars(
            select(Institution).options(selectinload(Institution.region)).order_by(Institution.code)
        )
    )


def institution(session: Session, organisation_id: str) -> Institution | None:
    """The institution with this UUID."""
    return session.scalar(
        select(Institution)
        .where(Institution.uuid == organisation_id)
        .options(selectinload(Institution.region))
    )
