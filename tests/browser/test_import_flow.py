"""An editor downloads the import template, fills it in with two bad rows, sees both problems in
the preview, uploads the corrected file, confirms with publishing, and finds the modules in
search; axe-core finds no serious or critical violation on the import pages."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.browsing import log_in
from tests.factories import EDITOR_A, INSTITUTION_A

pytestmark = pytest.mark.browser

TITLES = ("Spreadsheettest vacuümtechniek", "Spreadsheettest lithografie")


def _fill(template: bytes, *, bad: bool) -> bytes:
    """The template with two modules and a run added by header name (two mistakes when bad)."""
    book = load_workbook(io.BytesIO(template))
    modules, runs = book["modules"], book["runs"]
    headers = [c.value for c in modules[1]]
    for number, title in enumerate(TITLES, start=1):
        values = {
            "code": f"SHEET-{number}",
            "title": title,
            "sector": "hbx" if bad and number == 2 else "hbo",
            "level": "bachelor",
            "study load": 5,
            "study load unit": "ects",
            "competencies": "technology",
            "languages": "nld, eng",
            "delivery modes": "hybrid",
        }
        modules.append([values.get(h) for h in headers])
    run_headers = [c.value for c in runs[1]]
    run = {
        "module code": "SHEET-1",
        "code": "2027-09",
        "start date": "1-9-2027",
        "end date": "31-1-2028",
        "city": "Eindhoven",
        "delivery mode": "hybrid",
        "language": "nld",
        "price (EUR)": "1.250,00",
        "seats": "veel" if bad else 20,
    }
    runs.append([run.get(h) for h in run_headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_editor_imports_a_filled_in_template_after_fixing_two_rows(
    page, live_server, check_accessibility, tmp_path
):
    log_in(page, live_server, EDITOR_A)
    page.goto(f"{live_server}/manage/institutions/{INSTITUTION_A}")
    page.locator(f"a[href='/manage/institutions/{INSTITUTION_A}/import']").click()
    page.wait_for_url("**/import")
    check_accessibility(page)

    with page.expect_download() as download:
        page.locator("a[href$='template.xlsx?lang=en']").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_fill(template.read_bytes(), bad=True))
    page.set_input_files("#file", str(bad))
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    problems = page.locator("#import-problems li")
    assert problems.count() == 2
    assert "(sector)" in problems.nth(0).inner_text()
    assert "mbo, hbo, wo" in problems.nth(0).inner_text()
    assert "(seats)" in problems.nth(1).inner_text()
    check_accessibility(page)

    good = tmp_path / "good.xlsx"
    good.write_bytes(_fill(template.read_bytes(), bad=False))
    page.set_input_files("#file", str(good))
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#import-problems").count() == 0
    assert page.locator("#import-rows tbody tr", has_text="SHEET-1").count() == 2
    check_accessibility(page)
    page.check("#publish")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/manage/institutions/{INSTITUTION_A}")

    page.goto(live_server + "/search?q=Spreadsheettest")
    for title in TITLES:
        assert page.locator("main", has_text=title).count() == 1, title
