"""Recognition agreements: the operations that change them, each in one transaction.

Every party approves exactly the same content, identified by a SHA-256 hash of a canonical form
(parties, items with the hashes of the versions they pin, kind, terms and validity; see
`content.py`). An agreement becomes active only when every party's own editors have approved the
current hash; any change to the content makes a new revision and voids every approval. When a
provider publishes a new version of a pinned module or unit, the agreement is marked "review
needed" but stays in force for the pinned version until someone re-pins it.

Each operation runs in the same order inside `write_transaction`: permission (the action's guard
in `lifecycle.py`), load, stale-edit check, the state the lifecycle table allows, write, audit,
outbox. Reading lives in `queries.py`, expiry in `expiry.py`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, can_draft_for
from catalogue.db import write_transaction
from catalogue.errors import Conflict, NotAuthenticated, PermissionDenied
from catalogue.model_base import utcnow
from catalogue.modules.editing import latest_version
from catalogue.modules.models import Module, ModuleVersion
from catalogue.recognition import lifecycle, notices
from catalogue.recognition.content import agreement_hash, pin_for, pin_label
from catalogue.recognition.lifecycle import current_decisions
from catalogue.recognition.models import Agreement, AgreementItem
from catalogue.recognition.queries import (
    load_agreement,
    outdated_pins,
    recognised_by,  # noqa: F401 - pages ask it here too
)
from catalogue.recognition.records import (
    audit,
    audit_parties,
    check_not_stale,
    new_revision,
    record_decision,
    reindex_modules,
    touch_modules,
)
from catalogue.recognition.resolving import (
    apply_content,
    ensure_code_free,
    resolve_items,
    submitted_institutions,
)
from catalogue.vocabularies import AgreementStatus


def _begin(session, actor, agreement_id, action, base_version=None, institution_code=None):
    """Load the agreement, run the action's guard and stale check; answer the next state."""
    agreement = load_agreement(session, agreement_id)
    party = lifecycle.authorise(actor, agreement, action, institution_code)
    check_not_stale(agreement, base_version)
    return agreement, party, lifecycle.transition(agreement, action)


def create_agreement(*, session: Session, actor: Actor, data: dict[str, Any]) -> Agreement:
    """Create a draft agreement; the actor must edit one of its parties (the initiator)."""
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    with write_transaction(session):
        institutions = submitted_institutions(session, data)
        own = [
            institutions[p["institution"]].id
            for p in data["parties"]
            if can_draft_for(
                actor, institutions[p["institution"]].id, institutions[p["institution"]].region_id
            )
        ]
        if not own:
            raise PermissionDenied(
                _(
                    "You can only create agreements to which your own institution, or an "
                    "institution of the region you coordinate, is a party."
                )
            )
        ensure_code_free(session, data["code"])
        items = resolve_items(session, data["items"], institutions)
        agreement = Agreement(
            status=lifecycle.TABLE[(None, lifecycle.CREATE)][1],
            initiator_id=own[0],
            content_hash="",
        )
        apply_content(agreement, data, institutions, items, keep_pins={})
        session.add(agreement)
        session.flush()
        new_revision(session, agreement, actor, "created")
        audit(session, actor, agreement, "agreement.created", after_hash=agreement.content_hash)
    return agreement


def update_agreement(
    *, session: Session, actor: Actor, agreement_id: int, data: dict, base_version: int | None
) -> Agreement:
    """Change an agreement's content: a new revision that voids every approval.

    An active agreement that changes is proposed again; it is no longer in force until every
    party has approved the new content.
    """
    with write_transaction(session):
        agreement, _party, after = _begin(
            session, actor, agreement_id, lifecycle.CHANGE, base_version
        )
        institutions = submitted_institutions(session, data)
        if not any(
            can_draft_for(
                actor, institutions[p["institution"]].id, institutions[p["institution"]].region_id
            )
            for p in data["parties"]
        ):
            raise PermissionDenied(_("Your institution must stay a party to the agreement."))
        ensure_code_free(session, data["code"], agreement.id)
        items = resolve_items(session, data["items"], institutions)
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
        apply_content(agreement, data, institutions, items, keep)
        if agreement_hash(agreement) == before:
            return agreement
        _new_round(session, actor, agreement, after, "changed", before)
        if was_active:
            reindex_modules(session, covered_before | {i.module_id for i in agreement.items})
    return agreement


def _new_round(session, actor: Actor, agreement: Agreement, after: str, reason: str, before):
    """The content changed: the next revision, the state the table gives, audit."""
    agreement.revision += 1
    agreement.status = after
    agreement.updated_at = utcnow()
    session.flush()
    new_revision(session, agreement, actor, reason)
    audit(
        session,
        actor,
        agreement,
        f"agreement.{reason}",
        summary=f"revision {agreement.revision}",
        before_hash=before,
        after_hash=agreement.content_hash,
    )


