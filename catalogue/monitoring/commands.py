"""Command-line monitoring: `catalogue participations import|template` and
`catalogue bench monitoring`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group("participations")
def participations() -> None:
    """Participation records for plan monitoring."""


@participations.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--institution", required=True, help="Code of the institution whose runs these are.")
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@with_appcontext
def import_command(path: Path, institution: str, dry_run: bool) -> None:
    """Import a CSV or XLSX file of participation records, all of it or nothing."""
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.db import get_session
    from catalogue.errors import CatalogueError
    from catalogue.institutions import services as institutions
    from catalogue.monitoring import uploads
    from catalogue.monitoring.imports import check_table, read_table
    from catalogue.monitoring.pseudonyms import pseudonym_key

    session = get_session()
    try:
        owner = institutions.get_institution(session=session, code=institution)
        checked = check_table(read_table(path.name, path.read_bytes()), key=pseudonym_key())
        report = uploads.import_participations(
            session=session, actor=SYSTEM, institution_id=owner.id, checked=checked, dry_run=dry_run
        )
    except CatalogueError as exc:
        details = "".join(f"\n  {k}: {', '.join(map(str, v))}" for k, v in _fields(exc).items())
        raise click.ClickException(f"{exc.message}{details}") from exc
    for error in report.errors:
        click.echo(f"row {error.row}, column {error.column}: {error.message}", err=True)
    summary = f"{report.created} new, {report.updated} changed, {report.unchanged} unchanged"
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} errors; nothing was written.")
    click.echo(("Would save: " if dry_run else "Saved: ") + summary + ".")


def _fields(exc) -> dict:
    return getattr(exc, "fields", {}) or {}


@participations.command("template")
@click.option("--language", type=click.Choice(["en", "nl"]), default="en", show_default=True)
def template_command(language: str) -> None:
    """Print the CSV upload template (header and one example row)."""
    from catalogue.monitoring import exports

    click.echo(
        exports.as_csv(exports.template_header(language), [exports.TEMPLATE_EXAMPLE]), nl=False
    )


@click.command("monitoring")
@click.option("--records", default=100_000, show_default=True, type=click.IntRange(min=100))
@click.option("--runs", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=1, show_default=True)
def bench_monitoring(records: int, runs: int, seed: int) -> None:
    """Time the dashboard's figures for all regions over synthetic participation, on a
    temporary SQLite database (p50 and p95 of `runs` computations)."""
    from catalogue.bench.monitoring import run

    run(records=records, runs=runs, seed=seed, echo=click.echo)


def register(main: click.Group) -> None:
    """Add the monitoring commands to the `catalogue` command."""
    main.add_command(participations)
    main.commands["bench"].add_command(bench_monitoring)
