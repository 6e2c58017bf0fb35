"""The one projection of an agreement, its canonical content and the hash every party approves.

`agreement_view` turns an agreement into plain data once: the API's output schema dumps it, the
registry CSV and the pages read it, and the edit form is filled from `form_input`, which is cut
from the same projection. `agreement_content` is the canonical part of it that is hashed (its
bytes must stay exactly as they are: stored approvals name these hashes).
"""

from __future__ import annotations

from typing import Any

from catalogue.hashing import content_hash
from catalogue.modules.content import unit_hash
from catalogue.modules.models import ModuleVersion
from catalogue.recognition.lifecycle import current_decisions
from catalogue.recognition.models import Agreement, AgreementItem

# What a recogniser grants for an item: part of the content, the form and every projection.
TERM_FIELDS = ("grant", "equivalent", "licence_terms")


def pin_for(version: ModuleVersion, unit_code: str | None) -> str | None:
    """The hash an item pins in a version: the unit's, or the whole version's; None if absent."""
    return unit_hash(version.content, unit_code) if unit_code else version.content_hash


def pin_label(module_code: str, unit_code: str | None) -> str:
    """How an item is named in notes: the module's code, with the unit's after a slash."""
    return module_code + (f"/{unit_code}" if unit_code else "")


def item_credits(item: AgreementItem) -> dict[str, Any] | None:
    """The credits granted for an item as {value, unit}, or None."""
    if item.credits_value is None:
        return None
    return {"value": item.credits_value, "unit": item.credits_unit}


def item_view(item: AgreementItem) -> dict[str, Any]:
    """One agreement item as plain data: what it pins and what recognisers grant for it."""
    return {
        "module_id": item.module_id,
        "provider": item.module.institution.code,
        "provider_name": item.module.institution.name,
        "module": item.module.code,
        "module_title": item.module.title,
        "unit": item.unit_code,
        "pinned_version": item.pinned_version,
        "pinned_hash": item.pinned_hash,
        "credits": item_credits(item),
        **{name: getattr(item, name) for name in TERM_FIELDS},
    }


def _party_views(agreement: Agreement) -> list[dict[str, Any]]:
    """Each party with its institution, role and decision on the current revision."""
    decisions = current_decisions(agreement)
    return [
        {
            "institution": party.institution,
            "role": party.role,
            "provides": party.provides,
            "recognises": party.recognises,
            "decision": decisions[party.institution_id].decision
            if party.institution_id in decisions
            else None,
        }
        for party in agreement.parties
    ]


_SCALARS = (
    "id",
    "code",
    "title",
    "kind",
    "status",
    "terms",
    "valid_from",
    "valid_until",
    "revision",
    "content_hash",
    "review_needed",
    "review_note",
    "lock_version",
)


def agreement_view(agreement: Agreement, *, history: bool = True) -> dict[str, Any]:
    """The agreement as plain data: fields, parties with decisions, items, approvals, revisions.

    Without history (for lists and exports) approvals and revisions are left out, so that they
    need not be loaded.
    """
    view = {name: getattr(agreement, name) for name in _SCALARS}
    view["initiator"] = agreement.initiator.code if history else None
    view["parties"] = _party_views(agreement) if history else _bare_parties(agreement)
    view["items"] = [item_view(item) for item in agreement.items]
    view["providers"] = [p.institution.code for p in agreement.parties if p.provides]
    view["recognisers"] = [p.institution.code for p in agreement.parties if p.recognises]
    if history:
        # The rows themselves, newest first: the API's schema says what of them it shows.
        view["approvals"] = list(agreement.approvals)
        view["revisions"] = list(agreement.revisions)
    return view


def _bare_parties(agreement: Agreement) -> list[dict[str, Any]]:
    """Each party with its institution and role only (no approvals loaded)."""
    return [{"institution": p.institution, "role": p.role} for p in agreement.parties]


def agreement_content(agreement: Agreement) -> dict[str, Any]:
    """The canonical content of an agreement: what every party approves."""
    items = (item_view(item) for item in agreement.items)
    return {
        "code": agreement.code,
        "title": agreement.title,
        "kind": agreement.kind,
        "terms": agreement.terms,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
        "parties": sorted(
            ({"institution": p.institution.code, "role": p.role} for p in agreement.parties),
            key=lambda p: p["institution"],
        ),
        "items": sorted(
            (
                {
                    "provider": i["provider"],
                    "module": i["module"],
                    "module_id": i["module_id"],
                    "unit": i["unit"],
                    "version": i["pinned_version"],
                    "version_hash": i["pinned_hash"],
                    "credits": i["credits"],
                    **{name: i[name] for name in TERM_FIELDS},
                }
                for i in items
            ),
            key=lambda i: (i["provider"], i["module"], i["unit"] or ""),
        ),
    }


def agreement_hash(agreement: Agreement) -> str:
    """The SHA-256 content hash of the agreement as it is now."""
    return content_hash(agreement_content(agreement))


def form_input(agreement: Agreement) -> dict[str, Any]:
    """The agreement as the input data of its edit form (the shape a person submits)."""
    fields = ("code", "title", "kind", "terms", "valid_from", "valid_until")
    return {
        **{name: getattr(agreement, name) for name in fields},
        "parties": [{"institution": p.institution.code, "role": p.role} for p in agreement.parties],
        "items": [
            {
                "provider": i["provider"],
                "module": i["module"],
                "unit": i["unit"],
                "credits": i["credits"],
                **{name: i[name] for name in TERM_FIELDS},
            }
            for i in map(item_view, agreement.items)
        ],
    }
