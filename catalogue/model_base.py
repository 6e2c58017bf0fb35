"""Shared pieces of the data model: UTC timestamps, enum check constraints, naming convention."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Field, Relationship, SQLModel

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


# How long a vocabulary code may be, in the columns that store one (tests/test_vocabularies.py
# checks that every code a CHECK constraint allows fits its column).
CODE_LENGTH = 20


def code_field(**options):
    """Column for one code of a vocabulary; the table keeps it in the vocabulary with an
    `enum_check`. A column of short codes (a sector, an ISO language) gives its own max_length."""
    return Field(**{"max_length": CODE_LENGTH, **options})


def enum_check(column: str, vocabulary: type[Vocabulary], *, nullable: bool = False):
    """A named CHECK constraint that keeps `column` within `vocabulary`."""
    allowed = ", ".join(f"'{v}'" for v in vocabulary.values())
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=f"{column}_valid")


def enum_checks(**columns: type[Vocabulary]) -> tuple[sa.CheckConstraint, ...]:
    """One `enum_check` per column, given as column=vocabulary."""
    return tuple(enum_check(column, vocabulary) for column, vocabulary in columns.items())


def owned_children(back_populates: str, order_by: str, **options):
    """A one-to-many relationship whose rows belong to the parent: saved and deleted with it."""
    return Relationship(
        back_populates=back_populates,
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": order_by, **options},
    )


class ContentSnapshot(SQLModel):
    """Columns of an immutable, numbered snapshot of some content with its SHA-256 hash."""

    number: int
    content: dict[str, Any] = Field(sa_type=JSON)
    content_hash: str = Field(max_length=64)


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