def propose_agreement(
    *, session: Session, actor: Actor, agreement_id: int, base_version: int | None = None
) -> Agreement:
    """Put a draft to the parties for approval.

    It counts as the approval of every party the proposer edits.
    """
    with write_transaction(session):
        agreement, _party, after = _begin(
            session, actor, agreement_id, lifecycle.PROPOSE, base_version
        )
        agreement.status = after
        agreement.updated_at = utcnow()
        audit(session, actor, agreement, "agreement.proposed", after_hash=agreement.content_hash)
        # Proposing is the proposer's own approval: an editor puts forward only what their
        # institution agrees to. The other parties approve the same hash in turn.
        for party in lifecycle.deciding_parties(actor, agreement):
            _approve(session, actor, agreement, party, "")
        _activate_when_everyone_approved(session, actor, agreement)
        notices.notify_progress(session, actor, agreement, "proposed")
    return agreement


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
        agreement, party, _after = _begin(
            session, actor, agreement_id, lifecycle.APPROVE, institution_code=institution_code
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
        _approve(session, actor, agreement, party, comment)
        _activate_when_everyone_approved(session, actor, agreement)
        agreement.updated_at = utcnow()
        notices.notify_progress(session, actor, agreement, "approved")
    return agreement


def _approve(session, actor: Actor, agreement: Agreement, party, comment: str) -> None:
    """Record one party's approval of the current hash and audit it for that party."""
    record_decision(session, actor, agreement, party, "approved", comment)
    audit_parties(
        session,
        actor,
        agreement.id,
        [party.institution_id],
        "agreement.approved",
        f"{party.institution.code} approved revision {agreement.revision}",
        after_hash=agreement.content_hash,
    )


def _activate_when_everyone_approved(session, actor: Actor, agreement) -> None:
    """The last approval puts the agreement in force."""
    if not lifecycle.everyone_approved(agreement):
        return
    agreement.status = lifecycle.transition(agreement, lifecycle.ACTIVATE)
    agreement.activated_at = utcnow()
    # Approving does not bring the pins up to date: only a re-pin clears "review needed".
    if agreement.review_needed and not outdated_pins(session, agreement):
        agreement.review_needed = False
        agreement.review_note = ""
    audit(session, actor, agreement, "agreement.activated", after_hash=agreement.content_hash)
    touch_modules(session, agreement)


def reject_agreement(
    *, session: Session, actor: Actor, agreement_id: int, institution_code: str, comment: str = ""
) -> Agreement:
    """One party declines the proposed content."""
    with write_transaction(session):
        agreement, party, after = _begin(
            session, actor, agreement_id, lifecycle.REJECT, institution_code=institution_code
        )
        record_decision(session, actor, agreement, party, "rejected", comment)
        agreement.status = after
        agreement.updated_at = utcnow()
        audit(session, actor, agreement, "agreement.rejected", summary=comment or agreement.code)
        notices.notify(session, actor, agreement, "rejected", text=comment or "—")
    return agreement


def withdraw_agreement(
    *, session: Session, actor: Actor, agreement_id: int, base_version: int | None = None
) -> Agreement:
    """The initiator takes back an agreement that is not in force."""
    return _end(session, actor, agreement_id, lifecycle.WITHDRAW, base_version)


def terminate_agreement(
    *,
    session: Session,
    actor: Actor,
    agreement_id: int,
    reason: str = "",
    base_version: int | None = None,
) -> Agreement:
    """A party ends an agreement that is in force."""
    return _end(session, actor, agreement_id, lifecycle.TERMINATE, base_version, reason)


def _end(session, actor, agreement_id: int, action: str, base_version, reason: str = ""):
    """Withdraw or terminate: the agreement ends for the reason given (if any).

    Ending one that was in force re-indexes the modules it covered.
    """
    with write_transaction(session):
        agreement, _party, after = _begin(session, actor, agreement_id, action, base_version)
        was_active = agreement.status == AgreementStatus.ACTIVE
        agreement.status = after
        agreement.ended_at = utcnow()
        agreement.end_reason = reason
        audit(session, actor, agreement, f"agreement.{after}", summary=reason or agreement.code)
        if was_active:
            touch_modules(session, agreement)
    return agreement


def repin_agreement(
    *, session: Session, actor: Actor, agreement_id: int, base_version: int | None = None
) -> Agreement:
    """Pin every item to the newest published version: a new revision and approval round."""
    with write_transaction(session):
        agreement, _party, after = _begin(
            session, actor, agreement_id, lifecycle.REPIN, base_version
        )
        before = agreement.content_hash
        was_active = agreement.status == AgreementStatus.ACTIVE
        if not _repin_items(session, agreement):
            raise Conflict(_("Every item is pinned to the newest version already."))
        agreement.review_needed = False
        agreement.review_note = ""
        _new_round(session, actor, agreement, after, "repinned", before)
        if was_active:
            touch_modules(session, agreement)
    return agreement


def _repin_items(session: Session, agreement: Agreement) -> bool:
    """Pin each item to its module's newest version; whether any pin changed."""
    changed = False
    for item in agreement.items:
        version = latest_version(session, item.module_id)
        if version is None:
            continue
        pinned = pin_for(version, item.unit_code)
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
    return changed


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
        changed = [
            pin_label(module.code, item.unit_code)
            for item in agreement.items
            if item.module_id == module.id and pin_for(version, item.unit_code) != item.pinned_hash
        ]
        if changed:
            agreement.review_needed = True
            # Stored without words, so that every party reads it in its own language.
            agreement.review_note = f"{', '.join(changed)} → v{version.number}"
            audit(session, actor, agreement, "agreement.review_needed", agreement.review_note)
            notices.notify(session, actor, agreement, "review_needed", text=agreement.review_note)
