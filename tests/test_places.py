"""Place names: read in the background when an app starts serving, so that the first search
near a place does not wait two seconds for them."""

from __future__ import annotations

import time

from catalogue import places
from tests.conftest import _make_app


def test_an_app_that_serves_reads_the_place_names_before_anyone_asks(tmp_path, monkeypatch):
    monkeypatch.setattr(places, "_gazetteer", None)
    _make_app(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "index", PRELOAD_PLACES=True)
    deadline = time.monotonic() + 60
    while not places.is_loaded() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert places.is_loaded()
    assert places.find_place("Den Bosch").name == "'s-Hertogenbosch"


def test_an_app_under_test_does_not(tmp_path, monkeypatch):
    monkeypatch.setattr(places, "_gazetteer", None)
    _make_app(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "index")
    time.sleep(0.5)
    assert not places.is_loaded()
