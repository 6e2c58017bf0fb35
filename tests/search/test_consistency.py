"""The index follows the database: after a crash between commit and indexing the next drain
catches up, several nodes with their own index follow one database, a rebuild swaps in a new
index while searches keep working, and `catalogue search check` finds any difference."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from catalogue.accounts.permissions import SYSTEM
from catalogue.cli import main
from catalogue.institutions import services as institutions
from catalogue.modules import editing
from catalogue.modules.models import Material, Module
from catalogue.search import engine, indexer
from catalogue.search.engine import SearchRequest
from catalogue.search.query import parse_query
from catalogue.search.service import search_index
from tests.conftest import _make_app
from tests.factories import (
    EDITOR_A,
    World,
    actor_of,
    institution_data,
    module_content,
    offering_data,
)
from tests.search.conftest import app_session, build_index, found_ids

ROOT = Path(__file__).resolve().parents[2]
UNIQUE_TITLE = "Ultrasoon reinigen van vacuümkamers"


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(main, list(args))


def _index_of(app):
    return app.extensions["search_index"]


def _indexed_ids(app) -> set[int]:
    """Module ids in the app's index, read without draining anything."""
    with _index_of(app).reading() as view:
        return set(view.fingerprints())


def _outbox(app) -> tuple[int, int]:
    """(newest outbox entry, last entry the app's index applied)."""
    with app_session(app) as session:
        return indexer.latest_outbox_id(session), search_index().applied_seq()


def _status(app, module_id: int) -> str:
    with app_session(app) as session:
        return session.scalar(select(Module.status).where(Module.id == module_id))


def _material_ids(app, module_id: int) -> list[int]:
    with app_session(app) as session:
        return list(session.scalars(select(Material.id).where(Material.module_id == module_id)))


def _found_material_ids(app, text: str) -> set[int]:
    """Material the node's finder finds for `text` (the finder drains first, like search)."""
    body = app.test_client().get("/api/v1/materials", query_string={"q": text, "page_size": 100})
    return {item["id"] for item in body.get_json()["items"]}


def _give_unique_title(app, module_id: int, code: str) -> None:
    with app_session(app) as session:
        editing.update_module(
            session=session,
            actor=SYSTEM,
            module_id=module_id,
            content=module_content(code, title=UNIQUE_TITLE),
            base_version=None,
        )


def _crash_while_indexing(app, module_id: int) -> None:
    """Publish the module in another process and SIGKILL it after the commit, while its
    after-request drain waits for the index lock that this process holds."""
    index = _index_of(app)
    with index.writing():
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.search.crash_child",
                app.config["DATABASE_URL"],
                app.config["SEARCH_INDEX_DIR"],
                str(module_id),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 90
            while _status(app, module_id) != "published":
                assert child.poll() is None, f"the child died early: {child.communicate()}"
                assert time.monotonic() < deadline, "the child did not publish in time"
                time.sleep(0.05)
            # Committed. Give the request time to reach the drain, then check it is stuck there.
            time.sleep(0.5)
            assert child.poll() is None, (
                f"the request did not wait for the lock: {child.communicate()}"
            )
        finally:
            os.kill(child.pid, signal.SIGKILL)
            output, errors = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert "request finished" not in output, errors


@pytest.mark.parametrize("catch_up", ["catalogue search drain", "next search after a restart"])
def test_a_crash_after_the_commit_is_caught_up_and_check_then_finds_no_difference(
    world_app, world, catch_up
):
    module_id = world.modules["A-DRAFT"]
    _give_unique_title(world_app, module_id, "A-DRAFT")
    build_index(world_app)
    assert module_id not in found_ids(world_app, "ultrasoon")

    _crash_while_indexing(world_app, module_id)

    # The database has the change; the index does not.
    assert _status(world_app, module_id) == "published"
    latest, applied = _outbox(world_app)
    assert latest > applied
    assert module_id not in _indexed_ids(world_app)

    # `check` reports the difference and fails, and changes nothing itself.
    material_ids = _material_ids(world_app, module_id)
    for _ in range(2):
        result = _cli(world_app, "search", "check")
        assert result.exit_code == 1, result.output
        assert f"module {module_id}: published but missing from the index" in result.output
        for material_id in material_ids:
            assert f"material {material_id}: published material missing" in result.output
        assert "waiting in the outbox" in result.output
        assert _outbox(world_app) == (latest, applied)
        assert module_id not in _indexed_ids(world_app)

    if catch_up == "catalogue search drain":
        result = _cli(world_app, "search", "drain")
        assert result.exit_code == 0, result.output
        assert "Applied" in result.output and "Applied 0 " not in result.output
        app = world_app
    else:
        # The node starts again on the same index folder; its first search catches up.
        app = _make_app(
            world_app.config["DATABASE_URL"], Path(world_app.config["SEARCH_INDEX_DIR"])
        )
        html = app.test_client().get("/search", query_string={"q": "ultrasoon"}).text
        assert f'href="/modules/{module_id}"' in html
        app.extensions["db_engine"].dispose()

    result = _cli(world_app, "search", "check")
    assert result.exit_code == 0, result.output
    assert "The index matches the database." in result.output
    assert found_ids(world_app, "ultrasoon vacuümkamers")[:1] == [module_id]
    assert module_id in found_ids(world_app, UNIQUE_TITLE)
    assert set(material_ids) <= _found_material_ids(world_app, UNIQUE_TITLE)


