"""The `catalogue` command: serve, migrate, seed, manage users, search, maintenance, benchmarks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from catalogue import create_app
from catalogue.accounts.commands import tokens, users
from catalogue.bench.load_cli import command as bench_load
from catalogue.bench.options import results_options
from catalogue.enquiries.commands import requests_group
from catalogue.monitoring.commands import register as register_monitoring_commands
from catalogue.oeapi.commands import harvest as harvest_command


def _count_option(name: str, default: int, help: str):
    """An option that takes a whole number of at least one, with its default shown."""
    return click.option(
        name, default=default, show_default=True, type=click.IntRange(min=1), help=help
    )


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """National catalogue of semicon learning modules.

    `catalogue start` sets everything up on this machine and serves http://127.0.0.1:5000.
    """


@main.group()
def db() -> None:
    """Database schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or migrate the database schema to the newest revision."""
    from catalogue import db as database
    from catalogue import migrate

    migrate.upgrade(database.engine(), revision)
    click.echo(f"Database at revision {migrate.current_revision(database.engine())}.")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the database schema back to REVISION (e.g. -1, or base)."""
    from catalogue import db as database
    from catalogue import migrate

    migrate.downgrade(database.engine(), revision)
    click.echo(f"Database at revision {migrate.current_revision(database.engine())}.")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's revision and whether it is up to date."""
    from catalogue import db as database
    from catalogue import migrate

    current = migrate.current_revision(database.engine())
    head = migrate.head_revision()
    click.echo(f"current: {current}  head: {head}  {'up to date' if current == head else 'behind'}")


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (for developers)."""
    from catalogue import db as database
    from catalogue import migrate

    migrate.revision(database.engine(), message)


@main.command("seed")
@click.option("--check", is_flag=True, help="Only validate the seed files; write nothing.")
@with_appcontext
def seed(check: bool) -> None:
    """Load the plan's regions, institutions and modules (idempotent)."""
    from catalogue import seeding

    try:
        data = seeding.read_seed()
    except seeding.SeedError as exc:
        raise click.ClickException(f"seed not loaded, nothing was written:\n{exc.message}") from exc
    counts = data.counts()
    click.echo("Seed files: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    if check:
        return
    from catalogue import db as database
    from catalogue import migrate

    if not migrate.is_up_to_date(database.engine()):
        raise click.ClickException(
            "the database schema is not up to date: run `catalogue db upgrade` first"
        )

    demo = bool(current_app.config["DEMO_ACCOUNTS"])
    result = seeding.load_seed(database.get_session(), data, demo_accounts=demo)
    click.echo(
        f"Seeded: {result['modules_created']} new modules, "
        f"{result['agreements_created']} new agreements"
        + (f", {result['accounts_created']} new demo accounts" if demo else "")
        + (
            f", {result['participations_created']} demo participation records."
            if result["participations_created"]
            else "."
        )
    )


@main.group()
def search() -> None:
    """The search index: rebuild, check, apply pending changes."""


@search.command("rebuild")
@click.option("--processes", default=2, show_default=True, help="Indexing processes.")
@with_appcontext
def search_rebuild(processes: int) -> None:
    """Build a new index beside the current one and swap it in; searches keep working."""
    import time

    from catalogue import db as database
    from catalogue.search import indexer
    from catalogue.search.documents import published_module_ids
    from catalogue.search.materials import material_index, rebuild_materials
    from catalogue.search.service import search_index

    session = database.get_session()
    total = len(published_module_ids(session))
    started = time.perf_counter()
    with click.progressbar(length=total, label="Indexing published modules") as bar:
        count = indexer.rebuild(session, search_index(), processes=processes, progress=bar.update)
    seconds = time.perf_counter() - started
    rate = count / seconds if seconds else 0
    click.echo(f"Indexed {count} modules in {seconds:.1f} s ({rate:.0f} modules/s).")
    materials = rebuild_materials(session, material_index())
    click.echo(f"Indexed {materials} materials.")


@search.command("drain")
@with_appcontext
def search_drain() -> None:
    """Apply the changes the index has not applied yet."""
    from catalogue import db as database
    from catalogue.search import indexer
    from catalogue.search.materials import drain_materials, material_index
    from catalogue.search.service import search_index

    applied = indexer.drain(database.get_session(), search_index())
    drain_materials(database.get_session(), material_index())
    click.echo(f"Applied {applied} pending changes.")


@search.command("prune")
@_count_option("--days", 30, "Keep the changes of this many days.")
@with_appcontext
def search_prune(days: int) -> None:
    """Remove old outbox entries (run it daily, e.g. from cron).

    Running nodes apply every change within a second; a node stopped for longer than DAYS
    rebuilds its index on its next drain instead of missing the removed changes.
    """
    from datetime import timedelta

    from catalogue import db as database
    from catalogue.search import indexer

    removed = indexer.prune(database.get_session(), older_than=timedelta(days=days))
    click.echo(f"Removed {removed} outbox entries older than {days} days.")


@main.command("maintenance")
@with_appcontext
def maintenance() -> None:
    """Scheduled upkeep (run daily from cron; safe on several nodes): expire ended agreements,
    re-index modules of agreements that came into force."""
    from catalogue import db as database
    from catalogue.recognition.expiry import expire_due_agreements, reindex_started_agreements

    expired = expire_due_agreements(database.get_session())
    click.echo(f"Expired {len(expired)} agreements{': ' if expired else '.'}{', '.join(expired)}")
    started = reindex_started_agreements(database.get_session())
    click.echo(f"Re-indexed {started} modules of agreements that came into force this week.")
    _notify_and_mail(database.get_session())


def _notify_and_mail(session) -> None:
    """Queue "ends within 60 days" notices; send the day's digest or what is still queued."""
    from flask import current_app

    from catalogue.accounts.permissions import SYSTEM
    from catalogue.notifications import mail
    from catalogue.notifications.services import deliver_pending, send_digest
    from catalogue.recognition.notices import notify_ending

    if not mail.enabled():
        return
    queued = notify_ending(session, SYSTEM)
    if current_app.config.get("MAIL_DIGEST"):
        click.echo(f"Queued {queued} notices; sent {send_digest(session)} digests.")
    else:
        click.echo(f"Queued {queued} notices; sent {deliver_pending(session)} messages.")


@search.command("check")
@with_appcontext
def search_check() -> None:
    """Compare the index with the database; exit 1 when any module differs."""
    from catalogue import db as database
    from catalogue.search import indexer
    from catalogue.search.service import search_index

    session = database.get_session()
    index = search_index()
    if not index.exists():
        raise click.ClickException("there is no search index yet: run `catalogue search rebuild`")
    pending = indexer.pending_changes(session, index)
    differences = indexer.check(session, index)
    for difference in differences:
        click.echo(f"module {difference.module_id}: {difference.problem}")
    materials = _check_materials(session)
    if pending:
        click.echo(f"{pending} changes are waiting in the outbox (`catalogue search drain`).")
    if differences:
        click.echo(f"{len(differences)} modules differ between index and database.")
    if differences or materials:
        sys.exit(1)
    click.echo("The index matches the database.")


@search.command("evaluate")
@click.option(
    "--queries",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A judged set (default: tests/search/judged_by_users.yaml of the source checkout).",
)
@click.option("--per-query", is_flag=True, help="Also print every query's measures.")
@with_appcontext
def search_evaluate(path: Path | None, per_query: bool) -> None:
    """Run a judged set of queries; print P@5, recall@20 and nDCG@10 per user kind (exit 1
    when a user kind misses a goal or a query with relevant modules finds nothing)."""
    from catalogue import db as database
    from catalogue.search import evaluation

    path = path or evaluation.default_judged_set()
    if not path.exists():
        raise click.ClickException(f"no judged set at {path}: pass one with --queries")
    try:
        judged = evaluation.load_judged(path)
    except evaluation.JudgedSetError as exc:
        raise click.ClickException(str(exc)) from exc
    outcomes = evaluation.evaluate_catalogue(database.get_session(), judged)
    click.echo(evaluation.report(outcomes, per_query=per_query))
    problems = evaluation.shortfalls(outcomes)
    for problem in problems:
        click.echo(f"below the goal: {problem}")
    if problems:
        sys.exit(1)


def _check_materials(session) -> int:
    """Compare the material index with the database; say what differs; return how many."""
    from catalogue.search.materials import check_materials, material_index

    if not material_index().exists():
        click.echo("The material index has not been built yet (`catalogue search drain`).")
        return 1
    differences = check_materials(session, material_index())
    for difference in differences:
        click.echo(f"material {difference.module_id}: {difference.problem}")
    if differences:
        click.echo(f"{len(differences)} materials differ between index and database.")
    return len(differences)


@main.group()
def translations() -> None:
    """Dutch and English message catalogs (for developers, in a source checkout)."""


@translations.command("update")
def translations_update() -> None:
    """Extract messages from the sources into both catalogs and compile them."""
    from catalogue import catalogs

    untranslated = catalogs.update()
    catalogs.compile_all()
    for locale, count in untranslated.items():
        click.echo(f"{locale}: {count} messages without a translation")


@translations.command("compile")
def translations_compile() -> None:
    """Compile the catalogs (.po) into the files the app reads (.mo)."""
    from catalogue import catalogs

    catalogs.compile_all()
    click.echo("Compiled.")


@main.group()
def bench() -> None:
    """Benchmarks on a synthetic catalogue (see docs/benchmarks.md)."""


@bench.command("search", with_appcontext=False)
@click.option("--modules", default=100_000, show_default=True, type=click.IntRange(min=50))
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the database and index in DIR/bench-search-<modules> (default: a temporary "
    "folder, removed afterwards).",
)
@click.option("--database-url", help="An empty PostgreSQL database to fill (default: SQLite).")
@_count_option("--queries-per-class", 50, "Timed runs per query class and surface.")
@_count_option("--clients", 4, "Client threads of the throughput run.")
@click.option("--seconds", default=20.0, show_default=True, help="Length of the throughput run.")
@click.option("--workers", default=2, show_default=True, help="gunicorn workers.")
@click.option("--processes", default=2, show_default=True, help="Indexing processes.")
@click.option("--seed", default=1, show_default=True, help="Seed of the synthetic catalogue.")
@click.option("--check/--no-check", default=True, help="Compare index and database.")
@click.option("--keep", is_flag=True, help="Keep the temporary folder.")
@results_options("search-<modules>", "Write or refresh this size's results section in this file.")
@click.option(
    "--profile",
    "profile_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write cProfile files of the rebuild and of each query class here.",
)
def bench_search(**options) -> None:
    """Generate a synthetic catalogue, index it, and measure search (JSON in bench-results/)."""
    from catalogue.bench.search import Refused
    from catalogue.bench.search import main as run

    try:
        run(**options, echo=click.echo)
    except Refused as exc:
        raise click.ClickException(str(exc)) from exc


bench.add_command(bench_load)
register_monitoring_commands(main)
main.add_command(requests_group)


# Not inside an app context: FlaskGroup would load the app before the defaults below are set.
@main.command("start", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_context
def start(ctx: click.Context, host: str, port: int) -> None:
    """Set up and serve the catalogue for a first look: migrate, seed, index, serve.

    Runs on the embedded default (SQLite and a search index in the instance folder), with the
    demo accounts, over plain http on this machine only.
    """
    # Plain http on localhost: cookies cannot be Secure. Demo accounts make the editor reachable.
    os.environ.setdefault("CATALOGUE_SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("CATALOGUE_DEMO_ACCOUNTS", "true")
    os.environ.setdefault("CATALOGUE_DEMO_PARTICIPATION", "true")
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        ctx.invoke(db_upgrade)
        ctx.invoke(seed)
        from catalogue.search.service import search_index

        if not search_index().exists():
            ctx.invoke(search_rebuild, processes=1)
        else:
            ctx.invoke(search_drain)
    from werkzeug.serving import run_simple

    click.echo(f"Serving the catalogue on http://{host}:{port}/ (Ctrl+C stops it).")
    # Flask refuses app.run() inside its own CLI, so the server is started directly.
    run_simple(host, port, app, threaded=True, use_reloader=False)


main.add_command(harvest_command)
main.add_command(users)
main.add_command(tokens)


def _add_transfer_commands() -> None:
    from catalogue.transfer.commands import export_command, import_command, restore_command

    for command in (export_command, restore_command, import_command):
        main.add_command(command)


_add_transfer_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
