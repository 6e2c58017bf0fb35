"""Shared pieces of the data model: UTC timestamps, enum check constraints, naming convention."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from catalogue.vocabularies import Vocabulary

# Stable constraint names, so that Alembic migrations mean the same on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always stored as UTC and always read back timezone-aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(UTC)
        # SQLite has no time zones: store the UTC wall time.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_check(column: str, vocabulary: type[Vocabulary], *, nullable: bool = False):
    """A named CHECK constraint that keeps `column` within `vocabulary`."""
    allowed = ", ".join(f"'{v}'" for v in vocabulary.values())
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=f"{column}_valid")


def created_at_field():
    """Column for when a row was created."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def updated_at_field():
    """Column for when a row last changed; SQLAlchemy refreshes it on every update."""
    return Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


def stable_uuid_field():
    """Column for an object's public UUID (OEAPI identifiers): made once, unique, never reused."""
    return Field(
        default_factory=lambda: str(uuid.uuid4()),
        max_length=36,
        nullable=False,
        index=True,
        unique=True,
    )
