"""The `catalogue export` and `catalogue restore` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from catalogue.errors import CatalogueError


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(file: Path) -> None:
    """Write everything in the database to the archive FILE (a zip; see docs/backup.md)."""
    from catalogue import db as database
    from catalogue.transfer.backup import export_database

    manifest = export_database(
        database.engine(), file, progress=lambda name, rows: click.echo(f"{name}: {rows} rows")
    )
    total = sum(entry["rows"] for entry in manifest["tables"])
    click.echo(f"Exported {total} rows of {len(manifest['tables'])} tables to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load the archive FILE into this empty, migrated database and rebuild the search index."""
    from catalogue import db as database
    from catalogue.search import indexer
    from catalogue.search.materials import material_index, rebuild_materials
    from catalogue.search.service import search_index
    from catalogue.transfer.backup import restore_database

    try:
        with force_locale("en"):
            counts = restore_database(
                database.engine(),
                file,
                progress=lambda name, rows: click.echo(f"{name}: {rows} rows"),
            )
    except CatalogueError as exc:
        raise click.ClickException(f"{exc.message} Nothing was written.") from exc
    click.echo(f"Restored {sum(counts.values())} rows of {len(counts)} tables.")
    indexed = indexer.rebuild(database.get_session(), search_index(), processes=1)
    materials = rebuild_materials(database.get_session(), material_index())
    click.echo(f"Rebuilt the search index: {indexed} published modules, {materials} materials.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--institution", "institution_code", required=True, help="Institution code.")
@click.option("--dry-run", is_flag=True, help="Only check the file and show what would change.")
@click.option("--publish", is_flag=True, help="Publish every created or changed module.")
@with_appcontext
def import_command(file: Path, institution_code: str, dry_run: bool, publish: bool) -> None:
    """Import modules, learning units, material and runs from FILE (XLSX, CSV or zip of CSV).

    All rows or none: any problem is listed with its sheet, row and column, and nothing is
    written. Modules are matched by code, runs by module code and run code.
    """
    # Like the other commands, this one speaks English.
    with force_locale("en"):
        _import_file(file, institution_code, dry_run=dry_run, publish=publish)


def _import_file(file: Path, institution_code: str, *, dry_run: bool, publish: bool) -> None:
    """Read, check, report and (unless a dry run) apply one import file."""
    from catalogue import db as database
    from catalogue.accounts.permissions import SYSTEM
    from catalogue.imports import services
    from catalogue.imports.boundary import read_import
    from catalogue.institutions.services import get_institution

    session = database.get_session()
    try:
        institution = get_institution(session=session, code=institution_code)
        given = read_import(file.read_bytes(), file.name)
        plan = services.plan_import(
            session=session, actor=SYSTEM, institution_id=institution.id, given=given
        )
    except CatalogueError as exc:
        raise click.ClickException(exc.message) from exc
    for problem in plan.problems:
        click.echo(str(problem), err=True)
    if not plan.ok:
        raise click.ClickException(
            f"{len(plan.problems)} problems in {file.name}; nothing was imported."
        )
    counts = ", ".join(f"{plan.count(a)} {a}" for a in (services.CREATE, services.UPDATE))
    click.echo(f"{counts}, {plan.count(services.UNCHANGED)} unchanged.")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    with click.progressbar(length=len(plan.rows), label="Importing") as bar:
        result = services.apply_import(
            session=session, actor=SYSTEM, plan=plan, publish=publish, progress=bar.update
        )
    click.echo(
        f"Imported: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.published} published."
    )
