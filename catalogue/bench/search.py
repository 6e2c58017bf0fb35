"""The search benchmark behind `catalogue bench search` (see docs/benchmarks.md).

Steps, each timed and reported:

1. generate a synthetic catalogue into a fresh database (catalogue.bench.synthetic);
2. rebuild the search index with `catalogue.search.indexer.rebuild`, in a child process so that
   its peak memory (and that of whoosh's indexing processes) is its own;
3. optionally compare index and database (`indexer.check`);
4. search latency per query class through the Flask app (the HTML page and the JSON API, with
   the Flask test client) and, to tell search from rendering, `search_catalogue` itself:
   "first" is each distinct query's first run (its words not cached yet), the percentiles are
   over repeated runs after that warm-up;
5. how long an edit takes to show in search: a module is edited and published through the
   service layer, then `search_catalogue` is called (which drains the outbox) until it finds it;
6. throughput: gunicorn with sync workers, driven by client threads over a mix of classes;
7. memory: this process after warm-up, and gunicorn's master and workers.

It prints a plain-text table and writes JSON (and, when asked, a Markdown section).
"""

from __future__ import annotations

import contextlib
import cProfile
import http.client
import json
import os
import platform
import random
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

from catalogue.bench.materials import bench_materials, material_lines
from catalogue.bench.options import RunOptions

CLASSES = (
    "selective",
    "broad",
    "broad_all_facets",
    "filtered",
    "misspelled",
    "synonym",
    "runs_view",
    "near",
)
CLASS_DESCRIPTIONS = {
    "selective": "a module code or a rare word: a handful of hits",
    "broad": "one common word: a large share of the catalogue",
    "broad_all_facets": "a common word with filters in several facets, sorted",
    "filtered": "facets and ranges without text",
    "misspelled": "a typo of a word from the titles (corrected by search)",
    "synonym": "words the thesaurus expands (chip, PLC, clean room ...)",
    "runs_view": "view=runs: matching runs (not modules) by start date, with run filters",
    "near": "near=<place>&km=<n>: runs within a distance, sorted by distance",
}
# The share of each class in the throughput mix.
THROUGHPUT_MIX = {
    "selective": 0.25,
    "broad": 0.15,
    "broad_all_facets": 0.15,
    "filtered": 0.10,
    "misspelled": 0.10,
    "synonym": 0.15,
    "runs_view": 0.05,
    "near": 0.05,
}
TARGET_MODULES = 100_000
TARGETS = {
    "selective_p95_ms": 10.0,
    "broad_all_facets_p95_ms": 100.0,
    # The runs view and the distance filter: within the same target as filtered module search.
    "runs_view_p95_ms": 100.0,
    "near_p95_ms": 100.0,
    "rebuild_seconds": 90.0,
    "edit_visible_ms": 1000.0,
}
BROAD_WORDS = [
    "techniek",
    "data",
    "onderhoud",
    "veiligheid",
    "proces",
    "praktijk",
    "machine",
    "kwaliteit",
    "engineering",
    "meten",
]
SYNONYM_QUERIES = [
    "chip",
    "semicon",
    "programmable logic controller",
    "clean room",
    "predictive maintenance",
    "machine learning",
    "lithography",
    "vacuum technology",
    "job seekers",
    "lifelong learning",
    "mechatronics",
    "soldering",
]
EDITS = 5
MARKER = ".catalogue-bench"
MiB = 1024 * 1024


class Refused(Exception):
    """The benchmark will not write where it was asked to (a folder or database in use)."""


@dataclass
class Query:
    """One concrete search: its class, a label for reports, and its URL parameters."""

    kind: str
    label: str
    params: list[tuple[str, str]]

    @property
    def query_string(self) -> str:
        return urlencode(self.params)


@dataclass
class Setup:
    """Where this run keeps its database and index."""

    folder: Path
    database_url: str
    index_dir: Path
    temporary: bool
    sqlite_path: Path | None = None


@dataclass(kw_only=True)
class Options(RunOptions):
    workdir: Path | None = None
    queries_per_class: int = 50
    processes: int = 2
    check: bool = True
    keep: bool = False
    profile_dir: Path | None = None


def _log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- the run ----------------------------------------------------------------------------------


def main(echo: Callable[[str], None] = print, **kwargs) -> dict[str, Any]:
    """Run the whole benchmark; returns the results (also written as JSON)."""
    options = Options(**kwargs)
    json_path = options.json_path or Path("bench-results") / f"search-{options.modules}.json"
    if options.profile_dir:
        options.profile_dir.mkdir(parents=True, exist_ok=True)
    setup = _prepare(options)
    results: dict[str, Any] = {"meta": _machine(), "config": _config(options, setup)}
    cpu_before = _cpu_times()
    try:
        _run(options, setup, results)
    finally:
        if setup.temporary and not options.keep:
            shutil.rmtree(setup.folder, ignore_errors=True)
    results["meta"]["load_after"] = list(os.getloadavg())
    results["meta"]["other_work"] = _other_work(cpu_before, _cpu_times())
    results["targets"] = _targets(results, options.modules)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    echo(render_table(results))
    echo(f"JSON written to {json_path}")
    if options.markdown_path:
        write_markdown(options.markdown_path, results)
        echo(f"Markdown section written to {options.markdown_path}")
    return results


