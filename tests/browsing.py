"""Shared browser fixtures: one Debian chromium per test process, driven by Playwright, and
axe-core (as shipped in axe_playwright_python) checking WCAG 2.1 AA.

One Playwright instance per process: a second `sync_playwright()` started while the first is
alive fails ("Sync API inside the asyncio loop"), which is what happens when two test modules
each start their own and pytest-xdist runs both in one worker.

Without chromium (or Playwright) the tests are skipped with the reason, except when CI is set:
then they fail, so that a CI run cannot pass without them.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        _unavailable("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One chromium for the whole run (never downloaded by `playwright install`)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's JavaScript as the installed axe_playwright_python package ships it."""
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")
    except ModuleNotFoundError:
        _unavailable("axe-playwright-python is not installed (pip install -e '.[test]')")


@pytest.fixture
def check_accessibility(axe_source):
    """Run axe-core on the page and fail on any serious or critical WCAG 2.1 AA violation."""

    def check(page) -> None:
        page.evaluate(axe_source)
        results = page.evaluate(
            "async (tags) => await axe.run(document, "
            "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        assert results["testEngine"]["name"] == "axe-core"
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        report = "\n".join(
            f"- {v['impact']} {v['id']}: {v['help']} "
            f"({', '.join(str(n['target']) for n in v['nodes'][:5])})"
            for v in blocking
        )
        assert not blocking, f"axe-core finds violations on {page.url}:\n{report}"

    return check


def log_in(page, base_url: str, account) -> None:
    """Log an account in through the login form and wait for its start page."""
    page.goto(base_url + "/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/manage/")
