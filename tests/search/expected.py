"""What the database says a search should show, computed with SQL and nothing of the search code.

Facets are multi-select, as the search page promises: the counts of one facet apply the filters
of every *other* facet (OR between the values of one facet, AND across facets), the text and the
ranges. Only published modules count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from catalogue.institutions.models import Institution, Region
from catalogue.modules.models import Material, Module, ModuleTag, Offering
from catalogue.recognition.models import Agreement, AgreementItem, AgreementParty
from catalogue.search.engine import Between
from catalogue.vocabularies import Licence

m = Module.__table__
inst = Institution.__table__
region = Region.__table__
tag = ModuleTag.__table__
material = Material.__table__
run = Offering.__table__
agreement = Agreement.__table__
item = AgreementItem.__table__
party = AgreementParty.__table__

SINGLE = {"sector": m.c.sector, "level": m.c.level, "region": region.c.code}
SINGLE["institution"] = inst.c.code
TAGS = {
    "competency": "competencies",
    "delivery_mode": "delivery_modes",
    "language": "languages",
    "target_group": "target_groups",
    "audience": "audiences",
}
FACETS = (*SINGLE, *TAGS, "recognised_in", "flags")
UPCOMING = ("planned", "open", "full")
HOURS_PER_EC = 28  # 1 EC = 28 hours of study, as the search form says

MODULES = m.join(inst, inst.c.id == m.c.institution_id).join(
    region, region.c.id == inst.c.region_id
)


@dataclass
class Ranges:
    """Study load (hours), price of the cheapest upcoming run, start date of a run."""

    hours_min: float | None = None
    hours_max: float | None = None
    price_min: float | None = None
    price_max: float | None = None
    start_from: date | None = None
    start_until: date | None = None

    def as_request(self) -> dict[str, Any]:
        """The same ranges as SearchRequest arguments."""
        return {
            "study_hours": Between(self.hours_min, self.hours_max),
            "price": Between(self.price_min, self.price_max),
            "starts": Between(self.start_from, self.start_until),
        }

    def as_query(self) -> dict[str, str]:
        """The same ranges as arguments of the search page and the API."""
        names = {
            "hours_min": self.hours_min,
            "hours_max": self.hours_max,
            "price_min": self.price_min,
            "price_max": self.price_max,
            "start_from": self.start_from,
            "start_until": self.start_until,
        }
        return {k: str(v) for k, v in names.items() if v is not None}


@dataclass
class Expectation:
    """The filters of one search and what the database says it must show."""

    filters: dict[str, list[str]] = field(default_factory=dict)
    ranges: Ranges = field(default_factory=Ranges)
    ids: list[int] | None = None  # modules matching the text; None: no text


def _upcoming(today: date):
    return sa.and_(run.c.module_id == m.c.id, run.c.start_date >= today, run.c.status.in_(UPCOMING))


def _hours():
    return sa.case(
        (m.c.study_load_unit == "ects", m.c.study_load_value * HOURS_PER_EC),
        else_=m.c.study_load_value,
    )


# With a filter on runs (price, dates), language and mode of delivery are run filters too, and
# every run filter applies to one and the same run.
RUN_FACETS = {"language": run.c.language, "delivery_mode": run.c.delivery_mode}


def on_runs(ranges: Ranges) -> bool:
    return any(
        v is not None
        for v in (ranges.price_min, ranges.price_max, ranges.start_from, ranges.start_until)
    )


def run_conditions(
    ranges: Ranges, filters: dict, today: date, *, skip: str | None = None, table=run
) -> list:
    """Conditions on one run row (joined to the module) for all run filters."""
    r = table
    conditions = [r.c.module_id == m.c.id, r.c.start_date >= today, r.c.status.in_(UPCOMING)]
    if ranges.price_min is not None:
        conditions.append(r.c.price_eur >= ranges.price_min)
    if ranges.price_max is not None:
        conditions.append(r.c.price_eur <= ranges.price_max)
    if ranges.start_from is not None:
        conditions.append(r.c.start_date >= ranges.start_from)
    if ranges.start_until is not None:
        conditions.append(r.c.start_date <= ranges.start_until)
    for name in RUN_FACETS:
        if filters.get(name) and name != skip:
            conditions.append(r.c[RUN_FACETS[name].name].in_(filters[name]))
    return conditions


def range_conditions(ranges: Ranges, today: date, filters=None, *, skip=None) -> list:
    """Conditions on the module row for the ranges."""
    conditions = []
    if ranges.hours_min is not None:
        conditions.append(_hours() >= ranges.hours_min)
    if ranges.hours_max is not None:
        conditions.append(_hours() <= ranges.hours_max)
    if on_runs(ranges):
        conditions.append(
            sa.exists().where(*run_conditions(ranges, filters or {}, today, skip=skip))
        )
    return conditions


def _recognised_regions():
    """(module id, region code) pairs: regions of the other parties of an active agreement that
    recognise a module (or one of its units)."""
    recogniser = inst.alias("recogniser")
    recogniser_region = region.alias("recogniser_region")
    provided = m.alias("provided")
    return (
        sa.select(item.c.module_id.label("module_id"), recogniser_region.c.code.label("code"))
        .select_from(
            item.join(agreement, agreement.c.id == item.c.agreement_id)
            .join(party, party.c.agreement_id == agreement.c.id)
            .join(recogniser, recogniser.c.id == party.c.institution_id)
            .join(recogniser_region, recogniser_region.c.id == recogniser.c.region_id)
            .join(provided, provided.c.id == item.c.module_id)
        )
        .where(
            agreement.c.status == "active",
            party.c.role.in_(("recogniser", "both")),
            party.c.institution_id != provided.c.institution_id,
        )
        .subquery("recognised")
    )


def _open_material():
    return sa.exists().where(
        material.c.module_id == m.c.id, material.c.licence.in_(sorted(Licence.having("open")))
    )


def facet_condition(name: str, values: list[str]):
    """Modules having any of `values` in facet `name`."""
    if name in SINGLE:
        return SINGLE[name].in_(values)
    if name in TAGS:
        tagged = tag.alias(f"tagged_{name}")
        return sa.exists().where(
            tagged.c.module_id == m.c.id,
            tagged.c.vocabulary == TAGS[name],
            tagged.c.code.in_(values),
        )
    if name == "recognised_in":
        recognised = _recognised_regions()
        return sa.exists().where(recognised.c.module_id == m.c.id, recognised.c.code.in_(values))
    if name == "flags":
        alternatives = []
        if "open-material" in values:
            alternatives.append(_open_material())
        if "micro-credential" in values:
            alternatives.append(m.c.micro_credential == sa.true())
        return sa.or_(sa.false(), *alternatives)
    raise ValueError(name)


def _base(expectation: Expectation, today: date, skip: str | None = None) -> list:
    conditions = [
        m.c.status == "published",
        *range_conditions(expectation.ranges, today, expectation.filters, skip=skip),
    ]
    if expectation.ids is not None:
        conditions.append(m.c.id.in_(expectation.ids or [-1]))
    return conditions


def matching_ids(session, expectation: Expectation, today: date) -> set[int]:
    """Ids of the modules a search with these filters must find."""
    conditions = _base(expectation, today) + [
        facet_condition(name, values)
        for name, values in expectation.filters.items()
        if values and not (on_runs(expectation.ranges) and name in RUN_FACETS)
    ]
    return set(session.scalars(sa.select(m.c.id).select_from(MODULES).where(*conditions)))


def expected_facets(session, expectation: Expectation, today: date) -> dict[str, dict[str, int]]:
    """{facet: {value: number of modules}} for every facet, by multi-select rules."""
    result = {}
    runs = on_runs(expectation.ranges)
    for name in FACETS:
        conditions = _base(expectation, today, skip=name) + [
            facet_condition(other, values)
            for other, values in expectation.filters.items()
            if other != name and values and not (runs and other in RUN_FACETS)
        ]
        if runs and name in RUN_FACETS:
            result[name] = _count_on_runs(session, expectation, today, name, conditions)
        else:
            result[name] = _count(session, name, conditions)
    return result


def _count_on_runs(session, expectation, today, name: str, conditions: list) -> dict[str, int]:
    """Modules per value of a run facet: those with a run that passes the other run filters
    and has the value."""
    counted = run.alias("counted_run")
    column = counted.c[RUN_FACETS[name].name]
    same_run = run_conditions(
        expectation.ranges, expectation.filters, today, skip=name, table=counted
    )
    rows = session.execute(
        sa.select(column, sa.func.count(sa.distinct(m.c.id)))
        .select_from(MODULES.join(counted, counted.c.module_id == m.c.id))
        .where(*conditions, *same_run)
        .group_by(column)
    ).all()
    return {value: number for value, number in rows if number}


def _count(session, name: str, conditions: list) -> dict[str, int]:
    modules = sa.func.count(sa.distinct(m.c.id))
    if name in SINGLE:
        column = SINGLE[name]
        query = sa.select(column, modules).select_from(MODULES).group_by(column)
    elif name in TAGS:
        query = (
            sa.select(tag.c.code, modules)
            .select_from(
                MODULES.join(
                    tag, sa.and_(tag.c.module_id == m.c.id, tag.c.vocabulary == TAGS[name])
                )
            )
            .group_by(tag.c.code)
        )
    elif name == "recognised_in":
        recognised = _recognised_regions()
        query = (
            sa.select(recognised.c.code, modules)
            .select_from(MODULES.join(recognised, recognised.c.module_id == m.c.id))
            .group_by(recognised.c.code)
        )
    else:
        counts = {}
        for value in ("open-material", "micro-credential"):
            number = session.scalar(
                sa.select(modules)
                .select_from(MODULES)
                .where(*conditions, facet_condition("flags", [value]))
            )
            if number:
                counts[value] = number
        return counts
    rows = session.execute(query.where(*conditions)).all()
    return {value: number for value, number in rows if number}


def next_runs(session, today: date) -> dict[int, date | None]:
    """Published module id → start date of its next upcoming run (None when it has none)."""
    first = sa.select(sa.func.min(run.c.start_date)).where(_upcoming(today)).scalar_subquery()
    rows = session.execute(sa.select(m.c.id, first).where(m.c.status == "published"))
    return {module_id: _as_date(start) for module_id, start in rows}


def published_at(session) -> dict[int, Any]:
    """Published module id → when it was (last) published."""
    rows = session.execute(sa.select(m.c.id, m.c.published_at).where(m.c.status == "published"))
    return dict(rows.all())


def published_ids(session) -> set[int]:
    """Ids of every published module."""
    return set(session.scalars(sa.select(m.c.id).where(m.c.status == "published")))


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
