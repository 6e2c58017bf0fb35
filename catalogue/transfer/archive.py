"""The export archive: a zip with `manifest.json` and one JSON-lines file per table.

Format version 1 (documented in docs/backup.md):

- `manifest.json`: `format` ("semicon-catalogue-export"), `format_version` (1), `created_at`,
  `app_version`, `migration_revision` (the Alembic revision of the exported database),
  `source_database` (sqlite or postgresql), `excluded_tables` (derived tables, with the reason)
  and `tables`: in foreign-key order, each with `name`, `file`, `columns`, `rows` and `sha256`
  (of the file's bytes).
- `tables/<name>.jsonl`: one JSON object per row, keys sorted, rows in primary-key order.
  Timestamps are ISO 8601 in UTC with their offset, dates ISO 8601, decimals strings, binary
  data base64, UUIDs in their hyphenated text form, JSON columns as JSON; everything else as
  JSON gives it.

The same database exported twice, from SQLite or from PostgreSQL, gives the same table files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.types import TypeDecorator

from catalogue.errors import CatalogueError

FORMAT = "semicon-catalogue-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class ArchiveRefused(CatalogueError):
    """The archive cannot be restored (damaged, of another format, or the database is not
    empty); nothing has been written."""

    status_code = 422


def _base_type(column: sa.Column) -> sa.types.TypeEngine:
    """The column's storage type, looking through type decorators."""
    kind = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return kind


def _holds_uuids(column: sa.Column) -> bool:
    """Whether a column's values are UUIDs (stored natively or as text)."""
    try:
        return column.type.python_type is uuid.UUID
    except NotImplementedError:
        return False


def encode_value(column: sa.Column, value: Any) -> Any:
    """A column's value as JSON can hold it, the same from either database."""
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    kind = _base_type(column)
    if isinstance(value, datetime):
        if value.tzinfo is None and getattr(kind, "timezone", False):
            value = value.replace(tzinfo=UTC)
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        scale = getattr(kind, "scale", None)
        return str(value.quantize(Decimal(1).scaleb(-scale)) if scale is not None else value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode_value(column: sa.Column, value: Any) -> Any:
    """The Python value to insert for a column from its archived JSON form."""
    if value is None:
        return None
    if _holds_uuids(column):
        return uuid.UUID(value)
    kind = _base_type(column)
    if isinstance(kind, sa.JSON):
        return value
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Time):
        return time.fromisoformat(value)
    if isinstance(kind, sa.Float):
        return float(value)
    if isinstance(kind, sa.Numeric):
        return Decimal(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def row_line(table: sa.Table, row: sa.Row) -> bytes:
    """One row as a line of the table's file."""
    mapping = row._mapping
    encoded = {column.name: encode_value(column, mapping[column.name]) for column in table.columns}
    return (
        json.dumps(
            encoded, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
        + b"\n"
    )


def table_file(name: str) -> str:
    """Where a table's rows live inside the archive."""
    return f"tables/{name}.jsonl"


def zip_entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so equal contents make equal archives."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


@dataclass(frozen=True)
class TableEntry:
    """A table as the manifest lists it."""

    name: str
    file: str
    columns: list[str]
    rows: int
    sha256: str


class ArchiveReader:
    """An opened archive whose manifest and every table file have been checked."""

    def __init__(self, path):
        """Open the archive and read its manifest; ArchiveRefused when it cannot be."""
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ArchiveRefused(
                _(
                    "%(file)s is not a complete export archive (%(problem)s).",
                    file=path,
                    problem=exc,
                )
            ) from exc
        self.manifest = self._read_manifest()
        self.tables = [TableEntry(**entry) for entry in self.manifest["tables"]]

    def _read_manifest(self) -> dict[str, Any]:
        """The manifest, once its format and version are known."""
        try:
            manifest = json.loads(self.zip.read(MANIFEST))
        except KeyError as exc:
            raise ArchiveRefused(
                _("The archive has no %(name)s: it is not a catalogue export.", name=MANIFEST)
            ) from exc
        except (ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ArchiveRefused(_("The archive's manifest is damaged (%(p)s).", p=exc)) from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveRefused(_("The archive is not a catalogue export."))
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ArchiveRefused(
                _(
                    "The archive has format version %(found)s; this catalogue reads version "
                    "%(known)s only.",
                    found=manifest.get("format_version"),
                    known=FORMAT_VERSION,
                )
            )
        return manifest

    def verify(self) -> None:
        """Check every table file against the manifest's row count and SHA-256."""
        for entry in self.tables:
            digest, rows = hashlib.sha256(), 0
            try:
                with self.zip.open(entry.file) as stream:
                    for line in stream:
                        digest.update(line)
                        rows += 1
            except KeyError as exc:
                raise ArchiveRefused(
                    _("The archive lacks %(file)s: it is incomplete.", file=entry.file)
                ) from exc
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise ArchiveRefused(
                    _("%(file)s in the archive is damaged (%(p)s).", file=entry.file, p=exc)
                ) from exc
            if digest.hexdigest() != entry.sha256:
                raise ArchiveRefused(
                    _("The checksum of %(file)s does not match the manifest.", file=entry.file)
                )
            if rows != entry.rows:
                raise ArchiveRefused(
                    _(
                        "%(file)s holds %(found)s rows; the manifest says %(expected)s.",
                        file=entry.file,
                        found=rows,
                        expected=entry.rows,
                    )
                )

    def rows(self, entry: TableEntry):
        """The archived rows of one table, as dicts of JSON values."""
        with self.zip.open(entry.file) as stream:
            for line in stream:
                yield json.loads(line)

    def close(self) -> None:
        """Close the underlying zip file."""
        self.zip.close()
