"""The material finder on the seed: every published material, licence facets, the open-licence
group, licence words and Dutch/English synonyms."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.materials.queries import published_material_count
from catalogue.modules.models import Material
from tests.factories import app_session

API = "/api/v1/materials"


def _ids(client, **query) -> set[int]:
    body = client.get(API, query_string={"page_size": 100, **query}).get_json()
    assert body["total"] == len(body["items"]), body.get("message")
    return {item["id"] for item in body["items"]}


def test_the_finder_lists_and_narrows_the_published_material(seeded_app, seeded_client):
    client = seeded_client
    with app_session(seeded_app) as session:
        total = published_material_count(session)
        licence_of = dict(session.execute(select(Material.id, Material.licence)).all())
    body = client.get(API).get_json()
    assert body["total"] == total >= 60
    licences = {f["value"]: f["count"] for f in body["facets"]["licence"]}
    assert sum(licences.values()) == total and licences["cc-by-40"] >= 1

    open_ids = _ids(client, open_licence="yes")
    assert open_ids and {licence_of[i] for i in open_ids} <= {
        "cc-by-40",
        "cc-by-sa-40",
        "cc-by-nc-40",
        "cc-by-nc-sa-40",
        "cc0-10",
        "pdm-10",
    }
    cc_by = {i for i, licence in licence_of.items() if licence == "cc-by-40"} & _ids(client)
    assert cc_by <= _ids(client, q="CC BY") and cc_by <= _ids(client, q="creative commons")
    assert _ids(client, q="cleanroom") == _ids(client, q="stofvrije ruimte") != set()
    assert _ids(client, q="lithography") == _ids(client, q="lithografie") != set()
    misspelled = client.get(API, query_string={"q": "clenroom", "page_size": 100}).get_json()
    assert misspelled["corrected_from"] == "clenroom" and misspelled["searched_for"] == "cleanroom"
    assert {i["id"] for i in misspelled["items"]} == _ids(client, q="cleanroom")
    newest = client.get(API, query_string={"sort": "most-reused"})
    assert newest.status_code == 200
    assert client.get(API, query_string={"sort": "sideways"}).status_code == 422

    page = client.get("/materials?q=cleanroom").get_data(as_text=True)
    assert 'data-facet="licence"' in page and "/materials/" in page
