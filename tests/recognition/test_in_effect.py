"""An agreement counts only between its start and end dates.

One agreement, approved by all parties, starts tomorrow: "recognised by", the region matrix and
the search facet leave it out (the module page shows it as "from <date>"); when "today" moves to
its start date and the daily maintenance has run, all three count it.
"""

from __future__ import annotations

from datetime import timedelta

from catalogue import clock
from catalogue.cli import main
from catalogue.recognition import queries
from tests.recognition.test_registry import _found_in
from tests.recognition.world import TODAY, A, D, Item, Registry

TOMORROW = TODAY + timedelta(days=1)


def _counts(registry: Registry, module_id: int):
    with registry.session() as session:
        now = [
            r
            for r in queries.recognised_by(session=session, module_id=module_id)
            if not r.starts_on
        ]
        cell = queries.recognition_matrix(session=session).count("brainport", "noorden")
    return len(now), cell, module_id in _found_in(registry, "noorden")


def test_an_agreement_starting_tomorrow_counts_from_its_start_date(registry: Registry, monkeypatch):
    a_two = registry.module_ids["A-TWO"]
    registry.activate(
        "START-MORGEN",
        [(A, "provider"), (D, "recogniser")],
        [Item(A, "A-TWO")],
        valid_from=TOMORROW.isoformat(),
    )
    assert _counts(registry, a_two) == (0, 0, False)
    assert registry.api_client().get(f"/api/v1/modules/{a_two}/recognised-by").get_json() == []
    page = registry.web_client().get(f"/modules/{a_two}").text
    section = page.split('id="recognised-heading"', 1)[1].split("</section>", 1)[0]
    assert 'id="recognised-now"' not in section and "START-MORGEN" in section
    assert "vanaf " in section.split('id="recognised-later"', 1)[1]  # "from <date>", in Dutch

    monkeypatch.setattr(clock, "today", lambda: TOMORROW)
    runner = registry.app.test_cli_runner()
    assert runner.invoke(main, ["maintenance"]).exit_code == 0
    assert runner.invoke(main, ["search", "drain"]).exit_code == 0
    assert _counts(registry, a_two) == (1, 1, True)
    assert len(registry.api_client().get(f"/api/v1/modules/{a_two}/recognised-by").get_json()) == 1
    page = registry.web_client().get(f"/modules/{a_two}").text
    section = page.split('id="recognised-heading"', 1)[1].split("</section>", 1)[0]
    assert 'id="recognised-now"' in section and 'id="recognised-later"' not in section
