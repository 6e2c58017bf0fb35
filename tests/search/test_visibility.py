"""Only published modules are found: drafts and archived modules never appear, a publish or an
archive shows in search at once, and unpublished edits of a published module stay out of it."""

from __future__ import annotations

import re

from sqlalchemy import select

from catalogue.accounts.permissions import SYSTEM
from catalogue.modules import editing
from catalogue.modules.models import Module
from catalogue.search import indexer
from catalogue.search.service import search_index
from tests.factories import EDITOR_A, form_on
from tests.search.conftest import app_session, build_index, found_ids, search

API = "/api/v1/search"


def _hidden_modules(app) -> list[tuple[int, str, str, str]]:
    """(id, code, title, status) of every module of the seed that is not published."""
    with app_session(app) as session:
        rows = session.execute(
            select(Module.id, Module.code, Module.title, Module.status).where(
                Module.status != "published"
            )
        )
        return [tuple(row) for row in rows]


def _page_module_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'class="card-title"><a href="/modules/(\d+)"', html)}


def test_drafts_and_archived_modules_of_the_seed_are_never_found(seed_search):
    hidden = _hidden_modules(seed_search.app)
    statuses = {status for *_rest, status in hidden}
    assert statuses == {"draft", "archived"}, "the seed should hold drafts and archived modules"
    client = seed_search.app.test_client()
    everything = seed_search.found("")
    for module_id, code, title, status in hidden:
        assert module_id not in everything, f"{status} {code} is listed"
        for query in (title, code, " ".join(title.split()[:2])):
            assert module_id not in seed_search.found(query), f"{status} {code} found by {query!r}"
            html = client.get("/search", query_string={"q": query}).text
            assert module_id not in _page_module_ids(html), f"{status} {code} on the page"
            items = client.get(API, query_string={"q": query, "page_size": 100}).get_json()
            assert module_id not in [i["id"] for i in items["items"]], f"{status} {code} in API"


def test_an_empty_search_lists_every_published_module_and_no_other(seed_search):
    with seed_search.session() as session:
        published = set(
            session.scalars(select(Module.id).where(Module.status == "published")).all()
        )
    page = seed_search.search("", page_size=1000)
    assert page.total == len(published)
    assert {hit.module_id for hit in page.hits} == published
    assert sum(v.count for v in page.facets["sector"]) == len(published)


def test_archiving_a_module_through_the_service_removes_it_from_search_at_once(seeded_app):
    build_index(seeded_app)
    with app_session(seeded_app) as session:
        module_id = session.scalar(select(Module.id).where(Module.code == "SUM-CRT-01"))
    before = search(seeded_app, "cleanroom")
    assert module_id in [hit.module_id for hit in before.hits]
    sector_before = {v.value: v.count for v in before.facets["sector"]}

    with app_session(seeded_app) as session:
        editing.archive_module(session=session, actor=SYSTEM, module_id=module_id)

    after = search(seeded_app, "cleanroom")
    assert module_id not in [hit.module_id for hit in after.hits]
    assert after.total == before.total - 1
    sector_after = {v.value: v.count for v in after.facets["sector"]}
    assert sector_after.get("mbo", 0) == sector_before["mbo"] - 1
    response = seeded_app.test_client().get(API, query_string={"q": "cleanroom"}).get_json()
    assert module_id not in [item["id"] for item in response["items"]]
    assert module_id not in found_ids(seeded_app, "")

    # Published again, it is back.
    with app_session(seeded_app) as session:
        editing.publish_module(session=session, actor=SYSTEM, module_id=module_id)
    assert module_id in [hit.module_id for hit in search(seeded_app, "cleanroom").hits]


