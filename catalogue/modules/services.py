"""Reading modules: the public list, one module, and its upcoming offerings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select, true
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.accounts.permissions import ANONYMOUS, Actor, can_view_module
from catalogue.errors import NotFound
from catalogue.institutions.models import Institution, Region
from catalogue.modules.models import Module, ModuleTag, Offering
from catalogue.pagination import Page, paginate
from catalogue.vocabularies import ModuleStatus, OfferingStatus


@dataclass
class ModuleFilter:
    """Filters of a module list; an empty sequence means "any"."""

    sectors: Sequence[str] = ()
    levels: Sequence[str] = ()
    competencies: Sequence[str] = ()
    region_codes: Sequence[str] = ()
    institution_codes: Sequence[str] = ()
    statuses: Sequence[str] = (ModuleStatus.PUBLISHED,)
    updated_since: datetime | None = None


def _load_options():
    return (
        selectinload(Module.institution).selectinload(Institution.region),
        selectinload(Module.tags),
    )


def whole_module_options():
    """Loader options for a module with all it holds: its institution and region, tags, learning
    units, material and runs (what a module page, an edit and an import read)."""
    parts = (Module.units, Module.materials, Module.offerings)
    return (*_load_options(), *(selectinload(part) for part in parts))


def _visible_to(actor: Actor):
    """SQL condition: the modules an actor may see (published ones, and their own drafts)."""
    if actor.is_administrator:
        return true()
    return or_(
        Module.status == ModuleStatus.PUBLISHED,
        Module.institution_id.in_(actor.editor_of or [-1]),
        Institution.region_id.in_(actor.coordinator_of or [-1]),
    )


def list_modules(
    *,
    session: Session,
    actor: Actor = ANONYMOUS,
    filters: ModuleFilter | None = None,
    page: int = 1,
    page_size: int = 20,
) -> Page[Module]:
    """Modules the actor may see, by title, filtered (published ones unless asked) and paged."""
    filters = filters or ModuleFilter()
    statement = (
        select(Module)
        .join(Institution)
        .join(Region)
        .where(_visible_to(actor), Module.status.in_(filters.statuses or ModuleStatus.values()))
        .options(*_load_options())
        .order_by(Module.title, Module.id)
    )
    if filters.levels:
        statement = statement.where(Module.level.in_(filters.levels))
    if filters.updated_since:
        statement = statement.where(Module.updated_at >= filters.updated_since)
    if filters.sectors:
        statement = statement.where(Module.sector.in_(filters.sectors))
    if filters.region_codes:
        statement = statement.where(Region.code.in_(filters.region_codes))
    if filters.institution_codes:
        statement = statement.where(Institution.code.in_(filters.institution_codes))
    if filters.competencies:
        statement = statement.where(
            exists().where(
                ModuleTag.module_id == Module.id,
                ModuleTag.vocabulary == "competencies",
                ModuleTag.code.in_(filters.competencies),
            )
        )
    return paginate(session, statement, page=page, page_size=page_size)


def get_module(*, session: Session, actor: Actor, module_id: int) -> Module:
    """One module the actor may see, with everything a page shows; NotFound otherwise."""
    module = session.scalar(
        select(Module).where(Module.id == module_id).options(*whole_module_options())
    )
    # A module the actor may not see is reported as absent, so drafts do not leak their existence.
    if module is None or not can_view_module(actor, module):
        raise NotFound(_("No module with id %(id)s.", id=module_id))
    return module


def get_offering(*, session: Session, actor: Actor, offering_id: int) -> Offering:
    """One run of a module the actor may see; NotFound otherwise (as for the module itself)."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound(_("No run with id %(id)s.", id=offering_id))
    get_module(session=session, actor=actor, module_id=offering.module_id)
    return offering


def upcoming_offerings(module: Module, *, today: date | None = None) -> list[Offering]:
    """The module's runs that have not ended, soonest first, cancelled ones included."""
    today = today or date.today()
    return [
        o for o in module.offerings if o.end_date >= today and o.status != OfferingStatus.COMPLETED
    ]


def recently_published(*, session: Session, limit: int = 6) -> list[Module]:
    """The most recently published modules."""
    return list(
        session.scalars(
            select(Module)
            .where(Module.status == ModuleStatus.PUBLISHED)
            .options(*_load_options())
            .order_by(Module.published_at.desc().nulls_last(), Module.id.desc())
            .limit(limit)
        )
    )


def catalogue_totals(*, session: Session) -> dict[str, int]:
    """Headline numbers for the front page: published modules, institutions, regions."""
    from sqlalchemy import func

    return {
        "modules": session.scalar(
            select(func.count()).select_from(Module).where(Module.status == ModuleStatus.PUBLISHED)
        )
        or 0,
        "institutions": session.scalar(select(func.count()).select_from(Institution)) or 0,
        "regions": session.scalar(
            select(func.count()).select_from(Region).where(Region.partner_of_id.is_(None))
        )
        or 0,
    }


def institution_modules(
    *, session: Session, actor: Actor, institution: Institution
) -> list[Module]:
    """Every module of an institution, drafts included, for its editors and coordinators."""
    from catalogue.accounts.permissions import can_read_institution_internals
    from catalogue.errors import PermissionDenied

    if not can_read_institution_internals(actor, institution.id, institution.region_id):
        raise PermissionDenied(
            _("Only the institution's editors and its region's coordinators read this.")
        )
    return list(
        session.scalars(
            select(Module)
            .where(Module.institution_id == institution.id)
            .options(*_load_options())
            .order_by(Module.title)
        )
    )


def module_titles(*, session: Session, module_ids) -> dict[int, str]:
    """The titles of some modules by id (an audit trail names modules by title)."""
    ids = {i for i in module_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Module.id, Module.title).where(Module.id.in_(ids))).all())


@dataclass(frozen=True)
class ModuleChoice:
    """A published module as a picker offers it: codes and titles of it and its units."""

    code: str
    title: str
    institution: str
    units: tuple[tuple[str, str], ...]


def module_choices(*, session: Session) -> list[ModuleChoice]:
    """Every published module with its units, by institution and code (the agreement picker)."""
    modules = session.scalars(
        select(Module)
        .where(Module.status == ModuleStatus.PUBLISHED)
        .options(selectinload(Module.institution), selectinload(Module.units))
        .order_by(Module.institution_id, Module.code)
    )
    return [
        ModuleChoice(
            m.code,
            m.title,
            m.institution.display_name,
            tuple((u.code, u.title) for u in m.units),
        )
        for m in modules
    ]
