"""An editor harvests an OEAPI endpoint in the browser: the form, the dry run and the result
pass axe-core (WCAG 2.1 AA), also 390 px wide, and confirming writes the modules."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.api.conftest import serve
from tests.browsing import log_in
from tests.factories import EDITOR_A, INSTITUTION_A
from tests.oeapi.test_harvest_failures import COURSES, foreign_endpoint

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def catalogue_server(sqlite_world_url, tmp_path):
    """The world (SQLite) served over HTTP, allowed to harvest an endpoint on this machine."""
    from tests.conftest import _make_app

    app = _make_app(sqlite_world_url, tmp_path / "index", OEAPI_HARVEST_ALLOW_LOOPBACK=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["db_engine"].dispose()


def _no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_editor_harvests_in_the_browser(page, catalogue_server, check_accessibility):
    log_in(page, catalogue_server, EDITOR_A)
    page.goto(f"{catalogue_server}/manage/institutions/{INSTITUTION_A}")
    page.get_by_role("link", name="OEAPI oogsten").click()
    page.wait_for_url("**/harvest")
    check_accessibility(page)
    assert _no_sideways_scrolling(page)
    for endpoint in serve(foreign_endpoint()):
        page.fill("#url", f"{endpoint.url}/oeapi")
        page.get_by_role("button", name="Laat zien wat er verandert").click()
        page.wait_for_selector("#preview-heading")
        assert f"{COURSES} nieuw" in page.locator("[role=status]").inner_text()
        check_accessibility(page)
        assert _no_sideways_scrolling(page)
        page.get_by_role("button", name="Nu oogsten").click()
        # The first write of this fresh app also builds its search index: allow for that.
        page.wait_for_url(f"**/manage/institutions/{INSTITUTION_A}", timeout=120_000)
    assert f"Geoogst: {COURSES} modules nieuw" in page.locator(".flash").inner_text()
    assert page.get_by_role("link", name="Buitenlandse cursus 7").count() == 1
