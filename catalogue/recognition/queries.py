"""Reading agreements: one agreement, the registry, the region matrix, the inbox, and what a
module's agreements recognise or share (the questions other domains ask recognition).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue import clock
from catalogue.accounts.permissions import Actor
from catalogue.errors import NotFound
from catalogue.institutions.grids import RegionGrid
from catalogue.institutions.models import Institution, Region
from catalogue.modules.editing import latest_version
from catalogue.modules.models import Module
from catalogue.pagination import Page, paginate
from catalogue.recognition.content import pin_for, pin_label
from catalogue.recognition.lifecycle import (
    CHANGEABLE,
    PUBLIC_STATUSES,
    can_view,
    current_decisions,
    deciding_parties,
)
from catalogue.recognition.models import Agreement, AgreementItem, AgreementParty
from catalogue.vocabularies import AgreementKind, AgreementStatus

ENDING_SOON_DAYS = 90


def in_effect(today: date):
    """The condition of an agreement in force on `today`: active, started and not yet ended."""
    return and_(
        Agreement.status == AgreementStatus.ACTIVE,
        Agreement.valid_from <= today,
        or_(Agreement.valid_until.is_(None), Agreement.valid_until >= today),
    )


# What lists and pages show of each agreement: its parties (with regions) and items (with modules).
WITH_PARTIES_AND_ITEMS = (
    selectinload(Agreement.parties)
    .selectinload(AgreementParty.institution)
    .selectinload(Institution.region),
    selectinload(Agreement.items)
    .selectinload(AgreementItem.module)
    .selectinload(Module.institution),
)
WITH_HISTORY = (
    selectinload(Agreement.revisions),
    selectinload(Agreement.approvals),
    selectinload(Agreement.initiator),
)


def load_agreement(session: Session, agreement_id: int) -> Agreement:
    """An agreement with its parties, items, revisions and approvals, whoever asks."""
    statement = select(Agreement).where(Agreement.id == agreement_id)
    agreement = session.scalar(statement.options(*WITH_PARTIES_AND_ITEMS, *WITH_HISTORY))
    if agreement is None:
        raise NotFound(_("No agreement with id %(id)s.", id=agreement_id))
    return agreement


def get_agreement(*, session: Session, actor: Actor, agreement_id: int) -> Agreement:
    """An agreement the actor may see, with everything its page shows."""
    agreement = load_agreement(session, agreement_id)
    if not can_view(actor, agreement):
        raise NotFound(_("No agreement with id %(id)s.", id=agreement_id))
    return agreement


def outdated_pins(session: Session, agreement: Agreement) -> list[str]:
    """Items whose module (or unit) has a newer published version with other content."""
    outdated = []
    for item in agreement.items:
        version = latest_version(session, item.module_id)
        if version is None or version.number == item.pinned_version:
            continue
        if pin_for(version, item.unit_code) != item.pinned_hash:
            outdated.append(pin_label(item.module.code, item.unit_code))
    return outdated


# -- registry, matrix, inbox --------------------------------------------------------------


@dataclass
class AgreementFilter:
    region_codes: list[str] = field(default_factory=list)
    institution_codes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=lambda: [AgreementStatus.ACTIVE])


def _visible(actor: Actor):
    """The condition that keeps drafts and proposals to their parties."""
    if actor.is_administrator:
        return True
    institutions = list(actor.editor_of) or [-1]
    regions = list(actor.coordinator_of) or [-1]
    party_of_actor = exists().where(
        AgreementParty.agreement_id == Agreement.id,
        AgreementParty.institution_id == Institution.id,
        or_(Institution.id.in_(institutions), Institution.region_id.in_(regions)),
    )
    return or_(Agreement.status.in_(PUBLIC_STATUSES), party_of_actor)


def list_agreements(
    *,
    session: Session,
    actor: Actor,
    filters: AgreementFilter | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[Agreement]:
    """Agreements the actor may see, newest first, filtered and paged."""
    return paginate(session, _agreements(actor, filters), page=page, page_size=page_size)


def all_agreements(
    *, session: Session, actor: Actor, filters: AgreementFilter | None = None
) -> list[Agreement]:
    """Every agreement the actor may see, newest first, filtered (for exports)."""
    return list(session.scalars(_agreements(actor, filters)).unique())


def _agreements(actor: Actor, filters: AgreementFilter | None):
    """The statement behind the registry: visible, filtered, newest first."""
    filters = filters or AgreementFilter()
    statement = (
        select(Agreement)
        .where(_visible(actor))
        .options(*WITH_PARTIES_AND_ITEMS)
        .order_by(Agreement.valid_from.desc(), Agreement.id.desc())
    )
    if filters.statuses:
        statement = statement.where(Agreement.status.in_(filters.statuses))
    if filters.kinds:
        statement = statement.where(Agreement.kind.in_(filters.kinds))
    if filters.institution_codes or filters.region_codes:
        conditions = []
        if filters.institution_codes:
            conditions.append(Institution.code.in_(filters.institution_codes))
        if filters.region_codes:
            conditions.append(Region.code.in_(filters.region_codes))
        statement = statement.where(
            exists()
            .where(AgreementParty.agreement_id == Agreement.id)
            .where(Institution.id == AgreementParty.institution_id)
            .where(Region.id == Institution.region_id)
            .where(and_(*conditions))
        )
    return statement


class RecognitionMatrix(RegionGrid):
    """Active agreements between regions, by region code: rows are the providers' regions,
    columns the recognisers'; a cell counts the agreements that connect the two."""

    @property
    def cells(self) -> list[dict[str, Any]]:
        """Every non-empty cell: provider's region, recogniser's region, agreements."""
        return [
            {"provider_region": a, "recogniser_region": b, "agreements": n}
            for (a, b), n in sorted(self.counts.items())
        ]


