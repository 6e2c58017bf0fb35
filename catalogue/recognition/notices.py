"""What the people of an agreement's parties are told, and the agreement's comment thread.

Each lifecycle step queues e-mail (catalogue.notifications) for the people who decide for the
parties concerned: a proposal for those who still have to decide; an approval, rejection,
activation, review or comment for every party; an agreement ending within 60 days once for every
party. The person who acted is not told about their own step.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlmodel import Session

from catalogue import clock
from catalogue.accounts.permissions import Actor
from catalogue.db import write_transaction
from catalogue.errors import InvalidInput
from catalogue.notifications.services import both_languages, people_of, queue
from catalogue.recognition import lifecycle
from catalogue.recognition.models import Agreement, AgreementComment, AgreementParty
from catalogue.recognition.queries import load_agreement
from catalogue.recognition.records import audit
from catalogue.vocabularies import AgreementStatus

EXPIRY_NOTICE_DAYS = 60
MAX_COMMENT = 4000

_SUBJECTS = {
    "proposed": lambda code: _("Agreement %(code)s awaits your decision", code=code),
    "approved": lambda code: _("Agreement %(code)s: a party approved", code=code),
    "activated": lambda code: _("Agreement %(code)s is in force", code=code),
    "rejected": lambda code: _("Agreement %(code)s was rejected", code=code),
    "review_needed": lambda code: _("Agreement %(code)s needs review", code=code),
    "commented": lambda code: _("Agreement %(code)s: a new comment", code=code),
    "ending": lambda code: _("Agreement %(code)s ends within 60 days", code=code),
}
_BODIES = {
    "proposed": lambda **v: _(
        "%(who)s proposed “%(title)s”. Read it and approve or reject it for your institution.",
        **v,
    ),
    "approved": lambda **v: _("%(who)s approved “%(title)s”.", **v),
    "activated": lambda **v: _("Every party approved “%(title)s”; it is now in force.", **v),
    "rejected": lambda **v: _("%(who)s rejected “%(title)s”: %(text)s", **v),
    "review_needed": lambda **v: _(
        "A module or unit that “%(title)s” recognises has a new version (%(text)s).", **v
    ),
    "commented": lambda **v: _("%(who)s wrote about “%(title)s”: %(text)s", **v),
    "ending": lambda **v: _("“%(title)s” ends on %(text)s.", **v),
}


def agreement_url(agreement: Agreement) -> str:
    """The agreement's page, for links in e-mail."""
    base = (current_app.config.get("BASE_URL") or "http://localhost:5000").rstrip("/")
    return f"{base}/agreements/{agreement.id}"


def notify(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    event: str,
    *,
    parties: list[AgreementParty] | None = None,
    text: str = "",
    key: str | None = None,
) -> int:
    """Queue the message for `event` to the people of `parties` (default: every party)."""
    parties = agreement.parties if parties is None else parties
    people = [
        p for p in people_of(session, (q.institution for q in parties)) if p.id != actor.user_id
    ]
    if not people:
        return 0
    values = {"who": actor.name or "—", "title": agreement.title, "text": text}
    subject = both_languages(lambda: _SUBJECTS[event](agreement.code)).replace("\n\n", " / ")
    body = both_languages(lambda: _BODIES[event](**values)) + f"\n\n{agreement_url(agreement)}"
    return queue(session, people, subject, body, key)


def notify_progress(session: Session, actor: Actor, agreement: Agreement, event: str) -> None:
    """After a proposal or an approval: in force for all, else a request to who still decides."""
    if agreement.status == AgreementStatus.ACTIVE:
        notify(session, actor, agreement, "activated")
    elif event == "proposed":
        notify(session, actor, agreement, "proposed", parties=lifecycle.awaiting(agreement))
    else:
        notify(session, actor, agreement, "approved")


def add_comment(*, session: Session, actor: Actor, agreement_id: int, body: str):
    """Add a remark to the agreement's discussion (parties' people only); told to the others."""
    body = (body or "").strip()
    if not body or len(body) > MAX_COMMENT:
        message = _("Write a comment of at most %(n)s characters.", n=MAX_COMMENT)
        raise InvalidInput(message, fields={"comment": [message]})
    with write_transaction(session):
        agreement = load_agreement(session, agreement_id)
        lifecycle.party_editor(actor, agreement)
        comment = AgreementComment(
            agreement_id=agreement.id,
            revision=agreement.revision,
            body=body,
            author_id=actor.user_id,
            author_name=actor.name or "system",
        )
        session.add(comment)
        audit(session, actor, agreement, "agreement.commented", summary=body[:200])
        notify(session, actor, agreement, "commented", text=body[:500])
    return comment


def thread(*, session: Session, agreement: Agreement) -> list[AgreementComment]:
    """The agreement's comments, oldest first."""
    return list(
        session.scalars(
            select(AgreementComment)
            .where(AgreementComment.agreement_id == agreement.id)
            .order_by(AgreementComment.id)
        )
    )


def notify_ending(session: Session, actor: Actor, *, today: date | None = None) -> int:
    """Tell the parties of active agreements that end within 60 days, once per end date."""
    today = today or clock.today()
    count = 0
    with write_transaction(session):
        for agreement in session.scalars(
            select(Agreement).where(
                Agreement.status == AgreementStatus.ACTIVE,
                Agreement.valid_until.is_not(None),
                Agreement.valid_until >= today,
                Agreement.valid_until <= today + timedelta(days=EXPIRY_NOTICE_DAYS),
            )
        ):
            key = f"ending:{agreement.id}:{agreement.valid_until.isoformat()}"
            text = agreement.valid_until.isoformat()
            count += notify(session, actor, agreement, "ending", text=text, key=key)
    return count
