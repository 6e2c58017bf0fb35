"""The layering and size rules of the code base, read from the source with ast.

- Only the boundary (catalogue/api, catalogue/web, and the seed loader that reads files through
  the same schemas) imports `schemas`; the boundary imports the domain, never the other way round.
- Services and the rest of the domain never read or write `flask.g`: they take what they need
  (the actor, the language) as arguments.
- No module in catalogue/ outside bench/ is over 500 lines, no function over 60 lines.
- catalogue/web and catalogue/api do not import each other; what they share is in catalogue/http.py.

Each rule has a scan that a test below proves can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "catalogue"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60

# Modules outside catalogue/api and catalogue/web that may import schemas, and why.
SCHEMA_BOUNDARIES = {
    # Reads the seed files and validates them through the same schemas as the API.
    "catalogue/seeding.py",
    # Validates the rows of an uploaded spreadsheet through the same content schemas as the API,
    # mapping their errors back to sheet, row and column: an input boundary like the seed loader.
    "catalogue/imports/boundary.py",
    # Validates what another institution's OEAPI endpoint serves, once mapped, through the same
    # content schemas as the API: an input boundary like the seed loader.
    "catalogue/oeapi/harvest.py",
    # Parses query strings the way the search page does, to measure what a visitor would get.
    "catalogue/bench/search.py",
}

# Modules outside catalogue/api and catalogue/web that may use flask.g, and why.
REQUEST_STATE_MODULES = {
    # The request's database session lives on g and is closed at the end of the request.
    "catalogue/db.py",
    # The request's translations are cached on g.
    "catalogue/i18n.py",
    # Request hooks: the response cache keeps the request's validator, the metrics its start time.
    "catalogue/caching.py",
    "catalogue/operations/metrics.py",
    # The OEAPI's HTTP layer keeps the media type it negotiated for the request's response.
    "catalogue/oeapi/protocol.py",
    # The logged-in actor of a page request is resolved once per request.
    "catalogue/accounts/auth.py",
}

# Modules allowed over the size limits, and why.
SIZE_EXCEPTIONS: set[str] = set()


def _sources(folder: Path = CATALOGUE) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _name(path: Path, root: Path = ROOT) -> str:
    return path.relative_to(root).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), filename=str(path))


def _imported_modules(tree: ast.Module, package: str) -> set[str]:
    """Every module a file imports, at any depth of the file, relative imports made absolute."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            found.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return found


