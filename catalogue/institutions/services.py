"""Reading regions and institutions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.errors import NotFound
from catalogue.institutions.models import Institution, Region
from catalogue.modules.models import Module
from catalogue.readings import Reading
from catalogue.search.outbox import enqueue_module
from catalogue.vocabularies import ModuleStatus


def list_regions(*, session: Session) -> list[Region]:
    """All regions, the plan's own first, with their targets and institutions."""
    return list(
        session.scalars(
            select(Region)
            .options(selectinload(Region.targets), selectinload(Region.institutions))
            .order_by(Region.partner_of_id.is_not(None), Region.id)
        )
    )


def get_region(*, session: Session, code: str) -> Region:
    """One region by code, or NotFound."""
    region = session.scalar(
        select(Region)
        .where(Region.code == code)
        .options(selectinload(Region.targets), selectinload(Region.institutions))
    )
    if region is None:
        raise NotFound(_("No region with code %(code)s.", code=code))
    return region


def list_institutions(*, session: Session, region_code: str | None = None) -> list[Institution]:
    """All institutions (optionally of one region), by name."""
    statement = select(Institution).join(Region).options(selectinload(Institution.region))
    if region_code:
        statement = statement.where(Region.code == region_code)
    return list(session.scalars(statement.order_by(Institution.name)))


def get_institution(*, session: Session, code: str) -> Institution:
    """One institution by code, or NotFound."""
    institution = session.scalar(
        select(Institution)
        .where(Institution.code == code)
        .options(selectinload(Institution.region))
    )
    if institution is None:
        raise NotFound(_("No institution with code %(code)s.", code=code))
    return institution


def published_module_counts(
    *, session: Session, institution_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Number of published modules per institution id (of these institutions only, if given)."""
    statement = select(Module.institution_id, func.count()).where(
        Module.status == ModuleStatus.PUBLISHED
    )
    if institution_ids is not None:
        statement = statement.where(Module.institution_id.in_(institution_ids))
    return dict(session.execute(statement.group_by(Module.institution_id)).all())


@dataclass(frozen=True)
class InstitutionReading(Reading):
    """An institution with its number of published modules; every other value is its own."""

    published_modules: int


def read_institutions(
    *, session: Session, region_codes: Sequence[str] = ()
) -> list[InstitutionReading]:
    """All institutions (optionally of some regions), by name, with their published modules."""
    counts = published_module_counts(session=session)
    return [
        InstitutionReading(institution, counts.get(institution.id, 0))
        for institution in list_institutions(session=session)
        if not region_codes or institution.region.code in region_codes
    ]


def read_regions(*, session: Session) -> list[tuple[Region, list[InstitutionReading]]]:
    """Every region (the plan's own first) with its institutions and their published modules."""
    counts = published_module_counts(session=session)
    return [
        (region, [InstitutionReading(i, counts.get(i.id, 0)) for i in region.institutions])
        for region in list_regions(session=session)
    ]


def read_institution(*, session: Session, code: str) -> InstitutionReading:
    """One institution by code, with its published modules, or NotFound."""
    institution = get_institution(session=session, code=code)
    counts = published_module_counts(session=session, institution_ids=[institution.id])
    return InstitutionReading(institution, counts.get(institution.id, 0))


def save_institution(
    *, session: Session, actor, data: dict, institution_id: int | None = None
) -> Institution:
    """Create an institution, or change one (administrators only).

    `data` is validated by schemas.institutions.InstitutionSchema; `region` holds a region code.
    """
    from catalogue.accounts.permissions import require_administrator
    from catalogue.audit.services import record_event
    from catalogue.db import write_transaction
    from catalogue.errors import Conflict

    require_administrator(actor)
    with write_transaction(session):
        region = session.scalar(select(Region).where(Region.code == data["region"]))
        if region is None:
            raise Conflict(
                _("No region has this code."), fields={"region": [_("No region has this code.")]}
            )
        clash = session.scalar(
            select(Institution.id).where(
                Institution.code == data["code"], Institution.id != (institution_id or -1)
            )
        )
        if clash is not None:
            raise Conflict(
                _("Another institution has this code."),
                fields={"code": [_("Another institution has this code.")]},
            )
        if institution_id is None:
            institution = Institution(
                region_id=region.id, **{k: v for k, v in data.items() if k != "region"}
            )
            session.add(institution)
            action = "institution.created"
        else:
            institution = session.get(Institution, institution_id)
            if institution is None:
                raise NotFound(_("No such institution."))
            for key, value in data.items():
                if key != "region":
                    setattr(institution, key, value)
            institution.region_id = region.id
            action = "institution.updated"
        session.flush()
        record_event(
            session,
            actor,
            action=action,
            entity_id=institution.id,
            institution_id=institution.id,
            summary=institution.name,
        )
        if institution_id is not None:
            # Its name, city and region are part of search documents: its own modules', and
            # (as a recognising party) those of the modules it recognises.
            for module_id in modules_showing_institution(session, institution.id):
                enqueue_module(session, module_id)
    return institution


def modules_showing_institution(session: Session, institution_id: int) -> list[int]:
    """Modules whose search document shows something of this institution."""
    from catalogue.recognition.models import AgreementItem, AgreementParty

    own = select(Module.id).where(Module.institution_id == institution_id)
    recognised = (
        select(AgreementItem.module_id)
        .join(AgreementParty, AgreementParty.agreement_id == AgreementItem.agreement_id)
        .where(AgreementParty.institution_id == institution_id)
    )
    return sorted(set(session.scalars(own)) | set(session.scalars(recognised)))
