"""Alembic environment: runs on the connection that `catalogue.migrate` hands it."""

from alembic import context
from sqlmodel.sql.sqltypes import AutoString

from catalogue.model_base import UTCDateTime
from catalogue.models import metadata

config = context.config


def render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy types, so migrations do not import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_migrations() -> None:
    """Run migrations on the connection given in config.attributes (online mode only)."""
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `catalogue db upgrade`, not the alembic CLI")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
