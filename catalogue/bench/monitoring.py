"""`catalogue bench monitoring`: the dashboard's figures over many participation records.

A temporary SQLite database gets the seed (regions, targets, institutions, modules), two runs in
2025 and 2026 of every seed module, and N synthetic participation records of about N / 1.6
people (most take one run, some two or three, a few in two regions). The public dashboard's
figures for all regions are then computed repeatedly and the timings printed. Rows are written
with SQLAlchemy Core in batches; nothing here goes through the import, since its speed is not
what is measured.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

BATCH = 5_000
RUN_STARTS = (date(2025, 9, 8), date(2026, 2, 9))


def _fill(session, records: int, rng: random.Random) -> None:
    """Two runs per seed module and `records` participations spread over them."""
    from catalogue.modules.models import Module, Offering
    from catalogue.monitoring.models import MonitoredPerson, Participation

    now = datetime.now(UTC)
    modules = session.scalars(select(Module.id).order_by(Module.id)).all()
    session.execute(
        insert(Offering),
        [
            {
                "module_id": m,
                "code": f"BENCH-{start:%Y-%m}",
                "start_date": start,
                "end_date": start.replace(month=start.month + 3),
                "city": "",
                "delivery_mode": "online",
                "language": "nld",
                "price_eur": Decimal(0),
                "seats": 500,
                "status": "completed",
                "lock_version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for m in modules
            for start in RUN_STARTS
        ],
    )
    runs = session.scalars(select(Offering.id).where(Offering.code.like("BENCH-%"))).all()
    people = max(1, int(records / 1.6))
    for start in range(0, people, BATCH):
        session.execute(
            insert(MonitoredPerson),
            [
                {"pseudonym": hashlib.sha256(str(i).encode()).hexdigest(), "created_at": now}
                for i in range(start, min(people, start + BATCH))
            ],
        )
    person_ids = session.scalars(select(MonitoredPerson.id)).all()
    taken: set[tuple[int, int]] = set()
    rows = []
    while len(rows) < records:
        person = (
            person_ids[len(rows) % len(person_ids)]
            if len(rows) < people
            else rng.choice(person_ids)
        )
        run = rng.choice(runs)
        if (run, person) in taken:
            continue
        taken.add((run, person))
        rows.append(_participation(person, run, rng, now))
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Participation), rows[start : start + BATCH])
    session.commit()


def _participation(person: int, run: int, rng: random.Random, now: datetime) -> dict:
    group = rng.choice(("retraining", "upskilling"))
    return {
        "offering_id": run,
        "person_id": person,
        "target_group": group,
        "category": rng.choice(("job-seekers", "career-switchers", "employees", "alumni")),
        "status": rng.choice(("completed", "completed", "completed", "dropped-out", "started")),
        "enrolled_on": date(2025, 8, 1),
        "is_demo": False,
        "created_at": now,
        "updated_at": now,
    }


def run(*, records: int, runs: int, seed: int, echo: Callable[[str], None]) -> dict:
    """Build the data set, time `runs` computations of all regions' figures, print the result."""
    from catalogue import create_app, migrate, seeding
    from catalogue.db import engine, get_session, new_session
    from catalogue.monitoring import services

    with tempfile.TemporaryDirectory(prefix="bench-monitoring-") as workdir:
        folder = Path(workdir)
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                "SEARCH_INDEX_DIR": str(folder / "index"),
                "SECRET_KEY": "bench",
                "PSEUDONYM_KEY": "bench-" * 8,
            }
        )
        with app.app_context():
            migrate.upgrade(engine())
            seeding.load_seed(get_session(), seeding.read_seed())
            build = time.perf_counter()
            _fill(new_session(), records, random.Random(seed))
            echo(f"{records} participation records written in {time.perf_counter() - build:.1f} s")
            timings, cpu = [], []
            for _ in range(runs):
                session = new_session()
                started, started_cpu = time.perf_counter(), time.process_time()
                figures = services.dashboard(session, today=date(2026, 6, 1))
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                session.close()
            engine().dispose()
    timings.sort()
    cpu.sort()
    result = {
        "records": records,
        "people_national": figures.national.total.people.value,
        "runs": runs,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "max_ms": round(timings[-1], 1),
        # CPU time of this process: what the wall time would be on an otherwise idle machine.
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[max(0, int(len(cpu) * 0.95) - 1)], 1),
        "load_average": round(os.getloadavg()[0], 1),
    }
    echo(
        f"all regions' figures, {records} records, {runs} runs: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms; "
        f"CPU time p50 {result['cpu_p50_ms']} ms, p95 {result['cpu_p95_ms']} ms "
        f"(load average {result['load_average']} on {os.cpu_count()} CPUs)"
    )
    return result