def test_two_nodes_with_their_own_index_follow_one_database(world_app_factory):
    node_a = world_app_factory()
    node_b = world_app_factory()
    assert node_a.config["DATABASE_URL"] == node_b.config["DATABASE_URL"]
    assert node_a.config["SEARCH_INDEX_DIR"] != node_b.config["SEARCH_INDEX_DIR"]
    world = World.load(node_a)
    draft, published = world.modules["A-DRAFT"], world.modules["A-PUB"]
    build_index(node_a)
    build_index(node_b)
    assert draft not in found_ids(node_b, "A-DRAFT")

    # Published through node A's services; node B's index has not seen it yet.
    with app_session(node_a) as session:
        editing.publish_module(session=session, actor=actor_of(session, EDITOR_A), module_id=draft)
    assert draft not in _indexed_ids(node_b)
    result = _cli(node_b, "search", "check")
    assert result.exit_code == 1
    for material_id in _material_ids(node_a, draft):
        assert f"material {material_id}: published material missing" in result.output

    result = _cli(node_b, "search", "drain")
    assert result.exit_code == 0 and "Applied 0 " not in result.output, result.output
    assert draft in _indexed_ids(node_b)
    api = node_b.test_client().get("/api/v1/search", query_string={"q": "A-DRAFT"}).get_json()
    assert draft in [item["id"] for item in api["items"]]

    # Archived through node B's services; node A follows on its next search.
    with app_session(node_b) as session:
        editing.archive_module(
            session=session, actor=actor_of(session, EDITOR_A), module_id=published
        )
    assert published in _indexed_ids(node_a)
    assert published not in found_ids(node_a, "A-PUB")
    assert draft in found_ids(node_a, "A-DRAFT")

    assert published not in found_ids(node_b, "A-PUB")
    for material_id in _material_ids(node_a, published):
        assert material_id not in _found_material_ids(node_a, "A-PUB")
    assert set(_material_ids(node_a, draft)) <= _found_material_ids(node_a, "A-DRAFT")

    for node in (node_a, node_b):
        result = _cli(node, "search", "check")
        assert result.exit_code == 0, result.output


def test_a_rebuild_swaps_in_a_new_index_while_a_search_opened_before_keeps_working(
    world_app, world
):
    archived = world.modules["A-PUB"]
    build_index(world_app)
    index = _index_of(world_app)
    # Archived without any drain: the current index generation still holds the module.
    with app_session(world_app) as session:
        editing.archive_module(session=session, actor=SYSTEM, module_id=archived)

    with index.reading() as view:
        opened = view.path
        result = _cli(world_app, "search", "rebuild")
        assert result.exit_code == 0, result.output
        assert index.current_path.resolve() != opened, "the rebuild made a new generation"

        # The search opened before reads its own generation to the end, untouched.
        query = parse_query("cleanroom A-PUB", index.thesaurus)
        outcome = engine.run(view, query, SearchRequest(text="cleanroom A-PUB"), today=date.today())
        arrays = view.arrays()
        ids = [int(arrays.module_ids[d]) for d in outcome.docnums]
        assert archived in ids
        assert view.stored(outcome.docnums[ids.index(archived)])["code"] == "A-PUB"
        assert archived in view.fingerprints()

    # New searches use the new generation.
    assert archived not in found_ids(world_app, "A-PUB")
    assert archived not in _indexed_ids(world_app)
    result = _cli(world_app, "search", "check")
    assert result.exit_code == 0, result.output


def test_rebuild_then_check_finds_zero_differences(seeded_app):
    result = _cli(seeded_app, "search", "check")
    assert result.exit_code != 0 and "no search index yet" in result.output

    result = _cli(seeded_app, "search", "rebuild")
    assert result.exit_code == 0, result.output
    with app_session(seeded_app) as session:
        published = len(
            session.scalars(select(Module.id).where(Module.status == "published")).all()
        )
    assert f"Indexed {published} modules" in result.output

    result = _cli(seeded_app, "search", "check")
    assert result.exit_code == 0, result.output
    assert "The index matches the database." in result.output
    assert "module " not in result.output


