"""A real browser visits every kind of page, the API, the OpenAPI document and the Swagger UI
page under the site's Content-Security-Policy, and fails on any violation it reports: inline
scripts, inline styles, handlers or foreign resources would each show up here."""

from __future__ import annotations

import pytest

from tests.browsing import log_in
from tests.factories import ADMIN, EDITOR_A, INSTITUTION_A, REGION_A, World

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
      `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def csp_page(browser):
    """A page that records CSP violations from the console and from the DOM event."""
    context = browser.new_context(locale="nl-NL")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_violations = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page.console_violations.append(message.text)

    page.on("console", on_console)
    yield page
    context.close()


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    assert response.headers.get("content-security-policy"), f"{url} has no CSP"
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__cspViolations || []") + page.console_violations
    assert not found, f"{url} violates the Content-Security-Policy:\n" + "\n".join(found)


@pytest.fixture
def world(live_server, sqlite_world_url, tmp_path):
    """The ids of the world the live server serves (the same database copy)."""
    from tests.conftest import _make_app

    app = _make_app(sqlite_world_url, tmp_path / "ids-index")
    try:
        return World.load(app)
    finally:
        app.extensions["db_engine"].dispose()


def test_public_pages_api_and_swagger_run_without_csp_violations(csp_page, live_server, world):
    module = world.modules["A-PUB"]
    paths = [
        "/",
        "/modules",
        f"/modules/{module}",
        f"/modules/{module}/versions",
        f"/modules/{module}/versions/1",
        "/institutions",
        f"/institutions/{INSTITUTION_A}",
        "/regions",
        f"/regions/{REGION_A}",
        "/search?q=vacuum",
        "/search?q=wafer&sector=hbo",
        "/agreements",
        "/recognition/matrix",
        "/modules/999999",
        "/login",
        "/api/v1/modules",
        f"/api/v1/modules/{module}",
        "/api/v1/search?q=vacuum",
        "/api/v1/openapi.json",
    ]
    for path in paths:
        _visit(csp_page, live_server + path)

    _visit(csp_page, live_server + "/agreements")
    agreements = csp_page.eval_on_selector_all(
        "main a[href^='/agreements/']", "links => links.map(a => a.getAttribute('href'))"
    )
    agreement = next(href for href in agreements if href.split("/")[-1].isdigit())
    _visit(csp_page, live_server + agreement)

    _visit(csp_page, live_server + "/api/docs")
    # Swagger UI has rendered the operations from our own files.
    csp_page.locator(".opblock").first.wait_for()
    csp_page.locator(".opblock-summary").first.click()
    csp_page.wait_for_load_state("networkidle")
    found = csp_page.evaluate("window.__cspViolations") + csp_page.console_violations
    assert not found, "\n".join(found)


def test_editor_and_admin_pages_run_without_csp_violations(csp_page, live_server, world):
    module, run = world.modules["A-PUB"], world.offerings["A-PUB"]
    log_in(csp_page, live_server, EDITOR_A)
    for path in (
        "/manage/",
        f"/manage/institutions/{INSTITUTION_A}",
        f"/manage/institutions/{INSTITUTION_A}/modules/new",
        f"/manage/modules/{module}/edit",
        f"/manage/modules/{module}/preview",
        f"/manage/modules/{module}/offerings/new",
        f"/manage/offerings/{run}/edit",
        f"/manage/institutions/{INSTITUTION_A}/audit",
        f"/manage/modules/{module}/audit",
        "/manage/agreements",
        "/agreements/new",
        "/account",
    ):
        _visit(csp_page, live_server + path)
    csp_page.context.clear_cookies()

    log_in(csp_page, live_server, ADMIN)
    for path in ("/manage/admin/users", "/manage/admin/institutions/new"):
        _visit(csp_page, live_server + path)
