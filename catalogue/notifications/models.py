"""Notification: one e-mail to one person, queued in the transaction of what it tells about."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from catalogue.model_base import UTCDateTime, created_at_field


class Notification(SQLModel, table=True):
    """A message for one account; sent at once after the commit, or in the daily digest."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=200)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)
    # Set for messages that must go out once only (e.g. "ends within 60 days" per agreement).
    key: str | None = Field(default=None, max_length=120, unique=True)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
