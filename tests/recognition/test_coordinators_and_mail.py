"""Coordinators draft and propose agreements; the other party is told in time.

The Brainport coordinator drafts an agreement between Brainport's institution A and Twente's B
through the web form, and proposes it (counting as A's approval). B's editor is mailed, sees the
header badge, reads the coordinator's comment and approves; the agreement is in force and both
sides are mailed, every message read back from a real SMTP server in the test process. The
coordinator of a third region can neither see nor decide on it.
"""

from __future__ import annotations

import re

import pytest

from catalogue.errors import NotFound, PermissionDenied
from catalogue.recognition import services as recognition
from tests.conftest import _make_app
from tests.factories import (
    COORDINATOR_A,
    EDITOR_A,
    EDITOR_B,
    Account,
    actor_of,
    create_account,
    post_with_csrf,
)
from tests.mailbox import smtp_server
from tests.recognition.world import TODAY, A, B, Registry, recognition_template

COORDINATOR_NOORDEN = Account("coordinator-noorden@test.example", "Noor Coördinator Noorden")


@pytest.fixture
def mailed(backend, database_factory, tmp_path_factory, tmp_path):
    """The recognition world on an app that mails through a real local SMTP server."""
    template = recognition_template(database_factory, tmp_path_factory, backend)
    url = database_factory.copy(backend, template)
    with smtp_server() as (smtp_url, mailbox):
        app = _make_app(url, tmp_path / "index", SMTP_URL=smtp_url, BASE_URL="https://c.example")
        registry = Registry(app)
        with registry.session() as session:
            from sqlalchemy import select

            from catalogue.institutions.models import Region

            noorden = session.scalar(select(Region.id).where(Region.code == "noorden"))
            create_account(session, COORDINATOR_NOORDEN, ("coordinator", noorden))
            registry.actors[COORDINATOR_NOORDEN.email] = actor_of(session, COORDINATOR_NOORDEN)
        yield registry, mailbox
        app.extensions["db_engine"].dispose()
    database_factory.drop(url)


def _agreement_form() -> dict[str, str]:
    return {
        "code": "COORD-BP-TW-1",
        "title": "Erkenning cleanroom Brainport-Twente",
        "kind": "exemption",
        "terms": "Twente verleent vrijstelling.",
        "valid_from": TODAY.isoformat(),
        "valid_until": "",
        "parties-0-institution": A,
        "parties-0-role": "provider",
        "parties-1-institution": B,
        "parties-1-role": "recogniser",
        "items-0-provider": A,
        "items-0-module": "A-TWO",
        "items-0-unit": "",
        "items-0-grant": "Vrijstelling",
        "items-0-credits_value": "3",
        "items-0-credits_unit": "ects",
        "action": "save",
    }


def test_a_coordinator_drafts_and_proposes_and_the_other_party_is_told_and_approves(mailed):
    registry, mailbox = mailed
    coordinator = registry.web_client(COORDINATOR_A)
    page = coordinator.get("/agreements/new")
    assert page.status_code == 200 and 'list="module-choices"' in page.text
    created = post_with_csrf(coordinator, "/agreements/new", _agreement_form())
    assert created.status_code == 302, created.text[:3000]
    agreement_id = int(re.search(r"/agreements/(\d+)$", created.headers["Location"]).group(1))

    assert post_with_csrf(coordinator, f"/agreements/{agreement_id}/propose").status_code == 302
    assert registry.agreement(agreement_id).status == "proposed"
    assert any("awaits your decision" in s for s in mailbox.subjects(EDITOR_B.email))
    assert not mailbox.to(COORDINATOR_A.email), "nobody is told of their own step"
    link = f"https://c.example/agreements/{agreement_id}"
    assert link in mailbox.text(mailbox.to(EDITOR_B.email)[0])

    # A coordinator of a third region neither sees nor decides on the proposal.
    outsider = registry.actor(COORDINATOR_NOORDEN)
    with registry.session() as session, pytest.raises((NotFound, PermissionDenied)):
        recognition.approve_agreement(
            session=session,
            actor=outsider,
            agreement_id=agreement_id,
            institution_code=B,
            approved_hash=registry.agreement(agreement_id).content_hash,
        )
    assert (
        registry.web_client(COORDINATOR_NOORDEN).get(f"/agreements/{agreement_id}").status_code
        == 404
    )

    comment = "Graag voor 1 maart akkoord, dan kan het cohort starten."
    sent = post_with_csrf(coordinator, f"/agreements/{agreement_id}/comment", {"comment": comment})
    assert sent.status_code == 302
    assert any("new comment" in s for s in mailbox.subjects(EDITOR_B.email))

    editor_b = registry.web_client(EDITOR_B)
    home = editor_b.get("/").text
    assert re.search(r'id="agreements-badge">1<', home), "B's editor sees one agreement waiting"
    page = editor_b.get(f"/agreements/{agreement_id}").text
    assert comment in page and f'action="/agreements/{agreement_id}/approve"' in page
    digest = registry.agreement(agreement_id).content_hash
    approved = post_with_csrf(
        editor_b,
        f"/agreements/{agreement_id}/approve",
        {"institution": B, "content_hash": digest},
    )
    assert approved.status_code == 302
    assert registry.agreement(agreement_id).status == "active"
    for person in (COORDINATOR_A, EDITOR_A):
        assert any("is in force" in s for s in mailbox.subjects(person.email)), person.email
    assert 'id="agreements-badge"' not in editor_b.get("/").text
    # The comment is part of the agreement's history.
    assert "agreement.commented" in _audit_actions(registry, agreement_id)


def _audit_actions(registry: Registry, agreement_id: int) -> str:
    from sqlalchemy import select

    from catalogue.audit.models import AuditEvent

    with registry.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "agreement", AuditEvent.entity_id == agreement_id
            )
        ).all()
    return " ".join(actions)


def test_endings_are_told_once_and_the_digest_gathers_a_day(mailed):
    from datetime import timedelta

    from catalogue.cli import main
    from tests.recognition.world import Item

    registry, mailbox = mailed
    runner = registry.app.test_cli_runner()
    until = (TODAY + timedelta(days=30)).isoformat()
    registry.activate(
        "END-SOON", [(A, "provider"), (B, "recogniser")], [Item(A, "A-TWO")], valid_until=until
    )
    before = len(mailbox.messages)
    assert runner.invoke(main, ["maintenance"]).exit_code == 0
    ending = [m for m in mailbox.messages[before:] if "ends within 60 days" in str(m["Subject"])]
    assert {EDITOR_A.email, EDITOR_B.email, COORDINATOR_A.email} <= {
        m["X-Envelope-To"] for m in ending
    }
    sent = len(mailbox.messages)  # the endings, and the notices the services queued before
    assert runner.invoke(main, ["maintenance"]).exit_code == 0
    assert len(mailbox.messages) == sent, "told once per end date"

    # With the daily digest, a proposal waits for the maintenance run, one message per person.
    registry.app.config["MAIL_DIGEST"] = True
    agreement_id = registry.create(
        "DIGEST-1", [(A, "provider"), (B, "recogniser")], [Item(A, "A-TWO", "A-TWO-U1")]
    )
    client = registry.web_client(EDITOR_A)
    assert post_with_csrf(client, f"/agreements/{agreement_id}/propose").status_code == 302
    assert len(mailbox.messages) == sent, "nothing is sent at once"
    assert runner.invoke(main, ["maintenance"]).exit_code == 0
    (digest,) = mailbox.to(EDITOR_B.email)[-1:]
    assert "DIGEST-1" in mailbox.text(digest) and "what happened today" in str(digest["Subject"])
