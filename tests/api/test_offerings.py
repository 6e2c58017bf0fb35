"""Runs (offerings) through the API: add, read, change, remove; not versioned, so they show at
once; visible only with a module one may see."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.api.conftest import API, assert_error, module_payload, offering_payload
from tests.factories import EDITOR_A


@pytest.fixture
def editor(api_client_for):
    """Institution A's editor, with a token."""
    return api_client_for(EDITOR_A)


def test_a_new_run_answers_201_with_location_and_etag(world, editor):
    module = world.modules["A-PUB"]
    sent = offering_payload("2027-03")

    response = editor.post(f"{API}/modules/{module}/offerings", json=sent)

    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    assert response.headers["ETag"] == f'"{run["lock_version"]}"'
    location = urlsplit(response.headers["Location"]).path
    assert location == f"{API}/offerings/{run['id']}"
    assert editor.get(location).get_json() == run
    assert {k: run[k] for k in ("code", "start_date", "end_date", "city", "seats")} == {
        k: sent[k] for k in ("code", "start_date", "end_date", "city", "seats")
    }
    assert run["price_eur"] == 0
    assert run["status"] == "planned"
    assert run["enrol_from"] is None


def test_a_run_of_a_published_module_shows_at_once_without_a_new_version(
    world, editor, anonymous_client
):
    module = world.modules["A-PUB"]
    before = anonymous_client.get(f"{API}/modules/{module}").get_json()

    run = editor.post(
        f"{API}/modules/{module}/offerings",
        json=offering_payload("2027-05", price_eur=1250.5, seats=12),
    ).get_json()

    after = anonymous_client.get(f"{API}/modules/{module}").get_json()
    assert run["id"] in [o["id"] for o in after["offerings"]]
    assert after["current_version"] == before["current_version"]
    assert after["has_unpublished_changes"] is False
    public = anonymous_client.get(f"{API}/offerings/{run['id']}")
    assert public.status_code == 200
    assert public.get_json()["price_eur"] == 1250.5


def test_an_online_run_needs_no_city(world, editor):
    response = editor.post(
        f"{API}/modules/{world.modules['A-PUB']}/offerings",
        json=offering_payload("2027-06", city="", delivery_mode="online"),
    )

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["city"] == ""


def test_changing_a_run_with_its_etag(world, editor, anonymous_client):
    offering = world.offerings["A-PUB"]
    read = editor.get(f"{API}/offerings/{offering}")
    changed_body = {**offering_payload("2026-09"), "seats": 24, "status": "full"}

    response = editor.put(
        f"{API}/offerings/{offering}", json=changed_body, headers={"If-Match": read.headers["ETag"]}
    )

    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] != read.headers["ETag"]
    public = anonymous_client.get(f"{API}/offerings/{offering}").get_json()
    assert (public["seats"], public["status"], public["start_date"]) == (24, "full", "2027-03-01")
    trail = editor.get(f"{API}/modules/{world.modules['A-PUB']}/audit").get_json()
    assert trail[0]["action"] == "offering.updated"
    assert trail[0]["entity_id"] == offering


def test_removing_a_run_with_its_etag(world, editor, anonymous_client):
    offering = world.offerings["A-PUB"]
    module = world.modules["A-PUB"]
    etag = editor.get(f"{API}/offerings/{offering}").headers["ETag"]

    response = editor.delete(f"{API}/offerings/{offering}", headers={"If-Match": etag})

    assert response.status_code == 204
    assert response.data == b""
    assert_error(anonymous_client.get(f"{API}/offerings/{offering}"), 404)
    assert anonymous_client.get(f"{API}/modules/{module}").get_json()["offerings"] == []
    assert editor.get(f"{API}/modules/{module}/audit").get_json()[0]["action"] == (
        "offering.deleted"
    )


def test_a_run_of_a_draft_module_is_hidden_from_anonymous_callers(editor, anonymous_client):
    created = editor.post(f"{API}/modules", json=module_payload("RUN-DRAFT")).get_json()
    run = editor.post(
        f"{API}/modules/{created['id']}/offerings", json=offering_payload("2027-03")
    ).get_json()

    assert editor.get(f"{API}/offerings/{run['id']}").status_code == 200
    assert_error(anonymous_client.get(f"{API}/offerings/{run['id']}"), 404)


def test_runs_of_a_module_the_caller_cannot_see_are_404(world, editor):
    response = editor.post(
        f"{API}/modules/{world.modules['B-DRAFT']}/offerings", json=offering_payload("2027-03")
    )

    assert_error(response, 404)


def test_the_same_run_code_is_free_in_another_module(world, editor):
    response = editor.post(
        f"{API}/modules/{world.modules['A-CHANGED']}/offerings", json=offering_payload("2026-09")
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"enrol_until": "2027-05-01"}, "enrol_until"),
        ({"enrol_from": "2027-02-20", "enrol_until": "2027-02-10"}, "enrol_until"),
        ({"seats": 1.5}, "seats"),
        ({"seats": "16"}, "seats"),
        ({"price_eur": -1}, "price_eur"),
        ({"delivery_mode": "by-carrier-pigeon"}, "delivery_mode"),
        ({"status": "sold-out"}, "status"),
        ({"start_date": "1 maart 2027"}, "start_date"),
        ({"code": ""}, "code"),
        ({"room": "B1.04"}, "room"),
    ],
)
def test_a_bad_run_is_refused_with_the_field_named(world, editor, changes, field):
    response = editor.post(
        f"{API}/modules/{world.modules['A-PUB']}/offerings", json=offering_payload(**changes)
    )

    assert list(assert_error(response, 422)["fields"]) == [field]
