"""Module, its tags, LearningUnit, Material and Offering.

A module row holds the module's live content: what the public sees once it is published. Edits
of a published module are kept as a draft (`draft_content`, the canonical content form) until the
module is published again; edits of a never-published module change the rows directly.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, Relationship, SQLModel

from catalogue.institutions.models import Institution
from catalogue.model_base import (
    ContentSnapshot,
    UTCDateTime,
    code_field,
    created_at_field,
    enum_checks,
    owned_children,
    stable_uuid_field,
    updated_at_field,
)
from catalogue.vocabularies import (
    TAG_VOCABULARIES,
    ComponentType,
    DeliveryMode,
    Level,
    Licence,
    MaterialType,
    ModuleStatus,
    OfferingStatus,
    Sector,
    StudyLoadUnit,
    TeachingLanguage,
)

_LOCK_COLUMNS: dict[str, sa.Column] = {}


def _lock_column(table: str) -> sa.Column:
    """The optimistic-lock column of a table; the mapper's version_id_col must be this object."""
    _LOCK_COLUMNS[table] = sa.Column("lock_version", sa.Integer, nullable=False)
    return _LOCK_COLUMNS[table]


def _study_load(row) -> dict[str, Any]:
    """A row's study load as its content gives it; whole numbers are floats however typed."""
    value = row.study_load_value
    return {"value": None if value is None else float(value), "unit": row.study_load_unit}


def _tag_codes(vocabulary: str) -> property:
    """A read-only attribute: the module's codes in one vocabulary, in vocabulary order."""
    return property(lambda module: module.codes(vocabulary))


def _translations_field() -> Any:
    """Texts in other languages: JSON, empty unless given (also for rows from before)."""
    return Field(default_factory=dict, sa_type=JSON, sa_column_kwargs={"server_default": "{}"})


def _tag_check() -> sa.CheckConstraint:
    clauses = []
    for vocabulary, enum in TAG_VOCABULARIES.items():
        allowed = ", ".join(f"'{v}'" for v in enum.values())
        clauses.append(f"(vocabulary = '{vocabulary}' AND code IN ({allowed}))")
    return sa.CheckConstraint(" OR ".join(clauses), name="code_valid")


