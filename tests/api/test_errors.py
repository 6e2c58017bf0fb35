"""The API's refusals: one error form, field-level 422s, stale and missing If-Match, conflicts,
absent ids, and bodies that are not JSON. A refused request changes nothing."""

from __future__ import annotations

import pytest

from catalogue.modules.models import Module
from tests.api.conftest import (
    API,
    assert_error,
    content_payload,
    module_payload,
    offering_payload,
    stored_rows,
)
from tests.factories import EDITOR_A, app_session

BEYOND_IDS = 2**31  # ids are 1 .. 2^31-1


@pytest.fixture
def editor(api_client_for):
    """Institution A's editor, with a token."""
    return api_client_for(EDITOR_A)


def _unchanged_but_token_use(before, after):
    """Whether nothing but a token's last-use time changed between two snapshots."""
    return after == {**before, "api_token": after["api_token"]}


@pytest.fixture
def used_editor(editor):
    """The editor after a first request, so that noting the token's first use is behind us."""
    assert editor.get(f"{API}/me").status_code == 200
    return editor


# -- 422: every bad field is named ------------------------------------------------------------


def test_422_names_every_bad_field_and_writes_nothing(world_app, used_editor):
    body = module_payload("OK-CODE")
    body.update(
        code="has spaces",
        title="ab",
        sector="university",
        study_load={"value": -1, "unit": "sbu"},
        languages=["nld", "xx"],
        delivery_modes=[],
        esco_uris=["https://example.org/not-esco"],
        colour="red",
    )
    del body["competencies"]
    body["units"][0]["study_load"]["value"] = 0
    body["units"][0]["title"] = "Two\nlines"
    body["materials"][0]["url"] = "not a web address"
    body["materials"][0]["licence"] = "all-rights-grabbed"
    before = stored_rows(world_app)

    response = used_editor.post(f"{API}/modules", json=body)

    error = assert_error(response, 422)
    assert set(error["fields"]) == {
        "code",
        "title",
        "sector",
        "study_load.value",
        "languages[1]",
        "delivery_modes",
        "esco_uris[0]",
        "colour",
        "competencies",
        "units[0].study_load.value",
        "units[0].title",
        "materials[0].url",
        "materials[0].licence",
    }
    assert all(error["fields"][name] and all(error["fields"][name]) for name in error["fields"])
    assert error["fields"]["competencies"] == ["This field is required."]
    assert _unchanged_but_token_use(before, stored_rows(world_app))


def test_422_names_cross_field_errors_together_with_field_errors(used_editor):
    """A level outside its sector and material that names no unit are bad fields too, also
    when another field is wrong in the same request: the client should not have to find them
    one round trip at a time."""
    body = module_payload("CROSS-1", sector="hbo", level="mbo-2", title="ab")
    body["materials"][0]["unit_code"] = "NO-SUCH-UNIT"

    error = assert_error(used_editor.post(f"{API}/modules", json=body), 422)

    assert set(error["fields"]) == {"title", "level", "materials[0].unit_code"}


def test_422_names_cross_field_errors_of_an_otherwise_valid_module(used_editor):
    body = module_payload("CROSS-2", sector="hbo", level="mbo-2")
    body["units"].append({**body["units"][0], "title": "Same code again"})
    body["materials"][0]["unit_code"] = "NO-SUCH-UNIT"

    error = assert_error(used_editor.post(f"{API}/modules", json=body), 422)

    assert set(error["fields"]) == {"level", "units[1].code", "materials[0].unit_code"}


def test_422_names_every_bad_field_of_a_run(world_app, world, used_editor):
    module = world.modules["A-PUB"]
    body = offering_payload(
        "2027-09",
        start_date="2027-09-01",
        end_date="2027-08-01",
        city="",
        delivery_mode="on-campus",
        seats=-3,
        price_eur="lots",
        language="fr",
    )
    before = stored_rows(world_app)

    error = assert_error(used_editor.post(f"{API}/modules/{module}/offerings", json=body), 422)

    assert set(error["fields"]) == {"seats", "price_eur", "language", "end_date", "city"}
    assert _unchanged_but_token_use(before, stored_rows(world_app))


