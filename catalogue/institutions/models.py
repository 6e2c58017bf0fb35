"""Region (with the plan's budgets and LLO targets) and Institution."""

from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from catalogue.model_base import (
    code_field,
    created_at_field,
    enum_check,
    stable_uuid_field,
    updated_at_field,
)
from catalogue.vocabularies import InstitutionKind, Sector, TargetGroup


class Region(SQLModel, table=True):
    """A region of the national plan, with its budget and lifelong-learning targets."""

    __tablename__ = "region"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    description_nl: str = Field(default="", sa_type=sa.Text)
    description_en: str = Field(default="", sa_type=sa.Text)
    # The plan's money, in euros; a cooperating region (Arnhem-Nijmegen) has none of its own.
    budget_reserved_eur: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 2))
    budget_initial_intake_eur: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 2))
    llo_advice_eur: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 2))
    llo_people_target: int | None = Field(default=None)
    llo_target_note_nl: str = Field(default="", max_length=500)
    llo_target_note_en: str = Field(default="", max_length=500)
    partner_of_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    targets: list["RegionTarget"] = Relationship(
        back_populates="region",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "RegionTarget.id"},
    )
    institutions: list["Institution"] = Relationship(
        back_populates="region", sa_relationship_kwargs={"order_by": "Institution.name"}
    )
    partner_of: Optional["Region"] = Relationship(
        back_populates="partners",
        sa_relationship_kwargs={"remote_side": "Region.id"},
    )
    partners: list["Region"] = Relationship(back_populates="partner_of")


class RegionTarget(SQLModel, table=True):
    """One of a region's LLO targets: how many people, in which period, of which kind."""

    __tablename__ = "region_target"
    __table_args__ = (
        enum_check("target_group", TargetGroup, nullable=True),
        enum_check("sector", Sector, nullable=True),
        sa.CheckConstraint("people >= 0", name="people_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True, ondelete="CASCADE")
    period: str = Field(max_length=20)
    people: int
    target_group: str | None = code_field(default=None)
    sector: str | None = code_field(default=None, max_length=10)
    note_nl: str = Field(default="", max_length=300)
    note_en: str = Field(default="", max_length=300)

    region: "Region" = Relationship(back_populates="targets")


class Institution(SQLModel, table=True):
    """A school, university, company school or provider that publishes modules."""

    __tablename__ = "institution"
    __table_args__ = (enum_check("kind", InstitutionKind),)

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = stable_uuid_field()
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    short_name: str = Field(default="", max_length=60)
    kind: str = code_field(max_length=30)
    region_id: int = Field(foreign_key="region.id", index=True)
    city: str = Field(default="", max_length=100)
    brin: str | None = Field(default=None, max_length=8)
    kvk: str | None = Field(default=None, max_length=8)
    website: str = Field(default="", max_length=300)
    email: str = Field(default="", max_length=200)
    description_nl: str = Field(default="", sa_type=sa.Text)
    description_en: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    region: "Region" = Relationship(back_populates="institutions")

    @property
    def display_name(self) -> str:
        """The short name where one is set, else the full name."""
        return self.short_name or self.name
