"""Translated texts in spreadsheets: optional columns "title (English)" / "titel (Engels)" and
so on fill a module's and a unit's translations, a bad one is named by its column, and a
downloaded template carries them back unchanged."""

from __future__ import annotations

import pytest

from catalogue.accounts.permissions import SYSTEM
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module
from tests.factories import app_session, snapshot
from tests.transfer import spreadsheets as s
from tests.transfer.test_imports import _import, _module, downloaded_template

EXTRA = ["title (English)", "learning outcomes (English)"]


def _sheets(title_en: str) -> dict[str, list[list]]:
    sheets = s.standard_sheets(("TR-1",))
    sheets["modules"][0] += EXTRA
    sheets["modules"][1] += [title_en, "Explains the ISO classes.\nWorks safely."]
    sheets["learning units"][0].append("titel (Engels)")
    sheets["learning units"][1].append("Gowning up")
    return sheets


def test_translation_columns_fill_the_translations(world_app, tmp_path):
    result = _import(world_app, tmp_path, s.xlsx(_sheets("Cleanroom basics")))
    assert result.exit_code == 0, result.output + result.stderr
    module = _module(world_app, "TR-1")
    assert module.translations == {
        "en": {
            "title": "Cleanroom basics",
            "learning_outcomes": ["Explains the ISO classes.", "Works safely."],
        }
    }
    assert module.units[0].translations == {"en": {"title": "Gowning up"}}


def test_a_bad_translation_cell_is_named_by_its_column_and_nothing_is_written(world_app, tmp_path):
    before = snapshot(world_app)
    result = _import(world_app, tmp_path, s.xlsx(_sheets("T" * 201)))
    assert result.exit_code != 0
    assert "title (English)" in result.output + result.stderr
    assert snapshot(world_app) == before


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_downloaded_template_carries_translations_back_unchanged(
    world_app, world, tmp_path, language
):
    module_id = world.modules["A-DRAFT"]
    with app_session(world_app) as session:
        module = session.get(Module, module_id)
        content = working_content(module)
        content["translations"] = {"en": {"title": "Draft in English", "summary": "Short."}}
        content["units"][0]["translations"] = {"en": {"title": "Unit in English"}}
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module_id, content=content, base_version=None
        )
    modules, data = downloaded_template(world_app, language)
    header = "title (English)" if language == "en" else "titel (Engels)"
    assert header.encode() in _shared_strings(data)
    result = _import(world_app, tmp_path, data, "template.xlsx")
    assert result.exit_code == 0, result.stderr
    assert f"0 create, 0 update, {len(modules) + 1} unchanged." in result.output


def _shared_strings(data: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))