def recognition_matrix(*, session: Session, today: date | None = None) -> RecognitionMatrix:
    """How many agreements in force today let region B recognise what region A provides.

    An agreement counts once in every cell it connects (a multilateral agreement can fill
    several cells); one that starts later or has ended counts nowhere.
    """
    today = today or clock.today()
    provider = AgreementParty.__table__.alias("provider")
    recogniser = AgreementParty.__table__.alias("recogniser")
    provider_institution = Institution.__table__.alias("pi")
    recogniser_institution = Institution.__table__.alias("ri")
    provider_region = Region.__table__.alias("pr")
    recogniser_region = Region.__table__.alias("rr")
    rows = session.execute(
        select(
            provider_region.c.code,
            recogniser_region.c.code,
            func.count(func.distinct(Agreement.id)),
        )
        .select_from(Agreement)
        .join(provider, provider.c.agreement_id == Agreement.id)
        .join(recogniser, recogniser.c.agreement_id == Agreement.id)
        .join(provider_institution, provider_institution.c.id == provider.c.institution_id)
        .join(recogniser_institution, recogniser_institution.c.id == recogniser.c.institution_id)
        .join(provider_region, provider_region.c.id == provider_institution.c.region_id)
        .join(recogniser_region, recogniser_region.c.id == recogniser_institution.c.region_id)
        .where(
            in_effect(today),
            provider.c.role.in_(["provider", "both"]),
            recogniser.c.role.in_(["recogniser", "both"]),
            provider.c.institution_id != recogniser.c.institution_id,
        )
        .group_by(provider_region.c.code, recogniser_region.c.code)
    ).all()
    regions = list(
        session.scalars(select(Region).order_by(Region.partner_of_id.is_not(None), Region.id))
    )
    return RecognitionMatrix(regions=regions, counts={(a, b): n for a, b, n in rows})


@dataclass
class Recognition:
    """One institution that recognises (part of) a module, and under which agreement."""

    institution: Institution
    agreement: Agreement
    unit_code: str | None
    # The start date of an agreement not yet in force ("from <date>"); None when in force.
    starts_on: date | None = None


def recognised_by(
    *, session: Session, module_id: int, today: date | None = None
) -> list[Recognition]:
    """Who recognises a module or one of its units under an active agreement.

    Agreements in force today come first; active agreements that start later follow, with
    their start date (they are no recognition yet); ended ones are left out.
    """
    today = today or clock.today()
    agreements = session.scalars(
        select(Agreement)
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
        .where(
            AgreementItem.module_id == module_id,
            Agreement.status == AgreementStatus.ACTIVE,
            or_(Agreement.valid_until.is_(None), Agreement.valid_until >= today),
        )
        .options(
            selectinload(Agreement.parties)
            .selectinload(AgreementParty.institution)
            .selectinload(Institution.region),
            selectinload(Agreement.items),
        )
        .distinct()
        .order_by(Agreement.code)
    ).all()
    found = []
    for agreement in agreements:
        module_items = [i for i in agreement.items if i.module_id == module_id]
        providers = {i.module.institution_id for i in module_items if i.module}
        starts_on = agreement.valid_from if agreement.valid_from > today else None
        for party in agreement.parties:
            if party.recognises and party.institution_id not in providers:
                for item in module_items:
                    found.append(
                        Recognition(party.institution, agreement, item.unit_code, starts_on)
                    )
    return sorted(found, key=lambda r: r.starts_on is not None)


def recognised_regions(
    session: Session, module_ids: list[int], today: date | None = None
) -> dict[int, set[int]]:
    """Ids of the regions where each module is recognised under an agreement in force today."""
    today = today or clock.today()
    rows = session.execute(
        select(AgreementItem.module_id, Region.id)
        .join(Agreement, Agreement.id == AgreementItem.agreement_id)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .join(Institution, Institution.id == AgreementParty.institution_id)
        .join(Region, Region.id == Institution.region_id)
        .join(Module, Module.id == AgreementItem.module_id)
        .where(
            AgreementItem.module_id.in_(module_ids),
            in_effect(today),
            AgreementParty.role.in_(["recogniser", "both"]),
            AgreementParty.institution_id != Module.institution_id,
        )
    )
    result: dict[int, set[str]] = {}
    for module_id, region in rows:
        result.setdefault(module_id, set()).add(region)
    return result


