"""Reuse registrations: institution B reuses material X (in its module Y, or in a course of its
own outside the catalogue)."""

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from catalogue.institutions.models import Institution
from catalogue.model_base import UTCDateTime, code_field, created_at_field, enum_checks
from catalogue.modules.models import Material, Module
from catalogue.vocabularies import ReuseStatus

_LOCK = sa.Column("lock_version", sa.Integer, nullable=False)


class MaterialReuse(SQLModel, table=True):
    """One institution's registered reuse of one piece of material."""

    __tablename__ = "material_reuse"
    __table_args__ = (
        *enum_checks(status=ReuseStatus),
        sa.Index("ix_material_reuse_lookup", "material_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    material_id: int = Field(foreign_key="material.id", ondelete="CASCADE")
    institution_id: int = Field(foreign_key="institution.id", index=True, ondelete="RESTRICT")
    # The reusing module in the catalogue, or else the name of a course outside it.
    module_id: int | None = Field(default=None, foreign_key="module.id", ondelete="SET NULL")
    course: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)
    # The material-sharing agreement that allowed a closed-licence reuse when it was registered.
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id", ondelete="SET NULL")
    status: str = code_field(default=ReuseStatus.ACTIVE)
    registered_by_name: str = Field(default="", max_length=120)
    created_at: datetime = created_at_field()
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lock_version: int = Field(default=1, sa_column=_LOCK)

    __mapper_args__ = {"version_id_col": _LOCK}

    material: Material = Relationship()
    institution: Institution = Relationship()
    module: Optional["Module"] = Relationship()

    @property
    def is_active(self) -> bool:
        """Whether the reuse is in force."""
        return self.status == ReuseStatus.ACTIVE


class MaterialTombstone(SQLModel, table=True):
    """A published material that was removed from its module: harvesters learn of the deletion
    (OAI-PMH deleted records, kept persistently)."""

    __tablename__ = "material_tombstone"

    material_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    module_id: int = Field(index=True)
    institution_id: int
    deleted_at: datetime = created_at_field()


@sa.event.listens_for(Material, "after_delete")
def _keep_tombstone(_mapper, connection, material: Material) -> None:
    """Remember a removed material of a published module, in the same transaction."""
    module = connection.execute(
        sa.select(Module.institution_id, Module.current_version).where(
            Module.id == material.module_id
        )
    ).first()
    if module is None or not module.current_version:
        return
    connection.execute(
        sa.insert(MaterialTombstone.__table__).values(
            material_id=material.id,
            module_id=material.module_id,
            institution_id=module.institution_id,
            deleted_at=sa.func.now(),
        )
    )
