"""In a real browser: what is typed in the editor is what "publish" publishes;
archiving asks first; an agreement page fits a 390 px wide screen without sideways scrolling."""

from __future__ import annotations

import re

import pytest

from tests.browsing import log_in
from tests.factories import EDITOR_A, INSTITUTION_A

pytestmark = pytest.mark.browser

TYPED = "Getypt vlak voor het publiceren"


def test_publish_keeps_typing_archive_asks_and_agreements_fit_a_phone(page, live_server):
    log_in(page, live_server, EDITOR_A)

    page.goto(f"{live_server}/manage/institutions/{INSTITUTION_A}")
    page.locator("a", has_text="Module A-DRAFT").first.click()
    page.wait_for_url(re.compile(r".*/manage/modules/\d+/edit$"))
    edit_url = page.url
    # Typed, not saved: "publish" sends the form, so the typing is published.
    page.fill("#title", TYPED)
    page.locator("button[value=publish]").click()
    page.wait_for_url(edit_url)
    assert page.locator(".flash-success").count() == 1
    module_path = edit_url.removeprefix(live_server).removeprefix("/manage").removesuffix("/edit")
    page.goto(f"{live_server}{module_path}/versions/1")
    assert page.locator("h1").inner_text().startswith(TYPED)

    # Archiving asks on a page of its own; going back leaves the module published.
    page.goto(edit_url)
    page.locator(f"a[href='/manage{module_path}/archive']").click()
    page.wait_for_url(re.compile(r".*/archive$"))
    assert page.locator("button[name=confirm]").is_visible()
    page.locator("main a.button-secondary").click()
    page.wait_for_url(edit_url)
    assert page.request.get(f"{live_server}{module_path}").status == 200

    # An agreement page (long content hash included) at 390 px: no horizontal scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/agreements")
    page.locator("article.card h2 a").first.click()
    page.wait_for_url(re.compile(r".*/agreements/\d+$"))
    assert page.locator("#content-hash").is_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"
