"""Plan monitoring: pseudonymous people and their participation in runs.

A person is known only by a keyed pseudonym (see pseudonyms.py); no name, no national identifier.
A participation ties one person to one run (Offering) with the target group, category, status and
dates the provider reported. One person takes part in a run at most once.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from catalogue.model_base import code_field, created_at_field, enum_check, updated_at_field
from catalogue.modules.models import Offering
from catalogue.vocabularies import Audience, ParticipationStatus, TargetGroup


class MonitoredPerson(SQLModel, table=True):
    """Someone who took part in a run, known only by the HMAC-SHA256 pseudonym of their number."""

    __tablename__ = "monitored_person"

    id: int | None = Field(default=None, primary_key=True)
    # 64 hex digits: HMAC-SHA256 with the installation's pseudonym key.
    pseudonym: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()


class Participation(SQLModel, table=True):
    """One person's participation in one run, as the run's institution reported it."""

    __tablename__ = "participation"
    __table_args__ = (
        sa.UniqueConstraint("offering_id", "person_id"),
        enum_check("target_group", TargetGroup),
        enum_check("category", Audience),
        enum_check("status", ParticipationStatus),
        # Covers the dashboard's read (see queries.py): grouped by codes, no table lookups.
        sa.Index(
            "ix_participation_counting",
            "target_group",
            "category",
            "status",
            "is_demo",
            "person_id",
            "offering_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # A run with participants cannot be deleted: the monitoring figures would silently change.
    offering_id: int = Field(foreign_key="offering.id", index=True, ondelete="RESTRICT")
    person_id: int = Field(foreign_key="monitored_person.id", index=True, ondelete="RESTRICT")
    target_group: str = code_field()
    category: str = code_field()
    status: str = code_field()
    enrolled_on: date
    started_on: date | None = None
    ended_on: date | None = None
    # Synthetic records the seed adds for a demonstration; the dashboard says so when it counts any.
    is_demo: bool = Field(default=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    offering: "Offering" = Relationship()
    person: "MonitoredPerson" = Relationship()
