"""What every agreement write leaves behind: a revision with its hash, audit events for each
party, and outbox rows that re-index the modules the agreement covers."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlmodel import Session

from catalogue.accounts.permissions import Actor
from catalogue.audit.services import record_event
from catalogue.errors import StaleEdit
from catalogue.hashing import content_hash
from catalogue.model_base import utcnow
from catalogue.recognition.content import agreement_content
from catalogue.recognition.models import Agreement, AgreementApproval, AgreementRevision
from catalogue.search.outbox import enqueue_module


def check_not_stale(agreement: Agreement, base_version: int | None) -> None:
    """Refuse a change made to an older version of the agreement than the stored one."""
    if base_version is not None and base_version != agreement.lock_version:
        raise StaleEdit(
            _("Someone changed this agreement while you were looking at it. Reload it."),
            current_version=agreement.lock_version,
        )


def new_revision(session: Session, agreement: Agreement, actor: Actor, reason: str) -> None:
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


def reindex_modules(session: Session, module_ids: Iterable[int]) -> None:
    """Search shows where modules are recognised: re-index the modules an agreement covers."""
    for module_id in sorted(set(module_ids)):
        enqueue_module(session, module_id)


def touch_modules(session: Session, agreement: Agreement) -> None:
    """Re-index every module the agreement covers."""
    reindex_modules(session, (item.module_id for item in agreement.items))


def audit_parties(
    session: Session,
    actor: Actor,
    agreement_id: int,
    institution_ids: Iterable[int],
    action: str,
    summary: str,
    **hashes,
) -> None:
    """One audit event for each party, so that every institution sees it in its own log."""
    for institution_id in institution_ids:
        record_event(
            session,
            actor,
            action=action,
            entity_type="agreement",
            entity_id=agreement_id,
            institution_id=institution_id,
            summary=summary,
            **hashes,
        )


def audit(session, actor: Actor, agreement: Agreement, action: str, summary: str = "", **hashes):
    """Audit an agreement change for each of its parties."""
    party_ids = [party.institution_id for party in agreement.parties]
    audit_parties(
        session, actor, agreement.id, party_ids, action, summary or agreement.code, **hashes
    )


def record_decision(
    session, actor: Actor, agreement: Agreement, party, decision: str, comment: str = ""
) -> None:
    """One party's decision on the current content hash, by an editor of that party."""
    agreement.approvals.append(
        AgreementApproval(
            agreement_id=agreement.id,
            revision=agreement.revision,
            institution_id=party.institution_id,
            content_hash=agreement.content_hash,
            decision=decision,
            comment=comment,
            decided_by_id=actor.user_id,
            decided_by_name=actor.name,
        )
    )
