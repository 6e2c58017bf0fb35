"""Reading material and its reuse: one material, reuse lists, counts and the region table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, can_view_module
from catalogue.errors import NotFound
from catalogue.institutions.grids import RegionGrid
from catalogue.institutions.models import Institution, Region
from catalogue.materials import licences
from catalogue.materials.models import MaterialReuse
from catalogue.modules.models import Material, Module
from catalogue.recognition import queries as recognition
from catalogue.vocabularies import ModuleStatus, ReuseStatus


def get_material(*, session: Session, actor: Actor, material_id: int) -> Material:
    """One material whose module the actor may see; NotFound otherwise."""
    material = session.get(Material, material_id)
    if material is None or not can_view_module(actor, material.module):
        raise NotFound(_("No material with id %(id)s.", id=material_id))
    return material


def get_reuse(*, session: Session, actor: Actor, material_id: int, reuse_id: int) -> MaterialReuse:
    """One reuse registration of a material the actor may see; NotFound otherwise."""
    get_material(session=session, actor=actor, material_id=material_id)
    reuse = session.get(MaterialReuse, reuse_id)
    if reuse is None or reuse.material_id != material_id:
        raise NotFound(_("No reuse registration with id %(id)s.", id=reuse_id))
    return reuse


def covering_agreement(session: Session, material: Material, institution_id: int):
    """The active material-sharing agreement that covers reuse of the material by an
    institution; None when none is in force."""
    return recognition.material_sharing_agreement(
        session=session,
        module_id=material.module_id,
        institution_ids=(material.module.institution_id, institution_id),
        unit_code=material.unit_code,
    )


def is_covered(session: Session, reuse: MaterialReuse) -> bool:
    """Whether an active reuse is (still) allowed: an open licence, or an agreement in force."""
    if licences.terms_of(reuse.material.licence).allows_reuse:
        return True
    return covering_agreement(session, reuse.material, reuse.institution_id) is not None


def material_reuses(session: Session, material_id: int, *, active_only: bool = False):
    """The reuse registrations of one material, newest first."""
    statement = (
        select(MaterialReuse)
        .where(MaterialReuse.material_id == material_id)
        .options(selectinload(MaterialReuse.institution).selectinload(Institution.region))
        .order_by(MaterialReuse.created_at.desc(), MaterialReuse.id.desc())
    )
    if active_only:
        statement = statement.where(MaterialReuse.status == ReuseStatus.ACTIVE)
    return list(session.scalars(statement))


@dataclass(frozen=True)
class ReuseCount:
    """Reused by N institutions in M regions."""

    institutions: int = 0
    regions: int = 0


def _active_reuse_rows():
    return (
        select(MaterialReuse.material_id, Institution.id, Institution.region_id)
        .join(Institution, Institution.id == MaterialReuse.institution_id)
        .where(MaterialReuse.status == ReuseStatus.ACTIVE)
    )


def reuse_counts(session: Session, material_ids: list[int]) -> dict[int, ReuseCount]:
    """Active reuse of each material: how many institutions, in how many regions."""
    rows = session.execute(
        _active_reuse_rows().where(MaterialReuse.material_id.in_(material_ids))
    ).all()
    found: dict[int, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for material_id, institution_id, region_id in rows:
        found[material_id][0].add(institution_id)
        found[material_id][1].add(region_id)
    return {
        material_id: ReuseCount(len(found[material_id][0]), len(found[material_id][1]))
        if material_id in found
        else ReuseCount()
        for material_id in material_ids
    }


def _count_of(session: Session, statement) -> ReuseCount:
    rows = session.execute(statement).all()
    return ReuseCount(len({r[1] for r in rows}), len({r[2] for r in rows}))


def module_reuse_count(session: Session, module_id: int) -> ReuseCount:
    """Active reuse of any of a module's material."""
    statement = _active_reuse_rows().join(Material, Material.id == MaterialReuse.material_id)
    return _count_of(session, statement.where(Material.module_id == module_id))


def region_reuse_count(session: Session, region_id: int) -> ReuseCount:
    """Active reuse of material made by the institutions of one region."""
    author = select(Module.id).join(Institution, Institution.id == Module.institution_id)
    author = author.where(Institution.region_id == region_id)
    statement = _active_reuse_rows().join(Material, Material.id == MaterialReuse.material_id)
    return _count_of(session, statement.where(Material.module_id.in_(author)))


def _reuse_listing():
    return (
        select(MaterialReuse)
        .join(Material, Material.id == MaterialReuse.material_id)
        .join(Module, Module.id == Material.module_id)
        .where(MaterialReuse.status == ReuseStatus.ACTIVE)
        .options(
            selectinload(MaterialReuse.material).selectinload(Material.module),
            selectinload(MaterialReuse.institution),
        )
        .order_by(MaterialReuse.created_at.desc(), MaterialReuse.id.desc())
    )


def reuse_of_institutions_material(session: Session, institution_ids) -> list[MaterialReuse]:
    """Active reuse, by others, of material made by these institutions (the authors' view)."""
    statement = _reuse_listing().where(Module.institution_id.in_(list(institution_ids)))
    return list(session.scalars(statement))


def reuse_by_institutions(session: Session, institution_ids) -> list[MaterialReuse]:
    """Active reuse registered for these institutions (what they reuse)."""
    statement = _reuse_listing().where(MaterialReuse.institution_id.in_(list(institution_ids)))
    return list(session.scalars(statement))


class ReuseTable(RegionGrid):
    """Active reuse registrations between regions, by region id: rows are the authors' regions
    (whose institutions made the material), columns the reusers'."""


def region_reuse_table(*, session: Session) -> ReuseTable:
    """The region-by-region table of active reuse registrations."""
    author = Institution.__table__.alias("author")
    reuser = Institution.__table__.alias("reuser")
    rows = session.execute(
        select(author.c.region_id, reuser.c.region_id, func.count(MaterialReuse.id))
        .select_from(MaterialReuse)
        .join(Material, Material.id == MaterialReuse.material_id)
        .join(Module, Module.id == Material.module_id)
        .join(author, author.c.id == Module.institution_id)
        .join(reuser, reuser.c.id == MaterialReuse.institution_id)
        .where(MaterialReuse.status == ReuseStatus.ACTIVE)
        .group_by(author.c.region_id, reuser.c.region_id)
    ).all()
    regions = list(session.scalars(select(Region).order_by(Region.name)))
    return ReuseTable(regions, {(a, r): n for a, r, n in rows})


def published_material_count(session: Session) -> int:
    """How many materials of published modules there are (the finder's empty-query total)."""
    return session.scalar(
        select(func.count(Material.id))
        .join(Module, Module.id == Material.module_id)
        .where(Module.status == ModuleStatus.PUBLISHED)
    )


def registering_institutions(session: Session, actor: Actor, material: Material):
    """The institutions for which the actor may register reuse of this material, with their
    modules (the author's institution excluded): [(institution, [module, ...])]."""
    if actor.is_anonymous:
        return []
    statement = select(Institution).options(selectinload(Institution.region))
    if not actor.is_administrator:
        statement = statement.where(
            Institution.id.in_(actor.editor_of) | Institution.region_id.in_(actor.coordinator_of)
        )
    statement = statement.where(Institution.id != material.module.institution_id)
    found = list(session.scalars(statement.order_by(Institution.name)))
    modules = session.scalars(
        select(Module)
        .where(Module.institution_id.in_([i.id for i in found]))
        .where(Module.status != ModuleStatus.ARCHIVED)
        .order_by(Module.code)
    ).all()
    return [(i, [m for m in modules if m.institution_id == i.id]) for i in found]
