"""The search outbox: changes that search must apply, written in the same transaction as the
change, and how far old entries have been pruned."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from catalogue.model_base import UTCDateTime, created_at_field


class OutboxEntry(SQLModel, table=True):
    """ "Module N changed": every node's indexer applies entries in id order, once each."""

    __tablename__ = "search_outbox"

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(index=True)
    created_at: datetime = created_at_field()


class OutboxHorizon(SQLModel, table=True):
    """How far the outbox has been pruned (one row, id 1): entries up to `pruned_through` are
    gone, so an index that has not applied them must be rebuilt, not drained."""

    __tablename__ = "search_outbox_horizon"

    id: int | None = Field(default=None, primary_key=True)
    pruned_through: int = Field(default=0)
    pruned_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
