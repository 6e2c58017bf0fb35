"""Material pages and the reuse API: what a coordinator sees, registers and ends."""

from __future__ import annotations

import re

from tests.conftest import csrf_token_from
from tests.factories import COORDINATOR_A, EDITOR_B
from tests.recognition.world import API, A, B, Item, Registry, api_error


def _english(registry: Registry, account=None):
    """A web client of the account that reads the pages in English."""
    client = registry.web_client(account)
    client.set_cookie("catalogue_lang", "en")
    return client


def test_material_page_explains_the_licence_and_gives_an_attribution(registry, materials):
    client = _english(registry)
    page = client.get(f"/materials/{materials['A-TWO']}").get_data(as_text=True)
    assert "Reader cleanroom basics" in page and "application/pdf" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert "Commercial use is allowed." in page and "You may adapt it" in page
    assert re.search(
        r"“Reader cleanroom basics” by A\. Auteur, Test institution test-instituut-a", page
    )
    assert "Lithografie" in page, "the learning unit it belongs to"
    module_page = client.get(f"/modules/{registry.module_ids['A-TWO']}").get_data(as_text=True)
    assert f"/materials/{materials['A-TWO']}" in module_page and "application/pdf" in module_page
    closed = client.get(f"/materials/{materials['A-CLOSED']}").get_data(as_text=True)
    assert "All rights reserved" in closed


def test_a_coordinator_registers_reuse_through_the_page_and_counts_agree(registry, materials):
    client = _english(registry, COORDINATOR_A)
    path = f"/materials/{materials['B-TWO']}"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    form = {
        "csrf_token": token,
        "institution_id": registry.institution_ids[A],
        "course": "LLO-cursus",
    }
    assert client.post(f"{path}/reuses", data=form).status_code == 302
    refused = client.post(
        f"/materials/{materials['A-CLOSED']}/reuses",
        data={**form, "institution_id": registry.institution_ids["test-instituut-f"]},
    )
    assert refused.status_code == 409 and "material-sharing agreement" in refused.get_data(
        as_text=True
    )

    anonymous = _english(registry)
    material_page = anonymous.get(path).get_data(as_text=True)
    assert "Reused by 1 institutions in 1 regions." in material_page
    module_page = anonymous.get(f"/modules/{registry.module_ids['B-TWO']}").get_data(as_text=True)
    assert "Reused by 1 institutions in 1 regions." in module_page
    region_page = anonymous.get("/regions/twente").get_data(as_text=True)
    assert "is reused by 1 institutions in 1 regions" in region_page
    matrix = anonymous.get("/recognition/matrix").get_data(as_text=True)
    assert re.search(r'data-author="twente" data-reuser="brainport">1<', matrix)
    dashboard = _english(registry, EDITOR_B).get("/manage/institutions/test-instituut-b")
    assert "LLO-cursus" in dashboard.get_data(as_text=True)


def test_reuse_api_with_etags_and_the_agreement_rule(registry, materials):
    client = registry.api_client(EDITOR_B)
    closed = materials["A-CLOSED"]
    body = {"institution_id": registry.institution_ids[B], "course": "Practicum"}
    error = api_error(client.post(f"{API}/materials/{closed}/reuses", json=body), 409)
    assert "material-sharing agreement" in error["message"]

    agreement_id = registry.activate(
        "DEEL-API",
        [(A, "provider"), (B, "recogniser")],
        [Item(A, "A-CLOSED")],
        kind="material-sharing",
    )
    created = client.post(f"{API}/materials/{closed}/reuses", json=body)
    assert created.status_code == 201, created.get_json()
    reuse = created.get_json()
    assert reuse["agreement_id"] == agreement_id and reuse["covered"] is True
    etag = created.headers["ETag"]
    listing = registry.api_client().get(f"{API}/materials/{closed}/reuses").get_json()
    assert listing["institutions"] == 1 and [r["id"] for r in listing["items"]] == [reuse["id"]]

    registry.terminate(agreement_id)
    flagged = client.get(created.headers["Location"]).get_json()
    assert flagged["status"] == "active" and flagged["covered"] is False

    end = f"{API}/materials/{closed}/reuses/{reuse['id']}/end"
    assert client.post(end).status_code == 428
    api_error(client.post(end, headers={"If-Match": '"99"'}), 412)
    ended = client.post(end, headers={"If-Match": etag})
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"
    assert ended.headers["ETag"] != etag
    material = registry.api_client().get(f"{API}/materials/{closed}").get_json()
    assert material["licence"]["code"] == "yes" and material["reused_by_institutions"] == 0
    assert not material["licence"]["open"] and material["attribution"].startswith("“")
    api_error(registry.api_client().post(f"{API}/materials/{closed}/reuses", json=body), 401)
