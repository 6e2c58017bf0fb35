"""The employer's journey in a real browser, on a wide screen and on a phone: runs near
Eindhoven, a module page, the shortlist, compare, and an exported CSV; on the phone no page of
the journey scrolls sideways and the filters come after the results; axe finds no serious
violation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ADD = "form.shortlist-add button"


def _fits(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


@pytest.mark.parametrize("width", [1280, 390])
def test_employer_journey_ends_with_an_exported_shortlist(
    page, live_server, check_accessibility, width
):
    page.set_viewport_size({"width": width, "height": 900})
    # The first search builds the index (and reads the place names): allow it time.
    page.goto(
        f"{live_server}/search?near=Eindhoven&km=30&view=runs&start_from=2026-01-01",
        timeout=120_000,
    )
    cards = page.locator("li.run-card")
    assert cards.count() > 0
    assert "Delft" not in page.locator("ol.run-list").inner_text()
    _fits(page)
    check_accessibility(page)
    if width < 600:
        # Results first; the filters folded behind their summary.
        results_top = page.locator("section.results").bounding_box()["y"]
        assert results_top < page.locator("aside.facets").bounding_box()["y"]
        assert page.locator("details.facets-fold").get_attribute("open") is None

    cards.first.locator(ADD).click()
    page.wait_for_url("**/search?**")
    cards.nth(1).locator("h3 a").click()
    page.wait_for_url("**/modules/*")
    _fits(page)
    check_accessibility(page)
    page.locator(f"table.runs-table {ADD}").first.click()
    page.wait_for_url("**/modules/*")

    page.goto(f"{live_server}/shortlist")
    assert page.locator("ul.shortlist > li").count() == 2
    _fits(page)
    check_accessibility(page)
    with page.expect_download() as download:
        page.locator("a[href$='export.csv']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)

    page.locator("button.compare-button").click()
    page.wait_for_url("**/shortlist/compare**")
    assert page.locator("table.compare thead th").count() == 3
    _fits(page)
    check_accessibility(page)

    page.goto(f"{live_server}/shortlist")
    shared = page.locator("p.share-link a").get_attribute("href")
    page.goto(shared)
    assert page.locator("ul.shortlist > li").count() == 2
    _fits(page)

    page.goto(f"{live_server}/agreements")
    page.locator("main .card-title a[href*='/agreements/']").first.click()
    page.wait_for_url("**/agreements/*")
    _fits(page)
