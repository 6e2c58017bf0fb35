"""Facet counts, ranges and sorting on the seed catalogue, checked against the database.

Every expected number comes from SQL on the database (tests/search/expected.py), never from the
search code: the counts next to each facet value, the modules a range keeps, and the order of the
results.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from catalogue.accounts.permissions import SYSTEM
from catalogue.modules import editing
from tests.search.conftest import app_session, build_index, found_ids, search
from tests.search.expected import (
    FACETS,
    Expectation,
    Ranges,
    expected_facets,
    matching_ids,
    next_runs,
    published_at,
    published_ids,
)

# Filter combinations: (text, facet filters, ranges). Values exist in the seed catalogue.
COMBINATIONS = {
    "everything": ("", {}, Ranges()),
    "text": ("techniek", {}, Ranges()),
    "english text": ("semiconductor", {}, Ranges()),
    "one facet": ("", {"sector": ["hbo"]}, Ranges()),
    "two values of one facet": ("", {"sector": ["mbo", "wo"]}, Ranges()),
    "two facets": ("", {"sector": ["mbo", "hbo"], "delivery_mode": ["online", "hybrid"]}, Ranges()),
    "tags and flags": (
        "",
        {"language": ["eng"], "flags": ["micro-credential"], "region": ["brainport"]},
        Ranges(),
    ),
    "recognition": ("", {"recognised_in": ["twente", "brainport"]}, Ranges()),
    "a range": ("", {}, Ranges(hours_min=28, hours_max=200)),
    "text, facets and ranges": (
        "onderhoud",
        {"competency": ["technology"], "target_group": ["retraining"]},
        Ranges(price_max=2000),
    ),
    "nothing matches": ("", {"sector": ["wo"], "level": ["mbo-2"]}, Ranges()),
}


def _expectation(seed_search, text, filters, ranges) -> Expectation:
    ids = seed_search.found(text) if text else None
    if text:
        assert ids, f"the text {text!r} should match some seed modules"
    return Expectation(filters=filters, ranges=ranges, ids=ids)


@pytest.mark.parametrize("combination", COMBINATIONS.values(), ids=list(COMBINATIONS))
def test_facet_counts_equal_the_counts_computed_from_the_database(seed_search, combination):
    text, filters, ranges = combination
    expectation = _expectation(seed_search, text, filters, ranges)
    page = seed_search.search(
        text, filters=filters, facet_limit=1000, page_size=100, **ranges.as_request()
    )
    with seed_search.session() as session:
        expected = expected_facets(session, expectation, seed_search.today)
        matching = matching_ids(session, expectation, seed_search.today)
    assert page.total == len(matching)
    assert {hit.module_id for hit in page.hits} == matching
    shown = {name: {v.value: v.count for v in values} for name, values in page.facets.items()}
    assert set(shown) == set(FACETS)
    for name in FACETS:
        assert shown[name] == expected[name], f"facet {name}"
    for name, values in page.facets.items():
        for value in values:
            assert value.selected == (value.value in filters.get(name, [])), (name, value)


def test_the_seed_gives_the_facets_something_to_count(seed_search):
    """Guards the test above: an empty facet would compare nothing with nothing."""
    with seed_search.session() as session:
        expected = expected_facets(session, Expectation(), seed_search.today)
    for name in FACETS:
        assert len(expected[name]) >= 2, f"the seed has fewer than two values of facet {name}"


def test_a_facet_shows_its_15_largest_values_and_any_selected_one(seed_search):
    with seed_search.session() as session:
        counts = expected_facets(session, Expectation(), seed_search.today)["institution"]
    assert len(counts) > 16, "the seed should hold more institutions than a facet shows"
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    smallest = ranked[-1][0]
    page = seed_search.search("", filters={"institution": [smallest]})
    shown = [(v.value, v.count) for v in page.facets["institution"]]
    assert shown == [*ranked[:15], ranked[-1]]
    assert page.facets["institution"][-1].selected


RANGES = {
    "hours from": Ranges(hours_min=100),
    "hours up to": Ranges(hours_max=56),
    "hours between, boundaries included": Ranges(hours_min=28, hours_max=140),
    "price up to": Ranges(price_max=500),
    "price from": Ranges(price_min=1500),
    "free": Ranges(price_min=0, price_max=0),
    "starts until": Ranges(start_until=date(2027, 3, 1)),
    "starts from": Ranges(start_from=date(2027, 6, 1)),
    "starts between": Ranges(start_from=date(2027, 4, 1), start_until=date(2027, 10, 1)),
    "all ranges": Ranges(
        hours_min=20,
        hours_max=400,
        price_max=3000,
        start_from=date(2027, 1, 1),
        start_until=date(2027, 12, 31),
    ),
}


@pytest.mark.parametrize("ranges", RANGES.values(), ids=list(RANGES))
def test_ranges_keep_exactly_the_modules_the_database_says(seed_search, ranges):
    with seed_search.session() as session:
        expected = matching_ids(session, Expectation(ranges=ranges), seed_search.today)
        published = published_ids(session)
    assert 0 < len(expected) < len(published), "the range should keep some modules, not all"
    found = seed_search.found("", **ranges.as_request())
    assert len(found) == len(set(found)), "a module is shown twice"
    kept_wrongly = sorted(set(found) - expected)
    missed = sorted(expected - set(found))
    assert not kept_wrongly and not missed, f"kept wrongly {kept_wrongly}, missed {missed}"


def test_the_search_page_applies_the_ranges_typed_in_the_form(seed_search):
    ranges = RANGES["all ranges"]
    with seed_search.session() as session:
        expected = matching_ids(session, Expectation(ranges=ranges), seed_search.today)
    html = seed_search.app.test_client().get("/search", query_string=ranges.as_query()).text
    assert _total(html) == len(expected)
    for name, value in ranges.as_query().items():
        assert re.search(rf'name="{name}" value="{re.escape(value)}', html), name


def _total(html: str) -> int:
    heading = re.search(r'<h2 id="results-heading"[^>]*>\s*(\d+)', html)
    assert heading, "the page shows no result count"
    return int(heading.group(1))


def test_sorting_by_soonest_start_follows_the_next_run_of_each_module(seed_search):
    found = seed_search.found("", sort="soonest")
    with seed_search.session() as session:
        starts = next_runs(session, seed_search.today)
    assert sorted(found) == sorted(starts), "sorting must not change which modules are found"
    order = [starts[module_id] for module_id in found]
    with_run = [start for start in order if start is not None]
    assert with_run, "the seed should have upcoming runs"
    assert order[: len(with_run)] == with_run, "modules without a next run come last"
    assert with_run == sorted(with_run), "earliest next run first"
    assert with_run[0] >= seed_search.today


def test_sorting_by_soonest_start_with_text_keeps_the_same_modules(seed_search):
    relevance = seed_search.found("techniek")
    soonest = seed_search.found("techniek", sort="soonest")
    assert sorted(relevance) == sorted(soonest)
    with seed_search.session() as session:
        starts = next_runs(session, seed_search.today)
    far = date.max
    keys = [starts[module_id] or far for module_id in soonest]
    assert keys == sorted(keys)


def test_sorting_by_newest_puts_the_latest_publication_first(seed_search):
    found = seed_search.found("", sort="newest")
    with seed_search.session() as session:
        when = published_at(session)
    assert sorted(found) == sorted(when)
    seconds = [when[module_id].replace(microsecond=0) for module_id in found]
    assert seconds == sorted(seconds, reverse=True)


def test_pages_of_results_together_show_every_module_once(seed_search):
    client = seed_search.app.test_client()
    seen: list[str] = []
    first = client.get("/search", query_string={"sort": "soonest"}).text
    total = _total(first)
    pages = -(-total // 20)
    assert pages > 1
    for number in range(1, pages + 1):
        html = client.get("/search", query_string={"sort": "soonest", "page": number}).text
        seen += re.findall(r'<h3 class="card-title"><a href="/modules/(\d+)"', html)
    assert len(seen) == total == len(set(seen))


def test_the_next_run_shown_is_the_first_upcoming_one(seed_search):
    page = seed_search.search("", page_size=100)
    with seed_search.session() as session:
        starts = next_runs(session, seed_search.today)
    for hit in page.hits:
        expected = starts[hit.module_id]
        shown = date.fromisoformat(hit.next_run["start"]) if hit.next_run else None
        assert shown == expected, hit.display["code"]


def test_a_run_that_has_started_is_no_longer_the_next_one(seed_search):
    """What is upcoming depends on the day of the search, not on the day the index was built."""
    with seed_search.session() as session:
        starts = {k: v for k, v in next_runs(session, seed_search.today).items() if v}
    module_id, start = min(starts.items(), key=lambda pair: pair[1])
    day_after = start + timedelta(days=1)
    page = search(seed_search.app, "", today=day_after, page_size=1000)
    hits = {hit.module_id: hit for hit in page.hits}
    shown = hits[module_id].next_run
    assert shown is None or date.fromisoformat(shown["start"]) > start
    with seed_search.session() as session:
        later = next_runs(session, day_after)
    soonest = search(seed_search.app, "", today=day_after, sort="soonest", page_size=1000)
    order = [later[hit.module_id] for hit in soonest.hits if later[hit.module_id]]
    assert order == sorted(order) and order[0] >= day_after


def test_a_module_published_just_now_comes_first_when_sorting_by_newest(world_app, world):
    build_index(world_app)
    draft = world.modules["A-DRAFT"]
    assert found_ids(world_app, "", sort="newest")[0] != draft
    with app_session(world_app) as session:
        editing.publish_module(session=session, actor=SYSTEM, module_id=draft)
    assert found_ids(world_app, "", sort="newest")[0] == draft
    assert found_ids(world_app, "cleanroom", sort="newest")[0] == draft
