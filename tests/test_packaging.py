"""`pip install .` (not editable) works from any directory: the wheel carries the templates, the
seed, the migrations and the static files, and an installed copy serves pages with them."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

# Run a command of the installed copy with the repository taken off sys.path (the development
# virtualenv has an editable install whose .pth file puts the repository there). Only the
# repository folder itself goes: a virtualenv inside the clone (.venv, as in CI) stays.
BOOTSTRAP = textwrap.dedent(
    """
    import os, sys
    repo = os.path.realpath({repo!r})
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.getcwd()) != repo]
    assert "catalogue" not in sys.modules
    """
)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOGUE_")}
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def _run(args, *, cwd, env, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip wheel .` builds from the repository."""
    out = tmp_path_factory.mktemp("wheel")
    result = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        cwd=out,
        env=_clean_env(),
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed (not editable) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    result = _run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), wheel],
        cwd=target,
        env=_clean_env(),
    )
    assert result.returncode == 0, result.stderr
    return target


def test_the_wheel_carries_templates_seed_migrations_and_static_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "catalogue/templates/base.html",
        "catalogue/seed/regions.yaml",
        "catalogue/migrations/env.py",
        "catalogue/static/catalogue.css",
    ):
        assert required in names, required
    expected = {
        f"catalogue/{folder}/{path.relative_to(REPO / folder).as_posix()}"
        for folder, pattern in (
            ("templates", "**/*.html"),
            ("seed", "**/*.yaml"),
            ("migrations", "versions/*.py"),
        )
        for path in (REPO / folder).glob(pattern)
    }
    assert expected - names == set(), "files missing from the wheel"
    assert not any(name.startswith("tests/") for name in names)


def _catalogue_cli(site: Path, cwd: Path, *args: str, **env: str):
    code = BOOTSTRAP.format(repo=str(REPO)) + "from catalogue.cli import main; main()"
    return _run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=_clean_env(PYTHONPATH=str(site), **env),
    )


def test_an_installed_copy_serves_pages_from_another_directory(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = tmp_path / "catalogue.db"
    env = {
        "CATALOGUE_DATABASE_URL": f"sqlite:///{database}",
        "CATALOGUE_INSTANCE_PATH": str(tmp_path / "instance"),
        "CATALOGUE_SECRET_KEY": "packaging-test",
    }
    upgraded = _catalogue_cli(installed, elsewhere, "db", "upgrade", **env)
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = _catalogue_cli(installed, elsewhere, "seed", **env)
    assert seeded.returncode == 0, seeded.stderr
    assert "Seeded:" in seeded.stdout

    script = BOOTSTRAP.format(repo=str(REPO)) + textwrap.dedent(
        """
        import json, re
        import catalogue
        from catalogue.resources import resource_dir
        from catalogue import create_app
        app = create_app({"SESSION_COOKIE_SECURE": False})
        client = app.test_client()
        home = client.get("/")
        module_ids = re.findall(r'href="/modules/(\\d+)"', client.get("/modules").text)
        module = client.get(f"/modules/{module_ids[0]}") if module_ids else None
        css = client.get("/static/catalogue.css")
        print(json.dumps({
            "package": catalogue.__file__,
            "templates": str(resource_dir("templates")),
            "seed": str(resource_dir("seed")),
            "home": home.status_code,
            "home_has_lang": '<html lang="nl">' in home.text,
            "modules_listed": len(module_ids),
            "module": module.status_code if module else None,
            "module_has_units": module is not None and "units-heading" in module.text,
            "css": css.status_code,
        }))
        """
    )
    result = _run(
        [sys.executable, "-c", script],
        cwd=elsewhere,
        env=_clean_env(PYTHONPATH=str(installed), **env),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("package", "templates", "seed"):
        assert report[key].startswith(str(installed)), f"{key} comes from {report[key]}"
    assert report["home"] == 200 and report["home_has_lang"]
    assert report["modules_listed"] > 0
    assert report["module"] == 200 and report["module_has_units"]
    assert report["css"] == 200


def test_an_installed_copy_with_a_broken_seed_file_names_it_and_loads_nothing(installed, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    module_files = sorted((site / "catalogue" / "seed" / "modules").glob("*.yaml"))
    broken = module_files[-1]
    data = yaml.safe_load(broken.read_text(encoding="utf-8"))
    data["modules"][0]["sector"] = "kindergarten"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code = data["modules"][0]["code"]

    database = tmp_path / "catalogue.db"
    env = {
        "CATALOGUE_DATABASE_URL": f"sqlite:///{database}",
        "CATALOGUE_INSTANCE_PATH": str(tmp_path / "instance"),
        "CATALOGUE_SECRET_KEY": "packaging-test",
    }
    assert _catalogue_cli(site, tmp_path, "db", "upgrade", **env).returncode == 0
    result = _catalogue_cli(site, tmp_path, "seed", **env)
    assert result.returncode != 0
    assert broken.name in result.stderr
    assert f"modules[0] (code {code})" in result.stderr
    assert "sector" in result.stderr
    assert "nothing was written" in result.stderr

    with closing(sqlite3.connect(database)) as connection:
        for table in ("region", "institution", "module"):
            query = f"SELECT count(*) FROM {table}"  # noqa: S608 - fixed table names
            assert connection.execute(query).fetchone() == (0,), table
