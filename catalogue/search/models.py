"""OutboxEntry: a change that search must apply, written in the same transaction as the change."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from catalogue.model_base import created_at_field


class OutboxEntry(SQLModel, table=True):
    """ "Module N changed": every node's indexer applies entries in id order, once each."""

    __tablename__ = "search_outbox"

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(index=True)
    created_at: datetime = created_at_field()
