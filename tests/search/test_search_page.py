"""The search page and GET /api/v1/search as a visitor and a machine use them: whatever is typed
the page answers, what is typed is shown escaped, typos are corrected, synonyms and compounds
are understood, every link keeps the search's state, and the API says what the page says."""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from catalogue.modules.models import LearningUnit, Module
from tests.factories import forms_on

API = "/api/v1/search"

ODD_QUERIES = {
    "unclosed quote": '"unclosed',
    "lone quote": '"',
    "empty quotes": '""',
    "operators only": "((AND OR NOT",
    "star": "*",
    "minus": "-",
    "double minus": "--",
    "leading wildcard": "*techniek",
    "field syntax": "title:cleanroom body:[a TO z]",
    "boolean words": "cleanroom AND NOT chip OR",
    "5000 letters": "a" * 5000,
    "1000 words": "chip " * 1000,
    "many unknown words": " ".join(
        "".join(chr(97 + (i * 7 + j * 3) % 26) for j in range(7)) for i in range(80)
    ),
    "control characters": "clean\x00room\x07\x1b[31m\x7f",
    "newlines and tabs": "clean\nroom\r\n\ttechniek",
    "script tag": "<script>alert('x')</script>",
    "sql": "' OR 1=1; DROP TABLE module; --",
    "stop words only": "de het een van the of",
    "excluded words only": "-chip -cleanroom",
    "emoji": "🔬🧪 chips",
    "chinese": "半導體",
    "arabic": "أشباه الموصلات",
    "combining accents": "vacuu\u0308m",
    "fullwidth letters": "".join(chr(0xFEE0 + ord(c)) for c in "cleanroom"),
    "percent signs": "%%% 100%",
    "backslashes": "\\\\ \\x00 \\",
    "regular expression": ".*[a-z]+(?=x)|^$",
    "url": "https://example.org/?q=1&x=<b>",
    "html entities": "&lt;b&gt; &amp; &#0;",
    "whitespace": " \u00a0\u2003 ",
    "numbers": "3140 61340 0 -1 1e308",
    "single letters": "a b c d e f g",
}

RESULTS_HEADING = re.compile(r'<h2 id="results-heading"[^>]*>\s*(\d+)')
HTML_LANG = re.compile(r'<html lang="([a-z]+)">')


def _total(html: str) -> int:
    match = RESULTS_HEADING.search(html)
    assert match, "the page shows no result count"
    return int(match.group(1))


def _card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="card-title"><a href="/modules/(\d+)"', html)]


def _href_args(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(unescape(href)).query, keep_blank_values=True)


@pytest.mark.parametrize("query", ODD_QUERIES.values(), ids=list(ODD_QUERIES))
def test_whatever_is_typed_the_page_and_the_api_answer_with_results_or_none(seed_search, query):
    client = seed_search.app.test_client()
    started = time.perf_counter()
    page = client.get("/search", query_string={"q": query})
    api = client.get(API, query_string={"q": query})
    elapsed = time.perf_counter() - started
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    total = _total(page.text)
    assert len(_card_ids(page.text)) == min(total, 20)
    assert api.status_code == 200, api.get_json()
    body = api.get_json()
    assert body["total"] == total
    assert isinstance(body["items"], list)
    assert elapsed < 5, f"{elapsed:.1f} s for one search"


def test_what_was_typed_is_shown_escaped_never_as_markup(seed_search):
    client = seed_search.app.test_client()
    typed = "<script>alert('x')</script> <b>cleanroom</b> \"><img src=x onerror=alert(1)>"
    html = client.get("/search", query_string={"q": typed}).text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>cleanroom" not in html
    assert "&lt;script&gt;" in html, "the search box keeps what was typed, escaped"
    # Words of the query are marked in the snippets, and nothing else is markup there.
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', html, re.S)
    assert snippets
    for snippet in snippets:
        assert re.sub(r"</?mark[^>]*>", "", snippet).count("<") == 0, snippet
    api = client.get(API, query_string={"q": typed}).get_json()
    for item in api["items"]:
        assert re.sub(r"</?mark[^>]*>", "", item["snippet"]).count("<") == 0


def test_an_empty_query_lists_every_published_module_with_all_facets(seed_search):
    with seed_search.session() as session:
        published = len(
            session.scalars(select(Module.id).where(Module.status == "published")).all()
        )
    client = seed_search.app.test_client()
    for query in ({}, {"q": ""}, {"q": "   "}):
        html = client.get("/search", query_string=query).text
        assert _total(html) == published
        assert len(_card_ids(html)) == 20
        for facet in ("sector", "level", "region", "institution", "competency", "language"):
            assert f'id="facet-{facet}"' in html, facet
    api = client.get(API).get_json()
    assert api["total"] == published
    assert sum(value["count"] for value in api["facets"]["sector"]) == published


