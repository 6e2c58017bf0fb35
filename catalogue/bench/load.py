"""`catalogue bench load`: two real nodes on one database under a mixed load, then proof that
nothing was lost and that both search indexes follow the database.

What it does, in order:
1. generates a synthetic catalogue (catalogue/bench/synthetic.py) into the database it is given
   (an empty PostgreSQL database; SQLite only with one node), and makes two editors with API
   tokens (one writes modules and proposes agreements, the other approves them);
2. builds each node's own search index and starts each node as a gunicorn server on
   127.0.0.1 (its own port, index folder and metrics folder; one secret key);
3. drives the mixed workload of catalogue/bench/workload.py for a bounded time and number of
   requests, alternating between the nodes;
4. checks: no 5xx and no connection errors; no lost update (per module, the acknowledged saves
   and publishes each made exactly one new lock version, and the final lock version is the first
   plus their number; each acknowledged run is stored exactly once; each acknowledged approval
   of a proposed agreement stands exactly once); both nodes caught up with
   the outbox within 2 s of the last write, and `catalogue search check` passes on both; a module
   published through one node is found by search on the other, both ways;
5. prints requests/s and p50/p95/p99 per request kind and writes JSON (and, if asked, a section
   of docs/benchmarks.md).
Everything stays on loopback; the servers are stopped at the end, also on errors.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from catalogue.bench.options import RunOptions
from catalogue.bench.search import (
    Refused,
    _free_port,
    _log,
    _safe_url,
    build_queries,
    percentiles,
    replace_section,
)
from catalogue.bench.workload import READ_MIX, WRITE_MIX, Connection, Plan, drive

CONVERGENCE_LIMIT = 2.0
WRITE_POOL = 24
AGREEMENTS = 12
EDITOR_EMAIL = "bench-load-editor@example.invalid"
APPROVER_EMAIL = "bench-load-approver@example.invalid"


@dataclass
class Node:
    """One app node: a gunicorn server with its own port and folders."""

    name: str
    folder: Path
    port: int = 0
    process: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def index_dir(self) -> Path:
        """This node's own search index folder."""
        return self.folder / "search-index"


@dataclass(kw_only=True)
class LoadOptions(RunOptions):
    nodes: int = 2
    max_requests: int = 1_000_000
    write_share: float = 0.10
    convergence_limit: float = CONVERGENCE_LIMIT


def main(echo=print, **kwargs) -> dict[str, Any]:
    """Run the load benchmark; returns the results (also written as JSON). Raises Refused when
    asked for what it cannot do (two nodes on SQLite, a database that is not empty)."""
    options = LoadOptions(**kwargs)
    if options.nodes > 1 and not (options.database_url or "").startswith("postgresql"):
        raise Refused("several nodes need one PostgreSQL database: give --database-url")
    folder = Path(tempfile.mkdtemp(prefix="catalogue-bench-load-"))
    url = options.database_url or f"sqlite:///{folder / 'catalogue.db'}"
    secret = "bench-load-" + secrets.token_hex(16)
    nodes = [Node(f"node-{n + 1}", folder / f"node-{n + 1}") for n in range(options.nodes)]
    try:
        results = _run(options, url, secret, nodes)
    finally:
        for node in nodes:
            _stop(node)
        shutil.rmtree(folder, ignore_errors=True)
    json_path = options.json_path or Path("bench-results") / f"load-{options.modules}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    echo(render_text(results))
    echo(f"JSON written to {json_path}")
    if options.markdown_path:
        name = f"bench:load:{options.nodes}:{options.modules}"
        replace_section(options.markdown_path, name, render_markdown(results))
        echo(f"Markdown section written to {options.markdown_path}")
    return results


def _app_config(url: str, secret: str, node: Node) -> dict[str, Any]:
    return {
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(node.index_dir),
        "SECRET_KEY": secret,
        "SESSION_COOKIE_SECURE": False,
    }


