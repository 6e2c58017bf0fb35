"""Full export and restore: a round trip between SQLite and PostgreSQL loses nothing, and a bad
archive or a non-empty database is refused before anything is written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from catalogue.cli import main
from catalogue.institutions.models import Institution
from catalogue.modules.content import content_hash as module_hash
from catalogue.modules.content import unit_hash
from catalogue.modules.models import ModuleVersion
from catalogue.recognition.content import agreement_hash
from catalogue.recognition.lifecycle import current_decisions
from catalogue.recognition.models import Agreement
from catalogue.transfer.archive import FORMAT_VERSION
from tests.conftest import _build_migrated, _make_app
from tests.databases import backends
from tests.factories import INSTITUTION_A, app_session, create_module, module_content, snapshot


def _rows(path: Path, table: str) -> list[dict]:
    with zipfile.ZipFile(path) as archive:
        return [json.loads(line) for line in archive.read(f"tables/{table}.jsonl").splitlines()]


def _export(app, path: Path):
    result = app.test_cli_runner().invoke(main, ["export", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _contents(path: Path) -> dict[str, bytes]:
    """The archive's files, with the manifest's per-run fields left out."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    for key in ("created_at", "source_database"):
        manifest.pop(key)
    files["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files


@pytest.fixture
def empty_app_factory(database_factory, tmp_path):
    """Apps on fresh, migrated, empty databases of a given backend."""
    apps = []

    def build(backend: str):
        template = database_factory.template(backend, "migrated", _build_migrated)
        app = _make_app(database_factory.copy(backend, template), tmp_path / f"idx-{len(apps)}")
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["db_engine"].dispose()


def _assert_hashes_verify(app) -> None:
    with app_session(app) as session:
        versions = list(session.scalars(select(ModuleVersion)))
        assert versions
        for version in versions:
            assert module_hash(version.content) == version.content_hash
        agreements = list(session.scalars(select(Agreement)))
        assert any(a.approvals for a in agreements)
        for agreement in agreements:
            assert agreement_hash(agreement) == agreement.content_hash
            for approval in current_decisions(agreement).values():
                assert approval.content_hash == agreement.content_hash
            for item in agreement.items:
                pinned = session.scalar(
                    select(ModuleVersion).where(
                        ModuleVersion.module_id == item.module_id,
                        ModuleVersion.number == item.pinned_version,
                    )
                )
                expected = (
                    unit_hash(pinned.content, item.unit_code)
                    if item.unit_code
                    else pinned.content_hash
                )
                assert item.pinned_hash == expected


@pytest.mark.parametrize("target", backends())
def test_round_trip_keeps_everything(world_app, empty_app_factory, target, tmp_path):
    first = _export(world_app, tmp_path / "first.zip")
    restored = empty_app_factory(target)
    result = restored.test_cli_runner().invoke(main, ["restore", str(first)])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the search index" in result.output

    second = _export(restored, tmp_path / "second.zip")
    assert _contents(second) == _contents(first)
    _assert_hashes_verify(restored)
    check = restored.test_cli_runner().invoke(main, ["search", "check"])
    assert check.exit_code == 0, check.output
    assert "The index matches the database." in check.output
    # Ids continue after the restored ones (PostgreSQL's sequences were moved on).
    with app_session(restored) as session:
        institution = session.scalar(select(Institution).where(Institution.code == INSTITUTION_A))
        module = create_module(session, institution.id, module_content("AFTER-RESTORE"))
        assert module.id > max(row["id"] for row in _rows(first, "module"))


def test_manifest_lists_every_table_with_counts_and_checksums(world_app, tmp_path):
    archive = _export(world_app, tmp_path / "a.zip")
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        names = [t["name"] for t in manifest["tables"]]
        assert names.index("institution") < names.index("module") < names.index("module_version")
        assert "search_outbox" in manifest["excluded_tables"]
        users = next(t for t in manifest["tables"] if t["name"] == "user_account")
        lines = opened.read(users["file"]).splitlines()
    assert manifest["format_version"] == FORMAT_VERSION
    assert users["rows"] == len(lines) > 0
    first = json.loads(lines[0])
    assert first["password_hash"].startswith("scrypt:")
    assert first["created_at"].endswith("+00:00")


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of an archive with some files changed by `change(files)`."""
    with zipfile.ZipFile(source) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def _manifest_change(**fields):
    def change(files):
        manifest = json.loads(files["manifest.json"])
        manifest.update(fields)
        files["manifest.json"] = json.dumps(manifest).encode()

    return change


def _tamper_with_modules(files):
    name = "tables/module.jsonl"
    files[name] = files[name].replace(b'"title":"', b'"title":"X', 1)


def _truncate(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])
    return target


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda s, t: _truncate(s, t), "is not a complete export archive"),
        (
            lambda s, t: _rewrite(s, t, _tamper_with_modules),
            "The checksum of tables/module.jsonl does not match the manifest.",
        ),
        (
            lambda s, t: _rewrite(s, t, _manifest_change(format_version=99)),
            "The archive has format version 99; this catalogue reads version 1 only.",
        ),
        (
            lambda s, t: _rewrite(s, t, lambda files: files.pop("tables/module.jsonl")),
            "The archive lacks tables/module.jsonl: it is incomplete.",
        ),
    ],
    ids=["truncated", "wrong-checksum", "unknown-version", "missing-table"],
)
def test_damaged_archive_is_refused_before_writing(world_app, app, damage, message, tmp_path):
    good = _export(world_app, tmp_path / "good.zip")
    bad = damage(good, tmp_path / "bad.zip")
    before = snapshot(app)
    result = app.test_cli_runner().invoke(main, ["restore", str(bad)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing was written." in result.output
    assert snapshot(app) == before


def test_restore_into_non_empty_database_is_refused(world_app, tmp_path):
    archive = _export(world_app, tmp_path / "a.zip")
    before = snapshot(world_app)
    result = world_app.test_cli_runner().invoke(main, ["restore", str(archive)])
    assert result.exit_code == 1
    assert "The database is not empty (table region has rows)" in result.output
    assert snapshot(world_app) == before


def test_values_of_every_column_type_survive_the_archive():
    import uuid
    from datetime import UTC, date, datetime
    from decimal import Decimal

    import sqlalchemy as sa

    from catalogue.model_base import UTCDateTime
    from catalogue.transfer.archive import decode_value, encode_value

    table = sa.Table(
        "sample",
        sa.MetaData(),
        sa.Column("uid", sa.Uuid),
        sa.Column("at", UTCDateTime),
        sa.Column("day", sa.Date),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("ratio", sa.Float),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("doc", sa.JSON),
    )
    values = {
        "uid": uuid.uuid4(),
        "at": datetime(2026, 12, 1, 10, 30, 0, 123456, tzinfo=UTC),
        "day": date(2027, 2, 1),
        "price": Decimal("1250.5"),
        "ratio": 2.5,
        "blob": b"\x00\xff",
        "doc": {"b": [1, 2], "a": None},
    }
    encoded = {c.name: encode_value(c, values[c.name]) for c in table.columns}
    assert json.loads(json.dumps(encoded)) == encoded
    assert encoded["price"] == "1250.50"
    assert encoded["at"] == "2026-12-01T10:30:00.123456+00:00"
    decoded = {c.name: decode_value(c, encoded[c.name]) for c in table.columns}
    assert decoded == {**values, "price": Decimal("1250.50")}
