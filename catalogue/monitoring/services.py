"""The monitoring figures every surface shows: the public dashboard, the coordinators' and
editors' views, the API and the exports all read them from here, already suppressed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, can_read_institution_internals
from catalogue.errors import InvalidInput, NotFound, PermissionDenied
from catalogue.institutions.models import Institution, Region, RegionTarget
from catalogue.modules.models import Module
from catalogue.monitoring.counting import (
    Breakdown,
    Shown,
    TargetSpec,
    breakdown,
    breakdowns_by,
    relabel,
    target_progress,
)
from catalogue.monitoring.queries import load_packed_facts, load_region_facts

_PERIOD = re.compile(r"^(20\d\d)(?:-(20\d\d))?$")


@dataclass(frozen=True)
class Period:
    """A target period: one calendar year or a range of them ("2025-2026")."""

    label: str
    first: int
    last: int

    @classmethod
    def parse(cls, label: str) -> Period:
        """The period a label names; InvalidInput when it names none."""
        match = _PERIOD.match(label or "")
        if not match or int(match.group(2) or match.group(1)) < int(match.group(1)):
            raise InvalidInput(
                _("A period is a year (2026) or a range of years (2025-2026), from 2000 to 2099."),
                fields={"period": [_("not a period")]},
            )
        first = int(match.group(1))
        return cls(label, first, int(match.group(2) or first))

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share a year."""
        return self.first <= other.last and other.first <= self.last

    def contains(self, year: int) -> bool:
        """Whether the year lies in the period."""
        return self.first <= year <= self.last


@dataclass(frozen=True)
class TargetLine:
    """Progress against one target: how many unique people of how many."""

    period: Period
    people_target: int
    target_group: str | None
    sector: str | None
    note_nl: str
    note_en: str
    counted: Shown

    @property
    def share(self) -> float:
        """The part of the target reached (0 to 1) for a bar; 0 when the count is suppressed."""
        number = self.counted.number
        if not number or not self.people_target:
            return 0.0
        return min(1.0, number / self.people_target)


@dataclass(frozen=True)
class RegionFigures:
    """One region's progress and breakdowns in the chosen period."""

    code: str
    name: str
    targets: list[TargetLine]
    by_target_group: Breakdown
    by_sector: Breakdown
    by_category: Breakdown


@dataclass(frozen=True)
class Dashboard:
    """Everything the public monitoring page shows."""

    period: Period
    periods: list[Period]
    regions: list[RegionFigures]
    national: Breakdown
    national_by_target_group: Breakdown
    demo: bool


def _periods(targets: list[RegionTarget]) -> list[Period]:
    labels = sorted({t.period for t in targets}, key=lambda p: (Period.parse(p).first, p))
    return [Period.parse(label) for label in labels]


def default_period(periods: list[Period], today: date) -> Period:
    """The plan's current two-year period (2025-2026) if there is one, else the shortest
    period holding today."""
    current = [p for p in periods if p.contains(today.year)] or periods
    if not current:
        return Period(str(today.year), today.year, today.year)
    return min(current, key=lambda p: (p.last - p.first != 1, p.last - p.first, p.first))


def dashboard(session: Session, *, period: str | None = None, today: date | None = None):
    """The public figures of every region in one period (default: the current one), with the
    progress on every target whose period overlaps it."""
    today = today or date.today()
    regions = list(session.scalars(select(Region).order_by(Region.name)))
    targets = [t for r in regions for t in r.targets]
    periods = _periods(targets)
    chosen = Period.parse(period) if period else default_period(periods, today)
    current = [t for t in targets if Period.parse(t.period).overlaps(chosen)]
    spans = [Period.parse(t.period) for t in current] + [chosen]
    facts = load_packed_facts(
        session, first=min(p.first for p in spans), last=max(p.last for p in spans)
    )
    progress = target_progress(facts, [_spec(t) for t in current])
    in_period = facts.in_years(chosen.first, chosen.last)
    ids = [r.id for r in regions]
    by = {
        d: breakdowns_by(in_period, d, "region", ids)
        for d in ("target_group", "sector", "category")
    }
    figures = [
        RegionFigures(
            code=region.code,
            name=region.name,
            targets=[_target_line(t, progress[t.id]) for t in current if t.region_id == region.id],
            by_target_group=by["target_group"][region.id],
            by_sector=by["sector"][region.id],
            by_category=by["category"][region.id],
        )
        for region in regions
    ]
    national = breakdown(in_period, "region", [r.id for r in regions])
    return Dashboard(
        period=chosen,
        periods=periods,
        regions=figures,
        national=relabel(national, {r.id: r.code for r in regions}),
        national_by_target_group=breakdown(in_period, "target_group"),
        demo=bool(in_period.demo.any()),
    )


def _spec(target: RegionTarget) -> TargetSpec:
    period = Period.parse(target.period)
    return TargetSpec(
        target.id, target.region_id, period.first, period.last, target.target_group, target.sector
    )


def _target_line(target: RegionTarget, counted: Shown) -> TargetLine:
    return TargetLine(
        Period.parse(target.period),
        target.people,
        target.target_group,
        target.sector,
        target.note_nl,
        target.note_en,
        counted,
    )


@dataclass(frozen=True)
class InternalFigures:
    """A region or an institution seen from inside: per institution and per module."""

    region: Region
    institution: Institution | None
    period: Period
    by_institution: Breakdown | None
    by_module: Breakdown
    institution_names: dict[int, str]
    module_names: dict[int, str]


def internal_figures(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    institution_code: str | None = None,
    period: str | None = None,
    today: date | None = None,
) -> InternalFigures:
    """A coordinator's region per institution and module, or an editor's own institution per
    module; suppressed like everything else."""
    region = session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise NotFound(_("No such region."))
    institution = None
    if institution_code:
        institution = session.scalar(
            select(Institution).where(Institution.code == institution_code)
        )
        if institution is None or institution.region_id != region.id:
            raise NotFound(_("No such institution in this region."))
        allowed = can_read_institution_internals(actor, institution.id, region.id)
    else:
        allowed = actor.is_administrator or region.id in actor.coordinator_of
    if not allowed:
        raise PermissionDenied(_("Only the region's coordinators and the editors see this."))
    periods = _periods(list(region.targets))
    chosen = Period.parse(period) if period else default_period(periods, today or date.today())
    facts = load_region_facts(session, first=chosen.first, last=chosen.last, region_id=region.id)
    if institution is not None:
        facts = facts.where(facts.institution == institution.id)
    modules = dict(
        session.execute(
            select(Module.id, Module.code)
            .join(Institution)
            .where(Institution.region_id == region.id)
        ).all()
    )
    institutions = {i.id: i.display_name for i in region.institutions}
    return InternalFigures(
        region=region,
        institution=institution,
        period=chosen,
        by_institution=None if institution else breakdown(facts, "institution"),
        by_module=breakdown(facts, "module"),
        institution_names=institutions,
        module_names=modules,
    )