def _run(options: LoadOptions, url: str, secret: str, nodes: list[Node]) -> dict[str, Any]:
    from catalogue import create_app

    apps = [create_app(_app_config(url, secret, node)) for node in nodes]
    _log(f"generating {options.modules} modules into {_safe_url(url)}")
    catalogue = _generate(apps[0], options)
    token, pool, parties = _make_editors(apps[0])
    initial = _lock_versions(apps[0], pool)
    for node, app in zip(nodes, apps, strict=True):
        _log(f"building the index of {node.name}")
        _build_index(app)
    for node in nodes:
        _start(node, url, secret, options.workers)
    agreements = _propose_agreements(nodes[0].port, token, parties)
    plan = Plan(_read_paths(catalogue), pool, token, options.write_share)
    plan.agreements, plan.approver_token = agreements, parties["approver_token"]
    _warm([node.port for node in nodes], plan)
    _log(f"load: {options.clients} clients, {options.seconds:.0f} s, {len(nodes)} node(s)")
    tallies, elapsed = drive(
        [node.port for node in nodes],
        plan,
        clients=options.clients,
        seconds=options.seconds,
        max_requests=options.max_requests,
        seed=options.seed,
    )
    results = _summarise(options, catalogue, tallies, elapsed)
    _log("checking writes, indexes and search across nodes")
    last_write = max((t.last_write for t in tallies), default=0.0)
    results["lost_updates"] = _lost_updates(apps[0], initial, tallies)
    _check_approvals(nodes[0].port, token, tallies, results["lost_updates"])
    results["convergence"] = _convergence(nodes, last_write, options.convergence_limit)
    results["search_check"] = {node.name: _search_check(node) for node in nodes}
    results["cross_node"] = _cross_node(nodes, token, pool)
    for app in apps:
        app.extensions["db_engine"].dispose()
    results["passed"] = _passed(results)
    return results


# -- preparing --------------------------------------------------------------------------------


def _generate(app, options: LoadOptions):
    from catalogue import migrate
    from catalogue.bench import synthetic
    from catalogue.db import engine

    with app.app_context():
        try:
            synthetic.check_empty(engine())
        except synthetic.NotEmpty as exc:
            raise Refused(str(exc)) from exc
        migrate.upgrade(engine())
        return synthetic.generate(engine(), options.modules, seed=options.seed)


def _editor_token(session, email: str, institution_ids: list[int]) -> str:
    """A new account that edits these institutions, and an API token of it."""
    from catalogue.accounts import services as accounts
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.accounts.tokens import create_token

    password = secrets.token_urlsafe(24)
    user = accounts.create_user(
        session=session, actor=SYSTEM, email=email, name="Load benchmark", password=password
    )
    for institution_id in institution_ids:
        accounts.grant_role(
            session=session,
            actor=SYSTEM,
            user_id=user.id,
            role="editor",
            institution_id=institution_id,
        )
    return create_token(session=session, actor=SYSTEM, user=user, name="bench load").secret


def _make_editors(app) -> tuple[str, list[int], dict[str, Any]]:
    """An editor of two institutions (the modules the load writes to are theirs), and what
    agreements with a third institution are made of, with a token of that one's editor."""
    from sqlalchemy import select

    from catalogue.db import get_session
    from catalogue.institutions.models import Institution
    from catalogue.modules.models import Module

    with app.app_context():
        session = get_session()
        first, second, third = session.scalars(
            select(Module.institution_id).where(Module.status == "published").distinct().limit(3)
        ).all()
        pool = session.scalars(
            select(Module.id)
            .where(Module.status == "published", Module.institution_id.in_([first, third]))
            .order_by(Module.id)
            .limit(WRITE_POOL)
        ).all()
        items = session.scalars(
            select(Module.code)
            .where(
                Module.status == "published",
                Module.institution_id == first,
                Module.id.not_in(pool),
            )
            .order_by(Module.id)
            .limit(AGREEMENTS)
        ).all()
        token = _editor_token(session, EDITOR_EMAIL, [first, third])
        agreements = {
            "provider": session.get(Institution, first).code,
            "recogniser": session.get(Institution, second).code,
            "modules": list(items),
            "approver_token": _editor_token(session, APPROVER_EMAIL, [second]),
        }
    return token, list(pool), agreements


def _lock_versions(app, module_ids: list[int]) -> dict[int, int]:
    from sqlalchemy import select

    from catalogue.db import get_session
    from catalogue.modules.models import Module

    with app.app_context():
        rows = get_session().execute(
            select(Module.id, Module.lock_version).where(Module.id.in_(module_ids))
        )
        return dict(rows.all())


def _build_index(app) -> None:
    """The node's module and material indexes, as `catalogue search rebuild` makes them."""
    from catalogue.db import get_session
    from catalogue.search import indexer, materials
    from catalogue.search.service import search_index

    with app.app_context():
        indexer.rebuild(get_session(), search_index(), processes=1)
        materials.rebuild_materials(get_session(), materials.material_index())


