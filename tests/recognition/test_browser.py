"""In a real browser: the editors of two institutions in different regions log in in turn; one
proposes an agreement recognising a learning unit, the other approves it; a visitor then finds it
active in the public registry, in the region matrix and on the module's page. axe-core checks the
registry, the agreement page and the matrix for serious or critical WCAG 2.1 AA violations.

Debian's chromium is driven through Playwright (never `playwright install`). Without chromium or
Playwright the test is skipped, except when CI is set: then it fails (tests/browsing.py).
"""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from catalogue.accounts import services as accounts
from catalogue.accounts.permissions import SYSTEM
from tests.conftest import _make_app
from tests.factories import app_session
from tests.recognition.world import recognition_template

pytestmark = pytest.mark.browser

PASSWORD = "een lang genoeg wachtwoord"


@pytest.fixture
def served(database_factory, tmp_path_factory, tmp_path):
    """The app on a seeded SQLite copy, served over HTTP from a thread on a free port."""
    template = recognition_template(database_factory, tmp_path_factory, "sqlite")
    app = _make_app(database_factory.copy("sqlite", template), tmp_path / "index")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    app.extensions["db_engine"].dispose()


def _choose_parties(app) -> dict:
    """A seed institution in Brainport with a published module that has a learning unit, and a
    seed institution in Twente to recognise it."""
    with app_session(app) as session:
        provider = session.execute(
            text(
                "SELECT i.id, i.code, i.name, m.id, m.code, u.code FROM institution i "
                "JOIN region r ON r.id = i.region_id JOIN module m ON m.institution_id = i.id "
                "JOIN learning_unit u ON u.module_id = m.id "
                "WHERE r.code = 'brainport' AND m.status = 'published' "
                "AND i.code NOT LIKE 'test-%' "
                "ORDER BY i.code, m.code, u.code LIMIT 1"
            )
        ).one()
        recogniser = session.execute(
            text(
                "SELECT i.id, i.code, i.name FROM institution i JOIN region r "
                "ON r.id = i.region_id WHERE r.code = 'twente' AND i.code NOT LIKE 'test-%' "
                "ORDER BY i.code LIMIT 1"
            )
        ).one()
        for email, name, institution_id in (
            ("ontwerper@provider.example", "Pim Provider", provider[0]),
            ("ontwerper@erkenner.example", "Ria Erkenner", recogniser[0]),
        ):
            user = accounts.create_user(
                session=session, actor=SYSTEM, email=email, name=name, password=PASSWORD
            )
            accounts.grant_role(
                session=session,
                actor=SYSTEM,
                user_id=user.id,
                role="editor",
                institution_id=institution_id,
            )
    return {
        "provider": provider[1],
        "module_id": provider[3],
        "module": provider[4],
        "unit": provider[5],
        "recogniser": recogniser[1],
        "recogniser_name": recogniser[2],
    }


def _log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/manage/")


def _log_out(page, base: str) -> None:
    page.locator("header form[action='/logout'] button").click()
    page.wait_for_url(base + "/")


def test_two_editors_agree_on_a_unit_and_the_public_sees_it_active(
    browser, check_accessibility, served
):
    app, base = served
    chosen = _choose_parties(app)
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # The provider's editor drafts the agreement through the form and proposes it.
        _log_in(page, base, "ontwerper@provider.example")
        page.goto(base + "/agreements/new")
        page.fill("#code", "ERK-BROWSER-01")
        page.fill("#title", "Browsertest: erkenning van een leereenheid")
        page.select_option("#kind", "exemption")
        page.fill("#terms", "De erkenner verleent vrijstelling voor de leereenheid.")
        page.fill("#valid_from", "2026-09-01")
        page.fill("#valid_until", "2028-08-31")
        page.select_option("#parties-0-institution", chosen["provider"])
        page.select_option("#parties-0-role", "provider")
        page.select_option("#parties-1-institution", chosen["recogniser"])
        page.select_option("#parties-1-role", "recogniser")
        page.select_option("#items-0-provider", chosen["provider"])
        page.fill("#items-0-module", chosen["module"])
        page.fill("#items-0-unit", chosen["unit"])
        page.fill("#items-0-grant", "Vrijstelling")
        page.locator("button[value=save]").click()
        page.wait_for_url(re.compile(r".*/agreements/\d+$"))
        agreement_url = page.url
        assert page.locator(".flash-success").count() == 1
        assert page.locator("p.status-draft").count() == 1
        page.locator("form[action$='/propose'] button").click()
        page.wait_for_load_state()
        assert page.locator("p.status-proposed").count() == 1
        _log_out(page, base)

        # The recogniser's editor reads it and approves the hash shown.
        _log_in(page, base, "ontwerper@erkenner.example")
        page.goto(agreement_url)
        shown_hash = page.locator("#content-hash").inner_text()
        approve = page.locator("form[action$='/approve']")
        assert approve.locator("input[name=content_hash]").input_value() == shown_hash
        approve.locator("button").click()
        page.wait_for_load_state()
        assert page.locator(".flash-success").count() == 1
        status = page.locator("p.status").inner_text()
        _log_out(page, base)

        # Proposing was the provider's approval; the recogniser's makes it active.
        page.goto(agreement_url)
        assert page.locator("p.status-active").count() == 1, status

        # A visitor: the registry (active agreements by default), the page, the matrix, the module.
        page.goto(base + "/agreements")
        card = page.locator("article.card", has_text="ERK-BROWSER-01")
        assert card.count() == 1
        check_accessibility(page)

        card.locator("a").first.click()
        page.wait_for_url(agreement_url)
        assert page.locator("p.status-active").count() == 1
        check_accessibility(page)

        page.goto(base + "/recognition/matrix")
        cell = page.locator("td[data-provider=brainport][data-recogniser=twente]")
        assert int(cell.inner_text()) >= 1
        check_accessibility(page)

        page.goto(f"{base}/modules/{chosen['module_id']}")
        section = page.locator("section[aria-labelledby=recognised-heading]")
        assert chosen["recogniser_name"] in section.inner_text()
        assert section.locator("a", has_text="ERK-BROWSER-01").count() == 1
    finally:
        context.close()
