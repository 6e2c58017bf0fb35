"""The load benchmark end to end, short: two gunicorn nodes on one PostgreSQL database take a
hundred mixed requests; the run reports no errors, no lost updates, both indexes equal to the
database, and a publish on each node found by search on the other."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from tests.databases import postgres_url

pytestmark = pytest.mark.slow


@pytest.fixture
def empty_postgres(database_factory):
    if not postgres_url():
        pytest.skip("two nodes need PostgreSQL: set CATALOGUE_TEST_DATABASE_URL")
    url = database_factory.empty("postgresql")
    yield url
    database_factory.drop(url)


def test_two_nodes_under_mixed_load_lose_nothing_and_converge(empty_postgres, tmp_path):
    json_path = tmp_path / "load.json"
    markdown_path = tmp_path / "benchmarks.md"
    arguments = ["bench", "load", "--nodes", "2", "--database-url", empty_postgres]
    # Bounded by the number of operations (the time bound only stops a run that hangs), so
    # that a slow machine does the same work as a fast one.
    arguments += ["--modules", "200", "--seconds", "600", "--clients", "4", "--workers", "1"]
    arguments += ["--max-requests", "60", "--write-share", "0.4"]
    # No timing in tests: the 2-second limit is for the benchmark on a machine of its own.
    arguments += ["--convergence-limit", "600"]
    arguments += ["--json", str(json_path), "--markdown", str(markdown_path)]

    result = CliRunner().invoke(main, arguments)

    assert result.exit_code == 0, result.output + repr(result.exception)
    results = json.loads(json_path.read_text())
    assert results["errors"] == 0
    assert results["refused"] == 0, results["statuses"]
    assert results["lost_updates"]["lost"] == 0
    assert results["lost_updates"]["checked_writes"] > 0
    # The budget counts operations: a write is a read and a write, and a retry two more.
    assert 0 < results["requests"] <= 2 * 60 + 2 * results["conflicts_retried"]
    assert len(results["writes_per_node"]) == 2, "writes reached both nodes"
    assert results["convergence"]["seconds_after_last_write"] is not None
    assert all(check["passed"] for check in results["search_check"].values())
    assert results["cross_node"] == {"node-1 -> node-2": True, "node-2 -> node-1": True}
    assert "| module page |" in markdown_path.read_text()


def test_several_nodes_on_sqlite_are_refused(tmp_path):
    result = CliRunner().invoke(main, ["bench", "load", "--nodes", "2", "--seconds", "1"])
    assert result.exit_code != 0
    assert "PostgreSQL" in result.output
