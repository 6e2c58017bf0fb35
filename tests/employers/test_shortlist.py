"""Shortlist without an account: add, remove, compare, export CSV/XLSX/ICS (parsed back with the
same libraries), and a signed read-only share link that refuses a changed token."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from icalendar import Calendar
from openpyxl import load_workbook

from catalogue.accounts.permissions import SYSTEM
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module
from tests.employers.conftest import JANUARY, MARCH
from tests.factories import app_session


def _shortlist(client) -> str:
    return client.get("/shortlist?lang=en").text


def _listed(html: str) -> list[str]:
    return re.findall(r'type="checkbox" name="run" value="(\d+)"', html)


def test_add_remove_compare_export_and_share(employer_world):
    runs = employer_world.runs
    wanted = [runs[("EMPLANG", "NL-MAR")], runs[("EMPNEAR", "EHV")], runs[("EMPNEAR", "DELFT")]]
    client = employer_world.app.test_client()
    for run_id in wanted:
        added = client.post("/shortlist/add", data={"run": run_id, "next": "/search"})
        assert added.status_code == 303 and added.headers["Location"].endswith("/search")
    client.post("/shortlist/add", data={"run": wanted[0]})  # twice is once
    client.post("/shortlist/remove", data={"run": wanted[2]})
    html = _shortlist(client)
    assert _listed(html) == [str(wanted[0]), str(wanted[1])]

    compare = client.get("/shortlist/compare", query_string={"run": wanted[:2], "lang": "en"}).text
    assert "Werkplaats emplang" in compare and "Werkplaats empnear" in compare
    assert "Eindhoven" in compare and "Recognised by" in compare

    rows = list(
        csv.reader(io.StringIO(client.get("/shortlist/export.csv").data.decode("utf-8-sig")))
    )
    assert len(rows) == 3 and rows[1][0] == "EMPLANG" and rows[2][0] == "EMPNEAR"
    assert rows[1][7] == MARCH.isoformat() and rows[2][7] == JANUARY.isoformat()

    workbook = load_workbook(io.BytesIO(client.get("/shortlist/export.xlsx").data))
    sheet = workbook.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [v[0] for v in values[1:]] == ["EMPLANG", "EMPNEAR"] and values[1][6] == "NL-MAR"

    calendar = Calendar.from_ical(client.get("/shortlist/export.ics").data)
    events = [e for e in calendar.walk("VEVENT")]
    assert [e.decoded("dtstart") for e in events] == [MARCH, JANUARY]
    assert events[0].decoded("dtend") == MARCH + timedelta(days=29)
    assert str(events[1]["location"]) == "Eindhoven"

    link = re.search(r'href="(http://[^"]*/shortlist/shared/[^"]+)"', html).group(1)
    colleague = employer_world.app.test_client()
    shared = colleague.get(link + "?lang=en")
    assert shared.status_code == 200 and "read only" in shared.text
    assert _listed(shared.text) == _listed(html) and "Remove" not in shared.text
    token = link.rsplit("/", 1)[1]
    shared_csv = colleague.get("/shortlist/export.csv", query_string={"share": token}).data
    assert shared_csv == client.get("/shortlist/export.csv").data
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert colleague.get(f"/shortlist/shared/{tampered}").status_code == 404
    forged = colleague.get(link.replace(token, token.replace(token.split(".")[0], "WzEsMiwzXQ")))
    assert forged.status_code == 404


def test_compare_takes_at_most_five(employer_world):
    client = employer_world.app.test_client()
    ids = list(employer_world.runs.values())[:7]
    html = client.get("/shortlist/compare", query_string={"run": ids, "lang": "en"}).text
    assert "Compare at most 5 runs" in html
    assert html.count('<th scope="col"><a href=') == 5


def test_exports_give_the_title_in_the_visitors_language(employer_world):
    app = employer_world.app
    module_id = employer_world.modules["EMPNEAR"]
    with app_session(app) as session:
        content = working_content(session.get(Module, module_id))
        content["translations"] = {"en": {"title": "Workshop near Eindhoven"}}
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module_id, content=content, base_version=None
        )
        editing.publish_module(session=session, actor=SYSTEM, module_id=module_id)
    client = app.test_client()
    client.post("/shortlist/add", data={"run": employer_world.runs[("EMPNEAR", "EHV")]})

    def titles(language: str) -> tuple[str, str]:
        client.set_cookie("catalogue_lang", language)
        rows = list(csv.reader(io.StringIO(client.get("/shortlist/export.csv").text)))
        calendar = Calendar.from_ical(client.get("/shortlist/export.ics").data)
        (event,) = calendar.walk("VEVENT")
        return rows[1][rows[0].index("Module")], str(event["summary"])

    english = titles("en")
    assert english[0] == "Workshop near Eindhoven" and english[1].startswith(english[0])
    dutch = titles("nl")
    assert dutch[0] == "Werkplaats empnear" and dutch[1].startswith(dutch[0])
