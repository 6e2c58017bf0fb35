"""Telling a provider about a new request by e-mail: only when the catalogue sends mail
(CATALOGUE_SMTP_URL, see catalogue.notifications.mail), and then through that server. A failure
to send is logged; the request stays in the inbox either way."""

from __future__ import annotations

import logging
import smtplib

from catalogue.notifications import mail

log = logging.getLogger(__name__)


def notify_provider(institution, offering, request) -> bool:
    """Mail the institution's address (if it has one) that a request arrived; True if sent."""
    if not mail.enabled() or not institution.email:
        return False
    subject = f"Informatieaanvraag: {offering.module.title} ({offering.code})"
    body = (
        f"{request.name} ({request.employer}, {request.email}) vraagt informatie over run "
        f"{offering.code} van {offering.module.title} voor {request.participants} deelnemers:"
        f"\n\n{request.question}\n\nDe aanvraag staat ook in het overzicht in de catalogus."
    )
    try:
        mail.send([(institution.email, subject, body)])
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("could not mail institution %s about a new request", institution.code)
        return False
