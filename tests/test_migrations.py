"""Migrations build the schema from nothing, and agree with the models, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalogue import migrate
from catalogue.db import make_engine
from catalogue.models import metadata


def test_upgrade_builds_every_table_from_an_empty_database(backend, database_factory):
    engine = make_engine(database_factory.empty(backend))
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set(metadata.tables)
    finally:
        engine.dispose()


def test_models_and_migrations_agree(backend, database_factory):
    engine = make_engine(database_factory.empty(backend))
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
        assert differences == [], f"models and migrations differ: {differences}"
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(backend, database_factory):
    engine = make_engine(database_factory.empty(backend))
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
