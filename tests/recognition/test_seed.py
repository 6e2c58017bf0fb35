"""The seed's agreements (seed/agreements.yaml) show the registry at work: loading the seed gives
at least 15 agreements across all five regions, in different states, including a multilateral
one and one that needs review, each made through the same approval rounds as real ones."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text

from catalogue import seeding
from catalogue.accounts.permissions import SYSTEM
from catalogue.db import get_session
from catalogue.recognition import lifecycle, queries
from catalogue.recognition.content import agreement_hash
from catalogue.resources import resource_dir


def test_loading_the_seed_gives_agreements_across_all_regions_in_different_states(app):
    assert (resource_dir("seed") / "agreements.yaml").is_file(), "seed/agreements.yaml is missing"
    with app.app_context():
        session = get_session()
        data = seeding.read_seed()
        assert len(data.agreements) >= 15
        created = seeding.load_seed(session, data)
        assert created["agreements_created"] == len(data.agreements)

        agreements = session.execute(
            text("SELECT id, status, review_needed, revision, content_hash FROM agreement")
        ).all()
        parties = session.execute(
            text(
                "SELECT p.agreement_id, r.code FROM agreement_party p "
                "JOIN institution i ON i.id = p.institution_id "
                "JOIN region r ON r.id = i.region_id"
            )
        ).all()
        regions = {code for (code,) in session.execute(text("SELECT code FROM region"))}

        assert len(agreements) >= 15
        assert len(regions) == 5
        assert {region for _id, region in parties} == regions, "every region takes part"
        statuses = Counter(a.status for a in agreements)
        assert statuses["active"] >= 1 and len(statuses) >= 3, statuses
        party_counts = Counter(agreement_id for agreement_id, _region in parties)
        assert max(party_counts.values()) >= 3, "a multilateral agreement"
        assert any(a.review_needed for a in agreements), "an agreement that needs review"

        # Every seed agreement went through a real approval round.
        for agreement in agreements:
            loaded = queries.get_agreement(session=session, actor=SYSTEM, agreement_id=agreement.id)
            assert loaded.content_hash == agreement_hash(loaded)
            if loaded.status == "active":
                decisions = lifecycle.current_decisions(loaded)
                assert all(
                    decisions[p.institution_id].decision == "approved"
                    and decisions[p.institution_id].content_hash == loaded.content_hash
                    for p in loaded.parties
                )
        assert queries.recognition_matrix(session=session).counts, "the matrix is not empty"

        # Loading the seed again adds nothing.
        assert seeding.load_seed(session, seeding.read_seed())["agreements_created"] == 0