def test_bad_numbers_and_dates_in_the_form_are_named_and_the_search_still_runs(seed_search):
    client = seed_search.app.test_client()
    plain = _total(client.get("/search", query_string={"q": "chip"}).text)
    absurd = {
        "q": "chip",
        "hours_min": "veel",
        "price_max": "-5",
        "start_from": "2027-13-45",
        "page": "0",
        "page_size": "100000",
        "sort": "sideways",
        "sector": ["mbo"] * 60,
    }
    response = client.get("/search", query_string=absurd)
    assert response.status_code == 200
    assert _total(response.text) == plain
    errors = re.findall(r'<p class="field-error" data-field="([a-z_]+)">', response.text)
    assert {"hours_min", "price_max", "start_from", "page", "page_size", "sort", "sector"} <= set(
        errors
    )
    api = client.get(API, query_string=absurd)
    assert api.status_code == 422
    assert api.mimetype == "application/json"


def test_a_page_past_the_last_one_shows_no_results_but_no_error(seed_search):
    response = seed_search.app.test_client().get("/search", query_string={"q": "chip", "page": 40})
    assert response.status_code == 200
    assert _total(response.text) > 0
    assert _card_ids(response.text) == []


def test_a_typo_is_corrected_and_the_page_says_so(seed_search):
    client = seed_search.app.test_client()
    html = client.get("/search", query_string={"q": "litografie", "lang": "en"}).text
    notice = re.search(r'<p class="notice">(.*?)</p>', html, re.S)
    assert notice, "the page says the query was corrected"
    assert "<strong>lithografie</strong>" in notice.group(1)
    assert "litografie" in notice.group(1)
    lithography = seed_search.by_code("FHT-LITH-02")
    assert _card_ids(html)[0] == lithography
    api = client.get(API, query_string={"q": "litografie"}).get_json()
    assert api["corrected_from"] == "litografie"
    assert api["searched_for"] == "lithografie"
    assert api["items"][0]["id"] == lithography
    # A correctly spelt query is not "corrected".
    right = client.get(API, query_string={"q": "lithografie"}).get_json()
    assert right["corrected_from"] is None and right["did_you_mean"] is None
    assert right["total"] == api["total"]


def test_parameters_that_are_not_the_searchs_are_ignored_without_complaint(seed_search):
    """?lang= switches the language; a shared link may carry tracking tags. Neither is an error,
    while a bad value of the search's own is still reported."""
    client = seed_search.app.test_client()
    html = client.get("/search?q=chip&lang=en&utm_source=newsletter").text
    assert 'class="field-error"' not in html
    assert _card_ids(html), "the search itself still ran"
    bad = client.get("/search?q=chip&lang=en&hours_min=lots").text
    errors = re.findall(r'<p class="field-error" data-field="([^"]+)"', bad)
    assert errors == ["hours_min"]


def test_stop_words_and_punctuation_get_no_suggestion(seed_search):
    """ "and or (" matches nothing, and is not "corrected" into rare words that look alike."""
    client = seed_search.app.test_client()
    api = client.get(API, query_string={"q": "AND OR ("}).get_json()
    assert api["total"] == 0
    assert api["corrected_from"] is None and api["did_you_mean"] is None


def _module_texts(seed_search) -> dict[int, str]:
    """Everything a published module says, lower case, read from the database."""
    with seed_search.session() as session:
        texts = {}
        for module in session.scalars(select(Module).where(Module.status == "published")):
            parts = [
                module.code,
                module.title,
                module.summary,
                module.description,
                module.prerequisites,
                module.assessment,
                module.participation,
                *module.learning_outcomes,
                *(m.title for m in module.materials),
            ]
            texts[module.id] = " ".join(parts)
        for unit in session.scalars(select(LearningUnit)):
            if unit.module_id in texts:
                texts[unit.module_id] += " ".join(
                    [" ", unit.code, unit.title, unit.description, *unit.learning_outcomes]
                )
    return {module_id: text.lower() for module_id, text in texts.items()}


