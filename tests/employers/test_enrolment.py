"""Enrolment details of a run (web address, contact, deadline, certain to run, places left) in
the run editor, the API and the module page; runs validated with sense."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from tests.factories import EDITOR_A, World, login, offering_data, post_with_csrf

API = "/api/v1"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"end_date": "2026-01-01", "start_date": "2026-02-01"}, "end_date", "before the start"),
        ({"price_eur": "60000"}, "price_eur", "50.000"),
        ({"seats": 1500}, "seats", "1.000"),
        ({"start_date": (date.today() - timedelta(days=400)).isoformat()}, "start_date", "a year"),
        ({"seats": 10, "seats_left": 11}, "seats_left", "More places left"),
        ({"enrol_url": "www.example.nl"}, "enrol_url", "http"),
        ({"enrol_email": "nobody"}, "enrol_email", "e-mail"),
        ({"enrol_phone": "call me"}, "enrol_phone", "telephone"),
    ],
)
def test_runs_are_validated_with_sense(changes, field, words):
    overrides = {"end_date": "2030-01-01", **changes}
    with pytest.raises(ValidationError) as caught:
        offering_data("X", **overrides)
    messages = " ".join(str(m) for m in caught.value.messages[field])
    assert words in messages, messages


def test_unusual_values_are_saved_when_confirmed():
    data = offering_data("X", price_eur="60000", seats=1500, end_date="2030-01-01", confirm=True)
    assert data["seats"] == 1500 and "confirm" not in data
    with pytest.raises(ValidationError) as caught:  # an end before the start is never saved
        offering_data("X", start_date="2026-02-01", end_date="2026-01-01", confirm=True)
    assert "end_date" in caught.value.messages


def test_the_editor_sets_enrolment_and_the_page_shows_it(employer_world):
    app = employer_world.app
    world = World.load(app)
    client = app.test_client()
    login(client, EDITOR_A)
    module_id = world.modules["A-PUB"]
    start = date.today() + timedelta(days=60)
    form = {
        "code": "ENROL-1",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=30)).isoformat(),
        "enrol_until": (date.today() - timedelta(days=1)).isoformat(),
        "delivery_mode": "on-campus",
        "city": "Veldhoven",
        "language": "nld",
        "price_eur": "70000",
        "seats": "12",
        "seats_left": "2",
        "status": "open",
        "guaranteed": "true",
        "enrol_url": "https://www.example.nl/aanmelden",
        "enrol_email": "Opleidingen@Example.nl",
        "enrol_phone": "040 123 4567",
    }
    path = f"/manage/modules/{module_id}/offerings/new"
    refused = post_with_csrf(client, path, form)
    assert refused.status_code in (200, 422)
    assert "is ongebruikelijk voor een uitvoering" in refused.text
    assert 'name="confirm"' in refused.text
    saved = post_with_csrf(client, path, {**form, "confirm": "true"})
    assert saved.status_code == 302, saved.text[:2000]
    page = client.get(f"/modules/{module_id}?lang=en").text
    assert "Enrolment closed on" in page and "certain to run" in page
    assert "https://www.example.nl/aanmelden" not in page  # the deadline has passed
    # Through the API: the fields are read and written.
    token_client = app.test_client()
    runs = token_client.get(f"{API}/modules/{module_id}").get_json()
    [offered] = [o for o in runs["offerings"] if o["code"] == "ENROL-1"]
    assert offered["enrol_email"] == "opleidingen@example.nl"
    assert offered["guaranteed"] is True and offered["seats_left"] == 2
