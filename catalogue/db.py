"""Database engine and session lifecycle: one engine per app, one session per request.

SQLite is the embedded default (WAL, foreign keys on, busy timeout); PostgreSQL through psycopg 3
is selected by URL. Reads run in ordinary transactions; writes run in `write_transaction`, which on
SQLite starts with BEGIN IMMEDIATE so that two writers queue on the busy timeout instead of one
failing with "database is locked" when it upgrades a read lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from flask_babel import gettext as _
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from catalogue.errors import Conflict, StaleEdit

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for `url` with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    """Turn on WAL, foreign keys and a busy timeout, and let us choose how transactions begin."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory and close the request session on teardown."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config.get("SQLALCHEMY_ECHO", False))
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, class_=Session, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def new_session() -> Session:
    """A fresh session not tied to the request (for CLI work and background drains)."""
    return current_app.extensions["db_sessionmaker"]()


def get_session() -> Session:
    """The session of the current request or app context, created on first use."""
    if "db_session" not in g:
        g.db_session = new_session()
    return g.db_session


def request_session() -> Session | None:
    """The session of the current request or app context if one was opened, else None."""
    return g.get("db_session")


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def is_sqlite(session: Session) -> bool:
    """Whether the session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block of writes as one transaction: commit at the end, roll back on any error.

    A read transaction the request already holds is ended first, so that the write starts from
    fresh data and, on SQLite, takes the write lock up front. Races that the services' own checks
    cannot see (two writers passing the same check at once) surface here from the database and
    become the same errors the checks give. Nested calls join the outermost transaction, so a
    service can be composed of other services (the seed loader publishes through them).
    """
    depth = session.info.get("write_depth", 0)
    if depth:
        session.info["write_depth"] = depth + 1
        try:
            yield session
        finally:
            session.info["write_depth"] = depth
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    session.info["write_depth"] = 1
    try:
        yield session
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise StaleEdit(
            _("Someone else changed this while you were working on it. Reload and try again."),
            current_version=-1,
        ) from exc
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(
            _("This change clashes with data saved at the same moment. Reload and try again.")
        ) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info["write_depth"] = 0
