"""`catalogue maintenance`: the scheduled command that expires agreements past their end date,
and what people then see in the registry and in search."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from catalogue.audit.models import AuditEvent
from catalogue.cli import main
from catalogue.search.models import OutboxEntry
from tests.recognition.test_registry import _found_in
from tests.recognition.world import API, TODAY, A, B, D, Item, Registry

START = (TODAY - timedelta(days=60)).isoformat()


def _cli(registry: Registry, *args: str):
    return registry.app.test_cli_runner().invoke(main, list(args))


def _ending(registry: Registry, code: str, provider: str, unit: str | None, days: int) -> int:
    """An active agreement from provider to D that ends `days` from today."""
    parties, until = [(provider, "provider"), (D, "recogniser")], TODAY + timedelta(days=days)
    item = Item(provider, f"{provider[-1].upper()}-TWO", unit)
    return registry.activate(code, parties, [item], valid_from=START, valid_until=until.isoformat())


def _ended_yesterday(registry: Registry) -> int:
    return _ending(registry, "MNT-PAST", A, "A-TWO-U1", -1)


def test_maintenance_expires_an_agreement_whose_end_date_passed(registry: Registry):
    past = _ended_yesterday(registry)
    current = _ending(registry, "MNT-NOW", B, None, 0)

    result = _cli(registry, "maintenance")

    assert result.exit_code == 0, result.output
    assert "Expired 1 agreements: MNT-PAST" in result.output
    expired = registry.agreement(past)
    assert expired.status == "expired" and expired.ended_at is not None
    assert registry.agreement(current).status == "active", "it is still valid on its last day"
    with registry.session() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == past, AuditEvent.action == "agreement.expired"
            )
        ).all()
    assert len(events) == 2, "one event for each party"
    body = registry.api_client().get(f"{API}/agreements/{past}")
    assert body.get_json()["status"] == "expired"


def test_running_maintenance_twice_changes_nothing_the_second_time(registry: Registry):
    past = _ended_yesterday(registry)
    assert _cli(registry, "maintenance").exit_code == 0

    def state():
        with registry.session() as session:
            agreement = registry.agreement(past, session=session)
            return (
                agreement.status,
                agreement.lock_version,
                agreement.ended_at,
                session.scalar(select(func.count()).select_from(AuditEvent)),
                session.scalar(select(func.max(OutboxEntry.id))),
            )

    before = state()
    second = _cli(registry, "maintenance")

    assert second.exit_code == 0 and "Expired 0 agreements." in second.output
    assert state() == before
    assert before[0] == "expired"


def test_after_maintenance_and_a_drain_search_and_registry_no_longer_show_it_recognised(
    registry: Registry,
):
    a_two = registry.module_ids["A-TWO"]
    _ended_yesterday(registry)
    # Search counts an agreement only up to its end date, even before maintenance expires it.
    assert a_two not in _found_in(registry, "noorden"), "not recognised after its end date"
    anonymous = registry.web_client()
    assert "MNT-PAST" in anonymous.get("/agreements").text

    assert _cli(registry, "maintenance").exit_code == 0
    drained = _cli(registry, "search", "drain")

    assert drained.exit_code == 0, drained.output
    assert a_two not in _found_in(registry, "noorden")
    assert "MNT-PAST" not in anonymous.get("/agreements").text
    assert "MNT-PAST" in anonymous.get("/agreements?status=expired").text
    assert f"/modules/{a_two}" not in anonymous.get("/search?recognised_in=noorden").text


def test_search_drain_no_longer_expires_agreements(registry: Registry):
    past = _ended_yesterday(registry)

    assert _cli(registry, "search", "drain").exit_code == 0

    assert registry.agreement(past).status == "active", "only `catalogue maintenance` expires"
