"""A coordinator finds open material about cleanrooms from another region, copies its
attribution and registers its reuse; the author's institution sees it on its dashboard."""

from __future__ import annotations

import pytest

from tests.browsing import log_in
from tests.factories import COORDINATOR_A, EDITOR_B, INSTITUTION_A, INSTITUTION_B

pytestmark = pytest.mark.browser


def test_coordinator_finds_copies_and_registers_reuse(browser, live_server, check_accessibility):
    context = browser.new_context(locale="nl-NL", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, COORDINATOR_A)

    page.goto(live_server + "/materials")
    page.fill("#q", "cleanroom")
    page.locator("form.search-form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.locator("a[data-facet=open_licence][data-value=yes]").click()
    page.wait_for_load_state()
    page.locator(f"a[data-facet=institution][data-value='{INSTITUTION_B}']").click()
    page.wait_for_load_state()
    check_accessibility(page)
    page.locator("ol.hits h3 a").first.click()
    page.wait_for_url("**/materials/*")
    check_accessibility(page)

    attribution = page.input_value("#attribution")
    assert "Reader cleanroom basics" in attribution and "creativecommons.org" in attribution
    page.locator("button[data-copy-target=attribution]").click()
    page.locator(".copy-status", has_text="Gekopieerd").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == attribution

    page.select_option("#institution_id", label=f"Test institution {INSTITUTION_A}")
    page.fill("#course", "Omscholing cleanroommonteur")
    page.locator("#reuse form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".reuse-count").inner_text().startswith("Hergebruikt door 1 instellingen")
    page.locator("header form[action='/logout'] button").click()

    log_in(page, live_server, EDITOR_B)
    page.goto(f"{live_server}/manage/institutions/{INSTITUTION_B}")
    reuse = page.locator("table.reuse-table")
    assert "Omscholing cleanroommonteur" in reuse.inner_text()
    assert f"Test institution {INSTITUTION_A}" in reuse.inner_text()
    context.close()
