"""Place names: read in the background from an app's first request on, so that a search near a
place does not wait two seconds for them."""

from __future__ import annotations

import threading
import time

from catalogue import places
from tests.conftest import _make_app


def test_an_app_reads_the_place_names_from_its_first_request_before_anyone_asks(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(places, "_gazetteer", None)
    app = _make_app(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "index", PRELOAD_PLACES=True)
    reading = [t for t in threading.enumerate() if t.name == "gazetteer"]
    assert not reading and not places.is_loaded(), "a command-line command pays nothing"
    app.test_client().get("/static/catalogue.css")
    deadline = time.monotonic() + 60
    while not places.is_loaded() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert places.is_loaded()
    assert places.find_place("Den Bosch").name == "'s-Hertogenbosch"


def test_an_app_under_test_does_not(tmp_path, monkeypatch):
    monkeypatch.setattr(places, "_gazetteer", None)
    app = _make_app(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "index")
    app.test_client().get("/static/catalogue.css")
    time.sleep(0.5)
    assert not places.is_loaded()
