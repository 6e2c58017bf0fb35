"""`catalogue requests purge`: delete information requests past the retention period."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("requests")
def requests_group() -> None:
    """Information requests that employers sent about runs."""


@requests_group.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Delete requests older than this many days (default: CATALOGUE_REQUEST_RETENTION_DAYS).",
)
@with_appcontext
def purge(days: int | None) -> None:
    """Delete the requests older than the retention period (run it daily)."""
    from catalogue.db import get_session
    from catalogue.enquiries.services import purge_requests

    days = days or int(current_app.config["REQUEST_RETENTION_DAYS"])
    deleted = purge_requests(session=get_session(), older_than_days=days)
    click.echo(f"Deleted {deleted} information requests older than {days} days.")
