"""Fixtures: an app on a real database (SQLite always, PostgreSQL when configured), a real
search index in a temporary folder, a test client and a CLI runner."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.databases import PG_ENV, DatabaseFactory, backends, check_postgres_reachable


def pytest_configure(config):
    if os.environ.get(PG_ENV):
        try:
            check_postgres_reachable()
        except Exception as exc:  # a configured server that cannot be reached is a failure
            raise pytest.UsageError(
                f"{PG_ENV} is set but PostgreSQL cannot be reached: {exc}"
            ) from exc
    elif os.environ.get("CI"):
        raise pytest.UsageError(f"CI runs must set {PG_ENV} so that the PostgreSQL tests run")


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory):
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.cleanup()


def _make_app(url: str, index_dir: Path, **overrides):
    from catalogue import create_app

    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "SESSION_COOKIE_SECURE": False,
        "DEMO_ACCOUNTS": True,
    }
    config.update(overrides)
    return create_app(config)


def _build_migrated(url: str) -> None:
    from catalogue import migrate
    from catalogue.db import make_engine

    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def _build_seeded(url: str, tmp_dir: Path) -> None:
    from catalogue import seeding
    from catalogue.db import get_session

    _build_migrated(url)
    app = _make_app(url, tmp_dir / "tpl-index")
    with app.app_context():
        seeding.load_seed(get_session(), seeding.read_seed())
    app.extensions["db_engine"].dispose()


@pytest.fixture(params=backends())
def backend(request) -> str:
    """The database backend a test runs on; every database test runs on each backend."""
    return request.param


@pytest.fixture
def database_url(backend, database_factory):
    """A fresh, migrated, empty database."""
    template = database_factory.template(backend, "migrated", _build_migrated)
    url = database_factory.copy(backend, template)
    yield url
    database_factory.drop(url)


@pytest.fixture
def seeded_database_url(backend, database_factory, tmp_path_factory):
    """A fresh database holding the plan's seed data."""
    tmp_dir = tmp_path_factory.mktemp("seed-template")
    template = database_factory.template(backend, "seeded", lambda url: _build_seeded(url, tmp_dir))
    url = database_factory.copy(backend, template)
    yield url
    database_factory.drop(url)


def _app_fixture(url, tmp_path):
    app = _make_app(url, tmp_path / "index")
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def app(database_url, tmp_path):
    """The app on a fresh, empty, migrated database."""
    yield from _app_fixture(database_url, tmp_path)


@pytest.fixture
def seeded_app(seeded_database_url, tmp_path):
    """The app on a fresh database with the seed loaded."""
    yield from _app_fixture(seeded_database_url, tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded_client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)