def test_422_for_a_run_whose_dates_and_place_do_not_fit(used_editor, world):
    body = offering_payload(
        "2027-10", start_date="2027-10-01", end_date="2027-09-01", city="", delivery_mode="hybrid"
    )

    response = used_editor.post(f"{API}/modules/{world.modules['A-PUB']}/offerings", json=body)

    error = assert_error(response, 422)
    assert set(error["fields"]) == {"end_date", "city"}


def test_422_names_bad_query_parameters(anonymous_client):
    response = anonymous_client.get(
        f"{API}/modules?page_size=0&page=-1&sector=university&updated_since=yesterday"
    )

    error = assert_error(response, 422)
    assert set(error["fields"]) == {
        "query.page",
        "query.page_size",
        "query.sector[0]",
        "query.updated_since",
    }


def test_updated_since_without_time_zone_is_refused(anonymous_client):
    response = anonymous_client.get(f"{API}/modules?updated_since=2026-11-01T00:00:00")

    assert set(assert_error(response, 422)["fields"]) == {"query.updated_since"}


# -- 412 and 428: If-Match ------------------------------------------------------------------


def test_stale_if_match_gets_412_and_changes_nothing(world_app, world, used_editor):
    module = world.modules["A-PUB"]
    stale = used_editor.get(f"{API}/modules/{module}").headers["ETag"]
    first = used_editor.put(
        f"{API}/modules/{module}",
        json=content_payload("A-PUB", title="First writer wins"),
        headers={"If-Match": stale},
    )
    assert first.status_code == 200
    current = first.headers["ETag"]
    assert current != stale
    before = stored_rows(world_app)

    second = used_editor.put(
        f"{API}/modules/{module}",
        json=content_payload("A-PUB", title="Second writer loses"),
        headers={"If-Match": stale},
    )

    error = assert_error(second, 412)
    assert error["current_etag"] == current
    assert second.headers["ETag"] == current
    assert stored_rows(world_app) == before
    draft = used_editor.get(f"{API}/modules/{module}/draft").get_json()
    assert draft["title"] == "First writer wins"


@pytest.mark.parametrize("action", ["publish", "archive"])
def test_stale_if_match_on_publish_or_archive_gets_412_and_changes_nothing(
    world_app, world, used_editor, action
):
    module = world.modules["A-CHANGED"]
    etag = used_editor.get(f"{API}/modules/{module}").headers["ETag"]
    stale = f'"{int(etag.strip(chr(34))) - 1}"'
    before = stored_rows(world_app)

    response = used_editor.post(f"{API}/modules/{module}/{action}", headers={"If-Match": stale})

    assert assert_error(response, 412)["current_etag"] == etag
    assert stored_rows(world_app) == before


def test_stale_if_match_on_a_run_gets_412_and_changes_nothing(world_app, world, used_editor):
    offering = world.offerings["A-PUB"]
    stale = used_editor.get(f"{API}/offerings/{offering}").headers["ETag"]
    changed = used_editor.put(
        f"{API}/offerings/{offering}",
        json=offering_payload("2026-09", seats=20),
        headers={"If-Match": stale},
    )
    assert changed.status_code == 200
    before = stored_rows(world_app)

    update = used_editor.put(
        f"{API}/offerings/{offering}",
        json=offering_payload("2026-09", seats=99),
        headers={"If-Match": stale},
    )
    delete = used_editor.delete(f"{API}/offerings/{offering}", headers={"If-Match": stale})

    assert assert_error(update, 412)["current_etag"] == changed.headers["ETag"]
    assert assert_error(delete, 412)["current_etag"] == changed.headers["ETag"]
    assert stored_rows(world_app) == before
    assert used_editor.get(f"{API}/offerings/{offering}").get_json()["seats"] == 20


def test_if_match_star_and_weak_etags_match_the_stored_version(world, used_editor):
    module = world.modules["A-PUB"]
    etag = used_editor.get(f"{API}/modules/{module}").headers["ETag"]

    weak = used_editor.put(
        f"{API}/modules/{module}",
        json=content_payload("A-PUB", title="Through a weak ETag"),
        headers={"If-Match": f"W/{etag}"},
    )
    star = used_editor.put(
        f"{API}/modules/{module}",
        json=content_payload("A-PUB", title="Through If-Match star"),
        headers={"If-Match": "*"},
    )

    assert weak.status_code == 200 and star.status_code == 200
    assert used_editor.get(f"{API}/modules/{module}/draft").get_json()["title"] == (
        "Through If-Match star"
    )