def _read_paths(catalogue) -> dict[str, list[str]]:
    queries = [q for found in build_queries(catalogue, today=date.today()).values() for q in found]
    modules = [module_id for module_id, _code, _title in catalogue.sample_modules]
    institutions = catalogue.institution_codes[:50]
    return {
        "search page": [f"/search?{q.query_string}" for q in queries],
        "search API": [f"/api/v1/search?{q.query_string}" for q in queries],
        "module page": [f"/modules/{m}" for m in modules],
        "API read": [f"/api/v1/modules/{m}" for m in modules[:100]]
        + [f"/api/v1/modules?page={n}" for n in range(1, 11)]
        + [f"/api/v1/institutions/{code}" for code in institutions[:20]],
        "institution page": [f"/institutions/{code}" for code in institutions],
        "registry": ["/agreements", "/recognition/matrix", "/api/v1/agreements"],
    }


# -- the servers ------------------------------------------------------------------------------


def _start(node: Node, url: str, secret: str, workers: int) -> None:
    node.port = _free_port()
    metrics_dir = node.folder / "metrics"
    metrics_dir.mkdir(parents=True, exist_ok=True)
    node.env = dict(os.environ)
    node.env.update(
        CATALOGUE_DATABASE_URL=url,
        CATALOGUE_SEARCH_INDEX_DIR=str(node.index_dir),
        CATALOGUE_SECRET_KEY=secret,
        CATALOGUE_SESSION_COOKIE_SECURE="false",
        CATALOGUE_INSTANCE_PATH=str(node.folder / "instance"),
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b"]
    command += [f"127.0.0.1:{node.port}", "--log-level", "warning", "catalogue:create_app()"]
    log = (node.folder / "gunicorn.log").open("w")
    node.process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        command, env=node.env, cwd=node.folder, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        if node.process.poll() is not None:
            text = (node.folder / "gunicorn.log").read_text()[-3000:]
            raise RuntimeError(f"{node.name} stopped:\n{text}")
        try:
            if Connection(node.port, timeout=5).send("GET", "/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{node.name} did not answer within 120 s")


def _stop(node: Node) -> None:
    if node.process is None or node.process.poll() is not None:
        return
    node.process.terminate()
    try:
        node.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        node.process.kill()
        node.process.wait()


def _warm(ports: list[int], plan: Plan) -> None:
    """One request of each read path on every node (each worker reads the index once)."""
    for port in ports:
        connection = Connection(port)
        for paths in plan.reads.values():
            for path in paths[:20]:
                connection.send("GET", path)
        connection.close()


# -- what happened ----------------------------------------------------------------------------


def _summarise(options: LoadOptions, catalogue, tallies, elapsed: float) -> dict[str, Any]:
    kinds = [*READ_MIX, "read before write", *WRITE_MIX]
    latencies = {kind: [v for t in tallies for v in t.latencies.get(kind, [])] for kind in kinds}
    statuses: dict[int, int] = {}
    for tally in tallies:
        for status, count in tally.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    requests = sum(statuses.values())
    writes = [w for t in tallies for w in t.writes]
    return {
        "config": {
            "nodes": options.nodes,
            "modules": options.modules,
            "published": catalogue.counts["published"],
            "clients": options.clients,
            "workers_per_node": options.workers,
            "seconds": options.seconds,
            "write_share": options.write_share,
            "date": date.today().isoformat(),
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "elapsed_seconds": round(elapsed, 2),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1) if elapsed else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": [e for t in tallies for e in t.server_errors][:20],
        "refusals": [e for t in tallies for e in t.refusals][:20],
        "errors": sum(len(t.server_errors) + t.connection_errors for t in tallies),
        # Answers no request of this load should get (409 and 412 are expected for writes).
        "refused": sum(n for s, n in statuses.items() if 400 <= s < 500 and s not in (409, 412)),
        "connection_errors": sum(t.connection_errors for t in tallies),
        "conflicts_retried": sum(t.conflicts for t in tallies),
        "gave_up": sum(t.gave_up for t in tallies),
        "nothing_to_publish": sum(t.nothing_to_publish for t in tallies),
        "approvals_already_decided": sum(t.already_decided for t in tallies),
        "writes": {kind: sum(1 for w in writes if w["kind"] == kind) for kind in WRITE_MIX},
        "writes_per_node": {
            str(port): sum(1 for w in writes if w["port"] == port)
            for port in sorted({w["port"] for w in writes})
        },
        "kinds": {kind: percentiles(values) for kind, values in latencies.items() if values},
        "acknowledged": writes,
    }


def _lost_updates(app, initial: dict[int, int], tallies) -> dict[str, Any]:
    """Acknowledged writes that the database does not hold exactly once."""
    from sqlalchemy import func, select

    from catalogue.db import get_session
    from catalogue.modules.models import Module, Offering

    writes = [w for t in tallies for w in t.writes]
    problems = []
    with app.app_context():
        session = get_session()
        final = dict(
            session.execute(
                select(Module.id, Module.lock_version).where(Module.id.in_(initial))
            ).all()
        )
        for module_id, first in initial.items():
            locks = [w["lock"] for w in writes if w["module_id"] == module_id and "lock" in w]
            if len(set(locks)) != len(locks):
                problems.append(f"module {module_id}: two acknowledged writes made one version")
            if final[module_id] != first + len(locks):
                problems.append(
                    f"module {module_id}: lock version {final[module_id]}, expected "
                    f"{first} + {len(locks)} acknowledged writes"
                )
        for run in (w for w in writes if w["kind"] == "add run"):
            stored = session.scalar(
                select(func.count())
                .select_from(Offering)
                .where(Offering.module_id == run["module_id"], Offering.code == run["code"])
            )
            if stored != 1:
                problems.append(f"run {run['code']}: stored {stored} times")
    return {"checked_writes": len(writes), "lost": len(problems), "problems": problems}


def _propose_agreements(port: int, token: str, parties: dict[str, Any]) -> list[int]:
    """Proposed agreements between two of the editor's institutions, one module each, for the
    load to approve (proposing is the proposer's approval; the other party is left)."""
    auth = {"Authorization": f"Bearer {token}"}
    connection = Connection(port)
    made = []
    for number, module in enumerate(parties["modules"], start=1):
        body = {
            "code": f"LOAD-{number}",
            "title": f"Vrijstelling bij belasting {number}",
            "kind": "exemption",
            "valid_from": date.today().isoformat(),
            "parties": [
                {"institution": parties["provider"], "role": "provider"},
                {"institution": parties["recogniser"], "role": "recogniser"},
            ],
            "items": [{"provider": parties["provider"], "module": module}],
        }
        status, response, created = connection.send(
            "POST", "/api/v1/agreements", body=body, headers=auth
        )
        if status != 201:
            raise RuntimeError(f"could not draft an agreement: {status} {created}")
        headers = {"If-Match": response.getheader("ETag"), **auth}
        path = f"/api/v1/agreements/{created['id']}/propose"
        status, _response, proposed = connection.send("POST", path, headers=headers)
        if status != 200:
            raise RuntimeError(f"could not propose an agreement: {status} {proposed}")
        made.append(created["id"])
    connection.close()
    return made


def _check_approvals(port: int, token: str, tallies, report: dict[str, Any]) -> None:
    """Every acknowledged approval is recorded once, and still stands."""
    approvals = [w for t in tallies for w in t.writes if w["kind"] == "approve agreement"]
    connection = Connection(port)
    for approval in approvals:
        _status, _response, agreement = connection.send(
            "GET",
            f"/api/v1/agreements/{approval['agreement']}",
            headers={"Authorization": f"Bearer {token}"},
        )
        standing = [
            a
            for a in agreement["approvals"]
            if a["institution"] == approval["institution"]
            and a["decision"] == "approved"
            and a["voided_at"] is None
        ]
        if len(standing) != 1:
            report["problems"].append(
                f"agreement {approval['agreement']}: {len(standing)} standing approvals "
                f"of {approval['institution']}"
            )
    connection.close()
    report["lost"] = len(report["problems"])


def _lag(node: Node) -> int | None:
    connection = Connection(node.port)
    try:
        # A search applies pending outbox entries first, as any visitor's search would.
        connection.send("GET", "/api/v1/search?q=&page_size=1")
        status, _response, body = connection.send("GET", "/health")
    finally:
        connection.close()
    return body["index"]["lag"] if status == 200 else None


def _convergence(nodes: list[Node], last_write: float, limit: float) -> dict[str, Any]:
    """How soon after the last acknowledged write every node had applied the whole outbox."""
    deadline = time.perf_counter() + 30
    lags: dict[str, int | None] = {}
    while time.perf_counter() < deadline:
        with ThreadPoolExecutor(len(nodes)) as pool:
            lags = dict(zip([n.name for n in nodes], pool.map(_lag, nodes), strict=True))
        if all(lag == 0 for lag in lags.values()):
            seconds = time.perf_counter() - last_write if last_write else 0.0
            return {
                "seconds_after_last_write": round(seconds, 3),
                "within_limit": seconds <= limit,
                "limit_seconds": limit,
            }
        time.sleep(0.05)
    return {"seconds_after_last_write": None, "within_limit": False, "lags": lags}


def _search_check(node: Node) -> dict[str, Any]:
    """`catalogue search check` run against this node's index and the database."""
    completed = subprocess.run(
        [sys.executable, "-m", "catalogue.cli", "search", "check"],
        env=node.env,
        cwd=node.folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    return {"passed": completed.returncode == 0, "output": lines[-5:]}


def _publish_with_word(port: int, token: str, module_id: int, word: str) -> bool:
    auth = {"Authorization": f"Bearer {token}"}
    connection = Connection(port)
    try:
        status, response, draft = connection.send(
            "GET", f"/api/v1/modules/{module_id}/draft", headers=auth
        )
        draft["title"] = f"{draft['title'].split(' · ')[0][:120]} · {word}"
        etag = {"If-Match": response.getheader("ETag"), **auth}
        status, response, _ = connection.send(
            "PUT", f"/api/v1/modules/{module_id}", body=draft, headers=etag
        )
        etag = {"If-Match": response.getheader("ETag"), **auth}
        status, _response, _ = connection.send(
            "POST", f"/api/v1/modules/{module_id}/publish", headers=etag
        )
        return status == 200
    finally:
        connection.close()


def _cross_node(nodes: list[Node], token: str, pool: list[int]) -> dict[str, Any]:
    """Publish through one node with a new word; search for the word on the other."""
    found = {}
    pairs = list(zip(nodes, nodes[1:] + nodes[:1], strict=True))
    for (writer, reader), module_id in zip(pairs, pool, strict=False):
        word = "kruiscontrole" + secrets.token_hex(4)
        published = _publish_with_word(writer.port, token, module_id, word)
        connection = Connection(reader.port)
        _status, _response, body = connection.send("GET", f"/api/v1/search?q={word}")
        connection.close()
        ids = [item["id"] for item in (body or {}).get("items", [])]
        found[f"{writer.name} -> {reader.name}"] = published and module_id in ids
    return found


def _passed(results: dict[str, Any]) -> bool:
    return (
        results["errors"] == 0
        and results["refused"] == 0
        and results["gave_up"] == 0
        and results["lost_updates"]["lost"] == 0
        and results["convergence"]["within_limit"]
        and all(check["passed"] for check in results["search_check"].values())
        and all(results["cross_node"].values())
    )


# -- reports ----------------------------------------------------------------------------------


def _kind_rows(results: dict[str, Any]) -> list[str]:
    elapsed = results["elapsed_seconds"] or 1
    rows = []
    for kind, figures in results["kinds"].items():
        rate = figures["n"] / elapsed
        rows.append(
            f"| {kind} | {figures['n']} | {rate:.1f} | {figures['p50']} | {figures['p95']} | "
            f"{figures['p99']} |"
        )
    return rows


def render_markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown section for docs/benchmarks.md."""
    config = results["config"]
    checks = results["lost_updates"]
    lines = [
        f"### {config['nodes']} node(s), {config['modules']:,} modules, {config['date']}",
        "",
        f"{config['clients']} clients for {results['elapsed_seconds']} s, gunicorn with "
        f"{config['workers_per_node']} workers per node, {config['write_share']:.0%} writes; "
        f"{config['cpus']} CPUs, load average before the run {config['load_average']}.",
        "",
        f"**{results['requests']:,} requests, {results['requests_per_second']} requests/s; "
        f"{results['errors']} errors, {results['refused']} refused; {checks['lost']} lost updates "
        f"({checks['checked_writes']} acknowledged writes checked, "
        f"{results['conflicts_retried']} conflicts answered 412 and retried); "
        f"indexes converged {results['convergence']['seconds_after_last_write']} s after the "
        f"last write; search check: "
        + ", ".join(
            f"{n} {'ok' if c['passed'] else 'FAILED'}" for n, c in results["search_check"].items()
        )
        + "; found across nodes: "
        + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in results["cross_node"].items())
        + "; "
        + ("passed" if results["passed"] else "FAILED")
        + ".**",
        "",
        "| request | count | requests/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        *_kind_rows(results),
        "",
    ]
    return "\n".join(lines) + "\n"


def render_text(results: dict[str, Any]) -> str:
    """The results as the command prints them."""
    return render_markdown(results).replace("**", "")
