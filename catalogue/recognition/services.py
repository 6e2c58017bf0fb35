"""Recognition agreements: their lifecycle, approvals by content hash, and what they recognise.

Every party approves exactly the same content, identified by a SHA-256 hash of a canonical form
(parties, items with the hashes of the versions they pin, kind, terms and validity). An agreement
becomes active only when every party's own editors have approved the current hash; any change to
the content makes a new revision and voids every approval. When a provider publishes a new
version of a pinned module or unit, the agreement is marked "review needed" but stays in force
for the pinned version until someone re-pins it (which starts a new approval round).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.accounts.permissions import (
    Actor,
    can_edit_institution,
    can_read_institution_internals,
)
from catalogue.audit.services import record_event
from catalogue.db import write_transaction
from catalogue.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleEdit,
)
from catalogue.hashing import content_hash
from catalogue.institutions.models import Institution, Region
from catalogue.model_base import utcnow
from catalogue.modules.content import unit_hash
from catalogue.modules.editing import latest_version
from catalogue.modules.models import Module, ModuleVersion
from catalogue.pagination import Page, paginate
from catalogue.recognition.models import (
    Agreement,
    AgreementApproval,
    AgreementItem,
    AgreementParty,
    AgreementRevision,
)
from catalogue.search.outbox import enqueue_module
from catalogue.vocabularies import AgreementStatus, ModuleStatus

PUBLIC_STATUSES = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED)
CHANGEABLE = (
    AgreementStatus.DRAFT,
    AgreementStatus.PROPOSED,
    AgreementStatus.ACTIVE,
    AgreementStatus.REJECTED,
)
ENDING_SOON_DAYS = 90


# -- content and hash -------------------------------------------------------------------------


def agreement_content(agreement: Agreement) -> dict[str, Any]:
    """The canonical content of an agreement: what every party approves."""
    return {
        "code": agreement.code,
        "title": agreement.title,
        "kind": agreement.kind,
        "terms": agreement.terms,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
        "parties": sorted(
            ({"institution": p.institution.code, "role": p.role} for p in agreement.parties),
            key=lambda p: p["institution"],
        ),
        "items": sorted(
            (
                {
                    "provider": item.module.institution.code,
                    "module": item.module.code,
                    "module_id": item.module_id,
                    "unit": item.unit_code,
                    "version": item.pinned_version,
                    "version_hash": item.pinned_hash,
                    "grant": item.grant,
                    "credits": {"value": item.credits_value, "unit": item.credits_unit}
                    if item.credits_value is not None
                    else None,
                    "equivalent": item.equivalent,
                    "licence_terms": item.licence_terms,
                }
                for item in agreement.items
            ),
            key=lambda i: (i["provider"], i["module"], i["unit"] or ""),
        ),
    }


# -- loading ----------------------------------------------------------------------------------


def _load(session: Session, agreement_id: int) -> Agreement:
    agreement = session.scalar(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.parties)
            .selectinload(AgreementParty.institution)
            .selectinload(Institution.region),
            selectinload(Agreement.items)
            .selectinload(AgreementItem.module)
            .selectinload(Module.institution),
            selectinload(Agreement.revisions),
            selectinload(Agreement.approvals),
            selectinload(Agreement.initiator),
        )
    )
    if agreement is None:
        raise NotFound(_("No agreement with id %(id)s.", id=agreement_id))
    return agreement


def can_view(actor: Actor, agreement: Agreement) -> bool:
    """Active, expired and terminated agreements are public; others only for the parties."""
    if agreement.status in PUBLIC_STATUSES:
        return True
    return any(
        can_read_institution_internals(actor, p.institution_id, p.institution.region_id)
        for p in agreement.parties
    )


def get_agreement(*, session: Session, actor: Actor, agreement_id: int) -> Agreement:
    """An agreement the actor may see, with everything its page shows."""
    agreement = _load(session, agreement_id)
    if not can_view(actor, agreement):
        raise NotFound(_("No agreement with id %(id)s.", id=agreement_id))
    return agreement


def _require_party_editor(actor: Actor, agreement: Agreement) -> None:
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    if not can_view(actor, agreement):
        # Not a party: a draft or proposal stays as invisible as it is on the pages.
        raise NotFound(_("No agreement with id %(id)s.", id=agreement.id))
    if not any(can_edit_institution(actor, p.institution_id) for p in agreement.parties):
        raise PermissionDenied(_("Only the editors of the parties may change this agreement."))


def _check_not_stale(agreement: Agreement, base_version: int | None) -> None:
    if base_version is not None and base_version != agreement.lock_version:
        raise StaleEdit(
            _("Someone changed this agreement while you were looking at it. Reload it."),
            current_version=agreement.lock_version,
        )


# -- resolving what a person submitted ---------------------------------------------------------


@dataclass
class ResolvedItem:
    module: Module
    version: ModuleVersion
    unit_code: str | None
    pinned_hash: str
    data: dict[str, Any]


def _institutions_by_code(session: Session, codes: set[str]) -> dict[str, Institution]:
    found = {
        i.code: i
        for i in session.scalars(
            select(Institution)
            .where(Institution.code.in_(codes))
            .options(selectinload(Institution.region))
        )
    }
    missing = sorted(codes - found.keys())
    if missing:
        raise InvalidInput(
            _("Unknown institution code(s): %(codes)s.", codes=", ".join(missing)),
            fields={
                "parties": [_("Unknown institution code(s): %(codes)s.", codes=", ".join(missing))]
            },
        )
    return found


def _resolve_items(
    session: Session, items: list[dict[str, Any]], institutions: dict[str, Institution]
) -> list[ResolvedItem]:
    resolved = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, item in enumerate(items):
        provider = institutions.get(item["provider"])
        module = None
        if provider is not None:
            module = session.scalar(
                select(Module)
                .where(
                    Module.institution_id == provider.id,
                    func.lower(Module.code) == item["module"].lower(),
                )
                .options(selectinload(Module.institution))
            )
        if module is None:
            errors[index] = {"module": [_("The provider has no module with this code.")]}
            continue
        version = latest_version(session, module.id)
        if version is None or module.status != ModuleStatus.PUBLISHED:
            errors[index] = {"module": [_("Only published modules can be recognised.")]}
            continue
        unit_code = item.get("unit")
        if unit_code:
            pinned = unit_hash(version.content, unit_code)
            if pinned is None:
                errors[index] = {"unit": [_("The module's published version has no such unit.")]}
                continue
            unit_code = next(
                u["code"]
                for u in version.content["units"]
                if u["code"].lower() == unit_code.lower()
            )
        else:
            pinned = version.content_hash
        resolved.append(ResolvedItem(module, version, unit_code, pinned, item))
    if errors:
        raise InvalidInput(_("Some items cannot be recognised."), fields={"items": errors})
    return resolved


def _apply(
    agreement: Agreement,
    data: dict[str, Any],
    institutions: dict[str, Institution],
    items: list[ResolvedItem],
    keep_pins: dict[tuple[int, str], tuple[int, str]],
) -> None:
    """Write submitted content into the agreement's rows; existing items keep their pins.

    Parties and items are updated in place where they persist, so that no row is deleted and
    inserted again under the same unique key within one flush.
    """
    agreement.code = data["code"]
    agreement.title = data["title"]
    agreement.kind = data["kind"]
    agreement.terms = data["terms"]
    agreement.valid_from = data["valid_from"]
    agreement.valid_until = data["valid_until"]

    existing_parties = {party.institution_id: party for party in agreement.parties}
    parties = []
    for submitted in data["parties"]:
        institution = institutions[submitted["institution"]]
        party = existing_parties.get(institution.id) or AgreementParty(
            institution_id=institution.id
        )
        party.institution = institution
        party.role = submitted["role"]
        parties.append(party)
    agreement.parties = parties

    existing_items = {
        (item.module_id, (item.unit_code or "").lower()): item for item in agreement.items
    }
    rows = []
    for resolved in items:
        key = (resolved.module.id, (resolved.unit_code or "").lower())
        row = existing_items.get(key) or AgreementItem(module_id=resolved.module.id)
        row.module = resolved.module
        row.unit_code = resolved.unit_code
        row.pinned_version, row.pinned_hash = keep_pins.get(
            key, (resolved.version.number, resolved.pinned_hash)
        )
        credits = resolved.data.get("credits")
        row.grant = resolved.data["grant"]
        row.credits_value = credits["value"] if credits else None
        row.credits_unit = credits["unit"] if credits else None
        row.equivalent = resolved.data["equivalent"]
        row.licence_terms = resolved.data["licence_terms"]
        rows.append(row)
    agreement.items = rows


def _ensure_code_free(session: Session, code: str, agreement_id: int | None = None) -> None:
    clash = session.scalar(
        select(Agreement.id).where(
            func.lower(Agreement.code) == code.lower(), Agreement.id != (agreement_id or -1)
        )
    )
    if clash is not None:
        raise Conflict(
            _("Another agreement has code %(code)s.", code=code),
            fields={"code": [_("Another agreement has this code.")]},
        )


def _new_revision(session, agreement: Agreement, actor: Actor, reason: str) -> None:
    """Record the agreement's current content as a revision; void approvals of earlier ones."""
    content = agreement_content(agreement)
    agreement.content_hash = content_hash(content)
    session.add(
        AgreementRevision(
            agreement_id=agreement.id,
            number=agreement.revision,
            content=content,
            content_hash=agreement.content_hash,
            created_by_name=actor.name or "system",
            reason=reason,
        )
    )
    now = utcnow()
    for approval in agreement.approvals:
        if approval.revision < agreement.revision and approval.voided_at is None:
            approval.voided_at = now


