"""Agreements whose end date has passed stop being in force: the scheduled `catalogue
maintenance` command expires them, and re-indexes the modules of agreements that came into force
(search counts an agreement only from its start date).

Safe to run on several nodes at once and as often as one likes: one UPDATE changes only the
agreements that are still active, and only the rows it changed get an audit event and re-index
their modules (a second run, or another node at the same moment, finds nothing left to do).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from catalogue import clock
from catalogue.accounts.permissions import SYSTEM
from catalogue.db import write_transaction
from catalogue.model_base import utcnow
from catalogue.recognition import lifecycle
from catalogue.recognition.models import Agreement, AgreementItem, AgreementParty
from catalogue.recognition.records import audit_parties, reindex_modules
from catalogue.vocabularies import AgreementStatus


def expire_due_agreements(session: Session, *, today: date | None = None) -> list[str]:
    """Mark active agreements past their end date as expired; returns the codes it expired."""
    today = today or clock.today()
    with write_transaction(session):
        now = utcnow()
        expired = session.execute(
            update(Agreement)
            .where(Agreement.status == AgreementStatus.ACTIVE, Agreement.valid_until < today)
            .values(
                status=lifecycle.TABLE[(AgreementStatus.ACTIVE, lifecycle.EXPIRE)][1],
                ended_at=now,
                updated_at=now,
                lock_version=Agreement.lock_version + 1,
            )
            .returning(Agreement.id, Agreement.code)
            .execution_options(synchronize_session="fetch")
        ).all()
        for agreement_id, code in expired:
            parties = session.scalars(
                select(AgreementParty.institution_id)
                .where(AgreementParty.agreement_id == agreement_id)
                .order_by(AgreementParty.id)
            )
            audit_parties(session, SYSTEM, agreement_id, parties, "agreement.expired", code)
            reindex_modules(
                session,
                session.scalars(
                    select(AgreementItem.module_id).where(
                        AgreementItem.agreement_id == agreement_id
                    )
                ),
            )
    return sorted(code for _id, code in expired)


# Maintenance runs daily; looking a week back covers days on which it did not run.
STARTED_WINDOW_DAYS = 7


def reindex_started_agreements(session: Session, *, today: date | None = None) -> int:
    """Re-index the modules of active agreements that started in the last week (up to today).

    An agreement approved before its start date counts in search only from that date; the
    index learns of it here. Re-indexing is idempotent, so a module seen twice costs a little.
    """
    today = today or clock.today()
    with write_transaction(session):
        module_ids = list(
            session.scalars(
                select(AgreementItem.module_id)
                .join(Agreement, Agreement.id == AgreementItem.agreement_id)
                .where(
                    Agreement.status == AgreementStatus.ACTIVE,
                    Agreement.valid_from <= today,
                    Agreement.valid_from > today - timedelta(days=STARTED_WINDOW_DAYS),
                )
                .distinct()
            )
        )
        reindex_modules(session, module_ids)
    return len(module_ids)
