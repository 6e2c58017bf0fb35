"""Run filters apply to one and the same run; the card shows that run; the runs view lists
matching runs by start date; near a place within km, sorted by distance."""

from __future__ import annotations

import pytest

from catalogue.places import distance_km, find_place
from catalogue.search.engine import Between
from tests.employers.conftest import JANUARY, MARCH, TODAY, day
from tests.search.conftest import search

API = "/api/v1/search"


def _window(start, days=10):
    return {"starts": Between(start, start.__class__.fromordinal(start.toordinal() + days))}


def _hit(world, code, **options):
    page = search(world.app, f"werkplaats {code.lower()}", page_size=50, today=TODAY, **options)
    return next((h for h in page.hits if h.module_id == world.modules[code]), None), page


def test_only_a_combination_on_the_same_run_matches(employer_world):
    dutch = {"language": ["nld"]}
    english = {"language": ["eng"]}
    assert _hit(employer_world, "EMPLANG", filters=dutch, **_window(JANUARY))[0] is None
    assert _hit(employer_world, "EMPLANG", filters=english, **_window(MARCH))[0] is None
    hit, _page = _hit(employer_world, "EMPLANG", filters=dutch, **_window(MARCH))
    assert hit is not None
    assert hit.next_run["code"] == "NL-MAR" and hit.next_run["language"] == "nld"
    assert hit.more_runs == 0
    hit, _page = _hit(employer_world, "EMPLANG", filters=english, **_window(JANUARY))
    assert hit.next_run["code"] == "EN-JAN" and hit.next_run["city"] == "Delft"
    # Without run filters the card shows the first upcoming run and the others as "+N".
    hit, _page = _hit(employer_world, "EMPLANG")
    assert hit.next_run["code"] == "EN-JAN" and hit.more_runs == 1


def test_the_search_page_card_shows_the_matching_run(employer_world):
    client = employer_world.app.test_client()
    html = client.get(
        "/search",
        query_string={"q": "emplang", "language": "nld", "start_from": day(MARCH)},
    ).text
    assert "Eindhoven" in html and "Delft" not in html
    html = client.get(
        "/search",
        query_string={"q": "emplang", "language": "nld", "start_until": day(JANUARY, 5)},
    ).text
    assert f'/modules/{employer_world.modules["EMPLANG"]}"' not in html


def test_near_eindhoven_within_30_km(employer_world):
    hit, _page = _hit(employer_world, "EMPNEAR", near=_coordinates("Eindhoven"), km=30)
    cities = [r["city"] for r in hit.runs]
    assert cities[:1] == ["Eindhoven"] and set(cities) == {"Eindhoven", "Veldhoven", "Helmond"}
    assert hit.more_runs == 2
    hit, _page = _hit(
        employer_world, "EMPNEAR", near=_coordinates("Eindhoven"), km=30, also_online=True
    )
    assert {r["code"] for r in hit.runs} == {"EHV", "VELD", "HELM", "WEB"}


def test_runs_view_lists_runs_by_start_date_and_by_distance(employer_world):
    client = employer_world.app.test_client()
    query = {"q": "empnear", "view": "runs", "page_size": 50}
    items = client.get(API, query_string=query).get_json()["items"]
    assert [i["next_run"]["code"] for i in items] == ["EHV", "VELD", "HELM", "DELFT", "WEB"]
    near = client.get(API, query_string={**query, "near": "Eindhoven", "km": 30}).get_json()
    assert near["total"] == 3
    codes = [i["next_run"]["code"] for i in near["items"]]
    assert codes == ["EHV", "VELD", "HELM"]  # by distance: 0, 5.8 and 13.5 km
    assert [round(i["distance_km"]) for i in near["items"]] == [0, 6, 14]
    dutch = client.get(API, query_string={**query, "near": "den haag", "km": 20}).get_json()
    assert [i["next_run"]["city"] for i in dutch["items"]] == ["Delft"]
    html = client.get("/search", query_string={**query, "near": "Eindhoven"}).text
    assert html.count('class="card run-card"') == 3


def test_an_unknown_place_is_said_and_not_searched(employer_world):
    client = employer_world.app.test_client()
    response = client.get(API, query_string={"near": "Atlantis"})
    assert response.status_code == 422
    assert "query.near" in response.get_json()["fields"]
    html = client.get("/search", query_string={"near": "Atlantis", "lang": "en"}).text
    assert 'data-field="near">Near: Unknown place' in html


def test_seats_and_availability_are_run_filters(employer_world):
    hit, _page = _hit(employer_world, "EMPSEATS")
    assert [r["availability"] for r in hit.runs] == ["full", "closed", "open"]
    hit, _page = _hit(employer_world, "EMPSEATS", available_only=True)
    assert [r["code"] for r in hit.runs] == ["FREE"]
    hit, _page = _hit(employer_world, "EMPSEATS", seats_min=13)
    assert [r["code"] for r in hit.runs] == ["CLOSED"]  # 16 seats; FREE has 12, FULL none
    hit, _page = _hit(employer_world, "EMPSEATS", seats_min=13, available_only=True)
    assert hit is None


@pytest.mark.parametrize(
    ("place", "latitude", "longitude", "km_from_eindhoven"),
    [
        ("Veldhoven", 51.418, 5.403, 5.8),
        ("Helmond", 51.482, 5.661, 13.5),
        ("Delft", 52.007, 4.356, 99.7),
    ],
)
def test_distances_of_known_places(place, latitude, longitude, km_from_eindhoven):
    found = find_place(place)
    assert (round(found.latitude, 3), round(found.longitude, 3)) == (latitude, longitude)
    eindhoven = find_place("Eindhoven")
    assert distance_km(
        eindhoven.latitude, eindhoven.longitude, found.latitude, found.longitude
    ) == pytest.approx(km_from_eindhoven, abs=0.1)


def test_dutch_names_of_places():
    assert find_place("Den Bosch") == find_place("'s-Hertogenbosch")
    assert find_place("den haag").name == "The Hague"
    assert find_place("Atlantis") is None


def _coordinates(name):
    place = find_place(name)
    return (place.latitude, place.longitude)
