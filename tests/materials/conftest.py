"""Fixtures of the material tests: the recognition world (six institutions in five regions),
with a published module "A-CLOSED" whose material is all rights reserved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalogue.modules.models import Material, Module
from tests.factories import EDITOR_A, create_module, material_content, module_content
from tests.recognition.conftest import (  # noqa: F401  (fixtures used by the material tests)
    recognition_app,
    recognition_database_url,
)
from tests.recognition.conftest import registry as registry
from tests.recognition.world import A, Registry

CLOSED_URL = "https://example.org/closed-simulator.zip"


@pytest.fixture
def materials(registry: Registry) -> dict[str, int]:
    """Material ids by module code: each world module's first material, and "A-CLOSED"."""
    with registry.session() as session:
        create_module(
            session,
            registry.institution_ids[A],
            module_content(
                "A-CLOSED",
                title="Cleanroom simulator",
                materials=[
                    material_content(
                        title="Simulator cleanroomgedrag",
                        url=CLOSED_URL,
                        material_type="simulation",
                        licence="yes",
                    )
                ],
            ),
            actor=registry.actor(EDITOR_A),
            status="published",
        )
        rows = session.execute(
            select(Module.code, Material.id)
            .join(Material, Material.module_id == Module.id)
            .where(Module.id.in_(select(Module.id).where(Module.code.like("_-%"))))
            .order_by(Material.position.desc())
        ).all()
        return {code: material_id for code, material_id in rows}
