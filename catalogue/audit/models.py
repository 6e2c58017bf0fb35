"""AuditEvent: one recorded change."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from catalogue.model_base import created_at_field


class AuditEvent(SQLModel, table=True):
    """A change made by someone: action, entity, and the content hash before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = created_at_field()
    actor_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    # The actor's name at the time, kept so the trail stays readable if the account goes.
    actor_name: str = Field(max_length=120)
    via: str = Field(default="web", max_length=10)
    action: str = Field(max_length=40)
    entity_type: str = Field(max_length=30)
    entity_id: int
    institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    module_id: int | None = Field(default=None, index=True)
    summary: str = Field(default="", max_length=300)
    before_hash: str | None = Field(default=None, max_length=64)
    after_hash: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