def _touch_modules(session: Session, agreement: Agreement) -> None:
    """Search shows where modules are recognised: re-index the modules an agreement covers."""
    for module_id in sorted({item.module_id for item in agreement.items}):
        enqueue_module(session, module_id)


def _audit(session, actor: Actor, agreement: Agreement, action: str, summary: str = "", **hashes):
    for party in agreement.parties:
        record_event(
            session,
            actor,
            action=action,
            entity_type="agreement",
            entity_id=agreement.id,
            institution_id=party.institution_id,
            summary=summary or agreement.code,
            **hashes,
        )


# -- lifecycle --------------------------------------------------------------------------------


def create_agreement(*, session: Session, actor: Actor, data: dict[str, Any]) -> Agreement:
    """Create a draft agreement; the actor must edit one of its parties (the initiator)."""
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    with write_transaction(session):
        codes = {p["institution"] for p in data["parties"]} | {i["provider"] for i in data["items"]}
        institutions = _institutions_by_code(session, codes)
        party_ids = [institutions[p["institution"]].id for p in data["parties"]]
        own = [i for i in party_ids if can_edit_institution(actor, i)]
        if not own:
            raise PermissionDenied(
                _("You can only create agreements to which your own institution is a party.")
            )
        _ensure_code_free(session, data["code"])
        items = _resolve_items(session, data["items"], institutions)
        agreement = Agreement(
            code=data["code"],
            title=data["title"],
            kind=data["kind"],
            terms=data["terms"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            initiator_id=own[0],
            content_hash="",
        )
        _apply(agreement, data, institutions, items, keep_pins={})
        session.add(agreement)
        session.flush()
        _new_revision(session, agreement, actor, "created")
        _audit(session, actor, agreement, "agreement.created", after_hash=agreement.content_hash)
    return agreement


def update_agreement(
    *,
    session: Session,
    actor: Actor,
    agreement_id: int,
    data: dict[str, Any],
    base_version: int | None,
) -> Agreement:
    """Change an agreement's content: a new revision that voids every approval.

    An active agreement that changes is proposed again; it is no longer in force until every
    party has approved the new content.
    """
    with write_transaction(session):
        agreement = _load(session, agreement_id)
        _require_party_editor(actor, agreement)
        _check_not_stale(agreement, base_version)
        if agreement.status not in CHANGEABLE:
            raise Conflict(
                _(
                    "An agreement with status “%(status)s” cannot be changed.",
                    status=AgreementStatus.label(agreement.status),
                )
            )
        codes = {p["institution"] for p in data["parties"]} | {i["provider"] for i in data["items"]}
        institutions = _institutions_by_code(session, codes)
        if not any(
            can_edit_institution(actor, institutions[p["institution"]].id) for p in data["parties"]
        ):
            raise PermissionDenied(_("Your institution must stay a party to the agreement."))
        _ensure_code_free(session, data["code"], agreement.id)
        items = _resolve_items(session, data["items"], institutions)
        keep = {
            (item.module_id, (item.unit_code or "").lower()): (
                item.pinned_version,
                item.pinned_hash,
            )
            for item in agreement.items
        }
        before = agreement.content_hash
        was_active = agreement.status == AgreementStatus.ACTIVE
        covered_before = {item.module_id for item in agreement.items}
        _apply(agreement, data, institutions, items, keep)
        new_content = agreement_content(agreement)
        if content_hash(new_content) == before:
            return agreement
        agreement.revision += 1
        if agreement.status == AgreementStatus.ACTIVE:
            agreement.status = AgreementStatus.PROPOSED
        elif agreement.status == AgreementStatus.REJECTED:
            agreement.status = AgreementStatus.DRAFT
        agreement.updated_at = utcnow()
        session.flush()
        _new_revision(session, agreement, actor, "changed")
        _audit(
            session,
            actor,
            agreement,
            "agreement.changed",
            summary=f"revision {agreement.revision}",
            before_hash=before,
            after_hash=agreement.content_hash,
        )
        if was_active:
            for module_id in sorted(covered_before | {i.module_id for i in agreement.items}):
                enqueue_module(session, module_id)
    return agreement


def propose_agreement(
    *, session: Session, actor: Actor, agreement_id: int, base_version: int | None = None
) -> Agreement:
    """Put a draft to the parties for approval."""
    with write_transaction(session):
        agreement = _load(session, agreement_id)
        _require_party_editor(actor, agreement)
        _check_not_stale(agreement, base_version)
        if agreement.status != AgreementStatus.DRAFT:
            raise Conflict(
                _(
                    "Only a draft can be proposed; this agreement's status is “%(status)s”.",
                    status=AgreementStatus.label(agreement.status),
                )
            )
        agreement.status = AgreementStatus.PROPOSED
        agreement.updated_at = utcnow()
        _audit(session, actor, agreement, "agreement.proposed", after_hash=agreement.content_hash)
        # Proposing is the proposer's own approval: an editor puts forward only what their
        # institution agrees to. The other parties approve the same hash in turn.
        for party in agreement.parties:
            if party.institution_id in actor.editor_of:
                _record_approval(session, actor, agreement, party, "")
        _activate_when_everyone_approved(session, actor, agreement)
    return agreement


def _party(agreement: Agreement, institution_code: str) -> AgreementParty:
    for party in agreement.parties:
        if party.institution.code == institution_code:
            return party
    raise InvalidInput(
        _("This institution is not a party to the agreement."),
        fields={"institution": [_("This institution is not a party to the agreement.")]},
    )


def current_decisions(agreement: Agreement) -> dict[int, AgreementApproval]:
    """Each party's decision on the current revision, by institution id."""
    decisions = {}
    for approval in sorted(agreement.approvals, key=lambda a: a.id or 0):
        if approval.revision == agreement.revision and approval.voided_at is None:
            decisions[approval.institution_id] = approval
    return decisions


def _deciding_party(
    session: Session, actor: Actor, agreement_id: int, institution_code: str
) -> tuple[Agreement, AgreementParty]:
    """The agreement and the party the actor approves or rejects for, if they may.

    Deciding is for the institution's own editors: not even an administrator approves or
    rejects on another institution's behalf.
    """
    agreement = _load(session, agreement_id)
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    if not can_view(actor, agreement):
        raise NotFound(_("No agreement with id %(id)s.", id=agreement_id))
    party = _party(agreement, institution_code)
    if party.institution_id not in actor.editor_of:
        raise PermissionDenied(_("You can only decide for an institution you edit."))
    return agreement, party


def approve_agreement(
    *,
    session: Session,
    actor: Actor,
    agreement_id: int,
    institution_code: str,
    approved_hash: str,
    comment: str = "",
) -> Agreement:
    """One party approves the content it read, identified by its hash, for its own institution.

    The agreement becomes active when every party has approved the current hash.
    """
    with write_transaction(session):
        agreement, party = _deciding_party(session, actor, agreement_id, institution_code)
        if agreement.status != AgreementStatus.PROPOSED:
            raise Conflict(
                _(
                    "Only a proposed agreement can be approved; its status is “%(status)s”.",
                    status=AgreementStatus.label(agreement.status),
                )
            )
        if approved_hash != agreement.content_hash:
            raise Conflict(
                _(
                    "The agreement has changed since you read it: you approved hash %(old)s but "
                    "its content now has hash %(new)s. Read it again before approving.",
                    old=approved_hash[:12],
                    new=agreement.content_hash[:12],
                ),
                fields={"content_hash": [_("This is not the agreement's current hash.")]},
            )
        if party.institution_id in current_decisions(agreement):
            raise Conflict(_("Your institution has already decided on this revision."))
        _record_approval(session, actor, agreement, party, comment)
        _activate_when_everyone_approved(session, actor, agreement)
        agreement.updated_at = utcnow()
    return agreement


def _record_approval(session, actor: Actor, agreement, party, comment: str = "") -> None:
    """One party's approval of the current content hash, by an editor of that party."""
    agreement.approvals.append(
        AgreementApproval(
            agreement_id=agreement.id,
            revision=agreement.revision,
            institution_id=party.institution_id,
            content_hash=agreement.content_hash,
            decision="approved",
            comment=comment,
            decided_by_id=actor.user_id,
            decided_by_name=actor.name,
        )
    )
    record_event(
        session,
        actor,
        action="agreement.approved",
        entity_type="agreement",
        entity_id=agreement.id,
        institution_id=party.institution_id,
        summary=f"{party.institution.code} approved revision {agreement.revision}",
        after_hash=agreement.content_hash,
    )


def _activate_when_everyone_approved(session, actor: Actor, agreement) -> None:
    decisions = current_decisions(agreement)
    if not all(
        p.institution_id in decisions and decisions[p.institution_id].decision == "approved"
        for p in agreement.parties
    ):
        return
    agreement.status = AgreementStatus.ACTIVE
    agreement.activated_at = utcnow()
    # Approving does not bring the pins up to date: only a re-pin clears "review needed".
    if agreement.review_needed and not outdated_pins(session, agreement):
        agreement.review_needed = False
        agreement.review_note = ""
    _audit(session, actor, agreement, "agreement.activated", after_hash=agreement.content_hash)
    _touch_modules(session, agreement)


def outdated_pins(session: Session, agreement: Agreement) -> list[str]:
    """Items whose module (or unit) has a newer published version with other content."""
    outdated = []
    for item in agreement.items:
        version = latest_version(session, item.module_id)
        if version is None or version.number == item.pinned_version:
            continue
        now = unit_hash(version.content, item.unit_code) if item.unit_code else version.content_hash
        if now != item.pinned_hash:
            outdated.append(item.module.code + (f"/{item.unit_code}" if item.unit_code else ""))
    return outdated


def reject_agreement(
    *, session: Session, actor: Actor, agreement_id: int, institution_code: str, comment: str = ""
) -> Agreement:
    """One party declines the proposed content."""
    with write_transaction(session):
        agreement, party = _deciding_party(session, actor, agreement_id, institution_code)
        if agreement.status != AgreementStatus.PROPOSED:
            raise Conflict(
                _(
                    "Only a proposed agreement can be rejected; its status is “%(status)s”.",
                    status=AgreementStatus.label(agreement.status),
                )
            )
        agreement.approvals.append(
            AgreementApproval(
                agreement_id=agreement.id,
                revision=agreement.revision,
                institution_id=party.institution_id,
                content_hash=agreement.content_hash,
                decision="rejected",
                comment=comment,
                decided_by_id=actor.user_id,
                decided_by_name=actor.name,
            )
        )
        agreement.status = AgreementStatus.REJECTED
        agreement.updated_at = utcnow()
        _audit(session, actor, agreement, "agreement.rejected", summary=comment or agreement.code)
    return agreement


def withdraw_agreement(
    *, session: Session, actor: Actor, agreement_id: int, base_version: int | None = None
) -> Agreement:
    """The initiator takes back an agreement that is not in force."""
    with write_transaction(session):
        agreement = _load(session, agreement_id)
        _require_party_editor(actor, agreement)
        _check_not_stale(agreement, base_version)
        if not can_edit_institution(actor, agreement.initiator_id):
            raise PermissionDenied(_("Only the initiating institution can withdraw the agreement."))
        if agreement.status not in (
            AgreementStatus.DRAFT,
            AgreementStatus.PROPOSED,
            AgreementStatus.REJECTED,
        ):
            raise Conflict(
                _(
                    "An agreement with status “%(status)s” cannot be withdrawn; "
                    "terminate it instead.",
                    status=AgreementStatus.label(agreement.status),
                )
            )
        agreement.status = AgreementStatus.WITHDRAWN
        agreement.ended_at = utcnow()
        _audit(session, actor, agreement, "agreement.withdrawn")
    return agreement


def terminate_agreement(
    *,
    session: Session,
    actor: Actor,
    agreement_id: int,
    reason: str = "",
    base_version: int | None = None,
) -> Agreement:
    """A party ends an agreement that is in force."""
    with write_transaction(session):
        agreement = _load(session, agreement_id)
        _require_party_editor(actor, agreement)
        _check_not_stale(agreement, base_version)
        if agreement.status != AgreementStatus.ACTIVE:
            raise Conflict(
                _(
                    "Only an active agreement can be terminated; its status is “%(status)s”.",
                    status=AgreementStatus.label(agreement.status),
                )
            )
        agreement.status = AgreementStatus.TERMINATED
        agreement.ended_at = utcnow()
        agreement.end_reason = reason
        _audit(session, actor, agreement, "agreement.terminated", summary=reason or agreement.code)
        _touch_modules(session, agreement)
    return agreement


def repin_agreement(
    *, session: Session, actor: Actor, agreement_id: int, base_version: int | None = None
) -> Agreement:
    """Pin every item to the newest published version: a new revision and approval round."""
    with write_transaction(session):
        agreement = _load(session, agreement_id)
        _require_party_editor(actor, agreement)
        _check_not_stale(agreement, base_version)
        if agreement.status not in CHANGEABLE:
            raise Conflict(
                _(
                    "An agreement with status “%(status)s” cannot be re-pinned.",
                    status=AgreementStatus.label(agreement.status),
                )
            )
        before = agreement.content_hash
        changed = False
        for item in agreement.items:
            version = latest_version(session, item.module_id)
            if version is None:
                continue
            pinned = (
                unit_hash(version.content, item.unit_code)
                if item.unit_code
                else version.content_hash
            )
            if pinned is None:
                raise Conflict(
                    _(
                        "Unit %(unit)s is no longer part of module %(module)s; "
                        "change the agreement "
                        "instead.",
                        unit=item.unit_code,
                        module=item.module.code,
                    )
                )
            if (item.pinned_version, item.pinned_hash) != (version.number, pinned):
                item.pinned_version, item.pinned_hash = version.number, pinned
                changed = True
        if not changed:
            raise Conflict(_("Every item is pinned to the newest version already."))
        was_active = agreement.status == AgreementStatus.ACTIVE
        agreement.revision += 1
        if agreement.status in (AgreementStatus.ACTIVE, AgreementStatus.REJECTED):
            agreement.status = AgreementStatus.PROPOSED
        agreement.review_needed = False
        agreement.review_note = ""
        agreement.updated_at = utcnow()
        session.flush()
        _new_revision(session, agreement, actor, "repinned")
        _audit(
            session,
            actor,
            agreement,
            "agreement.repinned",
            summary=f"revision {agreement.revision}",
            before_hash=before,
            after_hash=agreement.content_hash,
        )
        if was_active:
            _touch_modules(session, agreement)
    return agreement


def mark_review_needed(session: Session, module: Module, version: ModuleVersion, actor: Actor):
    """A provider published a new version: flag the agreements whose pin it changes.

    Called in the publishing transaction (through the module_version_published signal).
    """
    agreements = session.scalars(
        select(Agreement)
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
        .where(
            AgreementItem.module_id == module.id,
            Agreement.status.in_(
                [AgreementStatus.DRAFT, AgreementStatus.PROPOSED, AgreementStatus.ACTIVE]
            ),
        )
        .options(selectinload(Agreement.items), selectinload(Agreement.parties))
        .distinct()
    ).all()
    for agreement in agreements:
        changed = []
        for item in agreement.items:
            if item.module_id != module.id:
                continue
            now = (
                unit_hash(version.content, item.unit_code)
                if item.unit_code
                else version.content_hash
            )
            if now != item.pinned_hash:
                changed.append(f"{module.code}{'/' + item.unit_code if item.unit_code else ''}")
        if changed:
            agreement.review_needed = True
            # Stored without words, so that every party reads it in its own language.
            agreement.review_note = f"{', '.join(changed)} → v{version.number}"
            for party in agreement.parties:
                record_event(
                    session,
                    actor,
                    action="agreement.review_needed",
                    entity_type="agreement",
                    entity_id=agreement.id,
                    institution_id=party.institution_id,
                    summary=agreement.review_note,
                )


def expire_due_agreements(session: Session, *, today: date | None = None) -> int:
    """Mark active agreements past their end date as expired; returns how many."""
    today = today or date.today()
    due_ids = list(
        session.scalars(
            select(Agreement.id).where(
                Agreement.status == AgreementStatus.ACTIVE, Agreement.valid_until < today
            )
        )
    )
    if not due_ids:
        return 0
    from catalogue.accounts.permissions import SYSTEM

    with write_transaction(session):
        for agreement_id in due_ids:
            agreement = _load(session, agreement_id)
            if agreement.status != AgreementStatus.ACTIVE:
                continue
            agreement.status = AgreementStatus.EXPIRED
            agreement.ended_at = utcnow()
            _audit(session, SYSTEM, agreement, "agreement.expired")
            _touch_modules(session, agreement)
    return len(due_ids)


# -- reading ----------------------------------------------------------------------------------


@dataclass
class AgreementFilter:
    region_codes: list[str] = field(default_factory=list)
    institution_codes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=lambda: [AgreementStatus.ACTIVE])