def test_a_new_draft_is_not_found_until_it_is_published(world_app, world):
    from tests.factories import module_content

    build_index(world_app)
    with app_session(world_app) as session:
        module = editing.create_module(
            session=session,
            actor=SYSTEM,
            institution_id=world.a,
            content=module_content("A-ZEPPELIN", title="Zeppelinbouw voor gevorderden"),
        )
        module_id = module.id
    for query in ("zeppelinbouw", "A-ZEPPELIN", "Zeppelinbouw voor gevorderden"):
        assert module_id not in found_ids(world_app, query), query
    api = world_app.test_client().get(API, query_string={"q": "zeppelinbouw"}).get_json()
    assert module_id not in [item["id"] for item in api["items"]]

    with app_session(world_app) as session:
        editing.publish_module(session=session, actor=SYSTEM, module_id=module_id)
    assert found_ids(world_app, "zeppelinbouw")[:1] == [module_id]


def test_unpublished_edits_of_a_published_module_stay_out_of_search(world_app, world):
    module_id = world.modules["A-CHANGED"]  # published as "Module A-CHANGED", draft renamed
    with app_session(world_app) as session:
        module = session.get(Module, module_id)
        assert module.status == "published" and module.draft_content is not None
    client = world_app.test_client()
    page = client.get("/search", query_string={"q": "A-CHANGED"}).text
    assert module_id in _page_module_ids(page)
    assert "Module A-CHANGED" in page
    assert "Changed A (unpublished)" not in page
    unpublished = client.get("/search", query_string={"q": "unpublished"}).text
    assert module_id not in _page_module_ids(unpublished)
    api = client.get(API, query_string={"q": "A-CHANGED"}).get_json()
    titles = {item["id"]: item["title"] for item in api["items"]}
    assert titles[module_id] == "Module A-CHANGED"


def _outbox_applied(app) -> tuple[int, int]:
    """(newest outbox entry, last entry the app's index applied)."""
    with app_session(app) as session:
        return indexer.latest_outbox_id(session), search_index().applied_seq()


def test_publishing_in_the_editor_shows_in_search_on_the_next_page(world_app, world, client_for):
    module_id = world.modules["A-DRAFT"]
    client = client_for(EDITOR_A)
    assert module_id not in _page_module_ids(client.get("/search?q=A-DRAFT").text)

    edit_page = client.get(f"/manage/modules/{module_id}/edit").text
    publish = form_on(edit_page, r"/edit$")  # "save and publish" belongs to the editor's form
    response = client.post(publish.action, data=publish.values(action="publish"))
    assert response.status_code == 302

    # The request that published also brought this node's index up to date.
    latest, applied = _outbox_applied(world_app)
    assert applied == latest
    anonymous = world_app.test_client()
    html = anonymous.get("/search?q=A-DRAFT").text
    assert module_id in _page_module_ids(html)
    api = anonymous.get(API, query_string={"q": "A-DRAFT"}).get_json()
    assert module_id in [item["id"] for item in api["items"]]


def test_archiving_in_the_editor_removes_it_from_search_on_the_next_page(
    world_app, world, client_for
):
    module_id = world.modules["A-PUB"]
    client = client_for(EDITOR_A)
    assert module_id in _page_module_ids(client.get("/search?q=A-PUB").text)

    question = client.get(f"/manage/modules/{module_id}/archive").text  # asks first
    archive = form_on(question, r"/archive$")
    assert client.post(archive.action, data=archive.values()).status_code == 302

    latest, applied = _outbox_applied(world_app)
    assert applied == latest
    assert module_id not in _page_module_ids(world_app.test_client().get("/search?q=A-PUB").text)
    assert module_id not in found_ids(world_app, "")


def test_the_world_s_drafts_and_archived_modules_are_never_found(world_app, world):
    build_index(world_app)
    everything = found_ids(world_app, "")
    for code in ("A-DRAFT", "B-DRAFT", "A-ARCH", "B-ARCH"):
        assert world.modules[code] not in everything, code
        assert world.modules[code] not in found_ids(world_app, code), code
    for code in ("A-PUB", "B-PUB", "A-CHANGED", "B-CHANGED"):
        assert world.modules[code] in everything, code
