"""A world with modules whose runs an employer searches: one app per backend for the module,
built once (the tests only read, except where they make their own data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

from catalogue.db import get_session
from catalogue.modules import editing
from tests.conftest import _make_app, _world_template
from tests.databases import backends
from tests.factories import (
    EDITOR_A,
    INSTITUTION_A,
    World,
    actor_of,
    create_module,
    module_content,
    offering_data,
)
from tests.search.conftest import build_index

TODAY = date.today()
JANUARY = TODAY + timedelta(days=40)  # "January": the sooner window
MARCH = TODAY + timedelta(days=100)  # "March": the later window


def day(offset: date, plus: int = 0) -> str:
    return (offset + timedelta(days=plus)).isoformat()


def run(code: str, start: date, **overrides):
    """Validated data of a run starting on `start`, ending four weeks later."""
    values = {
        "start_date": day(start),
        "end_date": day(start, 28),
        "enrol_from": None,
        "enrol_until": None,
    }
    values.update(overrides)
    return offering_data(code, **values)


RUNS = {
    # Dutch in March in one run, English in January in another.
    "EMPLANG": [
        run("NL-MAR", MARCH, language="nld", city="Eindhoven"),
        run("EN-JAN", JANUARY, language="eng", city="Delft"),
    ],
    # One run in each place, and one online.
    "EMPNEAR": [
        run("EHV", JANUARY, city="Eindhoven"),
        run("VELD", JANUARY + timedelta(days=1), city="Veldhoven"),
        run("HELM", JANUARY + timedelta(days=2), city="Helmond"),
        run("DELFT", JANUARY + timedelta(days=3), city="Delft"),
        run("WEB", JANUARY + timedelta(days=4), city="", delivery_mode="online"),
    ],
    # A full run, a run whose enrolment closed, and one with places.
    "EMPSEATS": [
        run("FULL", JANUARY, status="full"),
        run("CLOSED", JANUARY, enrol_until=day(TODAY, -1)),
        run("FREE", MARCH, seats=12),
    ],
}


@dataclass
class EmployerWorld:
    app: Flask
    modules: dict[str, int]
    runs: dict[tuple[str, str], int]


@pytest.fixture(scope="module", params=backends())
def employer_world(request, database_factory, tmp_path_factory):
    backend = request.param
    url = database_factory.copy(
        backend, _world_template(database_factory, tmp_path_factory, backend)
    )
    app = _make_app(url, tmp_path_factory.mktemp("employer-index") / "index")
    modules, runs = {}, {}
    institution_id = World.load(app).institution_ids[INSTITUTION_A]
    with app.app_context():
        session = get_session()
        actor = actor_of(session, EDITOR_A)
        for code, run_data in RUNS.items():
            content = module_content(code, title=f"Werkplaats {code.lower()}")
            module = create_module(session, institution_id, content, actor=actor, status="draft")
            for data in run_data:
                offering = editing.create_offering(
                    session=session, actor=actor, module_id=module.id, data=data
                )
                runs[(code, data["code"])] = offering.id
            editing.publish_module(session=session, actor=actor, module_id=module.id)
            modules[code] = module.id
        session.commit()
    build_index(app)
    yield EmployerWorld(app, modules, runs)
    app.extensions["db_engine"].dispose()
    database_factory.drop(url)
