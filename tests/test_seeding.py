"""The plan's seed data: what it holds, that loading it twice changes nothing, and that a broken
seed file is reported precisely and loads nothing."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
import yaml
from sqlalchemy import func, select

from catalogue import seeding
from catalogue.db import get_session
from catalogue.institutions.models import Institution, Region
from catalogue.models import metadata
from catalogue.modules.models import LearningUnit, Material, Module, ModuleVersion, Offering
from catalogue.resources import resource_dir
from catalogue.vocabularies import Licence
from tests.factories import app_session

ONLINE_MODES = {"online", "distance-learning"}


def _counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in metadata.sorted_tables
    }


def _offerings_with_place_and_price_in_2026_2027(offerings) -> list[Offering]:
    return [
        o
        for o in offerings
        if date(2026, 1, 1) <= o.start_date <= date(2027, 12, 31)
        and (o.city.strip() or o.delivery_mode in ONLINE_MODES)
        and o.price_eur is not None
        and o.seats > 0
    ]


def test_the_seeded_catalogue_holds_at_least_the_plan_s_minimum_counts(seeded_app):
    with app_session(seeded_app) as session:
        regions = {r.code: r for r in session.scalars(select(Region))}
        institutions = session.scalar(select(func.count()).select_from(Institution))
        modules = session.scalar(select(func.count()).select_from(Module))
        units = session.scalar(select(func.count()).select_from(LearningUnit))
        materials = list(session.scalars(select(Material)))
        offerings = list(session.scalars(select(Offering)))
        arnhem = regions.get("arnhem-nijmegen")
        partner = arnhem and session.get(Region, arnhem.partner_of_id)
    counts = {
        "regions": len(regions),
        "institutions": institutions,
        "modules": modules,
        "learning units": units,
        "materials with an NL-LOM licence": sum(m.licence in Licence.values() for m in materials),
        "offerings in 2026-2027 with place and price": len(
            _offerings_with_place_and_price_in_2026_2027(offerings)
        ),
    }
    minimum = {
        "regions": 5,
        "institutions": 25,
        "modules": 80,
        "learning units": 200,
        "materials with an NL-LOM licence": 60,
        "offerings in 2026-2027 with place and price": 100,
    }
    short = {k: f"{counts[k]} < {v}" for k, v in minimum.items() if counts[k] < v}
    assert not short, f"the seed holds less than the plan asks: {short}"
    assert set(regions) >= {"brainport", "arnhem-nijmegen", "zuid-holland", "twente", "noorden"}
    assert partner is not None and partner.code == "brainport"


def test_the_seed_names_the_plan_s_regions_and_arnhem_nijmegen_has_no_budget_of_its_own(app):
    with app.app_context():
        data = seeding.read_seed()
    regions = {r["code"]: r for r in data.regions}
    assert regions["arnhem-nijmegen"]["partner_of"] == "brainport"
    assert regions["arnhem-nijmegen"]["budget_reserved_eur"] is None
    for code in ("brainport", "zuid-holland", "twente", "noorden"):
        assert regions[code]["partner_of"] is None
        assert regions[code]["budget_reserved_eur"] > 0


def test_the_file_counts_match_what_lands_in_the_database(seeded_app):
    with seeded_app.app_context():
        in_files = seeding.read_seed().counts()
        session = get_session()
        stored = {
            "regions": session.scalar(select(func.count()).select_from(Region)),
            "institutions": session.scalar(select(func.count()).select_from(Institution)),
            "modules": session.scalar(select(func.count()).select_from(Module)),
            "learning_units": session.scalar(select(func.count()).select_from(LearningUnit)),
            "materials": session.scalar(select(func.count()).select_from(Material)),
            "offerings": session.scalar(select(func.count()).select_from(Offering)),
        }
    assert stored == {kind: in_files[kind] for kind in stored}


def test_published_seed_modules_have_versions_with_content_hashes(seeded_app):
    from catalogue.modules.content import content_hash

    with app_session(seeded_app) as session:
        published = list(session.scalars(select(Module).where(Module.status != "draft")))
        versions: dict[int, list[ModuleVersion]] = {}
        for version in session.scalars(select(ModuleVersion).order_by(ModuleVersion.number)):
            versions.setdefault(version.module_id, []).append(version)
    assert published, "the seed publishes modules"
    for module in published:
        numbers = [v.number for v in versions[module.id]]
        assert numbers == list(range(1, module.current_version + 1)), module.code
        for version in versions[module.id]:
            assert version.content_hash == content_hash(version.content), module.code
        hashes = {v.content_hash for v in versions[module.id]}
        assert len(hashes) == len(numbers), f"{module.code}: two versions with the same content"


def test_seeding_twice_leaves_the_counts_unchanged(seeded_app):
    with seeded_app.app_context():
        session = get_session()
        before = _counts(session)
        result = seeding.load_seed(session, seeding.read_seed())
        after = _counts(session)
    assert result["modules_created"] == 0
    assert after == before


def test_demo_accounts_are_only_created_when_asked_for_and_only_once(seeded_app):
    with seeded_app.app_context():
        session = get_session()
        data = seeding.read_seed()
        assert seeding.load_seed(session, data)["accounts_created"] == 0
        created = seeding.load_seed(session, data, demo_accounts=True)["accounts_created"]
        assert created == len(data.demo_accounts) > 0
        assert seeding.load_seed(session, data, demo_accounts=True)["accounts_created"] == 0


def test_the_cli_seed_command_on_a_seeded_database_adds_nothing(seeded_app):
    from catalogue.cli import main

    with seeded_app.app_context():
        before = _counts(get_session())
    result = seeded_app.test_cli_runner().invoke(main, ["seed"])
    assert result.exit_code == 0, result.output
    assert "Seeded: 0 new modules" in result.output
    with seeded_app.app_context():
        after = _counts(get_session())
    # The test app runs as a demo, so the command adds the demo accounts; nothing else changes.
    for table in ("user_account", "membership"):
        before.pop(table), after.pop(table)
    assert after == before


def test_the_cli_seed_command_refuses_a_database_without_the_schema(database_factory, tmp_path):
    from catalogue import create_app
    from catalogue.cli import main

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "DATABASE_URL": database_factory.empty("sqlite"),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
    )
    result = app.test_cli_runner().invoke(main, ["seed"])
    assert result.exit_code != 0
    assert "catalogue db upgrade" in result.output
    app.extensions["db_engine"].dispose()


# -- broken seed files ----------------------------------------------------------------------


@pytest.fixture
def seed_copy(tmp_path):
    """A copy of the seed folder to break."""
    target = tmp_path / "seed"
    shutil.copytree(resource_dir("seed"), target)
    return target


def _first_module_file(seed_dir):
    return sorted((seed_dir / "modules").glob("*.yaml"))[0]


def _last_module_file(seed_dir):
    return sorted((seed_dir / "modules").glob("*.yaml"))[-1]


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def _read_broken(app, seed_dir) -> str:
    with app.app_context():
        with pytest.raises(seeding.SeedError) as broken:
            seeding.read_seed(seed_dir)
        return broken.value.message


def test_a_broken_module_names_the_file_the_record_and_the_field(app, seed_copy):
    path = _first_module_file(seed_copy)
    data = _edit(path, lambda d: d["modules"][1]["study_load"].update(unit="parsecs"))
    code = data["modules"][1]["code"]
    message = _read_broken(app, seed_copy)
    assert path.name in message
    assert f"modules[1] (code {code})" in message
    assert "study_load.unit" in message


def test_a_broken_unit_names_the_unit_s_path(app, seed_copy):
    path = _first_module_file(seed_copy)
    _edit(path, lambda d: d["modules"][0]["units"][0].update(component_type="nap"))
    message = _read_broken(app, seed_copy)
    assert path.name in message and "units[0].component_type" in message


def test_a_broken_institution_names_the_file_the_record_and_the_field(app, seed_copy):
    path = seed_copy / "institutions.yaml"
    data = _edit(path, lambda d: d["institutions"][2].update(kind="castle"))
    code = data["institutions"][2]["code"]
    message = _read_broken(app, seed_copy)
    assert "institutions.yaml" in message
    assert f"institutions[2] (code {code})" in message
    assert "kind" in message


def test_an_institution_in_an_unknown_region_is_named(app, seed_copy):
    path = seed_copy / "institutions.yaml"
    data = _edit(path, lambda d: d["institutions"][0].update(region="atlantis"))
    message = _read_broken(app, seed_copy)
    assert f"institutions[0] (code {data['institutions'][0]['code']})" in message
    assert "region" in message and "atlantis" in message


def test_an_unknown_field_is_named(app, seed_copy):
    path = seed_copy / "regions.yaml"
    _edit(path, lambda d: d["regions"][0].update(budgett=1))
    message = _read_broken(app, seed_copy)
    assert "regions.yaml" in message and "regions[0]" in message and "budgett" in message


def test_a_file_that_is_not_yaml_names_the_file_and_line(app, seed_copy):
    path = _first_module_file(seed_copy)
    path.write_text("modules:\n  - code: [unclosed\n", encoding="utf-8")
    message = _read_broken(app, seed_copy)
    assert path.name in message and "line" in message


def test_a_broken_seed_loads_nothing(app, seed_copy):
    """The error comes from the last file, after every other file was read: still nothing lands."""
    path = _last_module_file(seed_copy)
    _edit(path, lambda d: d["modules"][-1].update(level="kindergarten"))
    with app.app_context():
        session = get_session()
        with pytest.raises(seeding.SeedError):
            seeding.load_seed(session, seeding.read_seed(seed_copy))
        assert set(_counts(session).values()) == {0}
