"""The embedded SQLite default is configured for safe concurrent use."""

from __future__ import annotations

from sqlalchemy import text

from catalogue.db import make_engine


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


def test_sqlite_refuses_a_row_that_points_nowhere(tmp_path):
    from catalogue import migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        try:
            connection.execute(
                text(
                    "INSERT INTO institution (code, name, short_name, kind, region_id, city, "
                    "website, email, description_nl, description_en, created_at, updated_at) "
                    "VALUES ('x', 'X', '', 'university', 999, '', '', '', '', '', "
                    "'2026-01-01', '2026-01-01')"
                )
            )
            connection.commit()
        except Exception as exc:
            assert "FOREIGN KEY" in str(exc)
        else:
            raise AssertionError("a dangling foreign key was accepted")
    engine.dispose()
