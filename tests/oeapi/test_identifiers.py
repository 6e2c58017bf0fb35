"""Stable OEAPI identifiers: the migration gives every existing institution, module, learning
unit and run its own UUID, and new rows get one when they are made."""

from __future__ import annotations

import uuid

from alembic.script import ScriptDirectory
from sqlalchemy import text

from catalogue import migrate
from catalogue.db import make_engine

TABLES = ("institution", "module", "learning_unit", "offering")


def _uuids(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table: list(connection.execute(text(f"SELECT uuid FROM {table}")).scalars())  # noqa: S608
            for table in TABLES
        }


def test_the_migration_gives_every_existing_row_its_own_uuid(seeded_database_url):
    engine = make_engine(seeded_database_url)
    try:
        before_0010 = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0010")
        migrate.downgrade(engine, before_0010.down_revision)
        migrate.upgrade(engine)
        found = _uuids(engine)
    finally:
        engine.dispose()
    for table, values in found.items():
        assert values, f"the seed has no {table} rows"
        assert len(set(values)) == len(values), table
        assert all(uuid.UUID(v).version == 4 for v in values), table
    everything = [v for values in found.values() for v in values]
    assert len(set(everything)) == len(everything)