def _writes_needing_if_match(world):
    module = world.modules["A-CHANGED"]
    offering = world.offerings["A-PUB"]
    return [
        ("put", f"{API}/modules/{module}", content_payload("A-CHANGED", title="No If-Match")),
        ("post", f"{API}/modules/{module}/publish", None),
        ("post", f"{API}/modules/{module}/archive", None),
        ("put", f"{API}/offerings/{offering}", offering_payload("2026-09", seats=1)),
        ("delete", f"{API}/offerings/{offering}", None),
    ]


@pytest.mark.parametrize("if_match", [None, "", "   "])
def test_write_without_if_match_gets_428_and_changes_nothing(
    world_app, world, used_editor, if_match
):
    headers = {} if if_match is None else {"If-Match": if_match}
    before = stored_rows(world_app)

    for method, url, body in _writes_needing_if_match(world):
        response = getattr(used_editor, method)(url, json=body, headers=headers)
        assert "If-Match" in assert_error(response, 428)["message"], url

    assert stored_rows(world_app) == before


# -- 409 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["A-PUB", "a-pub", "A-DRAFT", "A-ARCH"])
def test_duplicate_module_code_gets_409_and_writes_nothing(world_app, used_editor, code):
    before = stored_rows(world_app)

    response = used_editor.post(f"{API}/modules", json=module_payload(code))

    error = assert_error(response, 409)
    assert "code" in error["fields"]
    assert _unchanged_but_token_use(before, stored_rows(world_app))


def test_renaming_a_module_to_a_taken_code_gets_409(world, used_editor):
    module = world.modules["A-DRAFT"]
    etag = used_editor.get(f"{API}/modules/{module}").headers["ETag"]

    response = used_editor.put(
        f"{API}/modules/{module}", json=content_payload("A-PUB"), headers={"If-Match": etag}
    )

    assert "code" in assert_error(response, 409)["fields"]


def test_the_same_code_is_free_in_another_institution(world, api_client_for):
    response = api_client_for(EDITOR_A).post(f"{API}/modules", json=module_payload("B-PUB"))

    assert response.status_code == 201


def test_republishing_unchanged_content_gets_409_and_makes_no_version(
    world_app, world, used_editor
):
    module = world.modules["A-PUB"]
    versions = used_editor.get(f"{API}/modules/{module}/versions").get_json()
    etag = used_editor.get(f"{API}/modules/{module}").headers["ETag"]
    before = stored_rows(world_app)

    response = used_editor.post(f"{API}/modules/{module}/publish", headers={"If-Match": etag})

    assert "Nothing to publish" in assert_error(response, 409)["message"]
    assert stored_rows(world_app) == before
    assert used_editor.get(f"{API}/modules/{module}/versions").get_json() == versions


def test_archiving_an_archived_module_gets_409(world, used_editor):
    module = world.modules["A-ARCH"]
    etag = used_editor.get(f"{API}/modules/{module}").headers["ETag"]

    response = used_editor.post(f"{API}/modules/{module}/archive", headers={"If-Match": etag})

    assert_error(response, 409)


def test_duplicate_run_code_gets_409(world, used_editor):
    module = world.modules["A-PUB"]

    response = used_editor.post(
        f"{API}/modules/{module}/offerings", json=offering_payload("2026-09")
    )

    assert "code" in assert_error(response, 409)["fields"]


