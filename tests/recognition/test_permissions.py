"""Only the parties' own editors act on an agreement, and drafts stay among the parties: through
the API, through crafted form posts, and on the public pages."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import ADMIN, COORDINATOR_A, form_on, post_with_csrf
from tests.recognition.world import (
    API,
    EDITOR_C,
    EDITORS,
    A,
    B,
    C,
    Item,
    Registry,
    agreement_input,
    api_error,
    api_etag,
)

PAIR = [(A, "provider"), (B, "recogniser")]
UNIT_1 = Item(A, "A-TWO", "A-TWO-U1")


def _state(registry: Registry, agreement_id: int) -> tuple:
    agreement = registry.agreement(agreement_id)
    return (
        agreement.status,
        agreement.revision,
        agreement.lock_version,
        agreement.content_hash,
        agreement.terms,
        sorted(p.institution.code for p in agreement.parties),
        len(agreement.approvals),
    )


@pytest.mark.parametrize(
    ("state", "refusal"),
    [("active", 403), ("proposed", 404)],
    ids=["active-agreement-forbidden", "proposed-agreement-not-even-visible"],
)
def test_an_editor_of_a_non_party_cannot_act_on_an_agreement_through_the_api(
    registry: Registry, state, refusal
):
    agreement_id = registry.create("ERK-OUTSIDER-API", PAIR, [UNIT_1])
    registry.propose(agreement_id)
    if state == "active":
        registry.approve_all(agreement_id)
    before = _state(registry, agreement_id)
    digest = before[3]
    outsider = registry.api_client(EDITOR_C)
    party = registry.api_client(EDITORS[A])
    etag = {"If-Match": api_etag(party, agreement_id)}
    url = f"{API}/agreements/{agreement_id}"

    changed = agreement_input(
        "ERK-OUTSIDER-API", PAIR, [UNIT_1], terms="Door een buitenstaander gewijzigd."
    )
    taken_over = agreement_input(
        "ERK-OUTSIDER-API", [*PAIR, (C, "recogniser")], [UNIT_1], terms="C doet mee."
    )
    attempts = [
        ("change", outsider.put(url, json=changed, headers=etag)),
        ("change adding itself", outsider.put(url, json=taken_over, headers=etag)),
        ("propose", outsider.post(f"{url}/propose", headers=etag)),
        (
            "approve",
            outsider.post(f"{url}/approve", json={"institution": A, "content_hash": digest}),
        ),
        (
            "reject",
            outsider.post(f"{url}/reject", json={"institution": B, "comment": "nee"}),
        ),
        ("terminate", outsider.post(f"{url}/terminate", json={"reason": "x"}, headers=etag)),
        ("withdraw", outsider.post(f"{url}/withdraw", headers=etag)),
        ("repin", outsider.post(f"{url}/repin", headers=etag)),
    ]
    wrong = {
        action: (response.status_code, response.get_json()["message"])
        for action, response in attempts
        if response.status_code != refusal
    }
    assert _state(registry, agreement_id) == before, "nothing changed"
    assert not wrong, f"expected {refusal} for every action, got {wrong}"

    # Approving "for" an institution that is no party at all is refused as well.
    if state == "active":
        response = outsider.post(f"{url}/approve", json={"institution": C, "content_hash": digest})
        assert response.status_code in (403, 422), response.get_data(as_text=True)
        assert _state(registry, agreement_id) == before


def test_an_editor_of_a_non_party_cannot_act_through_crafted_form_posts(registry: Registry):
    agreement_id = registry.activate("ERK-OUTSIDER-WEB", PAIR, [UNIT_1])
    before = _state(registry, agreement_id)
    # The real edit form, as a party's editor gets it, replayed by an outsider.
    party_web = registry.web_client(EDITORS[A])
    edit_form = form_on(party_web.get(f"/agreements/{agreement_id}/edit").text, r"^$|/edit$")
    fields = edit_form.values(terms="Door een buitenstaander gewijzigd.", action="save")

    outsider = registry.web_client(EDITOR_C)
    page = outsider.get(f"/agreements/{agreement_id}")
    assert page.status_code == 200, "an active agreement is public"
    for action in ("approve", "reject", "terminate", "withdraw", "repin", "propose"):
        assert f"/agreements/{agreement_id}/{action}" not in page.text
    assert outsider.get(f"/agreements/{agreement_id}/edit").status_code == 403

    fields.pop("csrf_token", None)
    assert post_with_csrf(outsider, f"/agreements/{agreement_id}/edit", fields).status_code == 403
    lock = {"lock_version": str(before[2])}
    posts = {
        "propose": lock,
        "approve": {"institution": A, "content_hash": before[3]},
        "reject": {"institution": B, "comment": "nee"},
        "terminate": {**lock, "reason": "Buitenstaander"},
        "withdraw": lock,
        "repin": lock,
    }
    for action, data in posts.items():
        response = post_with_csrf(outsider, f"/agreements/{agreement_id}/{action}", data)
        assert response.status_code == 403, action
    assert _state(registry, agreement_id) == before

    # Without logging in, every post leads to the login page.
    anonymous = registry.web_client()
    for action in ("propose", "approve", "terminate"):
        response = post_with_csrf(anonymous, f"/agreements/{agreement_id}/{action}", {})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _state(registry, agreement_id) == before


def _registry_codes(client, query: str) -> set[str]:
    response = client.get(f"/agreements?{query}")
    assert response.status_code == 200
    return {code for code in ("ERK-DRAFT", "ERK-PROPOSED") if code in response.text}


def _api_codes(client, query: str) -> set[str]:
    response = client.get(f"{API}/agreements?{query}")
    assert response.status_code == 200
    return {a["code"] for a in response.get_json()["items"]}


def _csv_codes(client, query: str) -> set[str]:
    response = client.get(f"/agreements.csv?{query}")
    assert response.status_code == 200
    return {row["code"] for row in csv.DictReader(io.StringIO(response.text))}


def test_drafts_and_proposals_are_invisible_to_non_parties(registry: Registry):
    draft = registry.create("ERK-DRAFT", PAIR, [UNIT_1])
    proposed = registry.create("ERK-PROPOSED", PAIR, [UNIT_1])
    registry.propose(proposed)
    query = "status=draft&status=proposed"
    hidden = {"ERK-DRAFT", "ERK-PROPOSED"}

    for account in (None, EDITOR_C):
        web = registry.web_client(account)
        api = registry.api_client(account)
        assert _registry_codes(web, query) == set()
        assert _csv_codes(web, query) == set()
        assert _api_codes(api, query) == set()
        for agreement_id in (draft, proposed):
            assert web.get(f"/agreements/{agreement_id}").status_code == 404
            api_error(api.get(f"{API}/agreements/{agreement_id}"), 404)
    assert registry.web_client(EDITOR_C).get(f"/agreements/{draft}/edit").status_code == 404

    # The parties, their region's coordinator and administrators do see them.
    for account in (EDITORS[B], COORDINATOR_A, ADMIN):
        web = registry.web_client(account)
        assert _registry_codes(web, query) == hidden, account.email
        assert _csv_codes(web, query) == hidden, account.email
        assert _api_codes(registry.api_client(account), query) == hidden, account.email
        for agreement_id in (draft, proposed):
            assert web.get(f"/agreements/{agreement_id}").status_code == 200

    # Once in force, it is public.
    registry.approve_all(proposed)
    anonymous = registry.web_client()
    assert anonymous.get(f"/agreements/{proposed}").status_code == 200
    assert _registry_codes(anonymous, "") == {"ERK-PROPOSED"}
    assert _api_codes(registry.api_client(), "") == {"ERK-PROPOSED"}
