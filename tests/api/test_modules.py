"""Modules through the API: what anonymous callers and editors see, the list's filters and paging
against what the database holds, and a module's life from draft to archive."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalogue.institutions.models import Institution
from catalogue.modules.models import Module
from tests.api.conftest import (
    API,
    all_pages,
    assert_error,
    content_payload,
    create_and_publish,
    module_payload,
)
from tests.factories import (
    ADMIN,
    EDITOR_A,
    EDITOR_B,
    INSTITUTION_A,
    INSTITUTION_B,
    REGION_A,
    app_session,
)

# -- what the database holds ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredModule:
    """The facts of one module row that the list's filters look at."""

    id: int
    code: str
    status: str
    institution: str
    region: str
    sector: str
    level: str
    competencies: frozenset[str]
    updated_at: datetime


def stored_modules(app) -> list[StoredModule]:
    """Every module in the database, read straight from its rows."""
    with app_session(app) as session:
        rows = session.scalars(
            select(Module).options(
                selectinload(Module.institution).selectinload(Institution.region),
                selectinload(Module.tags),
            )
        ).all()
        return [
            StoredModule(
                id=m.id,
                code=m.code,
                status=m.status,
                institution=m.institution.code,
                region=m.institution.region.code,
                sector=m.sector,
                level=m.level,
                competencies=frozenset(t.code for t in m.tags if t.vocabulary == "competencies"),
                updated_at=m.updated_at,
            )
            for m in rows
        ]


def ids(items) -> list[int]:
    return [item["id"] for item in items]


# -- visibility -----------------------------------------------------------------------------


def test_anonymous_list_holds_exactly_the_published_modules(world_app, anonymous_client):
    published = {m.id for m in stored_modules(world_app) if m.status == "published"}

    listed = all_pages(anonymous_client, f"{API}/modules?page_size=100")

    assert len(ids(listed)) == len(set(ids(listed))), "a module is listed twice"
    assert set(ids(listed)) == published
    assert {item["status"] for item in listed} == {"published"}


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_anonymous_cannot_list_drafts_or_archived_modules(anonymous_client, status):
    response = anonymous_client.get(f"{API}/modules?status={status}")

    assert response.status_code == 200
    assert response.get_json()["total"] == 0
    assert response.get_json()["items"] == []


@pytest.mark.parametrize("code", ["A-DRAFT", "A-ARCH", "B-DRAFT", "B-ARCH"])
def test_anonymous_detail_of_an_unpublished_module_is_404(world, anonymous_client, code):
    module = world.modules[code]

    for url in (
        f"{API}/modules/{module}",
        f"{API}/modules/{module}/versions",
        f"{API}/modules/{module}/versions/1",
    ):
        assert_error(anonymous_client.get(url), 404)


def test_anonymous_sees_a_published_module_with_its_etag(world, anonymous_client):
    response = anonymous_client.get(f"{API}/modules/{world.modules['A-PUB']}")

    assert response.status_code == 200
    module = response.get_json()
    assert module["code"] == "A-PUB"
    assert module["status"] == "published"
    assert module["institution"]["code"] == INSTITUTION_A
    assert module["institution"]["region"]["code"] == REGION_A
    # Anonymous reads add the catalogue's validator after the lock version that If-Match uses.
    assert response.headers["ETag"].startswith(f'"{module["lock_version"]}.')
    assert [o["code"] for o in module["offerings"]] == ["2026-09"]
    assert urlsplit(module["url"]).path == f"/modules/{module['id']}"
    assert module["ooapi"]["sector"] == "secondary vocational education"  # OOAPI v5 string


def test_anonymous_sees_published_content_while_a_changed_draft_waits(
    world, anonymous_client, api_client_for
):
    module = world.modules["A-CHANGED"]

    public = anonymous_client.get(f"{API}/modules/{module}").get_json()
    draft = api_client_for(EDITOR_A).get(f"{API}/modules/{module}/draft")

    assert public["title"] == "Module A-CHANGED"
    assert public["has_unpublished_changes"] is True
    assert draft.status_code == 200
    assert draft.get_json()["title"] == "Changed A (unpublished)"
    assert_error(anonymous_client.get(f"{API}/modules/{module}/draft"), 401)


