"""Who is told what about agreements, and when it is sent.

A recognition service queues notifications in its own transaction (so a message exists exactly
when what it tells about was committed) and delivers them after the commit. Recipients are the
people who decide for a party: its editors and the coordinator of its region. With
CATALOGUE_MAIL_DIGEST set, nothing goes out at once: `catalogue maintenance` sends each person one
digest a day. Without CATALOGUE_SMTP_URL nothing is queued at all.

Messages are written in Dutch and English (the catalogue does not know a person's language).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlmodel import Session

from catalogue.accounts.models import Membership, User
from catalogue.db import write_transaction
from catalogue.model_base import utcnow
from catalogue.notifications import mail
from catalogue.notifications.models import Notification


def people_of(session: Session, institutions: Iterable) -> list[User]:
    """Active accounts that decide for these institutions: editors and regional coordinators."""
    institutions = list(institutions)
    ids = {i.id for i in institutions}
    regions = {i.region_id for i in institutions}
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                User.is_active.is_(True),
                or_(
                    and_(Membership.role == "editor", Membership.institution_id.in_(ids or [-1])),
                    and_(
                        Membership.role == "coordinator", Membership.region_id.in_(regions or [-1])
                    ),
                ),
            )
            .distinct()
            .order_by(User.id)
        )
    )


def both_languages(message, **values) -> str:
    """A message in Dutch, then in English (`message` is a function of no arguments)."""
    texts = []
    for locale in ("nl", "en"):
        with force_locale(locale):
            texts.append(message(**values))
    return "\n\n".join(texts)


def queue(
    session: Session, users: Iterable[User], subject: str, body: str, key: str | None = None
) -> int:
    """Queue one message for each user (in the caller's transaction); none without mail.

    With a `key`, a user gets the message once only (the key is stored per user).
    """
    if not mail.enabled():
        return 0
    count = 0
    for user in users:
        user_key = f"{key}:{user.id}" if key else None
        if user_key and session.scalar(select(Notification.id).where(Notification.key == user_key)):
            continue
        session.add(
            Notification(
                user_id=user.id, email=user.email, subject=subject, body=body, key=user_key
            )
        )
        count += 1
    # Read after the request (or by the command that queued them) to deliver at once.
    session.info["notifications_queued"] = True
    return count


def deliver_pending(session: Session) -> int:
    """Send what is queued, unless people get a daily digest; returns how many were sent."""
    session.info.pop("notifications_queued", None)
    if not mail.enabled() or current_app.config.get("MAIL_DIGEST"):
        return 0
    with write_transaction(session):
        pending = list(
            session.scalars(
                select(Notification).where(Notification.sent_at.is_(None)).order_by(Notification.id)
            )
        )
        if pending:
            mail.send([(n.email, n.subject, n.body) for n in pending])
            for notification in pending:
                notification.sent_at = utcnow()
    return len(pending)


def send_digest(session: Session) -> int:
    """Send each person one message with everything queued for them; returns messages sent."""
    if not mail.enabled():
        return 0
    with write_transaction(session):
        pending = list(
            session.scalars(
                select(Notification).where(Notification.sent_at.is_(None)).order_by(Notification.id)
            )
        )
        by_address: dict[str, list[Notification]] = defaultdict(list)
        for notification in pending:
            by_address[notification.email].append(notification)
        subject = both_languages(lambda: _("Agreements: what happened today"))
        mail.send(
            [
                (
                    address,
                    subject.replace("\n\n", " / "),
                    "\n\n---\n\n".join(f"{n.subject}\n\n{n.body}" for n in items),
                )
                for address, items in by_address.items()
            ]
        )
        for notification in pending:
            notification.sent_at = utcnow()
    return len(by_address)
