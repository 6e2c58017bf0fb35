"""Fixtures: an app on a real database (SQLite always, PostgreSQL when configured), a real
search index in a temporary folder, a test client and a CLI runner."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.databases import PG_ENV, DatabaseFactory, backends, check_postgres_reachable

# The browser fixtures, shared by every browser test (one Playwright per process).
pytest_plugins = ["tests.browsing"]


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


def pytest_collection_modifyitems(config, items):
    """Tests marked `one_backend` (long checks of scale or breadth whose database behaviour the
    other tests already cover on both) run on PostgreSQL when it is configured, else on SQLite."""
    if not os.environ.get(PG_ENV):
        return
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        twice = item.get_closest_marker("one_backend") and params.get("backend") == "sqlite"
        (dropped if twice else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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


# -- the world: two institutions, their editors, a coordinator and an administrator ----------


def _build_world(url: str, tmp_dir: Path) -> None:
    from catalogue.db import get_session
    from tests.factories import build_world

    app = _make_app(url, tmp_dir / "world-index")
    with app.app_context():
        build_world(get_session())
    app.extensions["db_engine"].dispose()


def _world_template(database_factory, tmp_path_factory, backend: str) -> str:
    """The template database holding the seed plus the test world (built once per backend)."""

    def build_seeded(url):
        _build_seeded(url, tmp_path_factory.mktemp("seed-template"))

    def build_world(url):
        _build_world(url, tmp_path_factory.mktemp("world-template"))

    seeded = database_factory.template(backend, "seeded", build_seeded)
    return database_factory.derived_template(backend, "world", seeded, build_world)


@pytest.fixture
def world_database_url(backend, database_factory, tmp_path_factory):
    """A fresh database holding the seed and the test world (see tests/factories.py)."""
    template = _world_template(database_factory, tmp_path_factory, backend)
    url = database_factory.copy(backend, template)
    yield url
    database_factory.drop(url)


@pytest.fixture
def world_app_factory(world_database_url, tmp_path):
    """Build apps on this test's world database, with configuration overrides."""
    apps = []

    def build(**overrides):
        app = _make_app(world_database_url, tmp_path / f"index-{len(apps)}", **overrides)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["db_engine"].dispose()


@pytest.fixture
def world_app(world_app_factory):
    """The app on a fresh copy of the world."""
    return world_app_factory()


@pytest.fixture
def world(world_app):
    """Ids of the world's institutions, modules, runs, accounts and roles."""
    from tests.factories import World

    return World.load(world_app)


@pytest.fixture
def anonymous_client(world_app):
    """A visitor who has not logged in."""
    return world_app.test_client()


@pytest.fixture(scope="session")
def login_cookies():
    """Session cookies of logins through the form, by backend and account.

    Every copy of the world holds the same accounts with the same session nonces, and the apps
    share one secret key, so a login made once is valid in every copy; reusing it saves a scrypt
    check per test.
    """
    return {}


@pytest.fixture
def client_for(world_app, backend, login_cookies):
    """Make a test client logged in (through the login form) as an account; None: anonymous."""
    from tests.factories import login

    cookie_name = world_app.config["SESSION_COOKIE_NAME"]

    def make(account=None, **kwargs):
        client = world_app.test_client(**kwargs)
        if account is None:
            return client
        key = (backend, account.email)
        if key in login_cookies and not kwargs:
            client.set_cookie(cookie_name, login_cookies[key])
            return client
        response = login(client, account)
        assert response.status_code == 302, f"{account.email} could not log in"
        if not kwargs:
            login_cookies[key] = client.get_cookie(cookie_name).value
        return client

    return make


@pytest.fixture
def sqlite_world_url(database_factory, tmp_path_factory):
    """A fresh SQLite copy of the world, whatever backends this run tests (browser tests)."""
    template = _world_template(database_factory, tmp_path_factory, "sqlite")
    return database_factory.copy("sqlite", template)
