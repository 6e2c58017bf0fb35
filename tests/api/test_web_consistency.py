"""What an institution does through the API is what people see on the web: the public module page
and list, the version history and the editor's audit trail show the same facts."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.api.conftest import API, content_payload, module_payload, offering_payload
from tests.factories import EDITOR_A, EDITOR_B, form_on

TITLE = "Vacuümtechniek & lekzoeken in de praktijk"
# How the editor's audit page names the API's action codes (in English).
ACTION_LABELS = {
    "module.created": "created the module",
    "module.updated": "changed the module",
    "module.published": "published the module",
    "offering.created": "added a run",
}


class _TableRows(HTMLParser):
    """The text of every cell of every row in the page's table bodies."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    parser = _TableRows()
    parser.feed(page)
    return parser.rows


def module_links(page: str) -> list[int]:
    """Ids of the modules a page links to with their public page."""
    return [int(m) for m in re.findall(r'href="/modules/(\d+)"', page)]


def web_module_list(client, query: str = "") -> list[int]:
    """Every module id on the public module list, following its "next page" links."""
    found: list[int] = []
    url = f"/modules?{query}"
    for _ in range(100):
        page = client.get(url)
        assert page.status_code == 200
        found.extend(module_links(page.text))
        next_link = re.search(r'<a rel="next" href="([^"]+)"', page.text)
        if not next_link:
            return found
        url = html.unescape(next_link.group(1))
    raise AssertionError("the module list has no last page")


@pytest.fixture
def editor(api_client_for):
    """Institution A's editor, with a token."""
    return api_client_for(EDITOR_A)


def create_and_publish(editor, code: str, **overrides) -> int:
    """A module made and published through the API; returns its id."""
    created = editor.post(f"{API}/modules", json=module_payload(code, **overrides))
    assert created.status_code == 201, created.get_json()
    module = created.get_json()["id"]
    published = editor.post(
        f"{API}/modules/{module}/publish", headers={"If-Match": created.headers["ETag"]}
    )
    assert published.status_code == 200, published.get_json()
    return module


def test_a_module_published_through_the_api_appears_on_the_public_pages(editor, anonymous_client):
    created = editor.post(f"{API}/modules", json=module_payload("WEB-1", title=TITLE))
    module = created.get_json()["id"]
    assert anonymous_client.get(f"/modules/{module}").status_code == 404
    assert module not in web_module_list(anonymous_client)

    editor.post(f"{API}/modules/{module}/publish", headers={"If-Match": created.headers["ETag"]})

    page = anonymous_client.get(f"/modules/{module}")
    assert page.status_code == 200
    assert re.search(
        r"<h1>\s*" + re.escape(html.escape(TITLE, quote=False)) + r"\s*</h1>", page.text
    )
    assert "WEB-1" in page.text
    assert "Zoekt een lek met een heliumlekzoeker" in page.text
    listed = web_module_list(anonymous_client)
    assert listed.count(module) == 1
    filtered = web_module_list(
        anonymous_client, "sector=mbo&competency=technology&region=brainport"
    )
    assert module in filtered
    assert module not in web_module_list(anonymous_client, "sector=wo")


def test_the_public_pages_show_the_published_content_not_the_waiting_draft(
    editor, anonymous_client
):
    module = create_and_publish(editor, "WEB-2", title=TITLE)
    etag = editor.get(f"{API}/modules/{module}").headers["ETag"]
    editor.put(
        f"{API}/modules/{module}",
        json=content_payload("WEB-2", title="Nog niet gepubliceerde titel"),
        headers={"If-Match": etag},
    )

    page = anonymous_client.get(f"/modules/{module}").text

    assert html.escape(TITLE, quote=False) in page
    assert "Nog niet gepubliceerde titel" not in page


def test_a_run_added_through_the_api_shows_on_the_module_page(editor, anonymous_client):
    module = create_and_publish(editor, "WEB-3")

    editor.post(
        f"{API}/modules/{module}/offerings",
        json=offering_payload(
            "2030-03",
            start_date="2030-03-01",
            end_date="2030-04-12",
            enrol_until="2030-02-01",
            city="Veldhoven",
        ),
    )

    assert "Veldhoven" in anonymous_client.get(f"/modules/{module}").text


