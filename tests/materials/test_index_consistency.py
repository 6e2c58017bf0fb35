"""The material index follows the outbox like the module index, and `catalogue search check`
names each material that differs until a drain."""

from __future__ import annotations

from catalogue.accounts.permissions import SYSTEM
from catalogue.cli import main
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module
from tests.factories import app_session


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(main, list(args))


def test_check_names_a_changed_material_until_a_drain(world_app, world):
    assert _cli(world_app, "search", "rebuild", "--processes", "1").exit_code == 0
    assert _cli(world_app, "search", "check").exit_code == 0
    module_id = world.modules["A-PUB"]
    with app_session(world_app) as session:
        module = session.get(Module, module_id)
        material_id = module.materials[0].id
        content = working_content(module)
        content["materials"][0]["title"] = "Reader cleanroomgedrag, tweede druk"
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module_id, content=content, base_version=None
        )
        editing.publish_module(session=session, actor=SYSTEM, module_id=module_id)
        assert session.get(Module, module_id).materials[0].id == material_id, "same material"

    result = _cli(world_app, "search", "check")
    assert result.exit_code == 1, result.output
    assert f"material {material_id}: material index entry differs" in result.output
    assert _cli(world_app, "search", "drain").exit_code == 0
    result = _cli(world_app, "search", "check")
    assert result.exit_code == 0, result.output

    with app_session(world_app) as session:
        editing.archive_module(session=session, actor=SYSTEM, module_id=module_id)
    result = _cli(world_app, "search", "check")
    assert f"material {material_id}: in the material index but not published" in result.output
    client = world_app.test_client()
    found = client.get("/api/v1/materials", query_string={"q": "tweede druk"}).get_json()
    assert found["total"] == 0, "the finder drains before it searches"
    assert "material " not in _cli(world_app, "search", "check").output
