"""whoosh is reached through the search store modules only, so it can be replaced in one place,
and its patches are applied by one module that knows which whoosh it was written for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from catalogue.search import whoosh_patches

ROOT = Path(__file__).resolve().parents[2]
# The store modules behind catalogue.search.adapter: the only ones that may import whoosh.
STORE_MODULES = [
    Path("catalogue/search/analysis.py"),
    Path("catalogue/search/highlighting.py"),
    Path("catalogue/search/index_schema.py"),
    Path("catalogue/search/materials_store.py"),
    Path("catalogue/search/reader.py"),
    Path("catalogue/search/spelling.py"),
    Path("catalogue/search/store.py"),
    Path("catalogue/search/whoosh_patches.py"),
    Path("catalogue/search/writer.py"),
]


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


def test_only_the_search_store_modules_import_whoosh():
    sources = sorted((ROOT / "catalogue").rglob("*.py")) + sorted((ROOT / "schemas").rglob("*.py"))
    assert len(sources) > 20
    importing = [path.relative_to(ROOT) for path in sources if _imports_whoosh(path)]
    assert importing == STORE_MODULES


def test_the_facade_engine_and_service_do_not_import_whoosh():
    """The modules above the store reach whoosh only through catalogue.search.adapter."""
    for name in ("adapter", "arrays", "engine", "facets", "indexer", "service", "query"):
        assert not _imports_whoosh(ROOT / "catalogue" / "search" / f"{name}.py"), name


def test_whoosh_patches_refuse_another_whoosh_version():
    whoosh_patches.check_version(whoosh_patches.SUPPORTED_VERSION)
    for version in ("2.7.4", "2.7.6", "3.0.0", None):
        with pytest.raises(RuntimeError, match=r"whoosh-reloaded 2\.7\.5") as raised:
            whoosh_patches.check_version(version)
        assert (version or "not installed") in str(raised.value)


def test_whoosh_patches_are_applied_once_and_apply_is_idempotent(app):
    """The app's start-up applied them; applying again changes nothing."""
    from whoosh.codec.base import FieldWriter, Segment
    from whoosh.codec.whoosh3 import W3PerDocReader

    def patched():
        return (
            W3PerDocReader.__dict__["_cached_reader"],
            Segment.__dict__["_random_id"].__func__,
            FieldWriter.__dict__["add_postings"],
        )

    assert whoosh_patches.applied()
    before = patched()
    assert before[0] is whoosh_patches._remember_missing_columns
    assert before[1] is whoosh_patches._unique_segment_id
    assert before[2] is whoosh_patches._add_postings_without_lengths
    whoosh_patches.apply()
    whoosh_patches.apply()
    assert patched() == before
    # The original add_postings is kept once, not wrapped again by a second apply.
    assert whoosh_patches._original_add_postings is not whoosh_patches._add_postings_without_lengths


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


def test_an_index_written_before_the_split_still_finds_its_analysis_classes():
    """whoosh pickles the schema into the index; older indexes name the classes by the adapter."""
    import pickle

    from catalogue.search import analysis

    for name in ("CatalogueTokenizer", "TermCounts"):
        pickled = f"ccatalogue.search.adapter\n{name}\n.".encode()
        assert pickle.loads(pickled) is getattr(analysis, name)  # noqa: S301 - our own bytes
