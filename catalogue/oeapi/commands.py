"""`catalogue harvest URL --institution CODE`: read another OEAPI v6 endpoint into the catalogue."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from catalogue.vocabularies import Competency


@click.command("harvest")
@click.argument("url")
@click.option("--institution", "institution_code", required=True, help="Code of our institution.")
@click.option(
    "--organisation",
    "organisation_id",
    default=None,
    help="organisationId at the endpoint (default: the one with the institution's code or BRIN).",
)
@click.option("--dry-run", is_flag=True, help="Read, check and report; write nothing.")
@click.option("--publish", is_flag=True, help="Publish new and changed modules (default: drafts).")
@click.option(
    "--competency",
    "competencies",
    multiple=True,
    default=("technology",),
    show_default=True,
    type=click.Choice(Competency.values()),
    help="Competency of courses that name none (repeat for several).",
)
@click.option("--timeout", default=20.0, show_default=True, help="Seconds to wait per request.")
@with_appcontext
def harvest(url, institution_code, organisation_id, dry_run, publish, competencies, timeout):
    """Harvest the courses, learning components and runs of an OEAPI v6 endpoint (https only,
    except on this machine) into an institution's modules: all of it, or nothing."""
    from catalogue import db as database
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.errors import CatalogueError
    from catalogue.oeapi.client import Limits
    from catalogue.oeapi.harvest import harvest as run_harvest
    from catalogue.oeapi.report import HarvestFailed

    bar = _ProgressBar()
    try:
        report = run_harvest(
            session=database.get_session(), actor=SYSTEM, url=url,
            institution_code=institution_code, organisation_id=organisation_id,
            dry_run=dry_run, publish=publish, competencies=list(competencies),
            limits=Limits(timeout=timeout), progress=bar.update,
        )  # fmt: skip
    except HarvestFailed as exc:
        bar.finish()
        for culprit in exc.report.culprits:
            click.echo(f"  rejected: {culprit}", err=True)
        raise click.ClickException(f"{exc.message} Nothing was written.") from exc
    except CatalogueError as exc:
        bar.finish()
        raise click.ClickException(f"{exc.message} Nothing was written.") from exc
    bar.finish()
    _print_report(report)
    if not dry_run:
        _drain_search()


class _ProgressBar:
    """A progress bar over the courses, shown once their number is known."""

    def __init__(self):
        self.bar = None
        self.shown = 0

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Reading courses", file=None)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _print_report(report) -> None:
    for outcome in report.outcomes:
        runs = f", runs +{outcome.runs_created} ~{outcome.runs_updated}"
        click.echo(f"  {outcome.action:9} {outcome.code}  {outcome.title}{runs}")
        for change in outcome.changes[:8]:
            click.echo(f"            changed: {change}")
        for note in outcome.notes:
            click.echo(f"            note: {note}")
    counts = report.summary()
    verb = "Would harvest" if report.dry_run else "Harvested"
    click.echo(
        f"{verb}: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['rejected']} rejected; runs: "
        f"{counts['runs_created']} created, {counts['runs_updated']} updated."
    )
    if report.dry_run:
        click.echo("Dry run: nothing was written.")


def _drain_search() -> None:
    """Show the harvested modules in search now (the next search would catch up anyway)."""
    from catalogue import db as database
    from catalogue.search import indexer
    from catalogue.search.service import search_index

    indexer.drain(database.get_session(), search_index())
