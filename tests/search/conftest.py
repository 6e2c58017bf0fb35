"""Fixtures of the search tests.

`seed_search` is the seed catalogue with its search index built, once per backend for the whole
run, shared by every test that only reads (judged queries, facet counts, ranges, sorting, odd
queries). Tests that change data use the function-scoped `seeded_app` or `world_app` fixtures of
tests/conftest.py, which give each test its own database copy and index folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from catalogue.db import get_session
from catalogue.institutions.models import Institution
from catalogue.modules.models import Module
from catalogue.search import indexer
from catalogue.search.engine import SearchRequest
from catalogue.search.materials import material_index, rebuild_materials
from catalogue.search.service import SearchPage, search_catalogue, search_index
from tests.conftest import _build_seeded, _make_app
from tests.databases import backends

ALL = 10_000  # a page size that holds every result


@contextmanager
def app_session(app: Flask) -> Iterator[Any]:
    """A database session in a short app context of its own."""
    with app.app_context():
        yield get_session()


def build_index(app: Flask) -> int:
    """Build the app's search index from its database (what `catalogue search rebuild` does)."""
    with app_session(app) as session:
        count = indexer.rebuild(session, search_index(), processes=1)
        rebuild_materials(session, material_index())
        return count


def search(app: Flask, text: str = "", *, today: date | None = None, **options) -> SearchPage:
    """Search through the service the search page and the API call."""
    request = SearchRequest(text=text, **options)
    with app_session(app) as session:
        return search_catalogue(session=session, request=request, today=today)


def found_ids(app: Flask, text: str = "", **options) -> list[int]:
    """Ids of every module a search finds, in the order shown."""
    return [hit.module_id for hit in search(app, text, page_size=ALL, **options).hits]


def facet_counts(page: SearchPage) -> dict[str, dict[str, int]]:
    """The page's facets as {facet: {value: count}}."""
    return {name: {v.value: v.count for v in values} for name, values in page.facets.items()}


def module_ids_by_code(app: Flask) -> dict[tuple[str, str], int]:
    """(institution code, module code) → module id."""
    with app_session(app) as session:
        rows = session.execute(
            select(Institution.code, Module.code, Module.id).join(
                Institution, Institution.id == Module.institution_id
            )
        )
        return {(institution, code): module_id for institution, code, module_id in rows}


@dataclass
class SeedSearch:
    """The seed catalogue with its index built; read-only for the tests that share it."""

    app: Flask
    backend: str
    today: date = field(default_factory=date.today)
    ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def search(self, text: str = "", **options) -> SearchPage:
        return search(self.app, text, today=self.today, **options)

    def found(self, text: str = "", **options) -> list[int]:
        return found_ids(self.app, text, today=self.today, **options)

    def module_id(self, institution: str, code: str) -> int:
        return self.ids[(institution, code)]

    def by_code(self, code: str) -> int:
        matches = [module_id for (_i, c), module_id in self.ids.items() if c == code]
        assert len(matches) == 1, f"module code {code} is not unique or unknown"
        return matches[0]

    def session(self):
        return app_session(self.app)


def _outbox_position(app: Flask) -> int:
    with app_session(app) as session:
        return indexer.latest_outbox_id(session)


@pytest.fixture(scope="session", params=backends())
def seed_search(request, database_factory, tmp_path_factory) -> Iterator[SeedSearch]:
    """The seed catalogue with a built index, shared by read-only tests (one per backend)."""
    backend = request.param
    tmp_dir = tmp_path_factory.mktemp(f"seed-search-{backend}")
    template = database_factory.template(backend, "seeded", lambda url: _build_seeded(url, tmp_dir))
    url = database_factory.copy(backend, template)
    app = _make_app(url, tmp_dir / "index")
    build_index(app)
    shared = SeedSearch(app=app, backend=backend, ids=module_ids_by_code(app))
    position = _outbox_position(app)
    yield shared
    # The shared catalogue must stay as the seed made it, or later tests would see other data.
    assert _outbox_position(app) == position, "a test changed the shared seed catalogue"
    app.extensions["db_engine"].dispose()
    database_factory.drop(url)
