"""Full export and restore of an installation, over every table of the data model.

Both walk `SQLModel.metadata.sorted_tables` (foreign-key order), so a table added to the model
is exported and restored without a change here. The search outbox is left out: it only tells
each node's index what changed since the index was built, and a restore ends by building the
index anew (see `DERIVED_TABLES`). A restore checks the whole archive and that the database is
empty before it writes anything, then loads every table in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from flask_babel import gettext as _
from sqlalchemy import Engine
from sqlmodel import SQLModel

import catalogue.models  # noqa: F401  (every table must be in the metadata)
from catalogue.model_base import utcnow
from catalogue.transfer.archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    ArchiveReader,
    ArchiveRefused,
    decode_value,
    row_line,
    table_file,
    zip_entry,
)

# Derived state that is not exported: the search outbox only says which modules each node's
# index must re-read since it was built; a restore builds the index from the restored rows.
DERIVED_TABLES = {
    "search_outbox": "search index changes; the index is rebuilt after a restore",
    "search_outbox_horizon": "how far the search outbox was pruned; derived like the outbox",
}
BATCH = 1000


def exported_tables() -> list[sa.Table]:
    """Every table of the data model but the derived ones, parents before children."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in DERIVED_TABLES]


def _revision(connection) -> str | None:
    """The Alembic revision of the database behind `connection`."""
    return MigrationContext.configure(connection).get_current_revision()


def _app_version() -> str:
    """The installed catalogue's version."""
    try:
        return version("semicon-catalogue")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "unknown"


def _ordered(table: sa.Table) -> sa.Select:
    """All rows of a table in primary-key order."""
    keys = list(table.primary_key.columns) or list(table.columns)
    return sa.select(table).order_by(*keys)


def export_database(
    engine: Engine, path: Path, *, progress: Callable[[str, int], None] | None = None
) -> dict[str, Any]:
    """Write every table to an archive at `path` (replaced atomically); returns the manifest."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    entries = []
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    # One read transaction: every table is read from the same snapshot.
    with (
        engine.connect().execution_options(**options) as connection,
        connection.begin(),
        zipfile.ZipFile(partial, "w") as archive,
    ):
        revision = _revision(connection)
        for table in exported_tables():
            digest, count = hashlib.sha256(), 0
            with archive.open(zip_entry(table_file(table.name)), "w") as stream:
                result = connection.execution_options(yield_per=BATCH).execute(_ordered(table))
                for row in result:
                    line = row_line(table, row)
                    digest.update(line)
                    stream.write(line)
                    count += 1
            entries.append(
                {
                    "name": table.name,
                    "file": table_file(table.name),
                    "columns": [c.name for c in table.columns],
                    "rows": count,
                    "sha256": digest.hexdigest(),
                }
            )
            if progress:
                progress(table.name, count)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": utcnow().isoformat(),
            "app_version": _app_version(),
            "migration_revision": revision,
            "source_database": engine.dialect.name,
            "excluded_tables": DERIVED_TABLES,
            "tables": entries,
        }
        archive.writestr(zip_entry(MANIFEST), json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(partial, path)
    return manifest


def _check_compatible(reader: ArchiveReader, engine: Engine) -> dict[str, sa.Table]:
    """The model's tables by name, once the archive is known to fit this database's schema."""
    with engine.connect() as connection:
        revision = _revision(connection)
    if revision != reader.manifest.get("migration_revision"):
        raise ArchiveRefused(
            _(
                "The archive was made at schema revision %(archive)s, the database is at "
                "%(database)s. Restore into a database at the archive's revision (catalogue db "
                "upgrade --revision %(archive)s), then upgrade it.",
                archive=reader.manifest.get("migration_revision"),
                database=revision or "none",
            )
        )
    tables = {t.name: t for t in exported_tables()}
    listed = {entry.name for entry in reader.tables}
    for entry in reader.tables:
        table = tables.get(entry.name)
        if table is None:
            raise ArchiveRefused(
                _("The archive holds table %(name)s, which this catalogue lacks.", name=entry.name)
            )
        if set(entry.columns) != {c.name for c in table.columns}:
            raise ArchiveRefused(
                _("The columns of table %(name)s differ from this catalogue's.", name=entry.name)
            )
    missing = sorted(set(tables) - listed)
    if missing:
        raise ArchiveRefused(_("The archive lacks the tables %(names)s.", names=", ".join(missing)))
    return tables


def _check_empty(engine: Engine) -> None:
    """Refuse a database that holds any row."""
    with engine.connect() as connection:
        for table in exported_tables():
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                raise ArchiveRefused(
                    _(
                        "The database is not empty (table %(name)s has rows): restore only into "
                        "a new, migrated database.",
                        name=table.name,
                    )
                )


def _self_references(table: sa.Table) -> list[sa.Column]:
    """Nullable columns that refer to the same table: filled in after all its rows exist."""
    return [
        fk.parent for fk in table.foreign_keys if fk.column.table is table and fk.parent.nullable
    ]


def _load_table(connection, reader: ArchiveReader, entry, table: sa.Table) -> None:
    """Insert one table's archived rows, in batches."""
    later = _self_references(table)
    keys = list(table.primary_key.columns)
    # The later update sets these columns too, so that an `onupdate` default leaves them as saved.
    kept = later + [c for c in table.columns if c.onupdate is not None and c not in later]
    deferred: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    for raw in reader.rows(entry):
        row = {c.name: decode_value(c, raw.get(c.name)) for c in table.columns}
        if later and any(row[c.name] is not None for c in later):
            deferred.append(
                {
                    **{f"k_{k.name}": row[k.name] for k in keys},
                    **{f"v_{c.name}": row[c.name] for c in kept},
                }
            )
            row = {**row, **{c.name: None for c in later}}
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    if deferred:
        statement = (
            table.update()
            .where(*(k == sa.bindparam(f"k_{k.name}") for k in keys))
            .values({c.name: sa.bindparam(f"v_{c.name}") for c in kept})
        )
        connection.execute(statement, deferred)


def _reset_sequences(connection, tables: list[sa.Table]) -> None:
    """Move PostgreSQL's id sequences past the restored ids."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = connection.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        )
        if sequence is None:
            continue
        highest = connection.scalar(sa.select(sa.func.max(column)))
        connection.execute(
            sa.text("SELECT setval(:sequence, :value, :called)"),
            {"sequence": sequence, "value": highest or 1, "called": highest is not None},
        )


def restore_database(
    engine: Engine, path: Path, *, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Load an archive into an empty database; returns rows per table.

    Refuses (ArchiveRefused) before writing anything when the archive is damaged, of an unknown
    format, of another schema revision, or when the database holds data.
    """
    reader = ArchiveReader(path)
    try:
        reader.verify()
        tables = _check_compatible(reader, engine)
        _check_empty(engine)
        counts: dict[str, int] = {}
        with (
            engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection,
            connection.begin(),
        ):
            for name in DERIVED_TABLES:
                derived = SQLModel.metadata.tables.get(name)
                if derived is not None:
                    connection.execute(derived.delete())
            entries = {entry.name: entry for entry in reader.tables}
            for table in exported_tables():
                _load_table(connection, reader, entries[table.name], tables[table.name])
                counts[table.name] = entries[table.name].rows
                if progress:
                    progress(table.name, counts[table.name])
            if engine.dialect.name == "postgresql":
                _reset_sequences(connection, exported_tables())
        return counts
    finally:
        reader.close()
