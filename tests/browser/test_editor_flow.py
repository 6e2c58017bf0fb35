"""An editor logs in, creates a module with a learning unit, publishes it, finds it on the public
module list and logs out; axe-core finds no serious or critical violation on the editor pages."""

from __future__ import annotations

import re

import pytest

from tests.factories import EDITOR_A, INSTITUTION_A

pytestmark = pytest.mark.browser

TITLE = "Browsertest: waferinspectie met de microscoop"


def _find_on_module_list(page, live_server, title: str) -> bool:
    page.goto(live_server + "/modules")
    for _ in range(20):
        if page.locator("article.card h2 a", has_text=title).count():
            return True
        next_page = page.locator("a[rel=next]")
        if not next_page.count():
            return False
        next_page.click()
        page.wait_for_load_state()
    return False


def test_editor_creates_publishes_and_finds_a_module_then_logs_out(
    page, live_server, check_accessibility
):
    page.goto(live_server + "/login")
    check_accessibility(page)
    page.fill("#email", EDITOR_A.email)
    page.fill("#password", EDITOR_A.password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/manage/")
    check_accessibility(page)

    page.locator(f"a[href='/manage/institutions/{INSTITUTION_A}']").click()
    page.wait_for_url(f"**/manage/institutions/{INSTITUTION_A}")
    check_accessibility(page)

    page.locator(f"a[href='/manage/institutions/{INSTITUTION_A}/modules/new']").click()
    page.wait_for_url("**/modules/new")
    check_accessibility(page)

    # A first save with a mistake shows the errors beside the fields, keeping the typing.
    page.fill("#code", "BT-101")
    page.fill("#title", TITLE)
    page.locator("button[value=save]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#title") == TITLE
    check_accessibility(page)

    page.fill("#summary", "Fouten op wafers herkennen met optische inspectie.")
    page.select_option("#sector", "mbo")
    page.select_option("#level", "mbo-4")
    page.fill("#study_load_value", "2")
    page.select_option("#study_load_unit", "ects")
    page.check("input[name=competencies][value=technology]")
    page.check("input[name=languages][value=nld]")
    page.check("input[name=delivery_modes][value=on-campus]")
    page.fill("#units-0-code", "BT-101-1")
    page.fill("#units-0-title", "Defecten herkennen")
    page.fill("#units-0-study_load_value", "28")
    page.select_option("#units-0-study_load_unit", "sbu")
    page.select_option("#units-0-component_type", "practical")
    page.locator("button[value=save]").click()
    page.wait_for_url(re.compile(r".*/manage/modules/\d+/edit$"))
    assert page.locator(".flash-success").count() == 1
    check_accessibility(page)

    page.locator("button[value=publish]").click()
    page.wait_for_url(re.compile(r".*/manage/modules/\d+/edit$"))
    assert page.locator(".flash-success").count() == 1
    check_accessibility(page)

    assert _find_on_module_list(page, live_server, TITLE), "the module is on the public list"
    page.locator("article.card h2 a", has_text=TITLE).click()
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator("section.unit h3", has_text="Defecten herkennen").count() == 1

    page.locator("header form[action='/logout'] button").click()
    page.wait_for_url(live_server + "/")
    assert page.locator("header a[href='/login']").count() == 1
    page.goto(live_server + "/manage/")
    assert "/login" in page.url