def test_editor_lists_own_drafts_and_archived_modules_but_not_others(world, api_client_for):
    editor_a = api_client_for(EDITOR_A)

    drafts = all_pages(editor_a, f"{API}/modules?status=draft&page_size=100")
    archived = all_pages(editor_a, f"{API}/modules?status=archived&page_size=100")

    assert ids(drafts) == [world.modules["A-DRAFT"]]
    assert ids(archived) == [world.modules["A-ARCH"]]


def test_administrator_lists_every_status(world_app, api_client_for):
    admin = api_client_for(ADMIN)

    listed = all_pages(admin, f"{API}/modules?status=draft&status=archived&page_size=100")

    expected = {m.id for m in stored_modules(world_app) if m.status in ("draft", "archived")}
    assert set(ids(listed)) == expected


# -- filters --------------------------------------------------------------------------------


FILTERS = {
    "institution=" + INSTITUTION_A: lambda m: m.institution == INSTITUTION_A,
    f"institution={INSTITUTION_A}&institution={INSTITUTION_B}": lambda m: (
        m.institution in (INSTITUTION_A, INSTITUTION_B)
    ),
    "institution=summa-college": lambda m: m.institution == "summa-college",
    "region=twente": lambda m: m.region == "twente",
    "region=twente&region=zuid-holland": lambda m: m.region in ("twente", "zuid-holland"),
    "sector=hbo": lambda m: m.sector == "hbo",
    "sector=wo&sector=hbo": lambda m: m.sector in ("wo", "hbo"),
    "level=mbo-4": lambda m: m.level == "mbo-4",
    "level=bachelor": lambda m: m.level == "bachelor",
    "competency=digitalisation": lambda m: "digitalisation" in m.competencies,
    "competency=collaboration&competency=digitalisation": lambda m: bool(
        {"collaboration", "digitalisation"} & m.competencies
    ),
    "region=brainport&sector=mbo&competency=technology": lambda m: (
        m.region == "brainport" and m.sector == "mbo" and "technology" in m.competencies
    ),
    "status=published": lambda m: True,
    "region=atlantis": lambda m: False,
}


@pytest.mark.parametrize("query", list(FILTERS))
def test_list_filters_return_what_the_database_holds(world_app, anonymous_client, query):
    expected = {
        m.id for m in stored_modules(world_app) if m.status == "published" and FILTERS[query](m)
    }

    listed = all_pages(anonymous_client, f"{API}/modules?{query}&page_size=100")

    assert set(ids(listed)) == expected
    assert len(listed) == len(expected)


def test_the_filters_select_something(world_app):
    """Guard for the test above: each filter but the last must select a proper subset."""
    published = [m for m in stored_modules(world_app) if m.status == "published"]
    for query, keep in FILTERS.items():
        selected = [m for m in published if keep(m)]
        if query in ("status=published", "region=atlantis"):
            continue
        assert 0 < len(selected) < len(published), query


