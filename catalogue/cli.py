"""The `catalogue` command: serve, migrate, seed, manage users, search and benchmarks."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from catalogue import create_app


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
        f"Seeded: {result['modules_created']} new modules"
        + (f", {result['accounts_created']} new demo accounts." if demo else ".")
    )


@main.command("start")
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
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        ctx.invoke(db_upgrade)
        ctx.invoke(seed)
        prepare = current_app.extensions.get("catalogue_start_hooks", [])
        for hook in prepare:
            hook()
    click.echo(f"Serving the catalogue on http://{host}:{port}/ (Ctrl+C stops it).")
    app.run(host=host, port=port, threaded=True, use_reloader=False, debug=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
