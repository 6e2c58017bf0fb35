"""The editor keeps people's work and helps them fill in forms.

Publishing sends the form, so what was typed is what is published; archiving, discarding and
removing a run ask first on a page of their own; numbers are read in the page's notation; a new
module starts with the study-load unit of its institution's sector; "add a unit" comes back at the
new unit; a module's public page links to the editor for those who may edit it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogue.web.forms import parse_number
from tests.factories import (
    EDITOR_A,
    EDITOR_B,
    INSTITUTION_A,
    form_on,
    load_module,
    offering_form_fields,
    post_with_csrf,
)


@pytest.mark.parametrize(
    ("typed", "locale", "expected"),
    [
        ("1.250,50", "nl", Decimal("1250.50")),
        ("1,250.50", "en", Decimal("1250.50")),
        ("1450,00", "nl", Decimal("1450.00")),
        ("2.5", "nl", Decimal("2.5")),
        ("2,5", "en", Decimal("2.5")),
        ("-5", "nl", Decimal("-5")),
        ("vijf", "nl", None),
    ],
)
def test_numbers_are_read_in_the_page_s_notation(typed, locale, expected):
    assert parse_number(typed, locale) == expected


def test_typing_then_publishing_publishes_what_was_typed(world_app, world, client_for):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    page = client.get(f"/manage/modules/{module_id}/edit").text
    form = form_on(page, r"/edit$")
    response = client.post(
        form.action, data=form.values(action="publish", title="Typed just before publishing")
    )
    assert response.status_code == 302
    module = load_module(world_app, module_id)
    assert (module.status, module.title) == ("published", "Typed just before publishing")
    assert "Typed just before publishing" in client.get(f"/modules/{module_id}/versions/1").text


@pytest.mark.parametrize(
    ("path", "question", "still"),
    [
        ("/manage/modules/{A-PUB}/archive", "Archive Module A-PUB?", "published"),
        ("/manage/modules/{A-CHANGED}/discard", "Discard the unpublished changes", "draft"),
        ("/manage/offerings/{run}/delete", "Remove run 2026-09", "run"),
    ],
)
def test_destructive_actions_ask_first_without_javascript(
    world_app, world, client_for, path, question, still
):
    client = client_for(EDITOR_A)
    client.set_cookie("catalogue_lang", "en")
    url = path.format(
        **{"A-PUB": world.modules["A-PUB"], "A-CHANGED": world.modules["A-CHANGED"]},
        run=world.offerings["A-PUB"],
    )
    page = client.get(url)
    assert page.status_code == 200 and question in page.text
    assert "<script" not in page.text.split("<main", 1)[1]
    # Asking changed nothing.
    assert load_module(world_app, world.modules["A-PUB"]).status == "published"
    assert load_module(world_app, world.modules["A-CHANGED"]).draft_content is not None
    assert len(load_module(world_app, world.modules["A-PUB"]).offerings) == 1
    # The question's own form does it.
    form = form_on(page.text, url.rsplit("/", 1)[1] + "$")
    assert client.post(form.action, data=form.values()).status_code == 302
    if still == "published":
        assert load_module(world_app, world.modules["A-PUB"]).status == "archived"
    elif still == "draft":
        assert load_module(world_app, world.modules["A-CHANGED"]).draft_content is None
    else:
        assert load_module(world_app, world.modules["A-PUB"]).offerings == []


def test_another_institution_s_editor_gets_no_question_page(world, client_for):
    client = client_for(EDITOR_B)
    assert client.get(f"/manage/modules/{world.modules['A-PUB']}/archive").status_code == 403


def _add_run(client, module_id, lang, **fields):
    client.set_cookie("catalogue_lang", lang)
    return post_with_csrf(
        client, f"/manage/modules/{module_id}/offerings/new", offering_form_fields(**fields)
    )


@pytest.mark.parametrize(
    ("lang", "price"), [("nl", "1.250,50"), ("en", "1,250.50"), ("nl", "1450,00")]
)
def test_prices_in_dutch_and_english_notation(world_app, world, client_for, lang, price):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-PUB"]
    assert _add_run(client, module_id, lang, price_eur=price).status_code == 302
    run = next(o for o in load_module(world_app, module_id).offerings if o.code == "2027-02")
    assert run.price_eur == Decimal(price.replace(".", "").replace(",", "")) / 100


def test_negative_seats_get_a_range_message_not_a_whole_number_message(world, client_for):
    client = client_for(EDITOR_A)
    response = _add_run(client, world.modules["A-PUB"], "en", seats="-5")
    assert response.status_code == 422
    assert "Must be between 0 and" in response.text
    assert "whole number" not in response.text


def test_new_module_form_marks_required_fields_and_uses_the_sector_s_unit(
    world_app, world, client_for
):
    from catalogue.db import get_session
    from catalogue.institutions.models import Institution

    client = client_for(EDITOR_A)
    client.set_cookie("catalogue_lang", "en")
    with world_app.app_context():
        session = get_session()
        institution = session.get(Institution, world.a)
        institution.kind = "mbo-college"
        session.commit()
    page = client.get(f"/manage/institutions/{INSTITUTION_A}/modules/new").text
    assert "Fields marked with * are required." in page
    assert '<option value="sbu" selected>' in page
    assert "(choose at least one)" in page


def test_add_unit_comes_back_at_the_new_unit(world, client_for):
    client = client_for(EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    page = client.get(f"/manage/modules/{module_id}/edit").text
    form = form_on(page, r"/edit$")
    assert f'formaction="/manage/modules/{module_id}/edit#unit-2"' in page
    again = client.post(form.action + "#unit-2", data=form.values(action="add-unit")).text
    assert 'id="unit-2"' in again


def test_public_page_links_to_the_editor_only_for_its_editors(world, client_for):
    module_id = world.modules["A-PUB"]
    edit_link = f'href="/manage/modules/{module_id}/edit"'
    assert edit_link in client_for(EDITOR_A).get(f"/modules/{module_id}").text
    assert edit_link not in client_for(EDITOR_B).get(f"/modules/{module_id}").text
    assert edit_link not in client_for(None).get(f"/modules/{module_id}").text
