"""Reuse registrations: the licence rule, ending agreements, permissions, audit and counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalogue.audit.models import AuditEvent
from catalogue.errors import Conflict, InvalidInput, PermissionDenied
from catalogue.materials import queries, services
from catalogue.materials.models import MaterialReuse
from tests.factories import COORDINATOR_A, EDITOR_A, EDITOR_B
from tests.recognition.world import EDITORS, A, B, C, D, Item, Registry


def _register(registry: Registry, material_id: int, institution: str, *, by=None, **data):
    data = {
        "institution_id": registry.institution_ids[institution],
        "course": "Eigen cursus",
        **data,
    }
    with registry.session() as session:
        reuse = services.register_reuse(
            session=session,
            actor=registry.actor(by or EDITORS[institution]),
            material_id=material_id,
            data=data,
        )
        return reuse.id


def test_closed_licence_needs_an_active_material_sharing_agreement(registry, materials):
    closed = materials["A-CLOSED"]
    with pytest.raises(Conflict) as refused:
        _register(registry, closed, B)
    message = refused.value.message
    assert "A-CLOSED" in message and "Simulator cleanroomgedrag" in message
    assert "Test institution test-instituut-b" in message

    agreement_id = registry.activate(
        "DEEL-SIM",
        [(A, "provider"), (B, "recogniser")],
        [Item(A, "A-CLOSED")],
        kind="material-sharing",
    )
    reuse_id = _register(registry, closed, B, note="In ons practicum")
    with registry.session() as session:
        reuse = session.get(MaterialReuse, reuse_id)
        assert reuse.agreement_id == agreement_id and queries.is_covered(session, reuse)
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "reuse.registered")
        ).all()
        assert {e.institution_id for e in events} == {
            registry.institution_ids[A],
            registry.institution_ids[B],
        }

    # Ending the agreement flags the reuse (it stays registered, but no longer covered).
    registry.terminate(agreement_id)
    with registry.session() as session:
        reuse = session.get(MaterialReuse, reuse_id)
        assert reuse.is_active and not queries.is_covered(session, reuse)
    with pytest.raises(Conflict):
        _register(registry, closed, B)


def test_open_material_is_registered_without_an_agreement_and_ended(registry, materials):
    reuse_id = _register(registry, materials["A-TWO"], B)
    with registry.session() as session:
        services.end_reuse(session=session, actor=registry.actor(EDITOR_B), reuse_id=reuse_id)
        assert session.get(MaterialReuse, reuse_id).status == "ended"
        with pytest.raises(Conflict):
            services.end_reuse(session=session, actor=registry.actor(EDITOR_B), reuse_id=reuse_id)


def test_who_may_register_and_what_is_refused(registry, materials):
    with pytest.raises(PermissionDenied):
        _register(registry, materials["B-TWO"], A, by=EDITOR_B)
    # The coordinator of Brainport registers for institution A (in Brainport), not for C.
    assert _register(registry, materials["B-TWO"], A, by=COORDINATOR_A)
    with pytest.raises(PermissionDenied):
        _register(registry, materials["B-TWO"], C, by=COORDINATOR_A)
    with pytest.raises(InvalidInput):
        _register(registry, materials["A-TWO"], A, by=EDITOR_A)
    with pytest.raises(InvalidInput):
        _register(registry, materials["A-TWO"], B, course="")
    with pytest.raises(InvalidInput):
        _register(registry, materials["A-TWO"], B, module_id=registry.module_ids["C-TWO"])


def test_counts_match_the_registrations(registry, materials):
    a_two = materials["A-TWO"]
    for institution in (B, C, D):
        _register(registry, a_two, institution)
    _register(registry, materials["B-TWO"], C, module_id=registry.module_ids["C-TWO"])
    with registry.session() as session:
        assert queries.reuse_counts(session, [a_two])[a_two] == queries.ReuseCount(3, 3)
        assert queries.module_reuse_count(session, registry.module_ids["A-TWO"]).institutions == 3
        table = queries.region_reuse_table(session=session)
        by_code = {r.code: r.id for r in table.regions}
        assert table.count(by_code["brainport"], by_code["twente"]) == 1
        assert table.count(by_code["twente"], by_code["zuid-holland"]) == 1
        assert sum(table.counts.values()) == len(
            session.scalars(select(MaterialReuse).where(MaterialReuse.status == "active")).all()
        )