def test_an_archived_module_leaves_the_public_pages(editor, anonymous_client):
    module = create_and_publish(editor, "WEB-4")
    assert module in web_module_list(anonymous_client)
    etag = editor.get(f"{API}/modules/{module}").headers["ETag"]

    editor.post(f"{API}/modules/{module}/archive", headers={"If-Match": etag})

    assert anonymous_client.get(f"/modules/{module}").status_code == 404
    assert module not in web_module_list(anonymous_client)


def test_the_version_history_page_shows_the_apis_numbers_and_hashes(editor, anonymous_client):
    module = create_and_publish(editor, "WEB-5")
    for title in ("Tweede versie van de module", "Derde versie van de module"):
        etag = editor.get(f"{API}/modules/{module}").headers["ETag"]
        changed = editor.put(
            f"{API}/modules/{module}",
            json=content_payload("WEB-5", title=title),
            headers={"If-Match": etag},
        )
        editor.post(
            f"{API}/modules/{module}/publish", headers={"If-Match": changed.headers["ETag"]}
        )

    api_versions = anonymous_client.get(f"{API}/modules/{module}/versions").get_json()
    page = anonymous_client.get(f"/modules/{module}/versions")

    assert page.status_code == 200
    web_versions = [(row[0], row[2], row[3]) for row in table_rows(page.text)]
    assert web_versions == [
        (f"v{v['number']}", v["published_by"], v["content_hash"]) for v in api_versions
    ]
    assert [v["number"] for v in api_versions] == [3, 2, 1]


def test_the_editors_audit_page_lists_the_same_actions_as_the_api(world_app, editor, client_for):
    module = create_and_publish(editor, "WEB-6")
    etag = editor.get(f"{API}/modules/{module}").headers["ETag"]
    editor.put(
        f"{API}/modules/{module}",
        json=content_payload("WEB-6", title="Aangepast via de API"),
        headers={"If-Match": etag},
    )
    browser = client_for(EDITOR_A)  # the same editor, logged in on the web
    edit_page = browser.get(f"/manage/modules/{module}/edit").text
    publish = form_on(edit_page, rf"/manage/modules/{module}/edit$")
    assert browser.post(publish.action, data=publish.values(action="publish")).status_code == 302
    editor.post(f"{API}/modules/{module}/offerings", json=offering_payload("2027-03"))

    api_trail = editor.get(f"{API}/modules/{module}/audit").get_json()
    page = browser.get(f"/manage/modules/{module}/audit?lang=en")

    assert page.status_code == 200
    assert [e["action"] for e in api_trail] == [
        "offering.created",
        "module.published",
        "module.updated",
        "module.published",
        "module.created",
    ]
    assert [e["via"] for e in api_trail] == ["api", "web", "api", "api", "api"]
    rows = table_rows(page.text)
    assert [row[2] for row in rows] == [ACTION_LABELS[e["action"]] for e in api_trail]
    assert [row[1] for row in rows] == [f"{e['actor']} ({e['via']})" for e in api_trail]
    for row, event in zip(rows, api_trail, strict=True):
        # The page names what an event is about as people read it: a run by code and date, a
        # module by its title (the API keeps the entity type and id).
        subject = "run 2027-03 (" if event["entity_type"] == "offering" else "Aangepast via de API"
        assert row[3].startswith(subject), row[3]
        before, after = (part.strip() for part in row[4].split("→"))
        assert before == (event["before_hash"] or "—")[:12]
        assert after == (event["after_hash"] or "—")[:12]
    versions = editor.get(f"{API}/modules/{module}/versions").get_json()
    assert api_trail[1]["after_hash"] == versions[0]["content_hash"]


def test_the_audit_page_is_closed_to_other_institutions_like_the_api(
    world, client_for, api_client_for
):
    module = world.modules["A-PUB"]

    assert client_for(EDITOR_B).get(f"/manage/modules/{module}/audit").status_code == 403
    assert api_client_for(EDITOR_B).get(f"{API}/modules/{module}/audit").status_code == 403