class Module(SQLModel, table=True):
    """A learning module published by an institution."""

    __tablename__ = "module"
    __table_args__ = (
        sa.UniqueConstraint("institution_id", "code"),
        *enum_checks(
            sector=Sector, level=Level, study_load_unit=StudyLoadUnit, status=ModuleStatus
        ),
        sa.CheckConstraint("study_load_value > 0", name="study_load_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = stable_uuid_field()
    institution_id: int = Field(foreign_key="institution.id", index=True)
    code: str = Field(max_length=40)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=600)
    description: str = Field(default="", sa_type=sa.Text)
    sector: str = code_field(max_length=10)
    level: str = code_field()
    study_load_value: float
    study_load_unit: str = code_field()
    learning_outcomes: list[str] = Field(default_factory=list, sa_type=JSON)
    prerequisites: str = Field(default="", sa_type=sa.Text)
    assessment: str = Field(default="", sa_type=sa.Text)
    participation: str = Field(default="", max_length=300)
    quality_assurance: str = Field(default="", max_length=500)
    micro_credential: bool = Field(default=False)
    esco_uris: list[str] = Field(default_factory=list, sa_type=JSON)
    # Texts in another language, e.g. {"en": {"title": ...}} (see catalogue.modules.translations).
    translations: dict[str, Any] = _translations_field()
    status: str = code_field(default=ModuleStatus.DRAFT, index=True)
    # Pending edits of a published module, in the canonical content form; None when none.
    draft_content: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # Number of the latest published version (0 before the first publication).
    current_version: int = Field(default=0)
    # Optimistic lock: bumped by SQLAlchemy on every update, compared before every edit.
    lock_version: int = Field(default=1, sa_column=_lock_column("module"))
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    __mapper_args__ = {"version_id_col": _LOCK_COLUMNS["module"]}

    institution: "Institution" = Relationship()
    tags: list["ModuleTag"] = Relationship(
        back_populates="module",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin"},
    )
    units: list["LearningUnit"] = owned_children("module", "LearningUnit.position")
    materials: list["Material"] = owned_children("module", "Material.position")
    offerings: list["Offering"] = owned_children("module", "Offering.start_date")

    study_load = property(_study_load)
    competencies = _tag_codes("competencies")
    languages = _tag_codes("languages")
    delivery_modes = _tag_codes("delivery_modes")
    target_groups = _tag_codes("target_groups")
    audiences = _tag_codes("audiences")

    @property
    def has_unpublished_changes(self) -> bool:
        """Whether editors saved changes that are not published yet."""
        return self.draft_content is not None

    def codes(self, vocabulary: str) -> list[str]:
        """The codes this module is tagged with in one vocabulary, in vocabulary order."""
        present = {t.code for t in self.tags if t.vocabulary == vocabulary}
        return [c for c in TAG_VOCABULARIES[vocabulary].values() if c in present]

    def set_codes(self, vocabulary: str, codes: list[str]) -> None:
        """Replace this module's codes in one vocabulary."""
        wanted = set(codes)
        kept = [t for t in self.tags if t.vocabulary != vocabulary or t.code in wanted]
        have = {t.code for t in kept if t.vocabulary == vocabulary}
        kept += [ModuleTag(vocabulary=vocabulary, code=c) for c in codes if c not in have]
        self.tags = kept

    @property
    def is_public(self) -> bool:
        """Whether anonymous visitors may see this module."""
        return self.status == ModuleStatus.PUBLISHED


class ModuleTag(SQLModel, table=True):
    """One code of a multi-valued vocabulary (competency, language, ...) on a module."""

    __tablename__ = "module_tag"
    __table_args__ = (_tag_check(), sa.Index("ix_module_tag_lookup", "vocabulary", "code"))

    module_id: int | None = Field(
        default=None, foreign_key="module.id", primary_key=True, ondelete="CASCADE"
    )
    vocabulary: str = Field(max_length=20, primary_key=True)
    code: str = code_field(max_length=30, primary_key=True)

    module: "Module" = Relationship(back_populates="tags")


class LearningUnit(SQLModel, table=True):
    """A part of a module with its own outcomes and assessment (a "leereenheid")."""

    __tablename__ = "learning_unit"
    __table_args__ = (
        sa.UniqueConstraint("module_id", "code"),
        *enum_checks(study_load_unit=StudyLoadUnit, component_type=ComponentType),
        sa.CheckConstraint("study_load_value > 0", name="study_load_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = stable_uuid_field()
    module_id: int = Field(foreign_key="module.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=40)
    position: int = Field(default=0)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    learning_outcomes: list[str] = Field(default_factory=list, sa_type=JSON)
    study_load_value: float
    study_load_unit: str = code_field()
    assessment: str = Field(default="", sa_type=sa.Text)
    component_type: str = code_field()
    translations: dict[str, Any] = _translations_field()

    module: "Module" = Relationship(back_populates="units")

    study_load = property(_study_load)


class Material(SQLModel, table=True):
    """Digital learning material of a module, or of one of its units, with its licence."""

    __tablename__ = "material"
    __table_args__ = (
        *enum_checks(material_type=MaterialType, licence=Licence, language=TeachingLanguage),
        # Ids are never reused (SQLite would reuse the highest after a delete): an id names the
        # material's page and its OAI-PMH record, deleted or not.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True, ondelete="CASCADE")
    unit_code: str | None = Field(default=None, max_length=40)
    position: int = Field(default=0)
    title: str = Field(max_length=200)
    url: str = Field(max_length=500)
    material_type: str = code_field()
    format: str = Field(default="", max_length=100)
    language: str = code_field(max_length=3)
    licence: str = code_field()
    authors: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=1000)

    module: "Module" = Relationship(back_populates="materials")

    @property
    def is_openly_licensed(self) -> bool:
        """Whether another institution may reuse this material."""
        return self.licence in Licence.having("open")


class Offering(SQLModel, table=True):
    """A run of a module: dates, place, language, price and seats."""

    __tablename__ = "offering"
    __table_args__ = (
        sa.UniqueConstraint("module_id", "code"),
        *enum_checks(status=OfferingStatus, delivery_mode=DeliveryMode, language=TeachingLanguage),
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint("price_eur >= 0", name="price_not_negative"),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
        sa.CheckConstraint("seats_left >= 0", name="seats_left_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = stable_uuid_field()
    module_id: int = Field(foreign_key="module.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=40)
    start_date: date = Field(index=True)
    end_date: date
    enrol_from: date | None = None
    enrol_until: date | None = None
    city: str = Field(default="", max_length=100)
    delivery_mode: str = code_field()
    language: str = code_field(max_length=3)
    price_eur: Decimal = Field(sa_type=sa.Numeric(10, 2))
    price_note: str = Field(default="", max_length=300)
    seats: int
    # Places still free, when the provider keeps it up to date (None: not said).
    seats_left: int | None = None
    status: str = code_field(default=OfferingStatus.PLANNED)
    # How to enrol: a web address and/or a contact; "guaranteed" is certain to run.
    enrol_url: str = Field(default="", max_length=500)
    enrol_email: str = Field(default="", max_length=254)
    enrol_phone: str = Field(default="", max_length=40)
    guaranteed: bool = False
    lock_version: int = Field(default=1, sa_column=_lock_column("offering"))
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    __mapper_args__ = {"version_id_col": _LOCK_COLUMNS["offering"]}

    module: "Module" = Relationship(back_populates="offerings")


class ModuleVersion(ContentSnapshot, table=True):
    """An immutable published version of a module's content, with its SHA-256 content hash."""

    __tablename__ = "module_version"
    __table_args__ = (sa.UniqueConstraint("module_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True, ondelete="CASCADE")
    published_at: datetime = created_at_field()
    published_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    published_by_name: str = Field(default="", max_length=120)
