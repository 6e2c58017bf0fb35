"""On a fresh clone the quick-start (`catalogue start`) migrates, seeds and serves the catalogue."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("catalogue", "schemas", "templates", "seed", "migrations", "pyproject.toml", "README.md")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.fixture
def fresh_clone(tmp_path) -> Path:
    """The repository's files as a fresh clone has them: no instance folder, no database."""
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, clone / name)
    return clone


def test_the_quick_start_serves_the_seeded_catalogue(fresh_clone, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGUE_")}
    env["PYTHONPATH"] = str(fresh_clone)
    # The development virtualenv's editable install points at the repository: take it away, so
    # that the clone's own files are the ones served.
    code = textwrap.dedent(
        f"""
        import os, sys
        repo = os.path.realpath({str(REPO)!r})
        sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.getcwd()) != repo]
        from catalogue.cli import main
        main()
        """
    )
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-c", code, "start", "--port", str(port)],
        cwd=fresh_clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline:
            if server.poll() is not None:
                break
            try:
                status, home = _get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        log.flush()
        output = (tmp_path / "server.log").read_text()
        assert status == 200, f"the quick-start did not serve the home page:\n{output}"
        assert '<html lang="nl">' in home
        modules = re.search(r"(\d+) \w+ [^<]*?(\d+) \w+ [^<]*?(\d+)", home)
        assert modules, "the home page states how much the catalogue holds"

        status, listing = _get(base + "/modules")
        assert status == 200
        module_ids = re.findall(r'href="/modules/(\d+)"', listing)
        assert len(module_ids) >= 20, "the seeded catalogue lists its modules"
        status, module = _get(f"{base}/modules/{module_ids[0]}?lang=en")
        assert status == 200 and '<html lang="en">' in module
        assert (fresh_clone / "instance" / "catalogue.db").exists()
        status, monitoring = _get(base + "/monitoring?lang=en")
        assert status == 200 and "Demo data." in monitoring, "the first look includes demo figures"
        _log_in_with_a_readme_demo_account(base)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _log_in_with_a_readme_demo_account(base: str) -> None:
    """Plain http on 127.0.0.1: the session cookie must not be Secure, or no client sends it
    back and every form post fails its CSRF check. The README's demo accounts must exist."""
    readme = (REPO / "README.md").read_text("utf-8")
    email, password = re.search(r"\| (ontwerper@summa\.demo) \| (\S+) \|", readme).groups()
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(base + "/login", timeout=10) as response:
        assert "Secure" not in response.headers.get("Set-Cookie", "")
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    with browser.open(base + "/login", data=form.encode(), timeout=10) as response:
        page = response.read().decode()
    assert "Summa College" in page and 'action="/logout"' in page, "the demo editor is logged in"
