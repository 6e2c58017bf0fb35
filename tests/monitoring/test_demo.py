"""The demo participation: only when asked for, labelled, and some regions ahead, some behind."""

from __future__ import annotations

from catalogue import seeding
from catalogue.db import get_session
from catalogue.monitoring import services


def test_demo_participation_is_labelled_and_some_regions_are_ahead_and_some_behind(seeded_app):
    with seeded_app.app_context():
        data = seeding.read_seed()
        seeding.load_seed(get_session(), data, demo_accounts=True)
        assert not services.dashboard(get_session(), period="2025-2026").demo
        seeded_app.config["DEMO_PARTICIPATION"] = True
        seeding.load_seed(get_session(), data, demo_accounts=True)
        figures = services.dashboard(get_session(), period="2025-2026")
        assert figures.demo
        progress = {
            (r.code, t.period.label, t.target_group): t.share
            for r in figures.regions
            for t in r.targets
        }
        assert progress[("brainport", "2025-2026", "retraining")] < 1
        assert progress[("twente", "2025-2026", "upskilling")] == 1
        total = figures.national.total.people.value
        assert seeding.load_seed(get_session(), data, demo_accounts=True)
        assert (
            services.dashboard(get_session(), period="2025-2026").national.total.people.value
            == total
        )
    page = seeded_app.test_client().get("/monitoring?lang=en").get_data(as_text=True)
    assert "Demo data." in page
