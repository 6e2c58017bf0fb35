"""Helpers of the monitoring tests: fake BSNs, participation files, extra runs in the world,
and imports through the real upload service."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from catalogue.accounts.permissions import SYSTEM
from catalogue.institutions import services as institutions
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.models import Module
from catalogue.monitoring import services, uploads
from catalogue.monitoring.imports import check_table, read_table
from catalogue.monitoring.pseudonyms import pseudonym_key

# The API tests' fixtures: clients that send an account's token.
from tests.api.conftest import api_client_for, token_for  # noqa: F401
from tests.factories import (
    app_session,
    create_module,
    institution_data,
    module_content,
    offering_data,
)

PERIOD = "2025-2026"
INSTITUTION_C = "test-instituut-c"  # a second institution in Brainport, made by `third_run`
HEADER = [
    "module code",
    "run code",
    "BSN or education number",
    "target group",
    "category",
    "status",
    "enrolled on",
]


def fake_bsn(n: int) -> str:
    """The n-th made-up nine-digit number (starting 7) that passes the eleven-test."""
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    candidate = 700_000_000 + 7919 * n
    while sum(int(d) * w for d, w in zip(f"{candidate}", weights, strict=True)) % 11:
        candidate += 1
    return f"{candidate}"


def row(module: str, run: str, bsn: str, **overrides) -> list[str]:
    """One data row in the order of HEADER."""
    values = {
        "target_group": "retraining",
        "category": "job-seekers",
        "status": "enrolled",
        "enrolled_on": "2026-08-20",
    }
    values.update(overrides)
    return [module, run, bsn, *values.values()]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    """A participation CSV file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def institution_id(app, code: str) -> int:
    with app_session(app) as session:
        return session.scalar(select(Institution.id).where(Institution.code == code))


def upload(app, code: str, data: bytes, *, dry_run: bool = False, actor=SYSTEM, name="p.csv"):
    """Import a file for an institution through the upload service; returns the report."""
    with app_session(app) as session:
        checked = check_table(read_table(name, data), key=pseudonym_key())
        return uploads.import_participations(
            session=session,
            actor=actor,
            institution_id=institution_id(app, code),
            checked=checked,
            dry_run=dry_run,
        )


def figures(app):
    """The public dashboard's figures for 2025-2026."""
    with app_session(app) as session:
        return services.dashboard(session, period=PERIOD)


def region(dashboard, code: str):
    return next(r for r in dashboard.regions if r.code == code)


@pytest.fixture
def monitoring_app(world_app):
    """The world, with a second Brainport institution C whose module C-PUB has run 2026-03."""
    with app_session(world_app) as session:
        institutions.save_institution(
            session=session, actor=SYSTEM, data=institution_data(INSTITUTION_C, "brainport")
        )
        c = session.scalar(select(Institution.id).where(Institution.code == INSTITUTION_C))
        module = create_module(session, c, module_content("C-PUB"), status="published")
        editing.create_offering(
            session=session,
            actor=SYSTEM,
            module_id=module.id,
            data=offering_data(
                "2026-03",
                start_date="2026-03-02",
                end_date="2026-06-26",
                enrol_from="2026-01-05",
                enrol_until="2026-02-20",
            ),
        )
        assert session.scalar(select(Module.id).where(Module.code == "A-PUB"))
    return world_app