# -- 404 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("module_id", [BEYOND_IDS, BEYOND_IDS + 1, 10**20, 0])
def test_module_ids_outside_the_id_range_get_404_on_reads(anonymous_client, module_id):
    for url in (
        f"{API}/modules/{module_id}",
        f"{API}/modules/{module_id}/versions",
        f"{API}/modules/{module_id}/versions/1",
        f"{API}/modules/1/versions/{module_id}",
        f"{API}/modules/{module_id}/compare?from=1&to=2",
        f"{API}/offerings/{module_id}",
    ):
        assert_error(anonymous_client.get(url), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/modules/{id}"),
        ("post", "/modules/{id}/publish"),
        ("post", "/modules/{id}/archive"),
        ("post", "/modules/{id}/offerings"),
        ("get", "/modules/{id}/draft"),
        ("get", "/modules/{id}/audit"),
        ("put", "/offerings/{id}"),
        ("delete", "/offerings/{id}"),
    ],
)
def test_an_id_above_2_to_the_31_gets_404_on_every_route(used_editor, method, path):
    url = API + path.format(id=BEYOND_IDS)

    response = getattr(used_editor, method)(url, json={}, headers={"If-Match": "*"})

    assert_error(response, 404)


def test_ids_in_a_body_beyond_the_id_range_get_422(world_app, world, used_editor):
    # Found by fuzzing: 2^63 as an institution id was a 500 (SQLite cannot hold it).
    with app_session(world_app) as session:
        material = session.get(Module, world.modules["A-PUB"]).materials[0].id
    before = stored_rows(world_app)
    for body in ({"institution_id": 2**63}, {"institution_id": 1, "module_id": BEYOND_IDS}):
        response = used_editor.post(f"{API}/materials/{material}/reuses", json=body)
        field = "module_id" if "module_id" in body else "institution_id"
        assert field in assert_error(response, 422)["fields"], response.get_json()
    assert stored_rows(world_app) == before


def test_an_id_in_range_that_does_not_exist_gets_404(used_editor):
    absent = 2**31 - 1
    assert_error(used_editor.get(f"{API}/modules/{absent}"), 404)
    assert_error(
        used_editor.post(f"{API}/modules/{absent}/publish", headers={"If-Match": "*"}), 404
    )
    assert_error(used_editor.get(f"{API}/offerings/{absent}"), 404)
    assert_error(used_editor.get(f"{API}/modules/{absent}/versions"), 404)


def test_a_version_that_was_never_published_gets_404(world, anonymous_client):
    module = world.modules["A-PUB"]

    assert_error(anonymous_client.get(f"{API}/modules/{module}/versions/2"), 404)
    assert_error(anonymous_client.get(f"{API}/modules/{module}/compare?from=1&to=2"), 404)


def test_unknown_institution_gets_404_when_creating_a_module(used_editor):
    response = used_editor.post(f"{API}/modules", json=module_payload("X-1", institution="nope"))

    assert_error(response, 404)


def test_unknown_paths_and_codes_get_404_in_the_error_form(anonymous_client):
    for url in (f"{API}/nothing-here", f"{API}/regions/atlantis", f"{API}/institutions/nope"):
        assert_error(anonymous_client.get(url), 404)


# -- 400, 405, 415 --------------------------------------------------------------------------


def test_malformed_json_gets_400_and_writes_nothing(world_app, used_editor):
    before = stored_rows(world_app)

    response = used_editor.post(
        f"{API}/modules", data='{"code": "BROKEN", ', content_type="application/json"
    )

    assert_error(response, 400)
    assert _unchanged_but_token_use(before, stored_rows(world_app))


@pytest.mark.parametrize("body", ["[]", '"a string"', "42", "null"])
def test_json_that_is_not_an_object_is_refused(used_editor, body):
    response = used_editor.post(f"{API}/modules", data=body, content_type="application/json")

    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", "code=FORM-1&title=Form+module"),
        ("text/plain", '{"code": "TEXT-1"}'),
    ],
)
def test_a_body_that_is_not_json_gets_415(world_app, used_editor, content_type, data):
    """docs/api.md: "415 not JSON"; the write operations document 415 for it."""
    before = stored_rows(world_app)

    response = used_editor.post(f"{API}/modules", data=data, content_type=content_type)

    assert_error(response, 415)
    assert _unchanged_but_token_use(before, stored_rows(world_app))


