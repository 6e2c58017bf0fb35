"""Fixtures of the recognition tests (the world they work in is described in world.py)."""

from __future__ import annotations

import pytest

from tests.conftest import _make_app
from tests.recognition.world import Registry, recognition_template


@pytest.fixture
def recognition_database_url(backend, database_factory, tmp_path_factory):
    """A fresh copy of the recognition world."""
    template = recognition_template(database_factory, tmp_path_factory, backend)
    url = database_factory.copy(backend, template)
    yield url
    database_factory.drop(url)


@pytest.fixture
def recognition_app(recognition_database_url, tmp_path):
    """The app on a fresh copy of the recognition world."""
    app = _make_app(recognition_database_url, tmp_path / "index")
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def registry(recognition_app) -> Registry:
    """The recognition world of this test (a fresh database copy)."""
    return Registry(recognition_app)
