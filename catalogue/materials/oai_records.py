"""What the OAI-PMH feed offers: one record per material of a published module, and deleted
records (kept persistently) for material that was removed or whose module was archived.

Records are listed in material id order, filtered by datestamp and set; a harvest pages through
them with a cursor (the last id sent), so a record never moves between pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.institutions.models import Institution, Region
from catalogue.materials.licences import is_open
from catalogue.materials.models import MaterialTombstone
from catalogue.modules.models import Material, Module
from catalogue.vocabularies import ModuleStatus

OPEN_SET = "open"


@dataclass
class OaiItem:
    """One record's header: material id, datestamp, sets, deleted or not (and its material)."""

    material_id: int
    datestamp: datetime
    sets: list[str] = field(default_factory=list)
    deleted: bool = False
    material: Material | None = None


def _utc(moment: datetime | None) -> datetime:
    moment = moment or datetime(1970, 1, 1, tzinfo=UTC)
    return moment.replace(microsecond=0).astimezone(UTC)


def _sets(licence: str | None, institution: str, region: str) -> list[str]:
    sets = [f"region:{region}", f"institution:{institution}"]
    return [*sets, OPEN_SET] if licence and is_open(licence) else sets


def all_items(session: Session) -> list[OaiItem]:
    """Every record the feed knows, live and deleted, in material id order."""
    rows = session.execute(
        select(Material, Module.status, Module.published_at, Module.updated_at)
        .add_columns(Institution.code, Region.code)
        .join(Module, Module.id == Material.module_id)
        .join(Institution, Institution.id == Module.institution_id)
        .join(Region, Region.id == Institution.region_id)
        .where(Module.current_version > 0, Module.status != ModuleStatus.DRAFT)
        .options(selectinload(Material.module).selectinload(Module.units))
    ).all()
    items = {}
    for material, status, published_at, updated_at, institution, region in rows:
        deleted = status != ModuleStatus.PUBLISHED
        items[material.id] = OaiItem(
            material.id,
            _utc(updated_at if deleted else published_at),
            _sets(material.licence, institution, region),
            deleted,
            None if deleted else material,
        )
    tombstones = session.execute(
        select(MaterialTombstone, Institution.code, Region.code)
        .join(Institution, Institution.id == MaterialTombstone.institution_id)
        .join(Region, Region.id == Institution.region_id)
    ).all()
    for tombstone, institution, region in tombstones:
        if tombstone.material_id not in items:
            items[tombstone.material_id] = OaiItem(
                tombstone.material_id,
                _utc(tombstone.deleted_at),
                _sets(None, institution, region),
                deleted=True,
            )
    return [items[key] for key in sorted(items)]


def known_sets(session: Session) -> list[tuple[str, str]]:
    """(setSpec, setName) of every set: regions, institutions, and open material."""
    regions = session.execute(select(Region.code, Region.name).order_by(Region.code)).all()
    institutions = session.execute(
        select(Institution.code, Institution.name).order_by(Institution.code)
    ).all()
    return [
        (OPEN_SET, "Openly licensed material"),
        ("region", "Material by region"),
        ("institution", "Material by institution"),
        *((f"region:{code}", name) for code, name in regions),
        *((f"institution:{code}", name) for code, name in institutions),
    ]


def earliest_datestamp(session: Session) -> datetime:
    """The earliest datestamp of any record (the epoch when there are none)."""
    items = all_items(session)
    return min((i.datestamp for i in items), default=_utc(None))


def select_items(
    items: list[OaiItem],
    *,
    start: datetime | None,
    until: datetime | None,
    set_spec: str | None,
    after_id: int = 0,
) -> list[OaiItem]:
    """The records within the datestamp range and set, after a material id."""
    return [
        item
        for item in items
        if item.material_id > after_id
        and (start is None or item.datestamp >= start)
        and (until is None or item.datestamp <= until)
        and (set_spec is None or set_spec in item.sets or _in_parent(set_spec, item.sets))
    ]


def _in_parent(set_spec: str, sets: list[str]) -> bool:
    """A set like `region` holds every record of its subsets (`region:twente`)."""
    return any(s.startswith(set_spec + ":") for s in sets)
