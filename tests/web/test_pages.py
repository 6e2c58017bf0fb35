"""The public pages: every page answers in Dutch and in English, lists page, unknown things are a
404 page, and only published modules are public."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from catalogue.institutions.models import Institution, Region
from catalogue.modules.models import Module
from tests.factories import INSTITUTION_A, app_session

LANG_RE = re.compile(r'<html lang="([a-z]+)">')
MODULE_LINK_RE = re.compile(r'href="/modules/(\d+)"')


def _lang(html: str) -> str:
    match = LANG_RE.search(html)
    assert match, "the page has no <html lang>"
    return match.group(1)


def _published(app) -> list[Module]:
    with app_session(app) as session:
        return list(
            session.scalars(
                select(Module).where(Module.status == "published").order_by(Module.title, Module.id)
            )
        )


def _public_paths(app) -> list[str]:
    with app_session(app) as session:
        module = session.scalar(select(Module).where(Module.status == "published").limit(1))
        institution = session.scalar(select(Institution).order_by(Institution.code).limit(1))
        region = session.scalar(select(Region).order_by(Region.code).limit(1))
    assert module is not None, "the seed has no published module"
    return [
        "/",
        "/modules",
        "/modules?page=2",
        f"/modules/{module.id}",
        f"/modules/{module.id}/versions",
        "/institutions",
        f"/institutions/{institution.code}",
        "/regions",
        f"/regions/{region.code}",
    ]


def test_every_public_page_answers_in_dutch_by_default_and_in_english_on_request(seeded_app):
    client = seeded_app.test_client()
    for path in _public_paths(seeded_app):
        dutch = client.get(path)
        assert dutch.status_code == 200, path
        assert _lang(dutch.text) == "nl", path
        separator = "&" if "?" in path else "?"
        english = client.get(f"{path}{separator}lang=en")
        assert english.status_code == 200, path
        assert _lang(english.text) == "en", path


def test_every_public_page_has_one_heading_a_title_and_a_skip_link(seeded_app):
    client = seeded_app.test_client()
    for path in _public_paths(seeded_app):
        html = client.get(path).text
        assert len(re.findall(r"<h1[ >]", html)) == 1, path
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert title.strip(" ·\n"), path
        assert 'href="#content"' in html and 'id="content"' in html, path


def test_the_language_switch_is_remembered_in_a_cookie(seeded_app):
    client = seeded_app.test_client()
    home = client.get("/").text
    link = re.search(r'<a class="language" lang="en" hreflang="en"\s+href="([^"]+)"', home)
    assert link, "the Dutch page links to the English one"
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _lang(client.get("/modules").text) == "en"
    assert 'hreflang="nl"' in client.get("/").text
    client.get("/language/nl")
    assert _lang(client.get("/modules").text) == "nl"


def test_the_language_cookie_is_http_only_and_same_site(seeded_app):
    response = seeded_app.test_client().get("/language/en")
    (cookie,) = [
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("catalogue_lang=")
    ]
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "catalogue_lang=en" in flags
    assert "httponly" in flags and "samesite=lax" in flags


def test_the_language_switch_returns_to_the_page_but_never_off_site(seeded_app):
    client = seeded_app.test_client()
    response = client.get("/language/en?next=/regions")
    assert response.headers["Location"] == "/regions"
    for evil in ("https://evil.example/", "//evil.example"):
        response = client.get("/language/en", query_string={"next": evil})
        assert response.headers["Location"] == "/"


def test_an_unknown_language_is_a_404_page(seeded_app):
    response = seeded_app.test_client().get("/language/fr")
    assert response.status_code == 404
    assert _lang(response.text) == "nl"


def test_the_module_list_is_paged_and_lists_every_published_module_once(seeded_app):
    client = seeded_app.test_client()
    published = _published(seeded_app)
    page_size = seeded_app.config["PAGE_SIZE"]
    assert len(published) > page_size, "the seed should fill more than one page"
    seen: list[int] = []
    page = 1
    while True:
        response = client.get(f"/modules?page={page}")
        assert response.status_code == 200
        ids = [int(i) for i in MODULE_LINK_RE.findall(response.text)]
        assert len(ids) <= page_size
        seen += ids
        if 'rel="next"' not in response.text:
            break
        page += 1
    assert seen == [m.id for m in published]
    assert f"{len(published)} " in client.get("/modules").text


def test_a_page_past_the_end_shows_no_modules(seeded_app):
    response = seeded_app.test_client().get("/modules?page=999")
    assert response.status_code == 200
    assert MODULE_LINK_RE.findall(response.text) == []
    assert seeded_app.test_client().get("/modules?page=-3").status_code == 200
    assert seeded_app.test_client().get("/modules?page=abc").status_code == 200


def test_the_sector_filter_shows_only_that_sector(seeded_app):
    response = seeded_app.test_client().get("/modules?sector=hbo")
    ids = {int(i) for i in MODULE_LINK_RE.findall(response.text)}
    with app_session(seeded_app) as session:
        sectors = {m.sector for m in session.scalars(select(Module).where(Module.id.in_(ids)))}
    assert sectors <= {"hbo"}
    assert 'value="hbo" checked' in response.text


def test_a_module_page_shows_units_material_and_runs(seeded_app):
    with app_session(seeded_app) as session:
        module = session.scalar(
            select(Module)
            .where(Module.status == "published")
            .where(Module.units.any())
            .where(Module.materials.any())
            .limit(1)
        )
        units = [u.title for u in module.units]
        materials = [m.title for m in module.materials]
    html = seeded_app.test_client().get(f"/modules/{module.id}").text
    from markupsafe import escape

    assert str(escape(module.title)) in html
    for title in units + materials:
        assert str(escape(title)) in html


@pytest.mark.parametrize(
    "path",
    [
        "/modules/999999",
        "/modules/0",
        "/modules/not-a-number",
        "/institutions/no-such-institution",
        "/regions/no-such-region",
        "/modules/999999/versions",
        "/no/such/page",
    ],
)
def test_unknown_things_answer_404_with_a_page(seeded_app, path):
    client = seeded_app.test_client()
    for query, lang in (("", "nl"), ("?lang=en", "en")):
        response = client.get(path + query)
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        assert _lang(response.text) == lang
        assert 'href="/"' in response.text, "the 404 page leads back home"


def test_arnhem_nijmegen_cooperates_through_brainport(seeded_app):
    client = seeded_app.test_client()
    page = client.get("/regions/arnhem-nijmegen")
    assert page.status_code == 200
    assert 'href="/regions/brainport"' in page.text
    assert "Arnhem-Nijmegen" in client.get("/").text


def test_the_home_page_counts_what_the_catalogue_holds(seeded_app):
    with app_session(seeded_app) as session:
        published = session.scalar(
            select(func.count()).select_from(Module).where(Module.status == "published")
        )
    html = seeded_app.test_client().get("/").text
    assert f"{published} " in html
    for code in ("brainport", "zuid-holland", "twente", "noorden", "arnhem-nijmegen"):
        assert f'href="/regions/{code}"' in html


def test_the_health_check_answers(seeded_app):
    response = seeded_app.test_client().get("/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


# -- what the public may see ------------------------------------------------------------------


@pytest.mark.parametrize(("code", "status"), [("A-PUB", 200), ("A-DRAFT", 404), ("A-ARCH", 404)])
def test_anonymous_visitors_see_only_published_modules(world, anonymous_client, code, status):
    module_id = world.modules[code]
    assert anonymous_client.get(f"/modules/{module_id}").status_code == status
    assert anonymous_client.get(f"/modules/{module_id}/versions").status_code == status


def test_drafts_and_archived_modules_are_on_no_public_list(world, anonymous_client):
    hidden = {world.modules[c] for c in ("A-DRAFT", "A-ARCH", "B-DRAFT", "B-ARCH")}
    shown = {world.modules["A-PUB"], world.modules["A-CHANGED"]}
    institution_page = anonymous_client.get(f"/institutions/{INSTITUTION_A}").text
    linked = {int(i) for i in MODULE_LINK_RE.findall(institution_page)}
    assert shown <= linked
    assert not hidden & linked
    region_page = anonymous_client.get("/regions/brainport?lang=en")
    assert region_page.status_code == 200
    every_list = ""
    page = 1
    while True:
        html = anonymous_client.get(f"/modules?page={page}").text
        every_list += html
        if 'rel="next"' not in html:
            break
        page += 1
    listed = {int(i) for i in MODULE_LINK_RE.findall(every_list)}
    assert shown <= listed
    assert not hidden & listed


def test_versions_that_do_not_exist_are_a_404_page(world, anonymous_client):
    module_id = world.modules["A-PUB"]
    assert anonymous_client.get(f"/modules/{module_id}/versions/1").status_code == 200
    for path in (
        f"/modules/{module_id}/versions/2",
        f"/modules/{module_id}/compare?from=1&to=7",
        f"/modules/{world.modules['A-DRAFT']}/compare",
    ):
        response = anonymous_client.get(path)
        assert response.status_code == 404, path
        assert _lang(response.text) == "nl"


def test_the_public_sees_the_published_version_not_the_unpublished_changes(world, anonymous_client):
    html = anonymous_client.get(f"/modules/{world.modules['A-CHANGED']}").text
    assert "Module A-CHANGED" in html
    assert "Changed A (unpublished)" not in html