def test_an_undocumented_method_gets_405_with_allow(used_editor):
    response = used_editor.delete(f"{API}/modules")

    assert_error(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


# -- one form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "bad_request"),
        (401, "unauthorized"),
        (404, "not_found"),
        (405, "method_not_allowed"),
        (409, "conflict"),
        (422, "unprocessable_entity"),
        (428, "precondition_required"),
    ],
)
def test_every_error_has_the_same_form(world, anonymous_client, used_editor, status, name):
    module = world.modules["A-PUB"]
    response = {
        400: lambda: used_editor.post(f"{API}/modules", data="{", content_type="application/json"),
        401: lambda: anonymous_client.post(f"{API}/modules", json=module_payload("X")),
        404: lambda: anonymous_client.get(f"{API}/modules/{world.modules['A-DRAFT']}"),
        405: lambda: used_editor.patch(f"{API}/modules/{module}"),
        409: lambda: used_editor.post(f"{API}/modules", json=module_payload("A-PUB")),
        422: lambda: used_editor.post(f"{API}/modules", json={}),
        428: lambda: used_editor.post(f"{API}/modules/{module}/publish"),
    }[status]()

    body = assert_error(response, status)
    assert body["error"] == name
    assert set(body) <= {"status", "error", "message", "fields", "current_etag", "changes"}


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This field is required."), ("nl", "Dit veld is verplicht."), (None, None)],
)
def test_error_messages_follow_accept_language(world_app, token_for, language, message):
    headers = {"Authorization": f"Bearer {token_for(EDITOR_A)}"}
    if language:
        headers["Accept-Language"] = f"{language};q=0.9, fr;q=0.5"

    response = world_app.test_client().post(f"{API}/modules", json={}, headers=headers)

    fields = assert_error(response, 422)["fields"]
    if message is None:  # no preference: one of the two, the same for every field
        assert {m for texts in fields.values() for m in texts} in (
            {"This field is required."},
            {"Dit veld is verplicht."},
        )
    else:
        assert fields["title"] == [message]


@pytest.mark.parametrize(
    ("language", "message", "level", "since"),
    [
        (
            "en",
            "The request is not valid: see fields.",
            "Must be one of:",
            "Must be a date and time (ISO 8601",
        ),
        (
            "nl",
            "Het verzoek is niet geldig: zie de velden.",
            "Moet een van deze waarden zijn:",
            "Moet een datum en tijd zijn (ISO 8601",
        ),
    ],
)
def test_a_bad_query_is_explained_wholly_in_the_asked_language(
    world_app, language, message, level, since
):
    """The summary and every field message speak one language, also for list filters and dates."""
    response = world_app.test_client().get(
        f"{API}/modules",
        query_string={"level": "phd", "updated_since": "yesterday"},
        headers={"Accept-Language": language},
    )

    body = assert_error(response, 422)
    assert body["message"] == message
    assert body["fields"]["query.level[0]"][0].startswith(level)
    assert "bachelor" in body["fields"]["query.level[0]"][0]
    assert body["fields"]["query.updated_since"][0].startswith(since)


def test_a_time_without_zone_is_refused_with_a_reason(world_app):
    response = world_app.test_client().get(
        f"{API}/modules",
        query_string={"updated_since": "2026-09-01T09:00:00"},
        headers={"Accept-Language": "en"},
    )

    body = assert_error(response, 422)
    assert body["fields"]["query.updated_since"] == ["Give a time zone, e.g. +02:00 or Z."]


def test_a_search_facet_code_with_a_control_character_is_422_not_a_server_error(anonymous_client):
    """Found by fuzzing on PostgreSQL, which cannot compare text holding NUL: the code must be
    refused at the boundary, with the parameter named, on either database."""
    response = anonymous_client.get(f"{API}/search?region=twen%00te&institution=a%01b")
    error = assert_error(response, 422)
    assert {"query.region[0]", "query.institution[0]"} <= set(error["fields"])


def test_a_pattern_holds_for_the_whole_value_not_up_to_a_final_newline(anonymous_client):
    """Found by fuzzing: Python's `$` also matches before a final newline, so a facet code
    ending in one was accepted although the OpenAPI pattern says no control characters."""
    response = anonymous_client.get(f"{API}/materials?level=mbo-2%0A&sector=mbo")
    assert "query.level[0]" in assert_error(response, 422)["fields"]
    ok = anonymous_client.get(f"{API}/materials?level=mbo-2&sector=mbo")
    assert ok.status_code == 200
