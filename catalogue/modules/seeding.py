"""Creating the seed's modules through the same services editors use.

Published seed modules get their version 1 (with its content hash) and an audit trail, exactly as
if a course designer had published them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from catalogue.accounts.permissions import Actor
from catalogue.modules import editing
from catalogue.modules.models import Module
from catalogue.vocabularies import ModuleStatus

SEED_ACTOR = Actor(name="seed", is_administrator=True, via="cli")


def seed_modules(session, modules: list[tuple[str, dict[str, Any]]], institutions) -> int:
    """Create the seed modules that do not exist yet (matched by institution and code)."""
    existing = {
        (institution_id, code.lower())
        for institution_id, code in session.execute(select(Module.institution_id, Module.code))
    }
    created = 0
    for institution_code, item in modules:
        institution = institutions[institution_code]
        if (institution.id, item["code"].lower()) in existing:
            continue
        content = {k: v for k, v in item.items() if k not in ("status", "offerings")}
        module = editing.create_module(
            session=session, actor=SEED_ACTOR, institution_id=institution.id, content=content
        )
        for offering in item["offerings"]:
            editing.create_offering(
                session=session, actor=SEED_ACTOR, module_id=module.id, data=offering
            )
        if item["status"] != ModuleStatus.DRAFT:
            editing.publish_module(session=session, actor=SEED_ACTOR, module_id=module.id)
        if item["status"] == ModuleStatus.ARCHIVED:
            editing.archive_module(session=session, actor=SEED_ACTOR, module_id=module.id)
        created += 1
    return created
