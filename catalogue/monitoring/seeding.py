"""Demo participation: synthetic records for 2025-2026, made only for a demonstration.

Loaded with the demo accounts when CATALOGUE_DEMO_PARTICIPATION is set too (`catalogue start`
sets both), never otherwise. The identifiers are fake BSNs drawn from a fixed
random sequence; they pass the eleven-test and go through the same pseudonymisation and import
service as a real upload. The runs they attend carry "DEMO" in their code and every record is
flagged as demo data, which the dashboard says whenever it counts one. Some regions come out ahead
of their targets, some behind.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from catalogue.accounts.permissions import SYSTEM
from catalogue.modules import editing
from catalogue.modules.models import Module, Offering
from catalogue.monitoring.imports import CheckedRow, CheckedTable
from catalogue.monitoring.models import Participation
from catalogue.monitoring.pseudonyms import pseudonym_for, pseudonym_key
from catalogue.monitoring.uploads import import_participations

# The part of each region's 2025-2026 (or 2026) targets the demo data reaches.
PACE = {"brainport": 0.62, "twente": 1.08, "zuid-holland": 0.85, "noorden": 1.3}
DEMO_RUNS = (
    ("DEMO-2025-09", date(2025, 9, 8), date(2025, 12, 19)),
    ("DEMO-2026-02", date(2026, 2, 9), date(2026, 6, 26)),
    ("DEMO-2026-09", date(2026, 9, 7), date(2026, 12, 18)),
)
RUNS_PER_REGION_SECTOR = 4
CATEGORIES = {
    "retraining": ("job-seekers", "labour-migrants", "career-switchers"),
    "upskilling": ("employees", "employees", "alumni"),
}


def fake_bsn(rng: random.Random, used: set[str]) -> str:
    """A made-up nine-digit number, not in `used`, that passes the BSN eleven-test."""
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        number = "".join(map(str, digits)) + str(total % 11)
        if total % 11 < 10 and digits[0] != 0 and number not in used:
            used.add(number)
            return number


def _demo_runs(session, region, sector: str, years: range) -> list[tuple[str, str, date, int]]:
    """Demo runs of some of the region's published modules of a sector, made where missing."""
    modules = session.scalars(
        select(Module)
        .where(Module.status == "published", Module.sector == sector)
        .where(Module.institution_id.in_([i.id for i in region.institutions]))
        .order_by(Module.id)
        .limit(RUNS_PER_REGION_SECTOR)
    ).all()
    runs = []
    for module in modules:
        # Asked of the database, not of `module.offerings`: a module serves several targets of
        # its region, and a run made for the first one is not yet in that loaded collection.
        have = set(session.scalars(select(Offering.code).where(Offering.module_id == module.id)))
        for code, start, end in DEMO_RUNS:
            if start.year not in years:
                continue
            if code not in have:
                have.add(code)
                editing.create_offering(
                    session=session, actor=SYSTEM, module_id=module.id, data=_run(code, start, end)
                )
            runs.append((module.code, code, end, module.institution_id))
    return runs


def _run(code: str, start: date, end: date) -> dict:
    return {
        "code": code,
        "start_date": start,
        "end_date": end,
        "enrol_from": None,
        "enrol_until": start - timedelta(days=14),
        "city": "",
        "delivery_mode": "online",
        "language": "nld",
        "price_eur": Decimal("0.00"),
        "price_note": "Demo run for the monitoring demonstration.",
        "seats": 400,
        "status": "completed" if end < date(2026, 12, 1) else "open",
    }


def _rows_for(rng, runs, people: int, group: str | None, key: bytes, used) -> dict[int, list]:
    """Rows of `people` fake people, each in one to three of the runs, by institution."""
    by_institution: dict[int, list[CheckedRow]] = {}
    for _ in range(people):
        pseudonym = pseudonym_for(fake_bsn(rng, used), key=key)
        chosen_group = group or rng.choice(("retraining", "upskilling"))
        category = rng.choice(CATEGORIES[chosen_group])
        count = rng.choice((1, 1, 1, 2, 2, 3))
        for module_code, run_code, end, institution_id in rng.sample(runs, min(count, len(runs))):
            finished = end < date(2026, 12, 1)
            status = rng.choice(("completed",) * 4 + ("dropped-out",)) if finished else "started"
            row = CheckedRow(
                row=len(by_institution.get(institution_id, [])) + 2,
                module_code=module_code,
                run_code=run_code,
                pseudonym=pseudonym,
                target_group=chosen_group,
                category=category,
                status=status,
                enrolled_on=end - timedelta(days=120),
                started_on=end - timedelta(days=100),
                ended_on=end if status != "started" else None,
            )
            by_institution.setdefault(institution_id, []).append(row)
    return by_institution


def seed_demo_participation(session, regions: dict) -> int:
    """Add the demo participation unless there is some; returns how many records were made."""
    if session.scalar(select(Participation.id).where(Participation.is_demo).limit(1)):
        return 0
    rng = random.Random(20252026)
    key = pseudonym_key()
    created = 0
    used: set[str] = set()
    for code, pace in PACE.items():
        region = regions[code]
        for target in region.targets:
            if target.period not in ("2025-2026", "2026"):
                continue
            years = range(2025, 2027) if target.period == "2025-2026" else range(2026, 2027)
            sectors = [target.sector] if target.sector else ["mbo", "hbo"]
            runs = [r for s in sectors for r in _demo_runs(session, region, s, years)]
            if not runs:
                continue
            people = round(target.people * pace)
            rows = _rows_for(rng, runs, people, target.target_group, key, used)
            for institution_id, institution_rows in rows.items():
                report = import_participations(
                    session=session,
                    actor=SYSTEM,
                    institution_id=institution_id,
                    checked=CheckedTable(institution_rows, [], {}),
                    dry_run=False,
                    demo=True,
                )
                created += report.created
    return created
