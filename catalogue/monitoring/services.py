"""The monitoring figures every surface shows: the public dashboard, the coordinators' and
editors' views, the API and the exports all read them from here, already suppressed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import extract, select
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, can_read_institution_internals
from catalogue.errors import InvalidInput, NotFound, PermissionDenied
from catalogue.institutions.models import Institution, Region, RegionTarget
from catalogue.monitoring.counting import Breakdown, Facts, Shown, TargetSpec, breakdown
from catalogue.monitoring.counting import target_progress
from catalogue.monitoring.models import Participation
from catalogue.modules.models import Module, Offering
from catalogue.vocabularies import Audience, Sector, TargetGroup

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


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
                _("A period is a year (2026) or a range of years (2025-2026)."),
                fields={"period": [_("not a period")]},
            )
        first = int(match.group(1))
        return cls(label, first, int(match.group(2) or first))

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


def load_facts(session: Session, *, first: int, last: int, region_ids=None) -> Facts:
    """Participation facts of runs starting in these years, sorted by region, then year."""
    year = extract("year", Offering.start_date)
    statement = (
        select(
            Participation.person_id,
            Institution.region_id,
            Module.institution_id,
            Offering.module_id,
            Module.sector,
            Participation.target_group,
            Participation.category,
            Participation.status,
            year,
            Participation.is_demo,
        )
        .join(Offering, Offering.id == Participation.offering_id)
        .join(Module, Module.id == Offering.module_id)
        .join(Institution, Institution.id == Module.institution_id)
        .where(Offering.start_date >= date(first, 1, 1), Offering.start_date <= date(last, 12, 31))
        .order_by(Institution.region_id, year)
    )
    if region_ids is not None:
        statement = statement.where(Institution.region_id.in_(region_ids))
    rows = session.execute(statement).tuples().all()
    return Facts.from_rows(rows)


def _periods(targets: list[RegionTarget]) -> list[Period]:
    labels = sorted({t.period for t in targets}, key=lambda p: (Period.parse(p).first, p))
    return [Period.parse(label) for label in labels]


def default_period(periods: list[Period], today: date) -> Period:
    """The current period with the most targets' attention: the shortest one holding today."""
    current = [p for p in periods if p.contains(today.year)] or periods
    if not current:
        return Period(str(today.year), today.year, today.year)
    return min(current, key=lambda p: (p.last - p.first != 1, p.last - p.first, p.first))


def dashboard(session: Session, *, period: str | None = None, today: date | None = None):
    """The public figures of every region in one period, with progress on current targets."""
    today = today or date.today()
    regions = list(session.scalars(select(Region).order_by(Region.name)))
    targets = [t for r in regions for t in r.targets]
    periods = _periods(targets)
    chosen = Period.parse(period) if period else default_period(periods, today)
    current = [t for t in targets if Period.parse(t.period).contains(today.year)]
    spans = [Period.parse(t.period) for t in current] + [chosen]
    facts = load_facts(
        session, first=min(p.first for p in spans), last=max(p.last for p in spans)
    )
    parts = facts.by_region()
    progress = target_progress(facts, [_spec(t) for t in current])
    figures = []
    for region in regions:
        in_period = parts.get(region.id, Facts()).in_years(chosen.first, chosen.last)
        lines = [_target_line(t, progress[t.id]) for t in current if t.region_id == region.id]
        figures.append(_region_figures(region.code, region.name, lines, in_period))
    in_period = Facts.from_rows([])
    for region in regions:
        piece = parts.get(region.id, Facts()).in_years(chosen.first, chosen.last)
        _extend(in_period, piece)
    names = {r.id: r.code for r in regions}
    national = breakdown(_renamed(in_period, names), "region", [r.code for r in regions])
    return Dashboard(
        period=chosen,
        periods=periods,
        regions=figures,
        national=national,
        national_by_target_group=breakdown(in_period, "target_group", TargetGroup.values()),
        demo=any(in_period.demo),
    )


def _extend(facts: Facts, more: Facts) -> None:
    for name, column in facts.__dict__.items():
        column.extend(getattr(more, name))


def _renamed(facts: Facts, names: dict[int, str]) -> Facts:
    copy = facts.slice(0, len(facts))
    copy.region = [names[r] for r in facts.region]
    return copy


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


def _region_figures(code: str, name: str, targets: list[TargetLine], facts: Facts):
    return RegionFigures(
        code=code,
        name=name,
        targets=targets,
        by_target_group=breakdown(facts, "target_group", TargetGroup.values()),
        by_sector=breakdown(facts, "sector", Sector.values()),
        by_category=breakdown(facts, "category", Audience.values()),
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
        institution = session.scalar(select(Institution).where(Institution.code == institution_code))
        if institution is None or institution.region_id != region.id:
            raise NotFound(_("No such institution in this region."))
        allowed = can_read_institution_internals(actor, institution.id, region.id)
    else:
        allowed = actor.is_administrator or region.id in actor.coordinator_of
    if not allowed:
        raise PermissionDenied(_("Only the region's coordinators and the editors see this."))
    periods = _periods(list(region.targets))
    chosen = Period.parse(period) if period else default_period(periods, today or date.today())
    facts = load_facts(session, first=chosen.first, last=chosen.last, region_ids=[region.id])
    if institution is not None:
        keep = [i for i, v in enumerate(facts.institution) if v == institution.id]
        facts = Facts(*([column[i] for i in keep] for column in facts.__dict__.values()))
    modules = dict(
        session.execute(
            select(Module.id, Module.code).join(Institution).where(Institution.region_id == region.id)
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
