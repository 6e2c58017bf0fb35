"""Turning what a person submitted into an agreement's rows: institutions and modules looked up
by code, items pinned to the newest published version, parties and items written in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.errors import Conflict, InvalidInput
from catalogue.institutions.models import Institution
from catalogue.modules.editing import latest_version
from catalogue.modules.models import Module, ModuleVersion
from catalogue.recognition.content import pin_for
from catalogue.recognition.models import Agreement, AgreementItem, AgreementParty
from catalogue.vocabularies import ModuleStatus


@dataclass
class ResolvedItem:
    """A submitted item matched to its module, the version it pins and that version's hash."""

    module: Module
    version: ModuleVersion
    unit_code: str | None
    pinned_hash: str
    data: dict[str, Any]


def submitted_institutions(session: Session, data: dict[str, Any]) -> dict[str, Institution]:
    """The parties and providers a submission names, by code; InvalidInput for unknown codes."""
    codes = {p["institution"] for p in data["parties"]} | {i["provider"] for i in data["items"]}
    return institutions_by_code(session, codes)


def institutions_by_code(session: Session, codes: set[str]) -> dict[str, Institution]:
    """Institutions by code, with their regions; InvalidInput naming the unknown codes."""
    found = {
        i.code: i
        for i in session.scalars(
            select(Institution)
            .where(Institution.code.in_(codes))
            .options(selectinload(Institution.region))
        )
    }
    missing = sorted(codes - found.keys())
    if missing:
        raise InvalidInput(
            _("Unknown institution code(s): %(codes)s.", codes=", ".join(missing)),
            fields={
                "parties": [_("Unknown institution code(s): %(codes)s.", codes=", ".join(missing))]
            },
        )
    return found


def resolve_items(
    session: Session, items: list[dict[str, Any]], institutions: dict[str, Institution]
) -> list[ResolvedItem]:
    """Each submitted item's published module and the hash it pins; InvalidInput per item."""
    resolved = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, item in enumerate(items):
        provider = institutions.get(item["provider"])
        module = None
        if provider is not None:
            module = session.scalar(
                select(Module)
                .where(
                    Module.institution_id == provider.id,
                    func.lower(Module.code) == item["module"].lower(),
                )
                .options(selectinload(Module.institution))
            )
        if module is None:
            errors[index] = {"module": [_("The provider has no module with this code.")]}
            continue
        version = latest_version(session, module.id)
        if version is None or module.status != ModuleStatus.PUBLISHED:
            errors[index] = {"module": [_("Only published modules can be recognised.")]}
            continue
        unit_code = item.get("unit")
        pinned = pin_for(version, unit_code)
        if pinned is None:
            errors[index] = {"unit": [_("The module's published version has no such unit.")]}
            continue
        if unit_code:
            unit_code = next(
                u["code"]
                for u in version.content["units"]
                if u["code"].lower() == unit_code.lower()
            )
        resolved.append(ResolvedItem(module, version, unit_code, pinned, item))
    if errors:
        raise InvalidInput(_("Some items cannot be recognised."), fields={"items": errors})
    return resolved


def apply_content(
    agreement: Agreement,
    data: dict[str, Any],
    institutions: dict[str, Institution],
    items: list[ResolvedItem],
    keep_pins: dict[tuple[int, str], tuple[int, str]],
) -> None:
    """Write submitted content into the agreement's rows; existing items keep their pins.

    Parties and items are updated in place where they persist, so that no row is deleted and
    inserted again under the same unique key within one flush.
    """
    agreement.code = data["code"]
    agreement.title = data["title"]
    agreement.kind = data["kind"]
    agreement.terms = data["terms"]
    agreement.valid_from = data["valid_from"]
    agreement.valid_until = data["valid_until"]

    existing_parties = {party.institution_id: party for party in agreement.parties}
    parties = []
    for submitted in data["parties"]:
        institution = institutions[submitted["institution"]]
        party = existing_parties.get(institution.id) or AgreementParty(
            institution_id=institution.id
        )
        party.institution = institution
        party.role = submitted["role"]
        parties.append(party)
    agreement.parties = parties

    existing_items = {
        (item.module_id, (item.unit_code or "").lower()): item for item in agreement.items
    }
    rows = []
    for resolved in items:
        key = (resolved.module.id, (resolved.unit_code or "").lower())
        row = existing_items.get(key) or AgreementItem(module_id=resolved.module.id)
        row.module = resolved.module
        row.unit_code = resolved.unit_code
        row.pinned_version, row.pinned_hash = keep_pins.get(
            key, (resolved.version.number, resolved.pinned_hash)
        )
        credits = resolved.data.get("credits")
        row.grant = resolved.data["grant"]
        row.credits_value = credits["value"] if credits else None
        row.credits_unit = credits["unit"] if credits else None
        row.equivalent = resolved.data["equivalent"]
        row.licence_terms = resolved.data["licence_terms"]
        rows.append(row)
    agreement.items = rows


def ensure_code_free(session: Session, code: str, agreement_id: int | None = None) -> None:
    """Refuse a code another agreement has (case-insensitively)."""
    clash = session.scalar(
        select(Agreement.id).where(
            func.lower(Agreement.code) == code.lower(), Agreement.id != (agreement_id or -1)
        )
    )
    if clash is not None:
        raise Conflict(
            _("Another agreement has code %(code)s.", code=code),
            fields={"code": [_("Another agreement has this code.")]},
        )