def _run(options: Options, setup: Setup, results: dict[str, Any]) -> None:
    from catalogue import create_app
    from catalogue.bench import synthetic

    app = create_app(_app_config(setup))
    _log(f"generating {options.modules} modules into {_safe_url(setup.database_url)}")
    try:
        catalogue = _generate(app, setup, options)
    except synthetic.NotEmpty as exc:
        raise Refused(str(exc)) from exc
    results["generate"] = _generate_summary(catalogue)
    results["database"] = _database_size(setup)
    _log(f"generated in {catalogue.seconds:.1f} s; rebuilding the index")
    results["rebuild"] = _rebuild(setup, options)
    results["index"] = {"bytes": _folder_size(setup.index_dir)}
    _log(f"rebuilt in {results['rebuild']['seconds']:.1f} s")
    # Before anything else in this process reads the new index (the check does).
    first_search_ms = _first_search(app)
    if options.check:
        results["check"] = _check(app)
        _log(f"check: {results['check']['differences']} differences")
    # N runs per class, spread over at most N distinct queries.
    queries = {
        kind: _evenly(found, options.queries_per_class)
        for kind, found in build_queries(catalogue, today=date.today()).items()
    }
    results["queries"] = {
        kind: [{"label": q.label, "query": q.query_string} for q in queries[kind]]
        for kind in CLASSES
    }
    results["latency"] = _latency(app, queries, options, catalogue.counts["published"])
    results["latency"]["first_search_ms"] = first_search_ms
    _log("material search: building the material index and timing the finder")
    results["materials"] = bench_materials(app, runs=options.queries_per_class)
    results["memory"] = {"bench_process": _process_memory(os.getpid())}
    _log("measuring how soon edits show in search")
    results["edit_visible"] = _edit_visible(app, catalogue, options.seed)
    app.extensions["db_engine"].dispose()
    _log(f"throughput: gunicorn, {options.workers} workers, {options.clients} clients")
    results["throughput"] = _throughput(setup, queries, options)
    results["memory"]["gunicorn"] = results["throughput"].pop("memory")


def _prepare(options: Options) -> Setup:
    if options.workdir is None:
        folder = Path(tempfile.mkdtemp(prefix="catalogue-bench-"))
        temporary = True
    else:
        folder = options.workdir.resolve() / f"bench-search-{options.modules}"
        if folder.exists():
            if not (folder / MARKER).exists():
                raise Refused(
                    f"{folder} exists and was not made by this benchmark; remove it or give "
                    "another --workdir"
                )
            shutil.rmtree(folder)
        temporary = False
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by `catalogue bench search`; replaced on the next run\n")
    sqlite_path = None
    if options.database_url:
        url = options.database_url
    else:
        sqlite_path = folder / "catalogue.db"
        url = f"sqlite:///{sqlite_path}"
    return Setup(folder, url, folder / "search-index", temporary, sqlite_path)


def _app_config(setup: Setup) -> dict[str, Any]:
    return {
        "DATABASE_URL": setup.database_url,
        "SEARCH_INDEX_DIR": str(setup.index_dir),
        "SECRET_KEY": "benchmark-" + secrets.token_hex(16),
        "SESSION_COOKIE_SECURE": False,
    }


def _safe_url(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


# -- facts about the machine and the run ------------------------------------------------------


def _machine() -> dict[str, Any]:
    meminfo = _read_key_values(Path("/proc/meminfo"))
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("Whoosh-Reloaded", "numpy", "SQLAlchemy", "Flask", "gunicorn"):
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "cpu_model": cpu_model,
        "memory_total_mib": _kib(meminfo.get("MemTotal")) // 1024 if meminfo else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "load_before": list(os.getloadavg()),
    }


