"""Agreement, its parties and items, its revisions, the parties' approvals and its comments."""

from datetime import date, datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import JSON, Field, Relationship, SQLModel

from catalogue.institutions.models import Institution
from catalogue.model_base import (
    UTCDateTime,
    code_field,
    created_at_field,
    enum_check,
    updated_at_field,
)
from catalogue.modules.models import Module
from catalogue.vocabularies import AgreementKind, AgreementStatus, PartyRole, StudyLoadUnit

_LOCK = sa.Column("lock_version", sa.Integer, nullable=False)


def _owned(order_by: str):
    """A list of rows that belong to the agreement: saved and deleted with it, in this order."""
    return Relationship(
        back_populates="agreement",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": order_by},
    )


class Agreement(SQLModel, table=True):
    """A recognition agreement among two or more institutions, approved by a content hash."""

    __tablename__ = "agreement"
    __table_args__ = (
        enum_check("kind", AgreementKind),
        enum_check("status", AgreementStatus),
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="valid_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=200)
    kind: str = code_field()
    terms: str = Field(default="", sa_type=sa.Text)
    valid_from: date
    valid_until: date | None = None
    status: str = code_field(default=AgreementStatus.DRAFT, index=True)
    # The institution whose editor created it: it may withdraw the agreement.
    initiator_id: int = Field(foreign_key="institution.id")
    revision: int = Field(default=1)
    content_hash: str = Field(max_length=64)
    # Set when a provider published a new version of a pinned module or unit.
    review_needed: bool = Field(default=False)
    review_note: str = Field(default="", max_length=500)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str = Field(default="", max_length=500)
    lock_version: int = Field(default=1, sa_column=_LOCK)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()

    __mapper_args__ = {"version_id_col": _LOCK}

    initiator: "Institution" = Relationship()
    parties: list["AgreementParty"] = _owned("AgreementParty.id")
    items: list["AgreementItem"] = _owned("AgreementItem.id")
    revisions: list["AgreementRevision"] = _owned("AgreementRevision.number.desc()")
    approvals: list["AgreementApproval"] = _owned("AgreementApproval.id.desc()")


class AgreementParty(SQLModel, table=True):
    """An institution taking part in an agreement, as provider, recogniser or both."""

    __tablename__ = "agreement_party"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "institution_id"),
        enum_check("role", PartyRole),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id", index=True)
    role: str = code_field()

    agreement: "Agreement" = Relationship(back_populates="parties")
    institution: "Institution" = Relationship(sa_relationship_kwargs={"lazy": "selectin"})

    @property
    def provides(self) -> bool:
        return self.role in (PartyRole.PROVIDER, PartyRole.BOTH)

    @property
    def recognises(self) -> bool:
        return self.role in (PartyRole.RECOGNISER, PartyRole.BOTH)


class AgreementItem(SQLModel, table=True):
    """A module or learning unit of a provider, pinned to a published version and its hash,
    with what the recognisers grant for it."""

    __tablename__ = "agreement_item"
    __table_args__ = (
        enum_check("credits_unit", StudyLoadUnit, nullable=True),
        sa.CheckConstraint("pinned_version >= 1", name="pinned_version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    module_id: int = Field(foreign_key="module.id", index=True)
    unit_code: str | None = Field(default=None, max_length=40)
    pinned_version: int
    # SHA-256 of the pinned module version, or of the unit within it for a unit item.
    pinned_hash: str = Field(max_length=64)
    grant: str = Field(default="", max_length=1000)
    credits_value: float | None = None
    credits_unit: str | None = code_field(default=None)
    equivalent: str = Field(default="", max_length=500)
    licence_terms: str = Field(default="", max_length=1000)

    agreement: "Agreement" = Relationship(back_populates="items")
    module: "Module" = Relationship(sa_relationship_kwargs={"lazy": "selectin"})


class AgreementRevision(SQLModel, table=True):
    """The content of an agreement at one revision, with its hash; kept for ever."""

    __tablename__ = "agreement_revision"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    number: int
    content: dict[str, Any] = Field(sa_type=JSON)
    content_hash: str = Field(max_length=64)
    created_at: datetime = created_at_field()
    created_by_name: str = Field(default="", max_length=120)
    reason: str = Field(default="", max_length=300)

    agreement: "Agreement" = Relationship(back_populates="revisions")


class AgreementApproval(SQLModel, table=True):
    """One party's decision on one revision: approved (of this hash) or rejected."""

    __tablename__ = "agreement_approval"
    __table_args__ = (
        sa.CheckConstraint("decision IN ('approved', 'rejected')", name="decision_valid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    revision: int
    institution_id: int = Field(foreign_key="institution.id", index=True)
    content_hash: str = Field(max_length=64)
    decision: str = Field(max_length=10)
    comment: str = Field(default="", max_length=500)
    decided_at: datetime = created_at_field()
    decided_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    decided_by_name: str = Field(default="", max_length=120)
    # When a later revision made this approval count no more.
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    agreement: "Agreement" = Relationship(back_populates="approvals")
    institution: Optional["Institution"] = Relationship(sa_relationship_kwargs={"lazy": "selectin"})


class AgreementComment(SQLModel, table=True):
    """A remark in an agreement's discussion, kept in its history (comments are never edited)."""

    __tablename__ = "agreement_comment"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    # The revision under discussion when the comment was written.
    revision: int
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = created_at_field()
    author_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    author_name: str = Field(default="", max_length=120)
