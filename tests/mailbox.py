"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import socket
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Mailbox:
    """The messages the server received, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages delivered to `address`."""
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def subjects(self, address: str) -> list[str]:
        return [str(m["Subject"]) for m in self.to(address)]

    def text(self, message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server():
    """Run an SMTP server on a free local port; yields (smtp URL, mailbox)."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", mailbox
    finally:
        controller.stop()