def _cpu_times() -> dict[str, float]:
    """CPU seconds: used on the whole machine, and by this process and its children."""
    busy = 0.0
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
        busy = (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    own = sum(
        getattr(resource.getrusage(who), field)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for field in ("ru_utime", "ru_stime")
    )
    return {"wall": time.perf_counter(), "machine": busy, "own": own}


def _other_work(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """How much of the machine's CPU other processes used during the run.

    The machine's busy time minus this process tree's (the rebuild child, whoosh's indexing
    processes and gunicorn's workers are reaped children, so their time is counted as ours).
    """
    wall = after["wall"] - before["wall"]
    others = max(0.0, (after["machine"] - before["machine"]) - (after["own"] - before["own"]))
    capacity = wall * (os.cpu_count() or 1)
    return {
        "cpu_seconds": round(others, 1),
        "share_of_machine": round(others / capacity, 3) if capacity else 0.0,
        "run_seconds": round(wall, 1),
    }


def _config(options: Options, setup: Setup) -> dict[str, Any]:
    return {
        "modules": options.modules,
        "seed": options.seed,
        "database": "sqlite" if setup.sqlite_path else "postgresql",
        "queries_per_class": options.queries_per_class,
        "clients": options.clients,
        "seconds": options.seconds,
        "gunicorn_workers": options.workers,
        "index_processes": options.processes,
    }


def _read_key_values(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    pairs = (line.split(":", 1) for line in lines if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _kib(value: str | None) -> int:
    """ "123456 kB" → 123456."""
    return int(value.split()[0]) if value else 0


def _process_memory(pid: int) -> dict[str, float]:
    status = _read_key_values(Path(f"/proc/{pid}/status"))
    return {
        "rss_mib": round(_kib(status.get("VmRSS")) / 1024, 1),
        "peak_rss_mib": round(_kib(status.get("VmHWM")) / 1024, 1),
    }


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
        return found


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _database_size(setup: Setup) -> dict[str, Any]:
    if setup.sqlite_path is None:
        from sqlalchemy import create_engine, text

        engine = create_engine(setup.database_url)
        try:
            with engine.connect() as connection:
                size = connection.scalar(text("SELECT pg_database_size(current_database())"))
        finally:
            engine.dispose()
        return {"bytes": int(size)}
    files = [setup.sqlite_path, *setup.sqlite_path.parent.glob(setup.sqlite_path.name + "-*")]
    return {"bytes": sum(p.stat().st_size for p in files if p.exists())}


# -- 1. generate ------------------------------------------------------------------------------


def _generate(app, setup: Setup, options: Options):
    from catalogue import migrate
    from catalogue.bench import synthetic
    from catalogue.db import engine

    with app.app_context():
        synthetic.check_empty(engine())  # before migrating: never touch a database in use
        migrate.upgrade(engine())
        step = max(1, options.modules // 10)
        written = [0]

        def progress(count: int) -> None:
            before = written[0] // step
            written[0] += count
            if written[0] // step != before:
                _log(f"  {written[0]} modules written")

        return synthetic.generate(engine(), options.modules, seed=options.seed, progress=progress)


def _generate_summary(catalogue) -> dict[str, Any]:
    return {
        **catalogue.counts,
        "languages": dict(catalogue.languages),
        "seconds": round(catalogue.seconds, 2),
        "modules_per_second": round(catalogue.counts["modules"] / max(catalogue.seconds, 1e-9)),
        "focus_terms": len(catalogue.focus_counts),
    }


# -- 2. rebuild (in a child process) ----------------------------------------------------------


def _rebuild(setup: Setup, options: Options) -> dict[str, Any]:
    arguments = {
        "config": {k: v for k, v in _app_config(setup).items() if k != "SECRET_KEY"},
        "processes": options.processes,
        "profile": str(options.profile_dir / "rebuild.prof") if options.profile_dir else None,
    }
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "catalogue.bench.search", "rebuild-child", json.dumps(arguments)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - started
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["wall_seconds_with_start"] = round(wall, 2)
    return result


def _rebuild_child(arguments: dict[str, Any]) -> dict[str, Any]:
    """Runs in the child: rebuild the index and report time and peak memory."""
    from catalogue import create_app
    from catalogue.db import new_session
    from catalogue.search import indexer
    from catalogue.search.service import search_index

    config = dict(arguments["config"], SECRET_KEY="benchmark-" + secrets.token_hex(16))
    app = create_app(config)
    with app.app_context():
        session = new_session()
        profiler = cProfile.Profile() if arguments.get("profile") else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        count = indexer.rebuild(session, search_index(), processes=arguments["processes"])
        if profiler:
            profiler.disable()
            profiler.dump_stats(arguments["profile"])
        seconds = time.perf_counter() - started
        session.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "documents": count,
        "seconds": round(seconds, 2),
        "modules_per_second": round(count / max(seconds, 1e-9)),
        "processes": arguments["processes"],
        # ru_maxrss is in KiB on Linux; for children it is the largest single child.
        "peak_rss_mib": round(own / 1024, 1),
        "peak_rss_children_mib": round(children / 1024, 1),
    }


# -- 3. check ---------------------------------------------------------------------------------


def _check(app) -> dict[str, Any]:
    from catalogue.db import new_session
    from catalogue.search import indexer
    from catalogue.search.service import search_index

    with app.app_context():
        session = new_session()
        started = time.perf_counter()
        differences = indexer.check(session, search_index())
        pending = indexer.pending_changes(session, search_index())
        seconds = time.perf_counter() - started
        session.close()
    return {
        "differences": len(differences),
        "pending": pending,
        "seconds": round(seconds, 2),
        "first": [f"{d.module_id}: {d.problem}" for d in differences[:5]],
    }


# -- 4. queries and latency -------------------------------------------------------------------


def typo(word: str) -> str:
    """A plausible typo: two letters in the middle swapped, or one dropped."""
    middle = len(word) // 2
    if word[middle - 1] != word[middle]:
        return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
    return word[:middle] + word[middle + 1 :]


def _evenly(items: list, count: int) -> list:
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def build_queries(catalogue, *, today: date) -> dict[str, list[Query]]:
    """Concrete queries of every class, chosen from what was generated."""
    queries: dict[str, list[Query]] = {kind: [] for kind in CLASSES}

    def add(kind: str, label: str, params: list[tuple[str, str]]) -> None:
        queries[kind].append(Query(kind, label, params))

    # selective: module codes, and focus terms that few modules have (and that search does not
    # split into common parts).
    for _id, code, _title in _evenly(catalogue.sample_modules, 8):
        add("selective", code, [("q", code)])
    rare = sorted(
        (count, term)
        for term, count in catalogue.focus_counts.items()
        if not catalogue.focus_split.get(term, True)
    )
    for _count, term in _evenly(rare[: max(8, len(rare) // 10)], 8):
        add("selective", term, [("q", term)])

    for word in BROAD_WORDS:
        add("broad", word, [("q", word)])

    regions = catalogue.region_codes or ["brainport"]
    institutions = catalogue.institution_codes or [""]
    soon = today + timedelta(days=180)
    facet_sets = [
        [
            ("sector", "mbo"),
            ("competency", "technology"),
            ("delivery_mode", "on-campus"),
            ("delivery_mode", "hybrid"),
            ("language", "nld"),
            ("target_group", "retraining"),
            ("audience", "job-seekers"),
            ("sort", "soonest"),
        ],
        [
            ("sector", "hbo"),
            ("level", "bachelor"),
            ("competency", "digitalisation"),
            ("language", "eng"),
            ("flags", "micro-credential"),
            ("sort", "newest"),
        ],
        [
            ("region", regions[0]),
            ("region", regions[-1]),
            ("target_group", "upskilling"),
            ("audience", "employees"),
            ("hours_max", "200"),
            ("sort", "relevance"),
        ],
        [
            ("sector", "mbo"),
            ("level", "mbo-3"),
            ("level", "mbo-4"),
            ("delivery_mode", "on-campus"),
            ("price_max", "1500"),
            ("start_from", today.isoformat()),
            ("sort", "soonest"),
        ],
        [
            ("competency", "technology"),
            ("competency", "collaboration"),
            ("institution", institutions[0]),
            ("institution", institutions[len(institutions) // 2]),
            ("flags", "open-material"),
            ("sort", "newest"),
        ],
    ]
    for index, word in enumerate(BROAD_WORDS[:10]):
        facets = facet_sets[index % len(facet_sets)]
        add("broad_all_facets", f"{word} + {len(facets) - 1} filters", [("q", word), *facets])

    filtered = [
        [("sector", "mbo"), ("region", regions[1 % len(regions)]), ("sort", "soonest")],
        [("level", "bachelor"), ("level", "master"), ("language", "eng"), ("hours_min", "28")],
        [
            ("delivery_mode", "online"),
            ("price_max", "1000"),
            ("start_from", today.isoformat()),
            ("sort", "soonest"),
        ],
        [("audience", "job-seekers"), ("target_group", "retraining"), ("region", regions[-1])],
        [("flags", "open-material"), ("competency", "digitalisation"), ("sort", "newest")],
        [("start_from", today.isoformat()), ("start_until", soon.isoformat()), ("sort", "soonest")],
        [("institution", institutions[-1]), ("sort", "newest")],
        [("hours_min", "56"), ("hours_max", "280"), ("price_min", "500"), ("price_max", "2500")],
        [],
    ]
    for params in filtered:
        label = "&".join(f"{k}={v}" for k, v in params) or "(everything)"
        add("filtered", label, params)

    known = set(catalogue.title_words)
    words = [w for w in catalogue.title_words if len(w) >= 8]
    for word in _evenly(words, 40):
        wrong = typo(word)
        if wrong != word and wrong not in known and len(queries["misspelled"]) < 10:
            add("misspelled", f"{wrong} ({word})", [("q", wrong)])

    for text in SYNONYM_QUERIES:
        add("synonym", text, [("q", text)])
    _add_run_queries(add, today)
    return queries


def _add_run_queries(add, today: date) -> None:
    """The runs view and the distance filter: what an employer scans."""
    soon = (today + timedelta(days=90)).isoformat()
    window = [("start_from", today.isoformat()), ("start_until", soon)]
    runs = [
        [],
        window,
        [*window, ("language", "nld"), ("price_max", "2000"), ("seats_min", "5")],
        [("q", "onderhoud"), ("sector", "mbo"), ("available", "true")],
        [("q", "cleanroom"), ("delivery_mode", "on-campus"), ("guaranteed", "true")],
    ]
    for params in runs:
        label = "&".join(f"{k}={v}" for k, v in params) or "(all runs)"
        add("runs_view", label, [("view", "runs"), *params])
    near = [
        [("near", "Eindhoven"), ("km", "30")],
        [("near", "Delft"), ("km", "20"), ("online", "true"), *window],
        [("near", "Enschede"), ("km", "50"), ("view", "runs")],
        [("near", "Den Bosch"), ("km", "40"), ("q", "techniek"), ("language", "nld")],
        [("near", "Groningen"), ("km", "25"), ("sector", "mbo"), ("view", "runs"), *window],
    ]
    for params in near:
        add("near", "&".join(f"{k}={v}" for k, v in params), params)


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99, mean and max of milliseconds, rounded; empty dict for no values."""
    if not values:
        return {}
    p50, p95, p99 = np.percentile(np.asarray(values), [50, 95, 99])
    return {
        "n": len(values),
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "p99": round(float(p99), 2),
        "mean": round(float(np.mean(values)), 2),
        "max": round(float(np.max(values)), 2),
    }


def _search_service(app, query: Query):
    """Time `search_catalogue` alone (no routing, schema or template), in ms."""
    from werkzeug.datastructures import MultiDict

    from catalogue.db import get_session
    from catalogue.search.service import request_from_args, search_catalogue
    from schemas.search import SearchArgsSchema

    with app.test_request_context("/search?" + query.query_string):
        request = request_from_args(SearchArgsSchema().load(MultiDict(query.params)))
        session = get_session()
        started = time.perf_counter()
        page = search_catalogue(session=session, request=request)
        return (time.perf_counter() - started) * 1000, page


def _first_search(app) -> float:
    """The first search of a new index generation reads the index into arrays: in ms."""
    client = app.test_client()
    client.get("/api/v1/openapi.json")  # the app's own first-request work, not search's
    started = time.perf_counter()
    response = client.get("/api/v1/search?q=&page_size=1")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"the first search answered {response.status_code}")
    return round(elapsed, 1)


def _latency(app, queries: dict[str, list[Query]], options: Options, live: int) -> dict:
    client = app.test_client()
    result: dict[str, Any] = {}

    def timed(path: str):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return elapsed, response

    timed("/search?q=")  # compiles the page's templates, once per process

    per_class: dict[str, Any] = {}
    for kind in CLASSES:
        entries = []
        first = []
        for query in queries[kind]:
            elapsed, _response = timed("/search?" + query.query_string)
            first.append(elapsed)
            _elapsed, response = timed("/api/v1/search?" + query.query_string)
            body = response.get_json()
            entries.append(
                {
                    "label": query.label,
                    "total": body["total"],
                    "corrected_from": body["corrected_from"],
                    "searched_for": body["searched_for"],
                    "first_ms": round(elapsed, 2),
                }
            )
        totals = [e["total"] for e in entries]
        per_class[kind] = {
            "description": CLASS_DESCRIPTIONS[kind],
            "queries": entries,
            "hits": {
                "min": min(totals),
                "median": float(np.median(totals)),
                "max": max(totals),
                "median_share": round(float(np.median(totals)) / max(live, 1), 4),
            },
            "first": percentiles(first),
        }
        if kind == "misspelled":
            per_class[kind]["corrected"] = sum(1 for e in entries if e["corrected_from"])
    _log("latency: first runs done; repeating")
    for kind in CLASSES:
        runs = [queries[kind][i % len(queries[kind])] for i in range(options.queries_per_class)]
        html = [timed("/search?" + q.query_string)[0] for q in runs]
        api = [timed("/api/v1/search?" + q.query_string)[0] for q in runs]
        service = [_search_service(app, q)[0] for q in runs]
        per_class[kind].update(
            html=percentiles(html), api=percentiles(api), service=percentiles(service)
        )
        if options.profile_dir:
            profiler = cProfile.Profile()
            profiler.enable()
            for query in runs:
                _search_service(app, query)
            profiler.disable()
            profiler.dump_stats(str(options.profile_dir / f"query-{kind}.prof"))
        _log(
            f"  {kind:17} html p95 {per_class[kind]['html']['p95']:8.1f} ms  "
            f"api p95 {per_class[kind]['api']['p95']:8.1f} ms"
        )
    result["classes"] = per_class
    return result


# -- 5. edit visible --------------------------------------------------------------------------


def _edit_visible(app, catalogue, seed: int, edits: int = EDITS, timeout: float = 30.0) -> dict:
    from catalogue.accounts.permissions import Actor
    from catalogue.db import new_session
    from catalogue.modules import editing
    from catalogue.modules.content import content_of
    from catalogue.modules.models import Module
    from catalogue.search.engine import SearchRequest
    from catalogue.search.service import search_catalogue

    actor = Actor(name="benchmark", is_administrator=True, via="cli")
    picks = _evenly(catalogue.sample_modules, edits)
    runs = []
    for number, (module_id, _code, _title) in enumerate(picks):
        word = "bewerkt" + "".join(chr(97 + int(d)) for d in f"{seed:02d}{number:03d}")
        with app.test_request_context():
            session = new_session()
            module = session.get(Module, module_id)
            content = content_of(module)
            content["title"] = f"{content['title'][:180]} {word}"
            started = time.perf_counter()
            editing.update_module(
                session=session,
                actor=actor,
                module_id=module_id,
                content=content,
                base_version=module.lock_version,
            )
            editing.publish_module(session=session, actor=actor, module_id=module_id)
            committed = time.perf_counter()
            session.close()
        searches = 0
        found = False
        while not found and time.perf_counter() - committed < timeout:
            with app.test_request_context():
                session = new_session()
                page = search_catalogue(session=session, request=SearchRequest(text=word))
                session.close()
            searches += 1
            found = any(hit.module_id == module_id for hit in page.hits)
            if not found:
                time.sleep(0.01)
        visible = time.perf_counter()
        runs.append(
            {
                "module_id": module_id,
                "word": word,
                "write_ms": round((committed - started) * 1000, 1),
                "visible_after_commit_ms": round((visible - committed) * 1000, 1),
                "total_ms": round((visible - started) * 1000, 1),
                "searches": searches,
                "found": found,
            }
        )
    return {
        "runs": runs,
        "write": percentiles([r["write_ms"] for r in runs]),
        "visible_after_commit": percentiles([r["visible_after_commit_ms"] for r in runs]),
        "total": percentiles([r["total_ms"] for r in runs]),
        "all_found": all(r["found"] for r in runs),
    }


# -- 6. throughput ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Client:
    """One HTTP/1.1 connection, reopened whenever the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> int:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _paths(queries: dict[str, list[Query]]) -> list[tuple[str, str]]:
    return [
        (kind, prefix + q.query_string)
        for kind in CLASSES
        for q in queries[kind]
        for prefix in ("/search?", "/api/v1/search?")
    ]


def _drive(port: int, queries, clients: int, seconds: float, seed: int) -> dict[str, Any]:
    """`clients` threads requesting a mix of classes for `seconds`; latencies per class."""
    kinds = list(THROUGHPUT_MIX)
    weights = list(THROUGHPUT_MIX.values())
    records: list[list[tuple[str, float, int]]] = [[] for _ in range(clients)]
    errors = [0] * clients
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        client = _Client(port)
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            query = rng.choice(queries[kind])
            prefix = "/search?" if rng.random() < 0.5 else "/api/v1/search?"
            started = time.perf_counter()
            try:
                status = client.get(prefix + query.query_string)
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                continue
            records[index].append((kind, (time.perf_counter() - started) * 1000, status))
        client.close()

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [r for rs in records for r in rs]
    ok = [r for r in flat if r[2] == 200]
    return {
        "seconds": round(elapsed, 2),
        "requests": len(flat),
        "ok": len(ok),
        "errors": sum(errors) + len(flat) - len(ok),
        "requests_per_second": round(len(ok) / elapsed, 1) if elapsed else 0.0,
        "latency": percentiles([r[1] for r in ok]),
        "classes": {
            kind: percentiles([r[1] for r in ok if r[0] == kind]) for kind in THROUGHPUT_MIX
        },
    }


def _throughput(setup: Setup, queries: dict[str, list[Query]], options: Options) -> dict:
    port = _free_port()
    env = dict(os.environ)
    env.update(
        CATALOGUE_DATABASE_URL=setup.database_url,
        CATALOGUE_SEARCH_INDEX_DIR=str(setup.index_dir),
        CATALOGUE_SECRET_KEY="benchmark-" + secrets.token_hex(16),
        CATALOGUE_SESSION_COOKIE_SECURE="false",
        CATALOGUE_INSTANCE_PATH=str(setup.folder / "instance"),
    )
    log_path = setup.folder / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(options.workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "300",
        "--log-level",
        "warning",
        "catalogue:create_app()",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            command, env=env, cwd=setup.folder, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        ready_started = time.perf_counter()
        _wait_ready(server, port, log_path)
        ready = time.perf_counter() - ready_started
        # Warm-up: every distinct query through both surfaces, as many at once as workers, so
        # that each worker reads the index into arrays (as after every start or rebuild).
        warm_started = time.perf_counter()
        paths = _paths(queries)
        chunks = [paths[i :: options.workers * 2] for i in range(options.workers * 2)]
        warmers = [
            threading.Thread(target=_warm, args=(port, chunk), daemon=True) for chunk in chunks
        ]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        warm = time.perf_counter() - warm_started
        _log(f"  gunicorn ready in {ready:.1f} s, warmed up in {warm:.1f} s; measuring")
        memory_warm = _gunicorn_memory(server.pid)
        result = _drive(port, queries, options.clients, options.seconds, options.seed)
        result.update(
            workers=options.workers,
            clients=options.clients,
            ready_seconds=round(ready, 2),
            warm_up_seconds=round(warm, 2),
            mix=THROUGHPUT_MIX,
            memory={"after_warm_up": memory_warm, "after_run": _gunicorn_memory(server.pid)},
        )
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_ready(server: subprocess.Popen, port: int, log_path: Path, timeout=300.0) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log_path.read_text()[-3000:]}")
        try:
            if _Client(port).get("/api/v1/search?q=&page_size=1") == 200:
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def _warm(port: int, paths: list[tuple[str, str]]) -> None:
    client = _Client(port)
    for _kind, path in paths:
        with contextlib.suppress(OSError, http.client.HTTPException):
            client.get(path)
    client.close()


def _gunicorn_memory(master: int) -> dict[str, Any]:
    workers = sorted(_children(master))
    return {
        "master": _process_memory(master),
        "workers": [_process_memory(pid) for pid in workers],
    }


# -- results ----------------------------------------------------------------------------------


def _targets(results: dict[str, Any], modules: int) -> dict[str, Any]:
    classes = results.get("latency", {}).get("classes", {})

    def worst_p95(kind: str) -> float | None:
        values = [classes.get(kind, {}).get(s, {}).get("p95") for s in ("html", "api")]
        values = [v for v in values if v is not None]
        return max(values) if values else None

    measured = {
        "selective_p95_ms": worst_p95("selective"),
        "broad_all_facets_p95_ms": worst_p95("broad_all_facets"),
        "runs_view_p95_ms": worst_p95("runs_view"),
        "near_p95_ms": worst_p95("near"),
        "rebuild_seconds": results.get("rebuild", {}).get("seconds"),
        "edit_visible_ms": results.get("edit_visible", {}).get("total", {}).get("max"),
    }
    return {
        "at_target_scale": modules == TARGET_MODULES,
        "note": "latency targets are checked against the slower of the HTML page and the API; "
        "the edit target against the slowest edit (write + time until search finds it)",
        "checks": {
            name: {
                "target": TARGETS[name],
                "measured": value,
                "met": None if value is None else value <= TARGETS[name],
            }
            for name, value in measured.items()
        },
    }


def _mib(value: float | int | None) -> str:
    return "-" if value is None else f"{value / MiB:,.0f} MiB"


def render_table(results: dict[str, Any]) -> str:
    """The results as a plain-text report."""
    meta, config = results["meta"], results["config"]
    lines = [
        f"Search benchmark: {config['modules']:,} modules (seed {config['seed']}), "
        f"{config['database']}, {meta['usable_cpus']} CPUs, {meta['memory_total_mib']:,} MiB, "
        f"{meta['date']}",
        f"Load average before {meta['load_before'][0]:.2f}, after "
        f"{meta.get('load_after', [float('nan')])[0]:.2f} (1 min)"
        + (f"; {_other_work_text(meta)}" if meta.get("other_work") else "")
        + ("; THE MACHINE WAS BUSY WITH OTHER WORK" if was_busy(meta) else ""),
        "",
    ]
    generate = results.get("generate")
    if generate:
        lines.append(
            f"Generate   {generate['modules']:,} modules ({generate['published']:,} published), "
            f"{generate['institutions']:,} institutions, {generate['learning_units']:,} units, "
            f"{generate['materials']:,} materials, {generate['offerings']:,} runs, "
            f"{generate['tags']:,} tags in {generate['seconds']:.1f} s "
            f"({generate['modules_per_second']:,} modules/s); database "
            f"{_mib(results.get('database', {}).get('bytes'))}"
        )
    rebuild = results.get("rebuild")
    if rebuild:
        lines.append(
            f"Rebuild    {rebuild['documents']:,} documents in {rebuild['seconds']:.1f} s "
            f"({rebuild['modules_per_second']:,} modules/s, {rebuild['processes']} processes); "
            f"peak RSS {rebuild['peak_rss_mib']:,.0f} MiB, largest child "
            f"{rebuild['peak_rss_children_mib']:,.0f} MiB; index "
            f"{_mib(results.get('index', {}).get('bytes'))}"
        )
    check = results.get("check")
    if check:
        lines.append(
            f"Check      {check['differences']} differences, {check['pending']} pending, "
            f"in {check['seconds']:.1f} s"
        )
    latency = results.get("latency")
    if latency:
        lines += [
            f"First search after the rebuild (reads the index into arrays): "
            f"{latency['first_search_ms']:,.0f} ms",
            "",
            "Latency in ms (first: each distinct query's first run; then "
            f"{config['queries_per_class']} runs per class and surface)",
            f"{'class':17} {'hits med':>9} {'share':>6} {'first p95':>9} | "
            f"{'html p50':>8} {'p95':>7} {'p99':>7} | {'api p50':>7} {'p95':>7} {'p99':>7} | "
            f"{'svc p50':>7} {'p95':>7}",
        ]
        for kind in CLASSES:
            c = latency["classes"][kind]
            lines.append(
                f"{kind:17} {c['hits']['median']:>9,.0f} {c['hits']['median_share']:>6.1%} "
                f"{c['first']['p95']:>9.1f} | {c['html']['p50']:>8.1f} {c['html']['p95']:>7.1f} "
                f"{c['html']['p99']:>7.1f} | {c['api']['p50']:>7.1f} {c['api']['p95']:>7.1f} "
                f"{c['api']['p99']:>7.1f} | {c['service']['p50']:>7.1f} "
                f"{c['service']['p95']:>7.1f}"
            )
        misspelled = latency["classes"]["misspelled"]
        lines.append(
            f"(misspelled: {misspelled.get('corrected', 0)} of {len(misspelled['queries'])} "
            "corrected)"
        )
    edit = results.get("edit_visible")
    if edit:
        lines += [
            "",
            f"Edit visible ({len(edit['runs'])} edits; publish through the services, then search "
            f"until found): write p50 {edit['write']['p50']:.0f} ms; after commit p50 "
            f"{edit['visible_after_commit']['p50']:.0f} ms, max "
            f"{edit['visible_after_commit']['max']:.0f} ms; total max "
            f"{edit['total']['max']:.0f} ms" + ("" if edit["all_found"] else "; NOT ALL FOUND"),
        ]
    throughput = results.get("throughput")
    if throughput:
        t = throughput
        lines += [
            "",
            f"Throughput (gunicorn {t['workers']} sync workers, {t['clients']} client threads, "
            f"{t['seconds']:.0f} s, half HTML half API): {t['requests_per_second']:.1f} req/s; "
            f"p50 {t['latency'].get('p50', 0):.1f} ms, p95 {t['latency'].get('p95', 0):.1f} ms, "
            f"p99 {t['latency'].get('p99', 0):.1f} ms; {t['ok']:,} ok, {t['errors']} errors",
            "  per class p50/p95 ms: "
            + ", ".join(
                f"{kind} {v.get('p50', 0):.0f}/{v.get('p95', 0):.0f}"
                for kind, v in t["classes"].items()
                if v
            ),
        ]
    memory = results.get("memory")
    if memory:
        bench = memory["bench_process"]
        text = (
            f"Memory: app in this process after warm-up {bench['rss_mib']:,.0f} MiB RSS "
            f"(peak {bench['peak_rss_mib']:,.0f})"
        )
        gunicorn = memory.get("gunicorn")
        if gunicorn:
            after = gunicorn["after_run"]
            text += (
                f"; gunicorn master {after['master']['rss_mib']:,.0f} MiB, workers "
                + ", ".join(f"{w['rss_mib']:,.0f}" for w in after["workers"])
                + " MiB after the run"
            )
        lines += ["", text]
    lines += material_lines(results)
    targets = results.get("targets")
    if targets:
        scale = "" if targets["at_target_scale"] else " (targets are set for 100,000 modules)"
        lines += ["", f"Targets{scale}:"]
        for name, check_ in targets["checks"].items():
            met = {True: "met", False: "MISSED", None: "-"}[check_["met"]]
            value = "-" if check_["measured"] is None else f"{check_['measured']:,.1f}"
            lines.append(
                f"  {name:25} target {check_['target']:>8,.0f}  measured {value:>9}  {met}"
            )
    return "\n".join(lines)


BUSY_SHARE = 0.10


def was_busy(meta: dict[str, Any]) -> bool:
    """Whether other processes used a noticeable share of the machine during the run."""
    other = meta.get("other_work")
    if other:
        return other["share_of_machine"] > BUSY_SHARE
    return meta.get("load_before", [0])[0] > 0.5 * (meta.get("usable_cpus") or 1)


def _other_work_text(meta: dict[str, Any]) -> str:
    other = meta.get("other_work")
    if not other:
        return ""
    return (
        f"other processes used {other['share_of_machine']:.0%} of the machine's CPU time "
        f"during the run ({other['cpu_seconds']:,.0f} CPU s in {other['run_seconds']:,.0f} s)"
    )


def render_markdown(results: dict[str, Any]) -> str:
    """A Markdown section with the figures (for docs/benchmarks.md)."""
    meta, config = results["meta"], results["config"]
    load_before = meta["load_before"]
    load_after = meta.get("load_after") or [float("nan")] * 3
    lines = [
        f"### {config['modules']:,} modules, {meta['date'][:10]}",
        "",
        f"- Machine: {meta['usable_cpus']} CPUs ({meta['cpu_model'] or 'unknown model'}), "
        f"{meta['memory_total_mib']:,} MiB memory; Python {meta['python']}; "
        f"database {config['database']}.",
        f"- Load average (1/5/15 min) before: {', '.join(f'{v:.2f}' for v in load_before)}; "
        f"after: {', '.join(f'{v:.2f}' for v in load_after)}"
        + (f"; {_other_work_text(meta)}." if meta.get("other_work") else "."),
        *(
            [
                "- **The machine was busy with other work during this run**: the figures "
                "are slower than the code is."
            ]
            if was_busy(meta)
            else []
        ),
        f"- Command: `catalogue bench search --modules {config['modules']} "
        f"--queries-per-class {config['queries_per_class']} --clients {config['clients']} "
        f"--seconds {config['seconds']:g}`",
        "",
        "```",
        render_table(results),
        "```",
    ]
    return "\n".join(lines) + "\n"


def write_markdown(path: Path, results: dict[str, Any]) -> None:
    """Write or refresh this size's section of `path` (between its markers)."""
    replace_section(path, f"bench:search:{results['config']['modules']}", render_markdown(results))


def replace_section(path: Path, name: str, body: str) -> None:
    """Write or refresh the section `name` of a Markdown file (between its HTML-comment
    markers), appending it when the file has none yet."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    section = f"{start}\n{body}{end}\n"
    text = path.read_text() if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + after
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


if __name__ == "__main__":  # the rebuild child: python -m catalogue.bench.search rebuild-child
    if len(sys.argv) == 3 and sys.argv[1] == "rebuild-child":
        print(json.dumps(_rebuild_child(json.loads(sys.argv[2]))))
    else:
        sys.exit("usage: catalogue bench search --help")