@pytest.mark.parametrize(
    ("word", "synonym"),
    [
        ("chip", "halfgeleider"),
        ("plc", "programmable logic controller"),
        ("lithografie", "lithography"),
        ("onderhoud", "maintenance"),
    ],
)
def test_synonyms_find_the_same_modules_even_without_the_word(seed_search, word, synonym):
    first = seed_search.found(word)
    second = seed_search.found(synonym)
    assert first, word
    assert sorted(first) == sorted(second)
    texts = _module_texts(seed_search)
    only_by_synonym = [i for i in first if word not in texts[i]]
    assert only_by_synonym, f"some module found by {word!r} never says {word!r}"
    only_by_word = [i for i in second if synonym not in texts[i]]
    assert only_by_word, f"some module found by {synonym!r} never says {synonym!r}"


def test_plc_and_its_spelt_out_forms_put_the_plc_module_first(seed_search):
    plc = seed_search.by_code("RVT-PLC-01")
    for query in ("plc", "PLC", "programmable logic controller", "programmeerbare besturing"):
        assert seed_search.found(query)[:1] == [plc], query


def test_parts_of_a_dutch_compound_find_it(seed_search):
    cleanroom = seed_search.by_code("SUM-CRT-01")  # "Cleanroomtechniek: werken in ..."
    vacuum = seed_search.by_code("MC-VAC-01")  # "Vacuümtechniek: basis en praktijk"
    assert seed_search.found("cleanroom")[:1] == [cleanroom]
    assert cleanroom in seed_search.found("cleanroom techniek")[:3]
    assert seed_search.found("cleanroomtechniek")[:1] == [cleanroom]
    assert seed_search.found("vacuum techniek")[:1] == [vacuum]
    assert seed_search.found("vacuümtechniek")[:1] == [vacuum]
    with seed_search.session() as session:
        title = session.get(Module, cleanroom).title
    assert "cleanroom" not in re.findall(r"\w+", title.lower()), "the title has only the compound"


def test_accents_and_capitals_do_not_matter(seed_search):
    base = seed_search.found("vacuum")
    assert base
    fullwidth = "".join(chr(0xFEE0 + ord(c)) for c in "vacuum")
    for variant in ("vacuüm", "VACUÜM", "Vacuum", fullwidth):
        assert seed_search.found(variant) == base, variant


def test_an_accent_typed_as_a_separate_combining_mark_is_the_same_letter(seed_search):
    """ "vacuüm" pasted in decomposed form (u + U+0308, as some systems produce) is vacuüm."""
    composed = "vacu\u00fcm"
    decomposed = "vacuu\u0308m"
    assert seed_search.found(decomposed) == seed_search.found(composed)
    client = seed_search.app.test_client()
    page = client.get("/search", query_string={"q": decomposed}).text
    assert _card_ids(page) == seed_search.found(composed)[:20]


def test_quoted_words_must_all_occur_and_a_minus_excludes(seed_search):
    lithography = seed_search.by_code("FHT-LITH-02")  # "Lithografie en EUV: ..."
    with_euv = seed_search.found("lithografie")
    assert lithography in with_euv
    without = seed_search.found("lithografie -euv")
    assert lithography not in without
    assert set(without) < set(with_euv)
    texts = _module_texts(seed_search)
    assert all("euv" not in texts[i] for i in without)


def test_the_page_is_dutch_by_default_and_english_on_request(seed_search):
    client = seed_search.app.test_client()
    dutch = client.get("/search", query_string={"q": "cleanroom"}).text
    english = client.get("/search", query_string={"q": "cleanroom", "lang": "en"}).text
    assert HTML_LANG.search(dutch).group(1) == "nl"
    assert HTML_LANG.search(english).group(1) == "en"
    assert "Zoeken in de catalogus" in dutch and "modules voor" in dutch
    assert "Search the catalogue" in english and "modules for" in english
    assert _card_ids(dutch) == _card_ids(english)
    assert _total(dutch) == _total(english)


def test_every_link_on_the_page_keeps_the_search_s_state(seed_search):
    client = seed_search.app.test_client()
    state = {"q": "chip", "sector": "mbo", "hours_max": "500", "sort": "newest", "lang": "en"}
    html = client.get("/search", query_string=state).text
    aside = html[html.index('<aside class="facets"') : html.index("</aside>")]
    links = re.findall(
        r'<li><a href="([^"]+)"[^>]*>\s*(.*?)</a>\s*<span class="count">\((\d+)\)', aside, re.S
    )
    assert len(links) > 10
    checked = 0
    for href, _label, count in links:
        args = _href_args(href)
        for name in ("q", "hours_max", "sort", "lang"):
            assert args.get(name) == [state[name]], (href, name)
        assert "page" not in args
        facets = [name for name in args if name not in state]
        if args.get("sector") == ["mbo"] and len(facets) == 1:
            # A value of another facet: following the link shows as many modules as it said.
            assert _total(client.get(unescape(href)).text) == int(count), href
            checked += 1
    assert checked > 5
    clear = re.search(r'<a href="([^"]+)">[^<]*</a></p>\s*</aside>', html)
    assert clear, "a link clears the filters"
    assert _href_args(clear.group(1)) == {"q": ["chip"], "sort": ["newest"]}