def _archive_without_drain(app, world):
    with app_session(app) as session:
        editing.archive_module(session=session, actor=SYSTEM, module_id=world.modules["A-PUB"])
    return world.modules["A-PUB"], "in the index but not published"


def _change_a_run_without_drain(app, world):
    with app_session(app) as session:
        editing.update_offering(
            session=session,
            actor=SYSTEM,
            offering_id=world.offerings["A-PUB"],
            data=offering_data(price_eur="999.00", city="Enschede"),
            base_version=None,
        )
    return world.modules["A-PUB"], "index entry differs from the database"


@pytest.mark.parametrize("change", [_archive_without_drain, _change_a_run_without_drain])
def test_check_names_each_module_that_differs_until_a_drain(world_app, world, change):
    build_index(world_app)
    module_id, problem = change(world_app, world)
    result = _cli(world_app, "search", "check")
    assert result.exit_code == 1
    assert f"module {module_id}: {problem}" in result.output
    assert "1 modules differ" in result.output
    assert _cli(world_app, "search", "drain").exit_code == 0
    assert _cli(world_app, "search", "check").exit_code == 0


def test_renaming_an_institution_or_moving_it_to_another_region_updates_search(world_app, world):
    build_index(world_app)
    published = world.modules["A-PUB"]
    with app_session(world_app) as session:
        institutions.save_institution(
            session=session,
            actor=SYSTEM,
            institution_id=world.a,
            data=institution_data(
                "test-instituut-a", "twente", name="Zeppelinacademie Oost", city="Hengelo"
            ),
        )
    assert published in found_ids(world_app, "zeppelinacademie")
    assert published in found_ids(world_app, "", filters={"region": ["twente"]})
    assert published not in found_ids(world_app, "", filters={"region": ["brainport"]})
    result = _cli(world_app, "search", "check")
    assert result.exit_code == 0, result.output


def test_pruning_the_outbox_makes_a_node_that_missed_entries_rebuild_instead_of_skip_them(
    world_app_factory,
):
    """Node B is 'stopped' while A publishes and the outbox is pruned: B's next drain cannot
    apply the removed entries, so it rebuilds, and both nodes then match the database."""
    node_a = world_app_factory()
    node_b = world_app_factory()
    world = World.load(node_a)
    draft, published = world.modules["A-DRAFT"], world.modules["A-PUB"]
    build_index(node_a)
    build_index(node_b)

    # Two changes: the older one's entry will be pruned, the newest one's is always kept.
    with app_session(node_a) as session:
        editing.publish_module(session=session, actor=actor_of(session, EDITOR_A), module_id=draft)
    with app_session(node_a) as session:
        editing.archive_module(
            session=session, actor=actor_of(session, EDITOR_A), module_id=published
        )
    assert draft in found_ids(node_a, "A-DRAFT")  # node A drains at once
    with app_session(node_a) as session:
        newest = indexer.latest_outbox_id(session)
        entries_before = indexer.pending_changes(session, _index_of(node_b))
    assert entries_before >= 2 and draft not in _indexed_ids(node_b)

    # A prune of everything older than a day, run "two days from now".
    later = date.today().toordinal() + 2
    now = datetime.combine(date.fromordinal(later), datetime.min.time(), tzinfo=UTC)
    with app_session(node_a) as session:
        removed = indexer.prune(session, older_than=timedelta(days=1), now=now)
        assert removed >= 1
        assert indexer.latest_outbox_id(session) == newest, "the newest entry is kept"
        assert indexer.pruned_through(session) < newest

    result = _cli(node_b, "search", "drain")
    assert result.exit_code == 0, result.output
    assert draft in _indexed_ids(node_b), "the rebuilt index holds the change it missed"
    assert draft in found_ids(node_b, "A-DRAFT")
    assert published not in found_ids(node_b, "A-PUB")
    for node in (node_a, node_b):
        result = _cli(node, "search", "check")
        assert result.exit_code == 0, result.output
        assert "The index matches the database." in result.output


def test_prune_keeps_recent_changes_and_says_how_many_it_removed(world_app):
    build_index(world_app)
    result = _cli(world_app, "search", "prune", "--days", "30")
    assert result.exit_code == 0, result.output
    assert "Removed 0 outbox entries older than 30 days." in result.output
    assert _cli(world_app, "search", "prune", "--days", "0").exit_code == 2
