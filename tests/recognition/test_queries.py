"""The questions other domains ask recognition: is material shared between two institutions."""

from __future__ import annotations

from datetime import timedelta

from catalogue.recognition import queries
from tests.recognition.world import TODAY, A, B, C, D, Item, Registry


def _shares(registry: Registry, module: str, first: str, second: str, unit=None) -> bool:
    ids = registry.institution_ids
    with registry.session() as session:
        return queries.shares_material(
            session=session,
            module_id=registry.module_ids[module],
            institution_ids=(ids[first], ids[second]),
            unit_code=unit,
        )


def test_an_active_material_sharing_agreement_covers_its_module_between_its_parties(
    registry: Registry,
):
    agreement_id = registry.activate(
        "DEEL-1",
        [(A, "provider"), (B, "recogniser"), (C, "recogniser")],
        [Item(A, "A-TWO")],
        kind="material-sharing",
    )

    assert _shares(registry, "A-TWO", A, B) and _shares(registry, "A-TWO", C, A)
    assert _shares(registry, "A-TWO", B, A, unit="a-two-u1"), "the whole module covers its units"
    assert not _shares(registry, "A-TWO", A, D), "D is no party"
    assert not _shares(registry, "B-TWO", A, B), "another module is not covered"
    with registry.session() as session:
        found = queries.material_sharing_agreement(
            session=session,
            module_id=registry.module_ids["A-TWO"],
            institution_ids=(registry.institution_ids[A], registry.institution_ids[B]),
        )
        assert found is not None and found.id == agreement_id

    registry.terminate(agreement_id)
    assert not _shares(registry, "A-TWO", A, B), "not after it ended"


def test_other_kinds_drafts_units_and_past_end_dates_share_nothing(registry: Registry):
    registry.activate("ERK-1", [(A, "provider"), (B, "recogniser")], [Item(A, "A-TWO")])
    registry.create(
        "DEEL-CONCEPT",
        [(A, "provider"), (C, "recogniser")],
        [Item(A, "A-TWO")],
        kind="material-sharing",
    )
    registry.activate(
        "DEEL-UNIT",
        [(B, "provider"), (D, "recogniser")],
        [Item(B, "B-TWO", "B-TWO-U1")],
        kind="material-sharing",
    )
    registry.activate(
        "DEEL-OUD",
        [(A, "provider"), (D, "recogniser")],
        [Item(A, "A-TWO")],
        kind="material-sharing",
        valid_from=(TODAY - timedelta(days=60)).isoformat(),
        valid_until=(TODAY - timedelta(days=1)).isoformat(),
    )

    assert not _shares(registry, "A-TWO", A, B), "an exemption shares no material"
    assert not _shares(registry, "A-TWO", A, C), "a draft is not in force"
    assert _shares(registry, "B-TWO", B, D, unit="B-TWO-U1")
    assert not _shares(registry, "B-TWO", B, D, unit="B-TWO-U2"), "only the unit it names"
    assert not _shares(registry, "B-TWO", B, D), "a unit does not cover the whole module"
    assert not _shares(registry, "A-TWO", A, D), "its end date has passed, even before expiry"