def test_selecting_a_second_value_of_a_facet_widens_the_search(seed_search):
    client = seed_search.app.test_client()
    html = client.get("/search", query_string={"sector": "mbo"}).text
    mbo = _total(html)
    section = re.search(r'id="facet-sector".*?</section>', html, re.S).group(0)
    hbo = re.search(r'<a href="([^"]+sector=hbo[^"]*)"[^>]*>.*?\((\d+)\)', section, re.S)
    assert _href_args(hbo.group(1))["sector"] == ["mbo", "hbo"]
    both = client.get(unescape(hbo.group(1))).text
    assert _total(both) == mbo + int(hbo.group(2))
    selected = re.search(r'id="facet-sector".*?</section>', both, re.S).group(0)
    assert selected.count('aria-current="true"') == 2


def test_the_pager_and_the_form_keep_the_search_s_state(seed_search):
    client = seed_search.app.test_client()
    state = {"language": "nld", "hours_max": "100000", "sort": "soonest", "lang": "en"}
    html = client.get("/search", query_string=state).text
    total = _total(html)
    assert total > 20
    following = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert following, "the first page links to the next one"
    assert _href_args(following.group(1)) == {**{k: [v] for k, v in state.items()}, "page": ["2"]}
    second = client.get(unescape(following.group(1))).text
    assert _total(second) == total
    assert not set(_card_ids(second)) & set(_card_ids(html))

    form = next(f for f in forms_on(html) if f.action.endswith("/search"))
    values = form.values()
    assert values["language"] == "nld" and values["sort"] == "soonest"
    assert values["hours_max"] == "100000.0" or float(values["hours_max"]) == 100000
    resubmitted = client.get(form.action, query_string=values).text
    assert _total(resubmitted) == total
    assert _card_ids(resubmitted) == _card_ids(html)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "chip", "sector": "mbo"},
        {"q": "litografie"},
        {"q": "cleanroom", "hours_max": "100", "sort": "soonest"},
        {"q": "semiconductor", "language": ["eng", "nld"], "page": "2"},
        {"region": "twente", "flags": "micro-credential"},
    ],
    ids=["everything", "text and facet", "typo", "text, range and sort", "page 2", "facets"],
)
def test_the_api_finds_what_the_page_shows(seed_search, query):
    client = seed_search.app.test_client()
    html = client.get("/search", query_string=query).text
    api = client.get(API, query_string=query)
    assert api.status_code == 200
    body = api.get_json()
    assert {"items", "total", "facets", "corrected_from", "did_you_mean", "searched_for"} <= set(
        body
    )
    assert body["total"] == _total(html)
    assert [item["id"] for item in body["items"]] == _card_ids(html)
    for item in body["items"]:
        assert item["url"].endswith(f"/modules/{item['id']}")
        assert item["title"] and item["institution"]
    shown = _page_facet_counts(html)
    assert shown, "the page shows facets"
    for name, values in body["facets"].items():
        assert [value["count"] for value in values] == shown.get(name, []), name
        for value in values:
            assert set(value) == {"value", "label", "count", "selected"}, name


def _page_facet_counts(html: str) -> dict[str, list[int]]:
    """{facet: the counts shown next to its values, in order}."""
    sections = re.findall(
        r'<section class="facet" aria-labelledby="facet-([a-z_]+)">(.*?)</section>', html, re.S
    )
    return {
        name: [int(count) for count in re.findall(r'<span class="count">\((\d+)\)', section)]
        for name, section in sections
    }


def test_numbers_typed_in_the_form_come_back_as_typed(seed_search):
    client = seed_search.app.test_client()
    typed = {"q": "chip", "hours_min": "8", "price_max": "1250.5", "near": "Eindhoven", "km": "30"}
    html = client.get("/search", query_string=typed).text
    for name in ("hours_min", "price_max", "km"):
        value = re.search(rf'id="{name}" name="{name}" value="([^"]*)"', html).group(1)
        assert value == typed[name], (name, value)
