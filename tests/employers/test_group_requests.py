"""Requests for information for a group: stored in the provider's inbox, seen by its editors
only, refused without a CSRF token and after the rate limit, dropped when the honeypot is
filled, mailed only through a configured server, and deleted by the retention command."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from catalogue.cli import main
from catalogue.db import get_session
from catalogue.enquiries.models import InformationRequest
from catalogue.enquiries.services import purge_requests
from catalogue.model_base import utcnow
from tests.conftest import _make_app
from tests.factories import EDITOR_A, EDITOR_B, World, login

FORM = {
    "name": "Hanna Hendriks",
    "employer": "Chipleverancier BV",
    "email": "hr@chipleverancier.example",
    "participants": "5",
    "question": "Kan de training in maart voor vijf operators, in het Nederlands?",
}


def _client(app, address: str):
    """A visitor coming from `address` (the rate limit counts per sender)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _form_page(client, path):
    html = client.get(path).text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _send(client, path, **changes):
    token = _form_page(client, path)
    return client.post(path, data={**FORM, "csrf_token": token, **changes})


def _count(app, **where) -> int:
    with app.app_context():
        query = select(func.count(InformationRequest.id))
        for name, value in where.items():
            query = query.where(getattr(InformationRequest, name) == value)
        return get_session().scalar(query)


@pytest.fixture
def run_path(employer_world):
    run_id = employer_world.runs[("EMPNEAR", "EHV")]
    return run_id, f"/runs/{run_id}/request-information"


def test_a_request_lands_in_the_provider_s_inbox_for_its_editors_only(employer_world, run_path):
    app = employer_world.app
    run_id, path = run_path
    client = _client(app, "192.0.2.10")
    sent = _send(client, path, question="Een vraag over maart voor de inbox-test.")
    assert sent.status_code == 302 and f"#run-{run_id}" in sent.headers["Location"]
    assert _count(app, offering_id=run_id, employer="Chipleverancier BV") >= 1

    world = World.load(app)
    code = next(c for c, i in world.institution_ids.items() if i == world.a)
    editor = app.test_client()
    login(editor, EDITOR_A)
    inbox = editor.get(f"/manage/institutions/{code}/requests?lang=en")
    assert inbox.status_code == 200 and "voor de inbox-test" in inbox.text
    other = app.test_client()
    login(other, EDITOR_B)
    refused = other.get(f"/manage/institutions/{code}/requests")
    assert refused.status_code == 403 and "inbox-test" not in refused.text
    anonymous = app.test_client().get(f"/manage/institutions/{code}/requests")
    assert anonymous.status_code in (302, 401) and "inbox-test" not in anonymous.text


def test_refused_without_csrf_token_and_after_the_rate_limit(employer_world, run_path):
    app = employer_world.app
    _run_id, path = run_path
    client = _client(app, "192.0.2.20")
    before = _count(app)
    no_token = client.post(path, data=FORM)
    assert no_token.status_code == 400 and _count(app) == before
    limit = app.config["REQUEST_RATE_LIMIT"]
    for _ in range(limit):
        assert _send(client, path).status_code == 302
    refused = _send(client, path)
    assert refused.status_code == 429 and _count(app) == before + limit
    # Another sender is not held back by this one.
    neighbour = _client(app, "192.0.2.21")
    assert _send(neighbour, path).status_code == 302


def test_the_honeypot_and_bad_input(employer_world, run_path):
    app = employer_world.app
    _run_id, path = run_path
    client = _client(app, "192.0.2.30")
    before = _count(app)
    robot = _send(client, path, website="http://spam.example")
    assert robot.status_code == 302 and _count(app) == before
    bad = _send(client, path, email="nobody", participants="0")
    assert bad.status_code == 422 and _count(app) == before
    assert 'href="#email"' in bad.text and 'href="#participants"' in bad.text


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_mail_goes_only_through_the_configured_server(employer_world, run_path, tmp_path):
    app = employer_world.app
    _run_id, path = run_path
    handler = _Inbox()
    with socket.socket() as probe:  # a free port for the mail server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert app.config["SMTP_URL"] is None
        _send(_client(app, "192.0.2.40"), path)
        assert handler.messages == []
        mailing = _make_app(
            app.config["DATABASE_URL"], tmp_path / "index", SMTP_URL=f"smtp://127.0.0.1:{port}"
        )
        _send(_client(mailing, "192.0.2.41"), path)
    finally:
        controller.stop()
    [envelope] = handler.messages
    assert envelope.rcpt_tos == ["info@example.org"]
    assert "Chipleverancier BV" in envelope.content.decode()


def test_the_retention_command_deletes_old_requests(employer_world, run_path):
    app = employer_world.app
    _run_id, path = run_path
    _send(_client(app, "192.0.2.50"), path)
    assert _count(app) > 0
    with app.app_context():
        kept = purge_requests(session=get_session(), older_than_days=1)
    assert kept == 0 and _count(app) > 0
    with app.app_context():
        deleted = purge_requests(
            session=get_session(), older_than_days=30, now=utcnow() + timedelta(days=31)
        )
    assert deleted > 0 and _count(app) == 0
    result = app.test_cli_runner().invoke(main, ["requests", "purge", "--days", "1"])
    assert result.exit_code == 0 and "Deleted 0" in result.output
