"""Reading participation facts from the database for the counting rules.

The public dashboard reads every participation of a span of years. To keep that fast at 100,000
records, the runs of those years are read first, and the participations then come from their own
table alone, grouped by their codes, each group's people and runs as comma-separated texts that
numpy parses in one go, instead of as 100,000 Python rows.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlalchemy import extract, func, select
from sqlmodel import Session

from catalogue.institutions.models import Institution
from catalogue.modules.models import Module, Offering
from catalogue.monitoring.counting import CODES, Facts
from catalogue.monitoring.models import Participation

# Person and run are packed into one integer: the run's id in the low 24 bits.
RUN_BITS = 2**24


def _joined(statement, first: int, last: int):
    return (
        statement.join(Offering, Offering.id == Participation.offering_id)
        .join(Module, Module.id == Offering.module_id)
        .join(Institution, Institution.id == Module.institution_id)
        .where(Offering.start_date >= date(first, 1, 1), Offering.start_date <= date(last, 12, 31))
    )


def _runs(session: Session, first: int, last: int) -> np.ndarray:
    """Region, sector code and start year of every run starting in these years, by run id
    (a row of zeros for other runs)."""
    statement = (
        select(
            Offering.id, Institution.region_id, Module.sector, extract("year", Offering.start_date)
        )
        .join(Module, Module.id == Offering.module_id)
        .join(Institution, Institution.id == Module.institution_id)
        .where(Offering.start_date >= date(first, 1, 1), Offering.start_date <= date(last, 12, 31))
    )
    rows = session.execute(statement).all()
    table = np.zeros((max((r[0] for r in rows), default=0) + 1, 4), dtype=np.int64)
    sectors = {code: position for position, code in enumerate(CODES["sector"])}
    for run_id, region_id, sector, year in rows:
        table[run_id] = (1, region_id, sectors.get(sector, 0), year)
    return table


def _aggregate(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        return func.group_concat(column, ",")
    order = sa.literal_column("',' ORDER BY participation.person_id, participation.offering_id")
    return func.string_agg(sa.cast(column, sa.Text), order)


def _integers(text: str | None) -> np.ndarray:
    return np.fromstring(text or "", dtype=np.int64, sep=",")


def load_packed_facts(session: Session, *, first: int, last: int) -> Facts:
    """Every participation of runs starting in these years (without institution and module).

    The runs are read first (a few thousand rows at most). The participations are then read
    from their own table alone, grouped by their codes along a covering index, each group as one
    text of comma-separated integers (person and run packed into one).
    """
    runs = _runs(session, first, last)
    codes = (
        Participation.target_group,
        Participation.category,
        Participation.status,
        Participation.is_demo,
    )
    packed = sa.cast(Participation.person_id, sa.BigInteger) * RUN_BITS + Participation.offering_id
    groups = session.execute(select(*codes, _aggregate(session, packed)).group_by(*codes)).all()
    positions = {name: {c: i for i, c in enumerate(values)} for name, values in CODES.items()}
    parts: dict[str, list[np.ndarray]] = {}
    for target_group, category, status, demo, numbers in groups:
        pairs = _integers(numbers)
        person, run_ids = pairs // RUN_BITS, pairs % RUN_BITS
        run_ids[run_ids >= len(runs)] = 0
        facts_of_run = runs[run_ids]
        keep = facts_of_run[:, 0] == 1
        size = int(keep.sum())
        for name, column in (
            ("person", person[keep]),
            ("region", facts_of_run[keep, 1]),
            ("sector", facts_of_run[keep, 2]),
            ("year", facts_of_run[keep, 3]),
            ("target_group", np.full(size, positions["target_group"][target_group])),
            ("category", np.full(size, positions["category"][category])),
            ("status", np.full(size, positions["status"][status])),
            ("demo", np.full(size, int(bool(demo)))),
        ):
            parts.setdefault(name, []).append(column)
    if not parts:
        return Facts.from_columns(person=[])
    return Facts.from_columns(**{name: np.concatenate(arrays) for name, arrays in parts.items()})


def load_region_facts(session: Session, *, first: int, last: int, region_id: int) -> Facts:
    """The participations of one region's runs in these years, with institution and module."""
    statement = select(
        Participation.person_id,
        Institution.region_id,
        Module.institution_id,
        Offering.module_id,
        Participation.target_group,
        Module.sector,
        Participation.category,
        Participation.status,
        extract("year", Offering.start_date),
        Participation.is_demo,
    ).select_from(Participation)
    statement = _joined(statement, first, last).where(Institution.region_id == region_id)
    return Facts.from_rows(session.execute(statement).all())
