"""The region x region matrix counts active agreements: its cells, through the service, the API
and the HTML page, equal a count made directly from the agreement tables."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser

from sqlalchemy import text

from catalogue.recognition import expiry, queries
from tests.recognition.world import (
    API,
    TODAY,
    A,
    B,
    C,
    D,
    E,
    F,
    Item,
    Registry,
)

BP, TW, ZH, NO, AN = "brainport", "twente", "zuid-holland", "noorden", "arnhem-nijmegen"

# The cells the agreements of _make_agreements connect (provider's region, recogniser's region).
EXPECTED = {
    (BP, TW): 2,  # two bilateral agreements A -> B
    (BP, ZH): 1,  # multilateral: A (both) -> C
    (BP, AN): 1,  # multilateral: A (both) -> E
    (NO, BP): 1,  # multilateral: D -> A (both)
    (NO, ZH): 1,  # multilateral: D -> C
    (NO, AN): 1,  # multilateral: D -> E
    (BP, BP): 1,  # within Brainport: A -> F (A's "both" role never counts A -> A)
    (TW, ZH): 1,  # B and C both provide and recognise
    (ZH, TW): 1,
}


def _make_agreements(registry: Registry) -> None:
    registry.activate(
        "MX-AB-1", [(A, "provider"), (B, "recogniser")], [Item(A, "A-TWO", "A-TWO-U1")]
    )
    registry.activate("MX-AB-2", [(A, "provider"), (B, "recogniser")], [Item(A, "A-TWO")])
    registry.activate(
        "MX-MULTI",
        [(A, "both"), (C, "recogniser"), (D, "provider"), (E, "recogniser")],
        [Item(A, "A-TWO", "A-TWO-U2"), Item(D, "D-TWO")],
    )
    registry.activate("MX-REGION", [(A, "provider"), (F, "recogniser")], [Item(A, "A-PUB")])
    registry.activate(
        "MX-BOTH", [(B, "both"), (C, "both")], [Item(B, "B-TWO"), Item(C, "C-TWO", "C-TWO-U1")]
    )
    # Agreements not in force count nowhere.
    registry.create("MX-DRAFT", [(D, "provider"), (B, "recogniser")], [Item(D, "D-TWO")])
    proposed = registry.create(
        "MX-PROPOSED", [(E, "provider"), (C, "recogniser")], [Item(E, "E-TWO")]
    )
    registry.propose(proposed)
    terminated = registry.activate(
        "MX-TERMINATED", [(C, "provider"), (D, "recogniser")], [Item(C, "C-TWO")]
    )
    registry.terminate(terminated)
    ended = registry.activate(
        "MX-EXPIRED",
        [(E, "provider"), (B, "recogniser")],
        [Item(E, "E-TWO", "E-TWO-U1")],
        valid_from=(TODAY - timedelta(days=400)).isoformat(),
        valid_until=(TODAY - timedelta(days=1)).isoformat(),
    )
    with registry.session() as session:
        assert len(expiry.expire_due_agreements(session, today=TODAY)) == 1
    assert registry.agreement(ended).status == "expired"


def _direct_count(registry: Registry) -> Counter:
    """Active agreements per (provider's region, recogniser's region), counted from the rows."""
    with registry.session() as session:
        rows = session.execute(
            text(
                "SELECT a.id, a.status, p.institution_id, p.role, r.code "
                "FROM agreement a "
                "JOIN agreement_party p ON p.agreement_id = a.id "
                "JOIN institution i ON i.id = p.institution_id "
                "JOIN region r ON r.id = i.region_id"
            )
        ).all()
    parties: dict[int, list] = {}
    for agreement_id, status, institution_id, role, region in rows:
        if status == "active":
            parties.setdefault(agreement_id, []).append((institution_id, role, region))
    counts: Counter = Counter()
    for members in parties.values():
        cells = {
            (provider_region, recogniser_region)
            for provider, provider_role, provider_region in members
            if provider_role in ("provider", "both")
            for recogniser, recogniser_role, recogniser_region in members
            if recogniser_role in ("recogniser", "both") and recogniser != provider
        }
        counts.update(cells)
    return counts


def _region_codes(registry: Registry) -> list[str]:
    with registry.session() as session:
        return [code for (code,) in session.execute(text("SELECT code FROM region"))]


class _MatrixCells(HTMLParser):
    """The number in every td[data-provider][data-recogniser] of the matrix page."""

    def __init__(self):
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self._cell: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "td" and "data-provider" in values:
            self._cell = (values["data-provider"], values["data-recogniser"])
            self.cells[self._cell] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self.cells[self._cell] += data.strip()


def test_the_matrix_counts_equal_a_direct_count_from_the_database(registry: Registry):
    _make_agreements(registry)
    direct = _direct_count(registry)
    assert dict(direct) == EXPECTED, "the direct count agrees with the agreements made"
    regions = _region_codes(registry)
    assert set(regions) >= {BP, TW, ZH, NO, AN}
    pairs = [(p, r) for p in regions for r in regions]

    with registry.session() as session:
        matrix = queries.recognition_matrix(session=session)
    assert sorted(r.code for r in matrix.regions) == sorted(regions)
    assert {pair: matrix.count(*pair) for pair in pairs} == {pair: direct[pair] for pair in pairs}

    body = registry.api_client().get(f"{API}/recognition/matrix").get_json()
    assert sorted(r["code"] for r in body["regions"]) == sorted(regions)
    api_cells = {
        (c["provider_region"], c["recogniser_region"]): c["agreements"] for c in body["cells"]
    }
    assert {pair: api_cells.get(pair, 0) for pair in pairs} == {
        pair: direct[pair] for pair in pairs
    }
    assert all(n > 0 for n in api_cells.values())

    page = registry.web_client().get("/recognition/matrix")
    assert page.status_code == 200
    parser = _MatrixCells()
    parser.feed(page.text)
    assert set(parser.cells) == set(pairs), "one cell for every pair of regions"
    shown = {pair: int(value) if value.isdigit() else 0 for pair, value in parser.cells.items()}
    empty = "\N{EN DASH}"
    assert all(value.isdigit() or value == empty for value in parser.cells.values())
    assert shown == {pair: direct[pair] for pair in pairs}


def test_a_matrix_cell_links_to_the_agreements_it_counts(registry: Registry):
    _make_agreements(registry)
    page = registry.web_client().get("/recognition/matrix").text
    link = re.search(
        r'<td data-provider="noorden" data-recogniser="zuid-holland"><a href="([^"]+)"', page
    )
    assert link, "a non-empty cell is a link"
    listed = registry.web_client().get(link.group(1).replace("&amp;", "&")).text
    assert "MX-MULTI" in listed
    assert "MX-AB-1" not in listed


def test_terminating_an_agreement_takes_it_out_of_the_matrix(registry: Registry):
    agreement_id = registry.activate(
        "MX-ONE", [(D, "provider"), (E, "recogniser")], [Item(D, "D-TWO", "D-TWO-U2")]
    )
    with registry.session() as session:
        assert queries.recognition_matrix(session=session).count(NO, AN) == 1
    registry.terminate(agreement_id, by=None)
    with registry.session() as session:
        assert queries.recognition_matrix(session=session).count(NO, AN) == 0
    assert _direct_count(registry)[(NO, AN)] == 0
