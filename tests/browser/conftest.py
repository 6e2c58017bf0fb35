"""Browser tests: the app served over real HTTP from a thread, in the chromium of
tests/browsing.py (shared with the other browser tests), with axe-core checking WCAG 2.1 AA."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_server(sqlite_world_url, tmp_path):
    """The app on a copy of the seeded world (SQLite), served from a thread on a free port."""
    from tests.conftest import _make_app

    app = _make_app(sqlite_world_url, tmp_path / "index")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["db_engine"].dispose()
