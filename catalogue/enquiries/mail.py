"""Telling a provider about a new request by e-mail: only when a mail server is configured
(CATALOGUE_SMTP_URL, e.g. smtp://mail.example.nl:25 or smtps://user:password@host:465), and then
only through it. A failure to send is logged; the request stays in the inbox either way."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)
SENDER = "catalogus@localhost"


def notify_provider(smtp_url: str, institution, offering, request) -> bool:
    """Mail the institution's address (if it has one) that a request arrived; True if sent."""
    if not institution.email:
        return False
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = institution.email
    message["Subject"] = f"Informatieaanvraag: {offering.module.title} ({offering.code})"
    message.set_content(
        f"{request.name} ({request.employer}, {request.email}) vraagt informatie over run "
        f"{offering.code} van {offering.module.title} voor {request.participants} deelnemers:"
        f"\n\n{request.question}\n\nDe aanvraag staat ook in het overzicht in de catalogus."
    )
    parts = urlsplit(smtp_url)
    try:
        client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with client_class(parts.hostname, parts.port or 25, timeout=10) as client:
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("could not mail institution %s about a new request", institution.code)
        return False
