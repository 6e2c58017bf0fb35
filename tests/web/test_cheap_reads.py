"""Cheap reads: every read of published content answers a repeated request with 304, carries
Cache-Control for a proxy, sets no cookie for anonymous visitors, and changes its validator the
moment anything is edited or published, on the node that wrote and on another node."""

from __future__ import annotations

import pytest
from flask import template_rendered

from catalogue.caching import CACHEABLE_ENDPOINTS
from catalogue.modules import editing
from tests.api.conftest import API, content_payload, issue_token
from tests.factories import (
    EDITOR_A,
    INSTITUTION_A,
    REGION_A,
    World,
    actor_of,
    app_session,
    module_content,
)


def _cacheable_urls(world) -> list[str]:
    published = world.modules["A-PUB"]
    run = world.offerings["A-PUB"]
    return [
        "/",
        "/modules",
        f"/modules/{published}",
        f"/modules/{published}/versions",
        f"/modules/{published}/versions/1",
        "/institutions",
        f"/institutions/{INSTITUTION_A}",
        "/regions",
        f"/regions/{REGION_A}",
        "/search?q=vacuum",
        "/agreements",
        "/agreements.csv",
        "/recognition/matrix",
        "/api/docs",
        f"{API}/openapi.json",
        f"{API}/modules",
        f"{API}/modules/{published}",
        f"{API}/modules/{published}/versions",
        f"{API}/offerings/{run}",
        f"{API}/regions",
        f"{API}/regions/{REGION_A}",
        f"{API}/institutions",
        f"{API}/institutions/{INSTITUTION_A}",
        f"{API}/search?q=vacuum",
        f"{API}/agreements",
        f"{API}/recognition/matrix",
        f"{API}/modules/{published}/recognised-by",
    ]


def test_every_cacheable_endpoint_exists(world_app):
    endpoints = {rule.endpoint for rule in world_app.url_map.iter_rules()}
    assert CACHEABLE_ENDPOINTS - endpoints == set()


def test_a_second_get_with_if_none_match_gets_304_for_every_cacheable_read(
    world_app, world, anonymous_client
):
    for url in _cacheable_urls(world):
        first = anonymous_client.get(url)
        assert first.status_code == 200, url
        etag = first.headers.get("ETag")
        assert etag, f"{url} has no ETag"
        assert first.headers["Cache-Control"].startswith("public, max-age="), url
        assert "Set-Cookie" not in first.headers, f"{url} sets a cookie for an anonymous visitor"

        again = anonymous_client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == etag
    adapter = world_app.url_map.bind("localhost")
    seen = {adapter.match(url.split("?")[0])[0] for url in _cacheable_urls(world)}
    # Every cacheable endpoint is checked here but comparisons (they need two versions) and
    # agreements (the world has none); tests/recognition reads those.
    assert CACHEABLE_ENDPOINTS - seen <= {
        "pages.compare_versions",
        "api_modules.get_version",
        "api_modules.compare_versions",
        "recognition.agreement_page",
        "api_recognition.get_agreement",
    }


def test_a_repeated_read_is_served_without_rendering_again(world_app, world, anonymous_client):
    url = f"/modules/{world.modules['A-PUB']}"
    rendered = []

    def record(_app, template, _context, **_extra):
        rendered.append(template.name)

    first = anonymous_client.get(url)
    with template_rendered.connected_to(record, world_app):
        second = anonymous_client.get(url)
    assert second.status_code == 200
    assert second.data == first.data
    assert rendered == []


def test_the_api_etag_of_a_cacheable_read_still_works_in_if_match(world_app, world):
    module = world.modules["A-CHANGED"]
    anonymous_etag = world_app.test_client().get(f"{API}/modules/{module}").headers["ETag"]
    token = issue_token(world_app, EDITOR_A.email)
    response = world_app.test_client().post(
        f"{API}/modules/{module}/publish",
        headers={"Authorization": f"Bearer {token}", "If-Match": anonymous_etag},
    )
    assert response.status_code == 200, response.get_json()


def test_requests_with_credentials_are_never_stored(world_app, world, client_for):
    module = world.modules["A-PUB"]
    page = client_for(EDITOR_A).get(f"/modules/{module}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"

    token = issue_token(world_app, EDITOR_A.email)
    api = world_app.test_client().get(
        f"{API}/modules/{module}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200
    assert api.headers["Cache-Control"] == "no-store"
    assert api.headers["ETag"] == f'"{api.get_json()["lock_version"]}"'


def test_forms_and_errors_are_not_stored(world_app, anonymous_client):
    assert anonymous_client.get("/login").headers["Cache-Control"] == "no-store"
    missing = anonymous_client.get("/modules/999999")
    assert missing.status_code == 404
    assert missing.headers["Cache-Control"] == "no-store"


def _edit_and_publish_through_api(app, module_id: int, title: str) -> None:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(app, EDITOR_A.email)}"
    etag = client.get(f"{API}/modules/{module_id}").headers["ETag"]
    edited = client.put(
        f"{API}/modules/{module_id}",
        json=content_payload("A-PUB", title=title),
        headers={"If-Match": etag},
    )
    assert edited.status_code == 200, edited.get_json()
    published = client.post(
        f"{API}/modules/{module_id}/publish", headers={"If-Match": edited.headers["ETag"]}
    )
    assert published.status_code == 200, published.get_json()


def test_a_publish_shows_at_once_on_the_same_node_and_on_the_other(world_app_factory):
    node_a, node_b = world_app_factory(), world_app_factory()
    module = World.load(node_a).modules["A-PUB"]
    reader_a, reader_b = node_a.test_client(), node_b.test_client()
    urls = [f"/modules/{module}", f"{API}/modules/{module}", f"/institutions/{INSTITUTION_A}"]
    before = {(n, url): r.get(url) for n, r in (("a", reader_a), ("b", reader_b)) for url in urls}
    assert all(r.status_code == 200 for r in before.values())

    _edit_and_publish_through_api(node_a, module, "Lekzoeken na de nieuwe publicatie")

    for name, reader in (("a", reader_a), ("b", reader_b)):
        for url in urls:
            old = before[(name, url)]
            fresh = reader.get(url, headers={"If-None-Match": old.headers["ETag"]})
            assert fresh.status_code == 200, f"{url} on node {name} answered 304 after a publish"
            assert fresh.headers["ETag"] != old.headers["ETag"]
            assert "Lekzoeken na de nieuwe publicatie" in fresh.text


def test_saving_a_draft_changes_the_validator_too(world_app, world, anonymous_client):
    module = world.modules["A-PUB"]
    url = f"{API}/modules/{module}"
    before = anonymous_client.get(url)
    with app_session(world_app) as session:
        editing.update_module(
            session=session,
            actor=actor_of(session, EDITOR_A),
            module_id=module,
            content=module_content("A-PUB", title="Nog niet gepubliceerd"),
            base_version=None,
        )
    after = anonymous_client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.get_json()["has_unpublished_changes"] is True


@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_language_has_its_own_validator(world, anonymous_client, language):
    other = "en" if language == "nl" else "nl"
    url = f"/modules/{world.modules['A-PUB']}"
    first = anonymous_client.get(f"{url}?lang={language}")
    switched = anonymous_client.get(
        f"{url}?lang={other}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert switched.status_code == 200
    assert switched.headers["Vary"] == "Cookie"