def _visible(actor: Actor):
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
    filters = filters or AgreementFilter()
    statement = (
        select(Agreement)
        .where(_visible(actor))
        .options(
            selectinload(Agreement.parties)
            .selectinload(AgreementParty.institution)
            .selectinload(Institution.region),
            selectinload(Agreement.items)
            .selectinload(AgreementItem.module)
            .selectinload(Module.institution),
        )
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


@dataclass
class RecognitionMatrix:
    """Active agreements between regions: providers' region x recognisers' region."""

    regions: list[Region]
    counts: dict[tuple[str, str], int]

    def count(self, provider: str, recogniser: str) -> int:
        return self.counts.get((provider, recogniser), 0)


def recognition_matrix(*, session: Session) -> RecognitionMatrix:
    """How many active agreements let region B recognise what region A provides.

    An agreement counts once in every cell it connects (a multilateral agreement can fill
    several cells).
    """
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
            Agreement.status == AgreementStatus.ACTIVE,
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


def recognised_by(*, session: Session, module_id: int) -> list[Recognition]:
    """Who recognises a module or one of its units under an active agreement."""
    agreements = session.scalars(
        select(Agreement)
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
        .where(AgreementItem.module_id == module_id, Agreement.status == AgreementStatus.ACTIVE)
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
        for party in agreement.parties:
            if party.recognises and party.institution_id not in providers:
                for item in module_items:
                    found.append(Recognition(party.institution, agreement, item.unit_code))
    return found


def recognised_regions(session: Session, module_ids: list[int]) -> dict[int, set[int]]:
    """Ids of the regions where each module is recognised under an active agreement."""
    rows = session.execute(
        select(AgreementItem.module_id, Region.id)
        .join(Agreement, Agreement.id == AgreementItem.agreement_id)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .join(Institution, Institution.id == AgreementParty.institution_id)
        .join(Region, Region.id == Institution.region_id)
        .join(Module, Module.id == AgreementItem.module_id)
        .where(
            AgreementItem.module_id.in_(module_ids),
            Agreement.status == AgreementStatus.ACTIVE,
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


def inbox(*, session: Session, actor: Actor, today: date | None = None) -> Inbox:
    """What needs the actor's institutions: approvals, reviews, endings, own drafts."""
    today = today or date.today()
    if not actor.editor_of:
        return Inbox([], [], [], [])
    agreements = session.scalars(
        select(Agreement)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(AgreementParty.institution_id.in_(actor.editor_of))
        .options(
            selectinload(Agreement.parties).selectinload(AgreementParty.institution),
            selectinload(Agreement.approvals),
        )
        .distinct()
        .order_by(Agreement.updated_at.desc())
    ).all()
    awaiting, review, ending, drafts = [], [], [], []
    for agreement in agreements:
        mine = {p.institution_id for p in agreement.parties} & set(actor.editor_of)
        if (
            agreement.status == AgreementStatus.PROPOSED
            and mine - current_decisions(agreement).keys()
        ):
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


def awaiting(agreement: Agreement) -> list[AgreementParty]:
    """The parties that have not yet decided on the current revision."""
    decided = current_decisions(agreement)
    return [p for p in agreement.parties if p.institution_id not in decided]


def input_from_agreement(agreement: Agreement) -> dict[str, Any]:
    """The agreement as AgreementInputSchema data (to fill the edit form)."""
    return {
        "code": agreement.code,
        "title": agreement.title,
        "kind": agreement.kind,
        "terms": agreement.terms,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "parties": [{"institution": p.institution.code, "role": p.role} for p in agreement.parties],
        "items": [
            {
                "provider": i.module.institution.code,
                "module": i.module.code,
                "unit": i.unit_code,
                "grant": i.grant,
                "credits": {"value": i.credits_value, "unit": i.credits_unit}
                if i.credits_value is not None
                else None,
                "equivalent": i.equivalent,
                "licence_terms": i.licence_terms,
            }
            for i in agreement.items
        ],
    }