def _package(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(".__init__")


def _imports(path: Path, prefix: str, root: Path = ROOT) -> bool:
    modules = _imported_modules(_tree(path), _package(path, root))
    return any(module == prefix or module.startswith(prefix + ".") for module in modules)


def _uses_flask_g(path: Path) -> bool:
    """`from flask import g`, `flask.g`, or `g.something` / `g.get(...)` on a name g."""
    tree = _tree(path)
    for node in ast.walk(tree):
        imported = isinstance(node, ast.ImportFrom) and node.module == "flask"
        if imported and any(alias.name == "g" for alias in node.names):
            return True
        if isinstance(node, ast.Attribute):
            value = node.value
            if isinstance(value, ast.Name) and value.id == "flask" and node.attr == "g":
                return True
    return False


def _long_functions(path: Path) -> list[str]:
    tree = _tree(path)
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


def _line_count(path: Path) -> int:
    return len(path.read_text("utf-8").splitlines())


def _in_layer(name: str, *layers: str) -> bool:
    return any(name.startswith(f"catalogue/{layer}/") for layer in layers)


def _schema_importers(root: Path = ROOT) -> list[str]:
    return [
        _name(path, root)
        for path in _sources(root / "catalogue")
        if not _in_layer(_name(path, root), "api", "web") and _imports(path, "schemas", root)
    ]


def _flask_g_users(root: Path = ROOT) -> list[str]:
    return [
        _name(path, root)
        for path in _sources(root / "catalogue")
        if not _in_layer(_name(path, root), "api", "web") and _uses_flask_g(path)
    ]


def _oversized(root: Path = ROOT) -> list[str]:
    found = []
    for path in _sources(root / "catalogue"):
        name = _name(path, root)
        if _in_layer(name, "bench") or name in SIZE_EXCEPTIONS:
            continue
        if _line_count(path) > MAX_MODULE_LINES:
            found.append(f"{name} ({_line_count(path)} lines)")
        found.extend(f"{name}: {function}" for function in _long_functions(path))
    return found


def _crossings(root: Path = ROOT) -> list[str]:
    found = []
    for layer, other in (("web", "api"), ("api", "web")):
        for path in _sources(root / "catalogue" / layer):
            if _imports(path, f"catalogue.{other}", root):
                found.append(_name(path, root))
    return found


def test_the_domain_does_not_import_schemas():
    assert len(_sources()) > 40
    assert sorted(set(_schema_importers()) - SCHEMA_BOUNDARIES) == []


def test_services_do_not_touch_flask_g():
    assert sorted(set(_flask_g_users()) - REQUEST_STATE_MODULES) == []


def test_no_module_or_function_is_too_long():
    assert _oversized() == []


def test_web_and_api_do_not_import_each_other():
    assert _crossings() == []


def test_the_exception_lists_name_files_that_exist():
    for name in SCHEMA_BOUNDARIES | REQUEST_STATE_MODULES | SIZE_EXCEPTIONS:
        assert (ROOT / name).is_file(), name


# Ways of importing schemas, and of touching flask.g, that the scans must find.
SCHEMA_IMPORTS = [
    "from schemas.modules import ModuleContentSchema\n",
    "import schemas.common\n",
    "def f():\n    from schemas import api\n",
    "import importlib\nimportlib.import_module('schemas.seed')\n",
]
FLASK_G_USES = [
    "from flask import g\n",
    "from flask import current_app, g as request_state\n",
    "import flask\nflask.g.actor = None\n",
    "def f():\n    import flask\n    return flask.g.get('actor')\n",
]


def _write(root: Path, name: str, source: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


@pytest.mark.parametrize("source", SCHEMA_IMPORTS)
def test_the_schema_scan_finds_an_import_from_the_domain(tmp_path, source):
    _write(tmp_path, "catalogue/modules/services.py", source)
    _write(tmp_path, "catalogue/api/modules.py", "from schemas.modules import X\n")
    assert _schema_importers(tmp_path) == ["catalogue/modules/services.py"]


@pytest.mark.parametrize("source", FLASK_G_USES)
def test_the_flask_g_scan_finds_a_service_using_it(tmp_path, source):
    _write(tmp_path, "catalogue/modules/services.py", source)
    _write(tmp_path, "catalogue/modules/queries.py", "g = 1\nfrom flask import request\n")
    assert _flask_g_users(tmp_path) == ["catalogue/modules/services.py"]


def test_the_size_scan_finds_long_modules_and_functions(tmp_path):
    body = "".join(f"    x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES))
    _write(tmp_path, "catalogue/modules/editing.py", f"def long():\n{body}")
    _write(tmp_path, "catalogue/modules/models.py", "x = 1\n" * (MAX_MODULE_LINES + 1))
    _write(tmp_path, "catalogue/bench/synthetic.py", "x = 1\n" * (MAX_MODULE_LINES + 1))
    assert _oversized(tmp_path) == [
        "catalogue/modules/editing.py: long (61 lines)",
        f"catalogue/modules/models.py ({MAX_MODULE_LINES + 1} lines)",
    ]


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("catalogue/web/pages.py", "from catalogue.api import errors\n"),
        ("catalogue/web/pages.py", "from ..api.errors import http_error\n"),
        ("catalogue/api/__init__.py", "def f():\n    from catalogue.web import csrf\n"),
        ("catalogue/api/modules.py", "import catalogue.web.labels\n"),
    ],
)
def test_the_layer_scan_finds_web_and_api_importing_each_other(tmp_path, name, source):
    _write(tmp_path, name, source)
    _write(tmp_path, "catalogue/http.py", "from catalogue.api import errors\n")
    assert _crossings(tmp_path) == [name]
