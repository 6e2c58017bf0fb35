"""Real test databases: SQLite files, and PostgreSQL databases when CATALOGUE_TEST_DATABASE_URL
points at a server.

Each kind of starting point (empty-but-migrated, seeded) is built once per test session as a
template; every test then gets its own copy: a copied SQLite file, or a PostgreSQL database created
from the template (`CREATE DATABASE ... TEMPLATE ...`, a cheap file copy on the server).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

PG_ENV = "CATALOGUE_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    """The PostgreSQL server URL given to the test run, if any."""
    return os.environ.get(PG_ENV) or None


def backends() -> list[str]:
    """The database backends this run tests against."""
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


def _admin_engine():
    url = make_url(postgres_url())
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def check_postgres_reachable() -> None:
    """Raise when the given PostgreSQL server cannot be reached (tests must not silently skip)."""
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


class DatabaseFactory:
    """Builds template databases once and hands out fresh copies of them."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.templates: dict[tuple[str, str], str] = {}
        self.created_pg: list[str] = []
        self.run_id = uuid.uuid4().hex[:8]

    # -- templates ----------------------------------------------------------------------------
    def template(self, backend: str, kind: str, build) -> str:
        """The URL of the template database `kind` on `backend`, built by `build(url)` once."""
        key = (backend, kind)
        if key not in self.templates:
            url = self._new_empty(backend, f"tpl_{kind}")
            build(url)
            if backend == "postgresql":
                # No connection may stay open on a template while it is copied.
                self._terminate_connections(make_url(url).database)
            self.templates[key] = url
        return self.templates[key]

    def derived_template(self, backend: str, kind: str, base_url: str, build) -> str:
        """The URL of template `kind`: a copy of the template at `base_url`, changed by `build`."""
        key = (backend, kind)
        if key not in self.templates:
            url = self.copy(backend, base_url)
            build(url)
            if backend == "postgresql":
                self._terminate_connections(make_url(url).database)
            self.templates[key] = url
        return self.templates[key]

    def copy(self, backend: str, template_url: str) -> str:
        """A fresh database with the template's content."""
        if backend == "sqlite":
            source = Path(make_url(template_url).database)
            target = self.workdir / f"db-{uuid.uuid4().hex[:10]}.sqlite"
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        name = f"cat_{self.run_id}_{uuid.uuid4().hex[:10]}"
        template_name = make_url(template_url).database
        engine = _admin_engine()
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
        engine.dispose()
        self.created_pg.append(name)
        return make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)

    def empty(self, backend: str) -> str:
        """A brand-new database without any tables."""
        return self._new_empty(backend, "empty")

    # -- helpers ------------------------------------------------------------------------------
    def _new_empty(self, backend: str, label: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.workdir / f'{label}-{uuid.uuid4().hex[:10]}.sqlite'}"
        name = f"cat_{self.run_id}_{label}_{uuid.uuid4().hex[:6]}"
        engine = _admin_engine()
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created_pg.append(name)
        return make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)

    def _terminate_connections(self, name: str) -> None:
        engine = _admin_engine()
        with engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        engine.dispose()

    def drop(self, url: str) -> None:
        """Remove one copied database (PostgreSQL; SQLite files go with the temp folder)."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            return
        self._terminate_connections(parsed.database)
        engine = _admin_engine()
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
        engine.dispose()
        if parsed.database in self.created_pg:
            self.created_pg.remove(parsed.database)

    def cleanup(self) -> None:
        """Drop every PostgreSQL database this run created."""
        if not postgres_url():
            return
        for name in list(self.created_pg):
            try:
                self.drop(make_url(postgres_url()).set(database=name).render_as_string(False))
            except Exception:  # noqa: S112 - best effort at the end of the run
                continue
