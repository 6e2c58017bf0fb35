"""A visitor opens the home page and a module page in Dutch and in English; axe-core finds no
serious or critical WCAG 2.1 AA violation on them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def test_home_and_module_page_in_both_languages_pass_axe(page, live_server, check_accessibility):
    page.goto(live_server + "/")
    assert _lang(page) == "nl"
    assert page.locator("h1").count() == 1
    check_accessibility(page)

    page.locator("section.intro a.button[href='/modules']").click()
    page.wait_for_url("**/modules")
    first_module = page.locator("article.card h2 a").first
    title = first_module.inner_text()
    first_module.click()
    page.wait_for_url("**/modules/*")
    assert page.locator("h1").inner_text() == title
    assert _lang(page) == "nl"
    check_accessibility(page)

    # The language switch in the header changes this page and every later one.
    page.locator("a.language").click()
    page.wait_for_load_state()
    assert _lang(page) == "en"
    assert page.locator("h1").inner_text() == title
    check_accessibility(page)

    page.goto(live_server + "/")
    assert _lang(page) == "en"
    check_accessibility(page)


def test_the_404_page_is_a_page_in_the_visitor_s_language(page, live_server, check_accessibility):
    response = page.goto(live_server + "/modules/999999?lang=en")
    assert response.status == 404
    assert _lang(page) == "en"
    assert page.locator("a[href='/']").count() >= 1
    check_accessibility(page)


def test_the_skip_link_moves_focus_to_the_content(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