def test_updated_since_returns_modules_changed_at_or_after_the_moment(world_app, anonymous_client):
    published = sorted(
        (m for m in stored_modules(world_app) if m.status == "published"),
        key=lambda m: m.updated_at,
    )
    moment = published[len(published) // 2].updated_at
    expected = {m.id for m in published if m.updated_at >= moment}
    assert 0 < len(expected) < len(published), "the seed's timestamps are all equal"

    since = moment.isoformat().replace("+00:00", "Z")
    listed = all_pages(anonymous_client, f"{API}/modules?updated_since={since}&page_size=100")

    assert set(ids(listed)) == expected
    assert all(datetime.fromisoformat(item["updated_at"]) >= moment for item in listed)


def test_updated_since_in_another_time_zone_means_the_same_moment(world_app, anonymous_client):
    published = sorted(
        (m for m in stored_modules(world_app) if m.status == "published"),
        key=lambda m: m.updated_at,
    )
    moment = published[len(published) // 2].updated_at
    utc = moment.isoformat().replace("+00:00", "Z")
    amsterdam = moment.astimezone(timezone(timedelta(hours=1))).isoformat()

    in_utc = all_pages(anonymous_client, f"{API}/modules?updated_since={utc}&page_size=100")
    in_cet = all_pages(
        anonymous_client,
        f"{API}/modules?updated_since={amsterdam.replace('+', '%2B')}&page_size=100",
    )

    assert ids(in_utc) == ids(in_cet)


def test_a_module_changed_through_the_api_shows_up_in_updated_since(
    world, api_client_for, anonymous_client
):
    editor = api_client_for(EDITOR_A)
    module = world.modules["A-PUB"]
    before = editor.get(f"{API}/modules/{module}").get_json()["updated_at"]
    etag = editor.get(f"{API}/modules/{module}").headers["ETag"]
    editor.put(
        f"{API}/modules/{module}",
        json=content_payload("A-PUB", title="Module A-PUB, revised"),
        headers={"If-Match": etag},
    )
    editor.post(
        f"{API}/modules/{module}/publish",
        headers={"If-Match": editor.get(f"{API}/modules/{module}").headers["ETag"]},
    )
    after = editor.get(f"{API}/modules/{module}").get_json()["updated_at"]
    assert after > before

    since = after.replace("+00:00", "Z")
    listed = all_pages(anonymous_client, f"{API}/modules?updated_since={since}&page_size=100")

    assert module in ids(listed)


# -- paging ---------------------------------------------------------------------------------


def test_paging_walks_every_module_once_with_consistent_totals(world_app, anonymous_client):
    published = {m.id for m in stored_modules(world_app) if m.status == "published"}
    page_size = 7
    expected_pages = math.ceil(len(published) / page_size)
    seen: list[int] = []

    for number in range(1, expected_pages + 1):
        response = anonymous_client.get(f"{API}/modules?page={number}&page_size={page_size}")
        body = response.get_json()
        assert response.status_code == 200
        assert body["page"] == number
        assert body["page_size"] == page_size
        assert body["total"] == len(published)
        assert body["pages"] == expected_pages
        expected_count = page_size if number < expected_pages else len(published) - len(seen)
        assert len(body["items"]) == expected_count
        seen.extend(ids(body["items"]))

    assert len(seen) == len(set(seen))
    assert set(seen) == published


def test_paging_links_lead_through_the_pages_and_keep_the_filters(world_app, anonymous_client):
    query = "sector=mbo&competency=technology&page_size=5"
    first = anonymous_client.get(f"{API}/modules?{query}").get_json()
    assert first["pages"] >= 3, "pick a filter with at least three pages"

    links = first["links"]
    assert links["prev"] is None
    assert _args(links["self"])["page"] == ["1"]
    assert _args(links["first"])["page"] == ["1"]
    assert _args(links["last"])["page"] == [str(first["pages"])]
    assert _args(links["next"])["page"] == ["2"]
    for link in filter(None, links.values()):
        args = _args(link)
        assert urlsplit(link).path == f"{API}/modules"
        assert args["sector"] == ["mbo"]
        assert args["competency"] == ["technology"]
        assert args["page_size"] == ["5"]

    second = anonymous_client.get(links["next"]).get_json()
    assert second["page"] == 2
    assert _args(second["links"]["prev"])["page"] == ["1"]
    last = anonymous_client.get(links["last"]).get_json()
    assert last["links"]["next"] is None
    assert len(all_pages(anonymous_client, links["first"])) == first["total"]


def _args(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


def test_a_page_beyond_the_last_is_empty_but_keeps_the_totals(anonymous_client):
    body = anonymous_client.get(f"{API}/modules?page=999&page_size=10").get_json()

    assert body["items"] == []
    assert body["page"] == 999
    assert body["total"] > 0
    assert body["links"]["next"] is None


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=101", "page=x"])
def test_paging_outside_the_limits_is_refused(anonymous_client, query):
    name = query.split("=")[0]

    error = assert_error(anonymous_client.get(f"{API}/modules?{query}"), 422)

    assert list(error["fields"]) == [f"query.{name}"]


# -- a module's life ------------------------------------------------------------------------


def canonical_hash(content: dict) -> str:
    """SHA-256 of content in canonical JSON (sorted keys, compact, UTF-8), as a client checks it."""
    data = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def test_create_answers_201_with_location_and_etag_and_keeps_the_module_a_draft(
    world_app, api_client_for, anonymous_client
):
    editor = api_client_for(EDITOR_A)

    response = editor.post(f"{API}/modules", json=module_payload("VAC-201"))

    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "draft"
    assert created["current_version"] == 0
    assert created["institution"]["code"] == INSTITUTION_A
    assert response.headers["ETag"] == f'"{created["lock_version"]}"'
    location = urlsplit(response.headers["Location"]).path
    assert location == f"{API}/modules/{created['id']}"
    assert editor.get(location).get_json() == created
    assert_error(anonymous_client.get(location), 404)
    assert created["id"] in {m.id for m in stored_modules(world_app) if m.code == "VAC-201"}


def test_created_content_comes_back_as_sent(api_client_for):
    editor = api_client_for(EDITOR_A)
    sent = module_payload("VAC-202")

    created = editor.post(f"{API}/modules", json=sent).get_json()
    draft = editor.get(f"{API}/modules/{created['id']}/draft").get_json()

    for field in ("code", "title", "summary", "sector", "level", "competencies", "languages"):
        assert draft[field] == sent[field], field
    assert draft["study_load"] == {"value": 80.0, "unit": "sbu"}
    assert [u["code"] for u in draft["units"]] == ["VAC-202-1"]
    assert draft["materials"][0]["unit_code"] == "VAC-202-1"
    assert draft["materials"][0]["licence"] == "cc-by-sa-40"


def test_publish_makes_version_1_with_the_hash_of_its_content(api_client_for, anonymous_client):
    editor = api_client_for(EDITOR_A)
    created = editor.post(f"{API}/modules", json=module_payload("VAC-203"))
    module = created.get_json()["id"]

    published = editor.post(
        f"{API}/modules/{module}/publish", headers={"If-Match": created.headers["ETag"]}
    )

    assert published.status_code == 200, published.get_json()
    result = published.get_json()
    assert result["new_version"]["number"] == 1
    assert result["new_version"]["published_by"] == EDITOR_A.name
    assert result["module"]["status"] == "published"
    assert published.headers["ETag"] == f'"{result["module"]["lock_version"]}"'
    version = anonymous_client.get(f"{API}/modules/{module}/versions/1").get_json()
    assert version["content_hash"] == result["new_version"]["content_hash"]
    assert version["content_hash"] == canonical_hash(version["content"])
    assert version["content"] == editor.get(f"{API}/modules/{module}/draft").get_json()
    assert anonymous_client.get(f"{API}/modules/{module}").status_code == 200
    listed = all_pages(anonymous_client, f"{API}/modules?institution={INSTITUTION_A}")
    assert module in ids(listed)


def test_editing_a_published_module_keeps_the_public_content_until_published_again(
    api_client_for, anonymous_client
):
    editor = api_client_for(EDITOR_A)
    module, first = create_and_publish(editor, "VAC-204")
    old_title = first.get_json()["module"]["title"]

    changed = editor.put(
        f"{API}/modules/{module}",
        json=content_payload("VAC-204", title="Vacuümtechniek, tweede druk"),
        headers={"If-Match": first.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.headers["ETag"] != first.headers["ETag"]

    public = anonymous_client.get(f"{API}/modules/{module}").get_json()
    assert public["title"] == old_title
    assert public["has_unpublished_changes"] is True
    assert editor.get(f"{API}/modules/{module}/draft").get_json()["title"] == (
        "Vacuümtechniek, tweede druk"
    )

    second = editor.post(
        f"{API}/modules/{module}/publish", headers={"If-Match": changed.headers["ETag"]}
    )
    assert second.get_json()["new_version"]["number"] == 2
    public = anonymous_client.get(f"{API}/modules/{module}").get_json()
    assert public["title"] == "Vacuümtechniek, tweede druk"
    assert public["has_unpublished_changes"] is False
    assert public["current_version"] == 2

    versions = anonymous_client.get(f"{API}/modules/{module}/versions").get_json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    changes = anonymous_client.get(f"{API}/modules/{module}/compare?from=1&to=2").get_json()
    assert changes == [
        {"field": "title", "before": old_title, "after": "Vacuümtechniek, tweede druk"}
    ]


def test_editing_a_never_published_draft_changes_it_directly(api_client_for):
    editor = api_client_for(EDITOR_A)
    created = editor.post(f"{API}/modules", json=module_payload("VAC-205"))
    module = created.get_json()["id"]

    changed = editor.put(
        f"{API}/modules/{module}",
        json=content_payload("VAC-205", title="Nieuwe titel", level="mbo-3"),
        headers={"If-Match": created.headers["ETag"]},
    )

    body = changed.get_json()
    assert changed.status_code == 200
    assert (body["title"], body["level"], body["status"]) == ("Nieuwe titel", "mbo-3", "draft")
    assert body["has_unpublished_changes"] is False


def test_an_unchanged_put_changes_nothing(world_app, world, api_client_for):
    editor = api_client_for(EDITOR_A)
    module = world.modules["A-PUB"]
    read = editor.get(f"{API}/modules/{module}/draft")

    again = editor.put(
        f"{API}/modules/{module}", json=read.get_json(), headers={"If-Match": read.headers["ETag"]}
    )

    assert again.status_code == 200
    assert again.headers["ETag"] == read.headers["ETag"]
    assert again.get_json()["has_unpublished_changes"] is False


def test_archive_takes_a_module_out_of_the_public_catalogue_and_publish_brings_it_back(
    world, api_client_for, anonymous_client
):
    editor = api_client_for(EDITOR_A)
    module = world.modules["A-PUB"]
    etag = editor.get(f"{API}/modules/{module}").headers["ETag"]

    archived = editor.post(f"{API}/modules/{module}/archive", headers={"If-Match": etag})

    assert archived.status_code == 200
    assert archived.get_json()["status"] == "archived"
    assert_error(anonymous_client.get(f"{API}/modules/{module}"), 404)
    assert module not in ids(all_pages(anonymous_client, f"{API}/modules?page_size=100"))

    back = editor.post(
        f"{API}/modules/{module}/publish", headers={"If-Match": archived.headers["ETag"]}
    )
    assert back.status_code == 200
    assert back.get_json()["new_version"] is None  # same content: no new version
    assert anonymous_client.get(f"{API}/modules/{module}").status_code == 200


def test_the_audit_trail_lists_what_the_token_did(world, api_client_for, anonymous_client):
    editor = api_client_for(EDITOR_A)
    created = editor.post(f"{API}/modules", json=module_payload("VAC-206"))
    module = created.get_json()["id"]
    published = editor.post(
        f"{API}/modules/{module}/publish", headers={"If-Match": created.headers["ETag"]}
    )

    trail = editor.get(f"{API}/modules/{module}/audit").get_json()

    assert [e["action"] for e in trail] == ["module.published", "module.created"]
    assert {e["via"] for e in trail} == {"api"}
    assert {e["actor"] for e in trail} == {EDITOR_A.name}
    assert trail[0]["after_hash"] == published.get_json()["new_version"]["content_hash"]
    assert_error(anonymous_client.get(f"{API}/modules/{module}/audit"), 401)
    assert_error(api_client_for(EDITOR_B).get(f"{API}/modules/{module}/audit"), 403)


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=0&to=1", "query.from"), ("from=1", "query.to"), ("to=1", "query.from")],
)
def test_compare_names_its_bad_arguments(world, anonymous_client, query, field):
    module = world.modules["A-PUB"]

    error = assert_error(anonymous_client.get(f"{API}/modules/{module}/compare?{query}"), 422)

    assert field in error["fields"]
