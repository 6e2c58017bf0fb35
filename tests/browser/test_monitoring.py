"""A coordinator who also edits her institution uploads a participation file with one bad row,
reads the error, fixes the file, saves it and sees the progress chart move; axe-core finds no
serious or critical violation on /monitoring or the upload page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalogue.accounts import services as accounts
from catalogue.accounts.permissions import SYSTEM
from catalogue.institutions.models import Institution
from tests.factories import COORDINATOR_A, INSTITUTION_A, app_session
from tests.monitoring.conftest import csv_bytes, fake_bsn, row

pytestmark = pytest.mark.browser

DASHBOARD = "/monitoring?period=2025-2026"
# The Brainport target of all people in 2025-2030 counts everyone of the 2025-2026 uploads.
ALL_PEOPLE_TARGET = "[data-region=brainport] svg rect.bar >> nth=2"


@pytest.fixture
def coordinator_edits_a(sqlite_world_url, tmp_path):
    """Brainport's coordinator is also an editor of institution A."""
    from tests.conftest import _make_app

    app = _make_app(sqlite_world_url, tmp_path / "grant-index")
    with app_session(app) as session:
        user = accounts.find_user_by_email(session, COORDINATOR_A.email)
        a = session.scalar(select(Institution.id).where(Institution.code == INSTITUTION_A))
        accounts.grant_role(
            session=session, actor=SYSTEM, user_id=user.id, role="editor", institution_id=a
        )
    app.extensions["db_engine"].dispose()


def _counted(page) -> str:
    return page.locator("[data-region=brainport] td.counted").nth(2).inner_text()


def _choose_file(page, rows) -> None:
    page.select_option("#institution", label=f"Test institution {INSTITUTION_A}")
    page.set_input_files(
        "#file",
        files=[{"name": "deelnemers.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}],
    )
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()


def test_coordinator_uploads_fixes_a_bad_row_commits_and_sees_the_chart_move(
    coordinator_edits_a, page, live_server, check_accessibility
):
    page.goto(live_server + "/login")
    page.fill("#email", COORDINATOR_A.email)
    page.fill("#password", COORDINATOR_A.password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(live_server + DASHBOARD)
    check_accessibility(page)
    assert _counted(page) == "0"
    assert page.locator(ALL_PEOPLE_TARGET).get_attribute("width") == "0.0"

    page.goto(live_server + "/monitoring/upload")
    check_accessibility(page)
    good = [row("A-PUB", "2026-09", fake_bsn(n)) for n in range(200, 206)]
    broken = list(good)
    broken[1] = row("A-PUB", "2026-09", "123456789")  # fails the eleven-test
    _choose_file(page, broken)
    errors = page.locator("#upload-errors")
    assert errors.is_visible()
    assert errors.locator("tbody tr").count() == 1
    cells = errors.locator("tbody tr td").all_inner_texts()
    assert cells[:2] == ["3", "BSN or education number"]
    assert "123456789" not in page.content()
    assert page.locator("#preview").count() == 0
    check_accessibility(page)

    _choose_file(page, good)
    preview = page.locator("#preview")
    assert preview.is_visible()
    assert "6" in preview.locator("[role=status]").inner_text()
    preview.locator("button[type=submit]").click()
    page.wait_for_url("**/monitoring")

    page.goto(live_server + DASHBOARD)
    assert _counted(page) == "6"
    assert float(page.locator(ALL_PEOPLE_TARGET).get_attribute("width")) > 0
    check_accessibility(page)
