"""Information requests: send one (rate limited per sender), list a provider's inbox (its
editors only), and delete those older than the retention period."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, require_edit_institution
from catalogue.db import write_transaction
from catalogue.enquiries.mail import notify_provider
from catalogue.enquiries.models import InformationRequest
from catalogue.errors import CatalogueError, NotFound
from catalogue.institutions.models import Institution
from catalogue.model_base import utcnow
from catalogue.modules.models import Module, Offering
from catalogue.vocabularies import ModuleStatus

log = logging.getLogger(__name__)


class TooManyRequests(CatalogueError):
    """The sender has sent as many requests as allowed for now."""

    status_code = 429


def sender_key(secret: str, address: str) -> str:
    """A keyed hash of a network address: the same sender is recognised, the address is not
    kept."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def requestable_run(session: Session, offering_id: int) -> Offering:
    """A run of a published module, with its module and institution; NotFound otherwise."""
    offering = session.scalar(
        select(Offering)
        .join(Module, Module.id == Offering.module_id)
        .where(Offering.id == offering_id, Module.status == ModuleStatus.PUBLISHED)
        .options(selectinload(Offering.module).selectinload(Module.institution))
    )
    if offering is None:
        raise NotFound(_("No run with id %(id)s.", id=offering_id))
    return offering


def send_request(
    *,
    session: Session,
    offering_id: int,
    data: dict[str, Any],
    sender: str,
    limit: int,
    window: timedelta = timedelta(hours=1),
) -> InformationRequest:
    """Store a request in the provider's inbox (and mail the provider when a mail server is
    configured); refused after `limit` requests from the same sender within `window`."""
    with write_transaction(session):
        offering = requestable_run(session, offering_id)
        recent = session.scalar(
            select(func.count(InformationRequest.id)).where(
                InformationRequest.sender == sender,
                InformationRequest.created_at >= utcnow() - window,
            )
        )
        if recent >= limit:
            raise TooManyRequests(
                _("You have sent %(n)s requests in the last hour: please try again later.", n=limit)
            )
        stored = InformationRequest(
            offering_id=offering.id,
            institution_id=offering.module.institution_id,
            sender=sender,
            **data,
        )
        session.add(stored)
        session.flush()
    notify_provider(offering.module.institution, offering, stored)
    return stored


def inbox(*, session: Session, actor: Actor, institution: Institution) -> list[InformationRequest]:
    """The institution's requests, newest first: for its editors (and administrators) only."""
    require_edit_institution(actor, institution.id)
    return list(
        session.scalars(
            select(InformationRequest)
            .where(InformationRequest.institution_id == institution.id)
            .order_by(InformationRequest.created_at.desc(), InformationRequest.id.desc())
        )
    )


def runs_of(session: Session, requests: list[InformationRequest]) -> dict[int, Offering]:
    """The runs the requests are about, by id, with their modules."""
    ids = {r.offering_id for r in requests}
    if not ids:
        return {}
    rows = session.scalars(
        select(Offering).where(Offering.id.in_(ids)).options(selectinload(Offering.module))
    )
    return {o.id: o for o in rows}


def purge_requests(*, session: Session, older_than_days: int, now: datetime | None = None) -> int:
    """Delete the requests older than the retention period; the number deleted."""
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    with write_transaction(session):
        result = session.execute(
            delete(InformationRequest).where(InformationRequest.created_at < cutoff)
        )
    log.info("deleted %s information requests older than %s days", result.rowcount, older_than_days)
    return result.rowcount
