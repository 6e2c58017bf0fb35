"""Schema migrations with Alembic, run from the catalogue's own commands and tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from catalogue.resources import resource_dir


def alembic_config(connection=None) -> Config:
    """An Alembic config pointing at the shipped migrations, bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to `revision` (head by default)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to `revision`."""
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the difference between models and database.

    Revisions are numbered 0001, 0002, ... so that the folder reads in order.
    """
    script = ScriptDirectory.from_config(alembic_config())
    number = len(list(script.walk_revisions())) + 1
    with engine.begin() as connection:
        command.revision(
            alembic_config(connection), message=message, autogenerate=True, rev_id=f"{number:04d}"
        )


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the shipped migrations know."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    """Whether the database is at the newest revision."""
    return current_revision(engine) == head_revision()
