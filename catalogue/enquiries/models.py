"""A request for information about a run, for a group of participants."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from catalogue.model_base import created_at_field


class InformationRequest(SQLModel, table=True):
    """What an employer asked about a run; kept for the retention period only (see
    catalogue.enquiries.services.purge_requests)."""

    __tablename__ = "information_request"

    id: int | None = Field(default=None, primary_key=True)
    offering_id: int = Field(foreign_key="offering.id", index=True, ondelete="CASCADE")
    # The provider whose inbox the request lands in (the run's module's institution).
    institution_id: int = Field(foreign_key="institution.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    employer: str = Field(max_length=200)
    email: str = Field(max_length=254)
    participants: int
    question: str = Field(max_length=2000)
    # A keyed hash of the sender's network address, for the rate limit (never the address).
    sender: str = Field(max_length=64, index=True)
    created_at: datetime = created_at_field()
