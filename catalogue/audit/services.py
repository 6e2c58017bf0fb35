"""Recording and reading the audit trail."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, can_edit_institution
from catalogue.audit.models import AuditEvent
from catalogue.errors import PermissionDenied
from catalogue.institutions.models import Institution
from catalogue.pagination import Page, paginate


def record_event(
    session: Session,
    actor: Actor,
    *,
    action: str,
    entity_type: str | None = None,
    entity_id: int,
    institution_id: int | None = None,
    module_id: int | None = None,
    summary: str = "",
    before_hash: str | None = None,
    after_hash: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction.

    Actions are named `<entity type>.<what happened>`; the entity type defaults to that prefix.
    """
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_name=actor.name or "system",
        via=actor.via,
        action=action,
        entity_type=entity_type or action.split(".", 1)[0],
        entity_id=entity_id,
        institution_id=institution_id,
        module_id=module_id,
        summary=summary[:300],
        before_hash=before_hash,
        after_hash=after_hash,
        details=details or {},
    )
    session.add(event)
    return event


def institution_trail(
    *, session: Session, actor: Actor, institution: Institution, page: int = 1, page_size: int = 50
) -> Page[AuditEvent]:
    """The audit trail of one institution, newest first, for its editors and administrators."""
    if not can_edit_institution(actor, institution.id):
        raise PermissionDenied(
            _("Only the institution's editors and administrators read its trail.")
        )
    statement = (
        select(AuditEvent)
        .where(AuditEvent.institution_id == institution.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return paginate(session, statement, page=page, page_size=page_size)


def module_trail(*, session: Session, actor: Actor, module) -> list[AuditEvent]:
    """Every event about one module (its content and its offerings), newest first."""
    if not can_edit_institution(actor, module.institution_id):
        raise PermissionDenied(
            _("Only the institution's editors and administrators read its trail.")
        )
    statement = (
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.module_id == module.id,
                (AuditEvent.entity_type == "module") & (AuditEvent.entity_id == module.id),
            )
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    return list(session.scalars(statement))
