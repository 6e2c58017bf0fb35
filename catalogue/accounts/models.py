"""User, Membership (a user's role at an institution or in a region), and ApiToken."""

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from catalogue.institutions.models import Institution, Region
from catalogue.model_base import UTCDateTime, code_field, created_at_field, enum_check
from catalogue.vocabularies import Role


def _new_session_nonce() -> str:
    return secrets.token_hex(8)


class User(SQLModel, table=True):
    """A person who logs in: course designer, coordinator or administrator."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200, unique=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=300)
    is_active: bool = Field(default=True)
    # Part of the login session id: changing it (on a password change) ends every other session.
    session_nonce: str = Field(default_factory=_new_session_nonce, max_length=32)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()

    memberships: list["Membership"] = Relationship(
        back_populates="user",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin"},
    )


class Membership(SQLModel, table=True):
    """One role of a user: administrator, editor of an institution, coordinator of a region."""

    __tablename__ = "membership"
    __table_args__ = (
        enum_check("role", Role),
        sa.CheckConstraint(
            "(role = 'administrator' AND institution_id IS NULL AND region_id IS NULL)"
            " OR (role = 'editor' AND institution_id IS NOT NULL AND region_id IS NULL)"
            " OR (role = 'coordinator' AND region_id IS NOT NULL AND institution_id IS NULL)",
            name="scope_fits_role",
        ),
        sa.UniqueConstraint("user_id", "role", "institution_id", "region_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    role: str = code_field()
    institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)

    user: "User" = Relationship(back_populates="memberships")
    institution: Optional["Institution"] = Relationship(sa_relationship_kwargs={"lazy": "selectin"})
    region: Optional["Region"] = Relationship(sa_relationship_kwargs={"lazy": "selectin"})


class ApiToken(SQLModel, table=True):
    """A named token with which an institution's system calls the API on a user's behalf.

    Only the SHA-256 hash of the token is stored; the token itself is shown once.
    """

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # The first characters, to recognise a token in lists and to find it before comparing.
    prefix: str = Field(max_length=16, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    user: "User" = Relationship()

    @property
    def is_active(self) -> bool:
        """Whether the token still opens the API."""
        return self.revoked_at is None


class PasswordResetToken(SQLModel, table=True):
    """A one-time permission to set a new password: mailed to the person, or handed out by an
    administrator. Only its SHA-256 is stored; it expires and works once."""

    __tablename__ = "password_reset_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The administrator who made it; None when the person asked for it by e-mail.
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