@dataclass
class Inbox:
    awaiting_approval: list[Agreement]
    review_needed: list[Agreement]
    ending_soon: list[Agreement]
    drafts: list[Agreement]


def _party_agreements(session: Session, actor: Actor) -> list[Agreement]:
    """Agreements with a party the actor decides for (editor, or coordinator of its region)."""
    if not actor.editor_of and not actor.coordinator_of:
        return []
    return list(
        session.scalars(
            select(Agreement)
            .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
            .join(Institution, Institution.id == AgreementParty.institution_id)
            .where(
                or_(
                    AgreementParty.institution_id.in_(actor.editor_of or [-1]),
                    Institution.region_id.in_(actor.coordinator_of or [-1]),
                )
            )
            .options(
                selectinload(Agreement.parties).selectinload(AgreementParty.institution),
                selectinload(Agreement.approvals),
            )
            .distinct()
            .order_by(Agreement.updated_at.desc())
        ).all()
    )


def _awaits_actor(actor: Actor, agreement: Agreement) -> bool:
    """A proposal on which a party the actor decides for has not decided yet."""
    mine = {p.institution_id for p in deciding_parties(actor, agreement)}
    return agreement.status == AgreementStatus.PROPOSED and bool(
        mine - current_decisions(agreement).keys()
    )


def inbox(*, session: Session, actor: Actor, today: date | None = None) -> Inbox:
    """What needs the actor's institutions: approvals, reviews, endings, own drafts."""
    today = today or clock.today()
    awaiting, review, ending, drafts = [], [], [], []
    for agreement in _party_agreements(session, actor):
        if _awaits_actor(actor, agreement):
            awaiting.append(agreement)
        if agreement.review_needed and agreement.status in CHANGEABLE:
            review.append(agreement)
        if (
            agreement.status == AgreementStatus.ACTIVE
            and agreement.valid_until is not None
            and agreement.valid_until <= today + timedelta(days=ENDING_SOON_DAYS)
        ):
            ending.append(agreement)
        if agreement.status == AgreementStatus.DRAFT:
            drafts.append(agreement)
    return Inbox(awaiting, review, ending, drafts)


def awaiting_count(*, session: Session, actor: Actor) -> int:
    """How many agreements await the actor's decision or review (the header's badge)."""
    box = inbox(session=session, actor=actor)
    return len({a.id for a in box.awaiting_approval + box.review_needed})


def ending_soon(*, session: Session, today: date | None = None) -> list[Agreement]:
    """Active agreements that end within 90 days."""
    today = today or date.today()
    return list(
        session.scalars(
            select(Agreement)
            .where(
                Agreement.status == AgreementStatus.ACTIVE,
                Agreement.valid_until.is_not(None),
                Agreement.valid_until <= today + timedelta(days=ENDING_SOON_DAYS),
            )
            .options(selectinload(Agreement.parties).selectinload(AgreementParty.institution))
            .order_by(Agreement.valid_until)
        )
    )


# -- questions other domains ask ----------------------------------------------------------------


def material_sharing_agreement(
    *,
    session: Session,
    module_id: int,
    institution_ids: tuple[int, int],
    unit_code: str | None = None,
    today: date | None = None,
) -> Agreement | None:
    """The active material-sharing agreement that lets two institutions share a module's material.

    Both institutions must be parties to it, and one of its items must cover the module as a
    whole or the given learning unit; None when there is no such agreement in force today.
    """
    today = today or date.today()
    first, second = institution_ids
    statement = (
        select(Agreement)
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
        .where(
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.kind == AgreementKind.MATERIAL_SHARING,
            Agreement.valid_from <= today,
            or_(Agreement.valid_until.is_(None), Agreement.valid_until >= today),
            AgreementItem.module_id == module_id,
            or_(
                AgreementItem.unit_code.is_(None),
                func.lower(AgreementItem.unit_code) == (unit_code or "").lower(),
            ),
            *(
                exists().where(
                    AgreementParty.agreement_id == Agreement.id,
                    AgreementParty.institution_id == institution_id,
                )
                for institution_id in {first, second}
            ),
        )
        .order_by(Agreement.valid_from.desc(), Agreement.id.desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def shares_material(
    *, session: Session, module_id: int, institution_ids: tuple[int, int], unit_code=None
) -> bool:
    """Whether an active material-sharing agreement covers the module between two institutions."""
    return (
        material_sharing_agreement(
            session=session,
            module_id=module_id,
            institution_ids=institution_ids,
            unit_code=unit_code,
        )
        is not None
    )
