"""The agreement lifecycle as the parties live it: changes void approvals, new versions of pinned
modules ask for review without ending the agreement, re-pinning starts a new round, and every
transition that does not fit the agreement's state is refused with a reason."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from catalogue.errors import Conflict, PermissionDenied
from catalogue.modules.content import unit_hash
from catalogue.recognition import lifecycle, queries
from catalogue.recognition.content import agreement_hash
from catalogue.vocabularies import AgreementStatus
from tests.factories import ADMIN, form_on, post_with_csrf
from tests.recognition.world import (
    API,
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


def _live_approvals(agreement) -> list:
    return [a for a in agreement.approvals if a.voided_at is None]


# -- changing the content ----------------------------------------------------------------------


def test_changing_the_terms_of_an_active_agreement_voids_every_approval(registry: Registry):
    agreement_id = registry.activate("ERK-VOID-1", PAIR, [UNIT_1])
    before = registry.agreement(agreement_id)
    old_hash = before.content_hash
    assert len(_live_approvals(before)) == 2

    registry.change_terms(agreement_id, "Vrijstelling alleen met een voldoende voor de toets.")

    after = registry.agreement(agreement_id)
    assert after.status == "proposed", "a changed agreement is no longer in force"
    assert after.revision == before.revision + 1
    assert after.content_hash != old_hash
    assert after.content_hash == agreement_hash(after)
    assert len(after.approvals) == 2
    assert all(a.voided_at is not None for a in after.approvals), "every approval is void"
    assert lifecycle.current_decisions(after) == {}
    assert {p.institution.code for p in lifecycle.awaiting(after)} == {A, B}
    with registry.session() as session:
        assert queries.recognised_by(session=session, module_id=registry.module_ids["A-TWO"]) == []

    # Only a fresh round over the new hash brings it back into force.
    with pytest.raises(Conflict):
        registry.approve(agreement_id, B, content_hash=old_hash)
    registry.approve(agreement_id, A)
    assert registry.agreement(agreement_id).status == "proposed"
    registry.approve(agreement_id, B)
    assert registry.agreement(agreement_id).status == "active"


def test_changing_the_terms_of_a_proposed_agreement_voids_the_approvals_given_so_far(
    registry: Registry,
):
    parties = [(A, "provider"), (B, "recogniser"), (C, "recogniser")]
    agreement_id = registry.create("ERK-VOID-2", parties, [UNIT_1])
    registry.propose(agreement_id)  # proposing is A's approval
    registry.approve(agreement_id, B)
    assert len(lifecycle.current_decisions(registry.agreement(agreement_id))) == 2

    registry.change_terms(agreement_id, "Nieuwe voorwaarden.", by=EDITORS[C])

    changed = registry.agreement(agreement_id)
    assert changed.status == "proposed"
    assert changed.revision == 2
    assert all(a.voided_at is not None for a in changed.approvals)
    assert lifecycle.current_decisions(changed) == {}
    # C's approval alone does not make it active: A and B must approve the new text again.
    registry.approve(agreement_id, C)
    assert registry.agreement(agreement_id).status == "proposed"
    registry.approve(agreement_id, A)
    registry.approve(agreement_id, B)
    assert registry.agreement(agreement_id).status == "active"


def test_drafting_through_the_api_answers_201_with_the_etag_and_the_location_to_read_it_back(
    registry: Registry,
):
    client = registry.api_client(EDITORS[A])
    response = client.post(f"{API}/agreements", json=agreement_input("ERK-API-NEW", PAIR, [UNIT_1]))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["status"] == "draft" and created["code"] == "ERK-API-NEW"
    assert response.headers["ETag"] == f'"{created["lock_version"]}"'
    location = urlsplit(response.headers["Location"]).path
    assert location == f"{API}/agreements/{created['id']}"
    read = client.get(location)
    assert read.get_json() == created
    assert read.headers["ETag"] == response.headers["ETag"]


def test_changing_the_terms_through_the_api_or_the_form_voids_every_approval(
    registry: Registry,
):
    first = registry.activate("ERK-VOID-API", PAIR, [UNIT_1])
    client = registry.api_client(EDITORS[B])
    body = client.get(f"{API}/agreements/{first}").get_json()
    change = {key: body[key] for key in ("code", "title", "kind", "valid_from", "valid_until")} | {
        "terms": "Alleen met een portfoliogesprek.",
        "parties": [
            {"institution": p["institution"]["code"], "role": p["role"]} for p in body["parties"]
        ],
        "items": [
            {"provider": i["provider"], "module": i["module"], "unit": i["unit"]}
            for i in body["items"]
        ],
    }
    response = client.put(
        f"{API}/agreements/{first}", json=change, headers={"If-Match": api_etag(client, first)}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    changed = response.get_json()
    assert changed["status"] == "proposed" and changed["revision"] == 2
    assert changed["content_hash"] != body["content_hash"]
    assert [p["decision"] for p in changed["parties"]] == [None, None]
    assert len(changed["approvals"]) == 2
    assert all(a["voided_at"] is not None for a in changed["approvals"])

    second = registry.create("ERK-VOID-FORM", PAIR, [UNIT_1])
    registry.propose(second)  # proposing is A's approval
    web = registry.web_client(EDITORS[A])
    form = form_on(web.get(f"/agreements/{second}/edit").text, r"^$|/edit$")
    response = web.post(
        f"/agreements/{second}/edit",
        data=form.values(terms="Via het formulier gewijzigd.", action="save"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    agreement = registry.agreement(second)
    assert (agreement.status, agreement.revision) == ("proposed", 2)
    assert agreement.terms == "Via het formulier gewijzigd."
    assert agreement.approvals and all(a.voided_at is not None for a in agreement.approvals)
    page = web.get(f"/agreements/{second}").text
    assert page.count(f'action="/agreements/{second}/approve"') == 1, "A must approve again"


def test_saving_unchanged_content_makes_no_revision_and_keeps_the_approvals(registry: Registry):
    agreement_id = registry.activate("ERK-SAME", PAIR, [UNIT_1])
    terms = registry.agreement(agreement_id).terms
    registry.change_terms(agreement_id, terms)
    same = registry.agreement(agreement_id)
    assert (same.status, same.revision) == ("active", 1)
    assert len(_live_approvals(same)) == 2


# -- new versions of pinned modules -------------------------------------------------------------


def test_a_new_version_of_a_pinned_module_marks_the_agreement_for_review_but_keeps_it_active(
    registry: Registry,
):
    agreement_id = registry.activate("ERK-REV-1", PAIR, [Item(A, "A-TWO")])
    pinned = registry.agreement(agreement_id).items[0]
    assert pinned.pinned_version == 1

    number = registry.publish_change("A-TWO")

    agreement = registry.agreement(agreement_id)
    assert number == 2
    assert agreement.review_needed
    assert "A-TWO" in agreement.review_note and "2" in agreement.review_note
    assert agreement.status == "active", "the agreement stays in force for the pinned version"
    assert agreement.items[0].pinned_version == 1
    assert len(_live_approvals(agreement)) == 2
    with registry.session() as session:
        recognisers = queries.recognised_by(session=session, module_id=registry.module_ids["A-TWO"])
    assert [r.institution.code for r in recognisers] == [B]

    body = registry.api_client().get(f"{API}/agreements/{agreement_id}").get_json()
    assert body["review_needed"] is True and body["status"] == "active"
    page = registry.web_client().get(f"/agreements/{agreement_id}")
    assert page.status_code == 200
    assert "notice" in page.text and agreement.review_note in page.text


def test_a_new_version_that_leaves_the_pinned_unit_unchanged_needs_no_review(registry: Registry):
    agreement_id = registry.activate("ERK-REV-2", PAIR, [UNIT_1])

    registry.publish_change("A-TWO", unit="A-TWO-U2")
    untouched = registry.agreement(agreement_id)
    assert not untouched.review_needed, "another unit changed, not the pinned one"
    assert untouched.items[0].pinned_hash == unit_hash(
        registry.latest_version("A-TWO").content, "A-TWO-U1"
    )

    registry.publish_change("A-TWO", unit="A-TWO-U1")
    touched = registry.agreement(agreement_id)
    assert touched.review_needed
    assert "A-TWO/A-TWO-U1" in touched.review_note
    assert touched.status == "active"


def test_a_new_version_of_a_module_flags_proposed_and_draft_agreements_too(registry: Registry):
    draft_id = registry.create("ERK-REV-DRAFT", PAIR, [UNIT_1])
    proposed_id = registry.create("ERK-REV-PROP", PAIR, [Item(A, "A-TWO")])
    registry.propose(proposed_id)
    registry.publish_change("A-TWO", unit="A-TWO-U1")
    assert registry.agreement(draft_id).review_needed
    proposed = registry.agreement(proposed_id)
    assert proposed.review_needed and proposed.status == "proposed"


def test_an_agreement_approved_after_a_new_version_still_needs_review(registry: Registry):
    """The parties approve the content pinned to version 1 while version 2 exists: the
    agreement is in force for version 1, and version 2 still awaits a re-pin."""
    agreement_id = registry.create("ERK-REV-LATE", PAIR, [UNIT_1])
    registry.propose(agreement_id)
    registry.publish_change("A-TWO", unit="A-TWO-U1")
    assert registry.agreement(agreement_id).review_needed

    registry.approve_all(agreement_id)

    agreement = registry.agreement(agreement_id)
    assert agreement.status == "active"
    assert agreement.items[0].pinned_version == 1
    assert agreement.items[0].pinned_hash != unit_hash(
        registry.latest_version("A-TWO").content, "A-TWO-U1"
    )
    assert agreement.review_needed, (
        "activation cleared review_needed although the agreement still pins the old version"
    )


def test_repinning_makes_a_new_revision_and_a_new_approval_round(registry: Registry):
    agreement_id = registry.activate("ERK-REPIN", PAIR, [UNIT_1, Item(A, "A-PUB")])
    first = registry.agreement(agreement_id)
    registry.publish_change("A-TWO", unit="A-TWO-U1")
    assert registry.agreement(agreement_id).review_needed

    registry.repin(agreement_id, by=EDITORS[B])

    repinned = registry.agreement(agreement_id)
    latest = registry.latest_version("A-TWO")
    unit_item = next(i for i in repinned.items if i.unit_code == "A-TWO-U1")
    module_item = next(i for i in repinned.items if i.unit_code is None)
    assert (unit_item.pinned_version, unit_item.pinned_hash) == (
        latest.number,
        unit_hash(latest.content, "A-TWO-U1"),
    )
    assert module_item.pinned_version == 1, "an unchanged module keeps its pin"
    assert repinned.revision == first.revision + 1
    assert repinned.content_hash != first.content_hash
    assert [r.number for r in repinned.revisions] == [2, 1]
    assert repinned.revisions[0].content_hash == repinned.content_hash
    assert repinned.status == "proposed"
    assert not repinned.review_needed
    assert all(a.voided_at is not None for a in repinned.approvals)

    with pytest.raises(Conflict):
        registry.repin(agreement_id)  # nothing newer to pin
    registry.approve_all(agreement_id)
    assert registry.agreement(agreement_id).status == "active"


# -- approving by hash --------------------------------------------------------------------------


def test_approving_a_stale_hash_is_a_conflict_with_a_clear_message(registry: Registry):
    agreement_id = registry.create("ERK-STALE", PAIR, [UNIT_1])
    registry.propose(agreement_id)
    read_hash = registry.agreement(agreement_id).content_hash
    registry.change_terms(agreement_id, "Tussentijds gewijzigde voorwaarden.")
    current_hash = registry.agreement(agreement_id).content_hash

    with pytest.raises(Conflict) as raised:
        registry.approve(agreement_id, B, content_hash=read_hash)
    assert read_hash[:12] in raised.value.message and current_hash[:12] in raised.value.message

    client = registry.api_client(EDITORS[B])
    response = client.post(
        f"{API}/agreements/{agreement_id}/approve",
        json={"institution": B, "content_hash": read_hash},
    )
    body = api_error(response, 409)
    # A clear message: the agreement changed, the hash approved and the hash it has now.
    assert "changed" in body["message"]
    assert read_hash[:12] in body["message"] and current_hash[:12] in body["message"]
    assert list(body["fields"]) == ["content_hash"], "the message points at the hash"
    assert lifecycle.current_decisions(registry.agreement(agreement_id)) == {}

    response = client.post(
        f"{API}/agreements/{agreement_id}/approve",
        json={"institution": B, "content_hash": current_hash},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["parties"][1]["decision"] == "approved"


def test_a_party_cannot_approve_the_same_revision_twice(registry: Registry):
    agreement_id = registry.create(
        "ERK-TWICE", [(A, "provider"), (B, "recogniser"), (C, "both")], [UNIT_1]
    )
    registry.propose(agreement_id)  # proposing is A's approval
    registry.approve(agreement_id, B)
    with pytest.raises(Conflict):
        registry.approve(agreement_id, B)
    with pytest.raises(Conflict):
        registry.approve(agreement_id, A)
    assert len(registry.agreement(agreement_id).approvals) == 2


@pytest.mark.parametrize(
    ("state", "action", "stem"),
    [
        ("active", "propose", "propos"),
        ("draft", "terminate", "terminat"),
        ("draft", "approve", "approv"),
        ("active", "withdraw", "withdraw"),
    ],
)
def test_transitions_that_do_not_fit_the_state_get_409_with_a_reason(
    registry: Registry, state, action, stem
):
    agreement_id = registry.create(f"ERK-409-{action}", PAIR, [UNIT_1])
    if state == "active":
        registry.propose(agreement_id)
        registry.approve_all(agreement_id)
    before = registry.agreement(agreement_id)
    assert before.status == state
    client = registry.api_client(EDITORS[A])
    headers = {"If-Match": api_etag(client, agreement_id)}
    body = {"institution": A, "content_hash": before.content_hash} if action == "approve" else {}
    response = client.post(f"{API}/agreements/{agreement_id}/{action}", json=body, headers=headers)
    error = api_error(response, 409)
    # The reason names what was tried and the state that does not allow it.
    assert stem in error["message"].lower()
    with registry.app.test_request_context(f"{API}/", headers={"Accept-Language": "en"}):
        label = str(AgreementStatus.label(state))
    assert label.lower() in error["message"].lower()
    after = registry.agreement(agreement_id)
    assert (after.status, after.revision, len(after.approvals)) == (
        before.status,
        before.revision,
        len(before.approvals),
    )


# -- who may do what ----------------------------------------------------------------------------


def test_an_administrator_who_edits_no_party_cannot_approve_for_it(registry: Registry):
    agreement_id = registry.create("ERK-ADMIN", PAIR, [UNIT_1])
    registry.propose(agreement_id)
    digest = registry.agreement(agreement_id).content_hash

    with pytest.raises(PermissionDenied):
        registry.approve(agreement_id, A, by=ADMIN, content_hash=digest)

    client = registry.api_client(ADMIN)
    response = client.post(
        f"{API}/agreements/{agreement_id}/approve", json={"institution": B, "content_hash": digest}
    )
    api_error(response, 403)

    web = registry.web_client(ADMIN)
    page = web.get(f"/agreements/{agreement_id}")
    assert page.status_code == 200, "an administrator may read every agreement"
    assert "/approve" not in page.text, "no approve button for institutions one does not edit"
    response = post_with_csrf(
        web, f"/agreements/{agreement_id}/approve", {"institution": A, "content_hash": digest}
    )
    assert response.status_code == 403
    agreement = registry.agreement(agreement_id)
    decided = {a.institution.code for a in agreement.approvals}
    assert decided == {A}, "only the proposer's own approval, none by the administrator"
    assert agreement.status == "proposed"


def test_proposing_is_the_proposers_approval_and_the_other_party_makes_it_active(
    registry: Registry,
):
    agreement_id = registry.create("ERK-PROPOSER", PAIR, [UNIT_1])
    registry.propose(agreement_id)

    proposed = registry.agreement(agreement_id)
    assert proposed.status == "proposed"
    assert {p.institution.code for p in lifecycle.awaiting(proposed)} == {B}
    (approval,) = proposed.approvals
    assert approval.institution.code == A and approval.content_hash == proposed.content_hash

    registry.approve(agreement_id, B)
    assert registry.agreement(agreement_id).status == "active"
