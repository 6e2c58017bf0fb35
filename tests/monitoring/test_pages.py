"""The upload pages, the privacy of national identifiers, and small-number suppression on the
public page, in its CSV and in the API."""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

from sqlalchemy import make_url

from catalogue.i18n import LANGUAGE_COOKIE
from tests.api.conftest import stored_rows
from tests.conftest import csrf_token_from
from tests.factories import EDITOR_A, INSTITUTION_A
from tests.monitoring.conftest import PERIOD, csv_bytes, fake_bsn, institution_id, row, upload

PAYLOAD = re.compile(r'name="payload" value="([^"]+)"')


def _preview(client, app, data: bytes, name: str = "participants.csv"):
    client.set_cookie(LANGUAGE_COOKIE, "en")
    page = client.get("/monitoring/upload")
    assert page.status_code == 200
    return client.post(
        "/monitoring/upload",
        data={
            "csrf_token": csrf_token_from(page.text),
            "institution": str(institution_id(app, INSTITUTION_A)),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def _commit(client, preview_html: str):
    payload = PAYLOAD.search(preview_html)
    assert payload, "the preview offers no commit"
    return client.post(
        "/monitoring/upload/commit",
        data={"csrf_token": csrf_token_from(preview_html), "payload": payload.group(1)},
    )


def test_an_editor_previews_an_upload_and_commits_it(monitoring_app, client_for):
    client = client_for(EDITOR_A)
    rows = [row("A-PUB", "2026-09", fake_bsn(n)) for n in range(50, 56)]
    before = stored_rows(monitoring_app)
    preview = _preview(client, monitoring_app, csv_bytes(rows))
    assert preview.status_code == 200
    assert "6 new, 0 changed, 0 unchanged" in preview.text
    assert stored_rows(monitoring_app) == before, "a preview writes nothing"

    saved = _commit(client, preview.text)
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"] + "?period=" + PERIOD + "&lang=en")
    assert "Saved: 6 new, 0 changed, 0 unchanged." in page.text


def test_a_bad_row_is_shown_with_row_and_column_and_no_commit_is_offered(
    monitoring_app, client_for
):
    client = client_for(EDITOR_A)
    bad = fake_bsn(60)[:-1] + "0" if not fake_bsn(60).endswith("0") else fake_bsn(60)[:-1] + "1"
    preview = _preview(
        client,
        monitoring_app,
        csv_bytes([row("A-PUB", "2026-09", fake_bsn(61)), row("A-PUB", "2026-09", bad)]),
    )
    assert preview.status_code == 200
    assert re.search(
        r"<td>3</td><td>BSN or education number</td><td>[^<]*eleven-test", preview.text
    )
    assert 'name="payload"' not in preview.text
    assert bad not in preview.text and fake_bsn(61) not in preview.text


def test_a_tampered_preview_is_refused(monitoring_app, client_for):
    client = client_for(EDITOR_A)
    preview = _preview(client, monitoring_app, csv_bytes([row("A-PUB", "2026-09", fake_bsn(62))]))
    before = stored_rows(monitoring_app)
    tampered = preview.text.replace('name="payload" value="', 'name="payload" value="x')
    response = _commit(client, tampered)
    assert response.status_code == 422
    assert stored_rows(monitoring_app) == before


def test_no_raw_identifier_is_stored_logged_or_echoed(
    monitoring_app, client_for, api_client_for, backend, caplog
):
    caplog.set_level(logging.DEBUG)
    web_bsns = [fake_bsn(n) for n in range(70, 75)]
    api_bsns = [fake_bsn(n) for n in range(75, 78)]
    invalid = "123456789"  # fails the eleven-test
    everything = [*web_bsns, *api_bsns, invalid]
    baseline = repr(stored_rows(monitoring_app))
    assert not any(number in baseline for number in everything)

    client = client_for(EDITOR_A)
    failed = _preview(
        client,
        monitoring_app,
        csv_bytes(
            [row("A-PUB", "2026-09", invalid)] + [row("A-PUB", "2026-09", b) for b in web_bsns]
        ),
    )
    preview = _preview(
        client, monitoring_app, csv_bytes([row("A-PUB", "2026-09", b) for b in web_bsns])
    )
    saved = _commit(client, preview.text)
    api = api_client_for(EDITOR_A)
    body = {
        "institution": INSTITUTION_A,
        "rows": [
            {
                "module_code": "A-PUB",
                "run_code": "2026-09",
                "identifier": number,
                "target_group": "upskilling",
                "category": "employees",
                "status": "started",
                "enrolled_on": "2026-08-20",
            }
            for number in [*api_bsns, invalid]
        ],
    }
    refused = api.post("/api/v1/participations/imports", json=body)
    body["rows"].pop()
    accepted = api.post("/api/v1/participations/imports", json=body)
    assert refused.status_code == 422 and accepted.status_code == 200
    assert accepted.get_json()["created"] == 3

    answers = "".join(r.get_data(as_text=True) for r in (failed, preview, saved, refused, accepted))
    stored = repr(stored_rows(monitoring_app))
    for number in everything:
        assert number not in answers, "an answer echoes an identifier"
        assert number not in stored, "a table holds an identifier"
        assert number not in caplog.text, "a log line holds an identifier"
    # The scan does find what is there: pseudonyms of 64 hex digits, one per person.
    assert len(set(re.findall(r"'([0-9a-f]{64})'", stored))) >= 8
    if backend == "sqlite":
        database = Path(make_url(monitoring_app.config["DATABASE_URL"]).database)
        files = [p for p in database.parent.glob(database.name + "*") if p.is_file()]
        content = b"".join(p.read_bytes() for p in files)
        assert b"A-PUB" in content, "the scan reads the database's bytes"
        for number in everything:
            assert number.encode() not in content, "the SQLite file holds an identifier"


def _suppressed_world(app) -> None:
    rows = [row("A-PUB", "2026-09", fake_bsn(n)) for n in range(80, 83)]
    rows += [
        row("A-PUB", "2026-09", fake_bsn(n), target_group="upskilling", category="employees")
        for n in range(83, 103)
    ]
    assert upload(app, INSTITUTION_A, csv_bytes(rows)).committed


def _revealing(cells: dict[str, str], total: str) -> bool:
    """Whether a small cell could be worked out: it is the only unknown beside a known total."""
    unknown = [k for k, v in cells.items() if not v.isdigit()]
    return "< 5" in cells.values() and total.isdigit() and len(unknown) == 1


def test_three_people_in_a_cell_show_as_less_than_five_and_no_total_reveals_them(
    monitoring_app, anonymous_client
):
    _suppressed_world(monitoring_app)
    page = anonymous_client.get(f"/monitoring?period={PERIOD}&lang=en").text
    brainport = page[page.index('data-region="brainport"') :]
    brainport = brainport[: brainport.index("</section>")]
    assert re.search(r'<th scope="row">retraining</th><td>&lt; 5</td>', brainport)
    assert re.search(r'<th scope="row">upskilling</th><td>hidden</td>', brainport)
    assert re.search(r'<td class="counted">&lt; 5</td>', brainport)

    exported = anonymous_client.get(f"/monitoring/figures.csv?period={PERIOD}")
    assert exported.status_code == 200
    lines = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    cell = {(r["region"], r["dimension"], r["value"]): r["unique_people"] for r in lines}
    assert cell[("brainport", "target_group", "retraining")] == "< 5"
    assert cell[("brainport", "category", "job-seekers")] == "< 5"
    assert cell[("national", "target_group", "retraining")] == "< 5"
    assert cell[("brainport", "target_group", "total")] == "23"
    groups: dict[tuple, dict[str, str]] = {}
    for line in lines:
        for column in ("unique_people", "participations"):
            groups.setdefault((line["region"], line["dimension"], column), {})[line["value"]] = (
                line[column]
            )
    for where, cells in groups.items():
        total = cells.pop("total")
        assert not _revealing(cells, total), f"{where} gives a small cell away: {cells}, {total}"

    api = anonymous_client.get(f"/api/v1/monitoring?period={PERIOD}").get_json()
    brainport_api = next(r for r in api["regions"] if r["code"] == "brainport")
    retraining = brainport_api["by_target_group"]["lines"][0]
    assert retraining["key"] == "retraining"
    assert (retraining["people"], retraining["people_shown"]) == (None, "< 5")


def test_the_dashboard_exports_and_templates_answer_without_any_records(anonymous_client):
    from openpyxl import load_workbook

    assert anonymous_client.get("/monitoring").status_code == 200
    assert anonymous_client.get("/api/v1/monitoring").status_code == 200
    workbook = anonymous_client.get(f"/monitoring/figures.xlsx?period={PERIOD}")
    assert workbook.status_code == 200
    sheets = load_workbook(io.BytesIO(workbook.data), read_only=True).sheetnames
    assert sheets == ["figures", "targets"]
    dutch = anonymous_client.get("/monitoring/template.csv?lang=nl").get_data(as_text=True)
    assert dutch.startswith("modulecode,uitvoeringscode,bsn of onderwijsnummer")
    english = anonymous_client.get("/monitoring/template.xlsx?lang=en")
    header = next(load_workbook(io.BytesIO(english.data)).active.iter_rows(values_only=True))
    assert header[:3] == ("module code", "run code", "bsn or education number")
    assert anonymous_client.get("/monitoring?period=2030-2025").status_code == 422


def _without_tokens(app) -> dict:
    """Every stored row but the API tokens' (whose last use each request records)."""
    return {k: v for k, v in stored_rows(app).items() if k != "api_token"}


def test_an_api_import_reports_each_bad_row_by_its_path(monitoring_app, api_client_for):
    api = api_client_for(EDITOR_A)
    rows = [
        {
            "module_code": "A-PUB",
            "run_code": run,
            "identifier": fake_bsn(n),
            "target_group": "retraining",
            "category": "job-seekers",
            "status": "enrolled",
            "enrolled_on": "2026-08-20",
        }
        for n, run in ((110, "2026-09"), (111, "NO-RUN"))
    ]
    before = _without_tokens(monitoring_app)
    refused = api.post(
        "/api/v1/participations/imports", json={"institution": INSTITUTION_A, "rows": rows}
    )
    assert refused.status_code == 422
    assert list(refused.get_json()["fields"]) == ["rows[1].run_code"]
    assert _without_tokens(monitoring_app) == before
    dry = api.post(
        "/api/v1/participations/imports",
        json={"institution": INSTITUTION_A, "rows": rows[:1], "dry_run": True},
    )
    assert dry.get_json() == {
        "dry_run": True,
        "committed": False,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    assert _without_tokens(monitoring_app) == before
    anonymous = api_client_for(None).post(
        "/api/v1/participations/imports", json={"institution": INSTITUTION_A, "rows": rows[:1]}
    )
    assert anonymous.status_code == 401


def test_the_command_imports_a_file_and_reports_errors_by_row(monitoring_app, tmp_path):
    from catalogue.cli import main

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row("A-PUB", "2026-09", fake_bsn(120))]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row("A-PUB", "2026-09", "123456789")]))
    runner = monitoring_app.test_cli_runner()
    # The command speaks the installation's default language (Dutch); see the columns, not words.
    refused = runner.invoke(
        main, ["participations", "import", str(bad), "--institution", INSTITUTION_A]
    )
    assert refused.exit_code == 1
    assert "row 2, column BSN or education number" in refused.output
    assert "123456789" not in refused.output
    saved = runner.invoke(
        main, ["participations", "import", str(good), "--institution", INSTITUTION_A]
    )
    assert saved.exit_code == 0, saved.output
    assert "Saved: 1 new, 0 changed, 0 unchanged." in saved.output


def test_coordinators_see_their_region_and_editors_their_institution_per_module(
    monitoring_app, client_for
):
    from tests.factories import COORDINATOR_A, EDITOR_B

    rows = [row("A-PUB", "2026-09", fake_bsn(n)) for n in range(130, 137)]
    upload(monitoring_app, INSTITUTION_A, csv_bytes(rows))
    coordinator = client_for(COORDINATOR_A)
    region_page = coordinator.get(f"/monitoring/regions/brainport?period={PERIOD}&lang=en")
    assert region_page.status_code == 200
    assert re.search(r'<th scope="row">A-PUB</th><td>7</td><td>7</td>', region_page.text)
    assert coordinator.get("/monitoring/regions/twente").status_code == 403
    editor_a = client_for(EDITOR_A).get(f"/monitoring/institutions/{INSTITUTION_A}?period={PERIOD}")
    assert editor_a.status_code == 200 and "A-PUB" in editor_a.text
    assert client_for(EDITOR_B).get(f"/monitoring/institutions/{INSTITUTION_A}").status_code == 403
