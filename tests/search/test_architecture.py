"""whoosh is reached through one adapter module only, so it can be replaced in one place."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = Path("catalogue/search/adapter.py")


def _dynamic_import(func: ast.expr) -> bool:
    """__import__(...) or importlib.import_module(...)."""
    return getattr(func, "id", "") == "__import__" or getattr(func, "attr", "") == "import_module"


def _imports_whoosh(path: Path) -> bool:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and _dynamic_import(node.func):
            names = [a.value for a in node.args if isinstance(a, ast.Constant)]
        else:
            continue
        if any(str(name).split(".")[0] == "whoosh" for name in names):
            return True
    return False


def test_only_the_search_adapter_imports_whoosh():
    sources = sorted((ROOT / "catalogue").rglob("*.py")) + sorted((ROOT / "schemas").rglob("*.py"))
    assert len(sources) > 20
    importing = [path.relative_to(ROOT) for path in sources if _imports_whoosh(path)]
    assert importing == [ADAPTER]


def test_the_scan_recognises_every_way_of_importing(tmp_path):
    """Guards the scan above: each of these files imports whoosh."""
    for number, source in enumerate(
        [
            "import whoosh\n",
            "import os, whoosh.index as wi\n",
            "from whoosh.qparser import QueryParser\n",
            "def f():\n    from whoosh import fields\n",
            "whoosh = __import__('whoosh')\n",
            "import importlib\nimportlib.import_module('whoosh.index')\n",
        ]
    ):
        path = tmp_path / f"m{number}.py"
        path.write_text(source)
        assert _imports_whoosh(path), source
    harmless = tmp_path / "harmless.py"
    harmless.write_text("from catalogue.search import adapter\nwhooshing = 'whoosh'\n")
    assert not _imports_whoosh(harmless)
