"""E-mail through Flask-Mail, configured from one URL: CATALOGUE_SMTP_URL.

    smtp://host:25                    plain SMTP (a relay on the same network)
    smtp+starttls://user:pw@host:587  SMTP upgraded with STARTTLS
    smtps://user:pw@host:465          SMTP over TLS

Without the URL nothing is queued or sent. CATALOGUE_MAIL_FROM sets the sender.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Flask, current_app
from flask_mail import Mail, Message

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


def smtp_settings(url: str) -> dict[str, object]:
    """Flask-Mail's settings for an SMTP URL; ValueError for a scheme it does not know."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        raise ValueError(f"CATALOGUE_SMTP_URL: unknown scheme {parts.scheme!r}")
    return {
        "MAIL_SERVER": parts.hostname or "localhost",
        "MAIL_PORT": parts.port or _DEFAULT_PORTS[parts.scheme],
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_TLS": parts.scheme == "smtp+starttls",
        "MAIL_USE_SSL": parts.scheme == "smtps",
    }


def init_app(app: Flask) -> None:
    """Set up Flask-Mail when CATALOGUE_SMTP_URL is set; otherwise mail stays off."""
    url = app.config.get("SMTP_URL")
    if not url:
        return
    app.config.update(smtp_settings(url))
    app.config["MAIL_DEFAULT_SENDER"] = app.config.get("MAIL_FROM") or "catalogue@localhost"
    # Flask-Mail would stay silent under TESTING; the URL is the one switch.
    app.config.setdefault("MAIL_SUPPRESS_SEND", False)
    Mail(app)
    app.after_request(_deliver_after_request)


def _deliver_after_request(response):
    """Send what this request queued (after its transactions committed); a failure is logged,
    the messages stay queued and go out with the next delivery."""
    from catalogue.db import request_session
    from catalogue.notifications.services import deliver_pending

    session = request_session()
    if session is not None and session.info.get("notifications_queued"):
        try:
            deliver_pending(session)
        except Exception:  # mail must never break the answer; the messages stay queued
            current_app.logger.exception("could not deliver notifications")
    return response


def enabled() -> bool:
    """Whether this app sends e-mail."""
    return "mail" in current_app.extensions


def send(messages: list[tuple[str, str, str]]) -> None:
    """Send (address, subject, body) messages over one SMTP connection."""
    mail: Mail = current_app.extensions["mail"]
    with mail.connect() as connection:
        for address, subject, body in messages:
            connection.send(Message(subject=subject, recipients=[address], body=body))
