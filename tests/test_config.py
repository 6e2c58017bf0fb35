"""Configuration read from the environment when the app is built."""

from __future__ import annotations

from catalogue import create_app


def test_a_relative_instance_path_is_taken_from_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CATALOGUE_INSTANCE_PATH", "data")

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'catalogue.db'}"})

    assert app.instance_path == str(tmp_path / "data")
    assert app.config["SEARCH_INDEX_DIR"] == str(tmp_path / "data" / "search-index")
    assert (tmp_path / "data" / "secret_key").is_file()
