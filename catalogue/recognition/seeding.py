"""Creating the seed's agreements through the same services the parties use.

Each party's decisions are made by an actor that edits that party only, so the seed goes
through exactly the checks a real approval round would.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from catalogue.accounts.permissions import Actor
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module
from catalogue.recognition import expiry, services
from catalogue.recognition.models import Agreement
from catalogue.vocabularies import AgreementStatus


def _editor_of(institution: Institution) -> Actor:
    return Actor(
        name=f"seed ({institution.code})", editor_of=frozenset({institution.id}), via="cli"
    )


def seed_agreements(session, agreements: list[dict[str, Any]], institutions) -> int:
    """Create the seed agreements that do not exist yet (matched by code)."""
    existing = {code.lower() for code in session.scalars(select(Agreement.code))}
    created = 0
    for item in agreements:
        if item["code"].lower() in existing:
            continue
        state = item["state"]
        data = {k: v for k, v in item.items() if k not in ("state", "approved_by", "revise_after")}
        parties = [institutions[p["institution"]] for p in item["parties"]]
        initiator = _editor_of(parties[0])
        agreement = services.create_agreement(session=session, actor=initiator, data=data)
        if state == AgreementStatus.DRAFT:
            created += 1
            continue
        if state == AgreementStatus.WITHDRAWN:
            services.withdraw_agreement(session=session, actor=initiator, agreement_id=agreement.id)
            created += 1
            continue
        services.propose_agreement(session=session, actor=initiator, agreement_id=agreement.id)
        if state == AgreementStatus.REJECTED:
            services.reject_agreement(
                session=session,
                actor=_editor_of(parties[-1]),
                agreement_id=agreement.id,
                institution_code=parties[-1].code,
                comment="Past niet in ons curriculum.",
            )
            created += 1
            continue
        # Proposing was the initiator's approval; the other parties approve in turn.
        approvers = (
            [institutions[code] for code in item["approved_by"]]
            if state == AgreementStatus.PROPOSED
            else parties
        )
        for institution in approvers:
            if institution.id == parties[0].id:
                continue
            services.approve_agreement(
                session=session,
                actor=_editor_of(institution),
                agreement_id=agreement.id,
                institution_code=institution.code,
                approved_hash=agreement.content_hash,
            )
        if state == AgreementStatus.TERMINATED:
            services.terminate_agreement(
                session=session,
                actor=initiator,
                agreement_id=agreement.id,
                reason="Opleiding aangepast; nieuwe afspraak in voorbereiding.",
            )
        elif state == AgreementStatus.EXPIRED:
            expiry.expire_due_agreements(session)
        if item["revise_after"]:
            _publish_revision(session, item, institutions)
        created += 1
    return created


def _publish_revision(session, item: dict[str, Any], institutions) -> None:
    """Change a pinned module or unit and publish it, as its provider would."""
    first = item["items"][0]
    provider = institutions[first["provider"]]
    module = session.scalar(
        select(Module).where(Module.institution_id == provider.id, Module.code == first["module"])
    )
    content = working_content(module)
    revision = item["revise_after"]
    target = content
    if revision["unit"]:
        target = next(u for u in content["units"] if u["code"].lower() == revision["unit"].lower())
    target["description"] = (target["description"] + "\n\n" + revision["append"]).strip()
    actor = _editor_of(provider)
    editing.update_module(
        session=session, actor=actor, module_id=module.id, content=content, base_version=None
    )
    editing.publish_module(session=session, actor=actor, module_id=module.id)
