"""The search benchmark end to end at a tiny size: every section is there and the numbers are
sane. The figures themselves mean nothing at this size; see docs/benchmarks.md."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from catalogue.bench.search import CLASSES, write_markdown
from catalogue.cli import main

pytestmark = pytest.mark.slow


def _positive(stats: dict) -> bool:
    return stats["n"] > 0 and 0 < stats["p50"] <= stats["p95"] <= stats["p99"] <= stats["max"]


def test_search_benchmark_end_to_end(tmp_path):
    json_path = tmp_path / "results.json"
    markdown_path = tmp_path / "benchmarks.md"
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "search",
            "--modules",
            "300",
            "--workdir",
            str(tmp_path / "work"),
            "--queries-per-class",
            "3",
            "--clients",
            "1",
            "--seconds",
            "1.5",
            "--workers",
            "1",
            "--processes",
            "1",
            "--json",
            str(json_path),
            "--markdown",
            str(markdown_path),
        ],
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "Latency in ms" in result.output
    results = json.loads(json_path.read_text())
    for section in (
        "meta",
        "config",
        "generate",
        "rebuild",
        "check",
        "queries",
        "latency",
        "edit_visible",
        "materials",
        "throughput",
        "memory",
        "targets",
    ):
        assert section in results, section

    generate = results["generate"]
    assert generate["modules"] == 300
    assert generate["published"] + generate["draft"] + generate["archived"] == 300
    assert generate["institutions"] >= 5
    assert generate["learning_units"] >= 2 * 300
    assert generate["versions"] == generate["published"] + generate["archived"]

    assert results["rebuild"]["documents"] == generate["published"]
    assert results["rebuild"]["seconds"] > 0
    assert results["rebuild"]["peak_rss_mib"] > 10
    assert results["check"] == {**results["check"], "differences": 0, "pending": 0}

    materials = results["materials"]
    assert materials["documents"] == materials["classes"]["all"]["hits"] > 0
    assert all(entry["api"]["p95"] > 0 for entry in materials["classes"].values())
    assert "Material search" in result.output

    classes = results["latency"]["classes"]
    assert set(classes) == set(CLASSES)
    for kind in CLASSES:
        assert classes[kind]["queries"], kind
        for surface in ("first", "html", "api", "service"):
            assert _positive(classes[kind][surface]), (kind, surface)
    assert classes["selective"]["hits"]["min"] >= 1
    assert classes["selective"]["hits"]["median"] <= 5
    broad = classes["broad"]["hits"]
    assert broad["median"] > 10 * classes["selective"]["hits"]["median"]
    assert classes["misspelled"]["corrected"] >= 1
    assert classes["runs_view"]["hits"]["max"] > 0 and classes["near"]["hits"]["max"] > 0

    edit = results["edit_visible"]
    assert edit["all_found"] and len(edit["runs"]) == 5
    assert 0 < edit["total"]["max"] < 30_000

    throughput = results["throughput"]
    assert throughput["ok"] > 0 and throughput["errors"] == 0
    assert throughput["requests_per_second"] > 0
    assert _positive(throughput["latency"])

    assert results["memory"]["bench_process"]["rss_mib"] > 10
    gunicorn = results["memory"]["gunicorn"]["after_run"]
    assert gunicorn["master"]["rss_mib"] > 0
    assert len(gunicorn["workers"]) == 1 and gunicorn["workers"][0]["rss_mib"] > 10

    assert results["targets"]["at_target_scale"] is False
    assert set(results["targets"]["checks"]) == {
        "selective_p95_ms",
        "broad_all_facets_p95_ms",
        "runs_view_p95_ms",
        "near_p95_ms",
        "rebuild_seconds",
        "edit_visible_ms",
    }

    section = markdown_path.read_text()
    assert section.count("<!-- bench:search:300 -->") == 1
    write_markdown(markdown_path, results)  # refreshing replaces the section, keeps one copy
    assert markdown_path.read_text().count("<!-- bench:search:300 -->") == 1


def test_synthetic_versions_hash_like_the_services(tmp_path):
    """A generated module's version 1 holds what content_of() reads from its rows."""
    from sqlalchemy import select

    from catalogue import create_app, migrate
    from catalogue.bench import synthetic
    from catalogue.db import engine, get_session
    from catalogue.modules.content import content_hash, content_of
    from catalogue.modules.models import Module, ModuleVersion

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "SECRET_KEY": "test",
        }
    )
    with app.app_context():
        migrate.upgrade(engine())
        made = synthetic.generate(engine(), 120, seed=7)
        assert made.sample_modules
        session = get_session()
        modules = session.scalars(select(Module).where(Module.status != "draft")).all()
        assert modules
        for module in modules:
            version = session.scalar(
                select(ModuleVersion).where(ModuleVersion.module_id == module.id)
            )
            assert version.content == content_of(module)
            assert version.content_hash == content_hash(content_of(module))
            outcomes = version.content["learning_outcomes"]
            assert len(set(outcomes)) == len(outcomes), "the API refuses an outcome stated twice"
        with pytest.raises(synthetic.NotEmpty):
            synthetic.generate(engine(), 10)
