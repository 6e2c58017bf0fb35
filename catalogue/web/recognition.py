"""Recognition pages: the public registry (with CSV), an agreement, the region matrix, the
institution inbox, and the forms and buttons with which parties draft, approve and end them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from marshmallow import ValidationError

from catalogue.accounts.auth import current_actor
from catalogue.accounts.permissions import can_draft_for
from catalogue.csv_safety import safe_cell
from catalogue.db import get_session
from catalogue.errors import Conflict, InvalidInput, PermissionDenied, StaleEdit, flatten_errors
from catalogue.institutions import services as institutions
from catalogue.materials import queries as material_queries
from catalogue.modules import services as modules
from catalogue.recognition import lifecycle, notices, queries
from catalogue.recognition import services as recognition
from catalogue.recognition.content import agreement_view, form_input
from catalogue.vocabularies import AgreementKind, AgreementStatus
from catalogue.web.downloads import attachment
from schemas.recognition import AgreementInputSchema

bp = Blueprint("recognition", __name__)

_GROUP = re.compile(r"^(parties|items)-(\d{1,2})-([a-z_]+)$")


def _filters() -> queries.AgreementFilter:
    statuses = [s for s in request.args.getlist("status") if s in AgreementStatus.values()]
    return queries.AgreementFilter(
        region_codes=request.args.getlist("region"),
        institution_codes=request.args.getlist("institution"),
        kinds=[k for k in request.args.getlist("kind") if k in AgreementKind.values()],
        statuses=statuses or [AgreementStatus.ACTIVE],
    )


@bp.get("/agreements")
def registry():
    """Recognition agreements, active ones by default, with filters."""
    session = get_session()
    filters = _filters()
    page = queries.list_agreements(
        session=session,
        actor=current_actor(),
        filters=filters,
        page=request.args.get("page", 1, type=int) or 1,
    )
    return render_template(
        "recognition/registry.html",
        page=page,
        filters=filters,
        regions=institutions.list_regions(session=session),
        all_institutions=institutions.list_institutions(session=session),
        ending=queries.ending_soon(session=session),
    )


@bp.get("/agreements.csv")
def registry_csv():
    """The registry with the same filters, as CSV (one row per agreement item)."""
    rows = queries.all_agreements(session=get_session(), actor=current_actor(), filters=_filters())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for agreement in rows:
        view = agreement_view(agreement, history=False)
        for item in view["items"]:
            writer.writerow([safe_cell(v) for v in _csv_row(view, item)])
    return attachment(out.getvalue(), "erkenningen.csv", "text/csv")


CSV_COLUMNS = (
    "code title kind status valid_from valid_until content_hash providers recognisers provider "
    "module unit pinned_version grant credits equivalent"
).split()


def _csv_row(view: dict[str, Any], item: dict[str, Any]) -> list[Any]:
    """One registry CSV row: an agreement's projection and one of its items."""
    credits = item["credits"]
    return [
        view["code"],
        view["title"],
        view["kind"],
        view["status"],
        view["valid_from"].isoformat(),
        view["valid_until"].isoformat() if view["valid_until"] else "",
        view["content_hash"],
        ";".join(view["providers"]),
        ";".join(view["recognisers"]),
        item["provider"],
        item["module"],
        item["unit"] or "",
        item["pinned_version"],
        item["grant"],
        f"{credits['value']:g} {credits['unit']}" if credits else "",
        item["equivalent"],
    ]


@bp.get("/agreements/<id:agreement_id>")
def agreement_page(agreement_id: int):
    """One agreement: parties, items, hash, revisions and the approval trail."""
    actor = current_actor()
    agreement = queries.get_agreement(session=get_session(), actor=actor, agreement_id=agreement_id)
    return render_template(
        "recognition/agreement.html",
        agreement=agreement,
        view=agreement_view(agreement),
        decisions=lifecycle.current_decisions(agreement),
        awaiting=lifecycle.awaiting(agreement),
        my_parties=lifecycle.deciding_parties(actor, agreement),
        can_change=lifecycle.drafts_for_a_party(actor, agreement),
        can_withdraw=lifecycle.drafts_for_initiator(actor, agreement),
        comments=notices.thread(session=get_session(), agreement=agreement),
    )


@bp.post("/agreements/<id:agreement_id>/comment")
@login_required
def comment(agreement_id: int):
    """Add a remark to the agreement's discussion (the parties' people)."""
    try:
        notices.add_comment(
            session=get_session(),
            actor=current_actor(),
            agreement_id=agreement_id,
            body=request.form.get("comment", ""),
        )
    except InvalidInput as exc:
        flash(exc.message, "error")
    else:
        flash(_("Your comment has been added."), "success")
    return redirect(
        url_for("recognition.agreement_page", agreement_id=agreement_id) + "#discussion"
    )


@bp.get("/recognition/matrix")
def matrix():
    """Active agreements between regions, each cell a link to its agreements; beside it, the
    reuse of material between regions."""
    session = get_session()
    return render_template(
        "recognition/matrix.html",
        matrix=queries.recognition_matrix(session=session),
        reuse=material_queries.region_reuse_table(session=session),
    )


@bp.get("/manage/agreements")
@login_required
def inbox():
    """What awaits the person's institutions: approvals, reviews, endings, drafts."""
    return render_template(
        "recognition/inbox.html",
        inbox=queries.inbox(session=get_session(), actor=current_actor()),
    )


# -- the agreement form ---------------------------------------------------------------------


@dataclass
class AgreementForm:
    """The agreement form's values as typed, with numbered party and item groups (a group per
    slot on the form, so that errors and removals keep their place)."""

    values: dict[str, str] = field(default_factory=dict)
    parties: list[dict[str, str]] = field(default_factory=list)
    items: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> AgreementForm:
        return cls(
            values={"kind": "exemption"},
            parties=[{"role": "provider"}, {"role": "recogniser"}],
            items=[{}],
        )

    @classmethod
    def from_input(cls, data: dict[str, Any]) -> AgreementForm:
        values = {
            k: "" if data.get(k) is None else str(data[k])
            for k in ("code", "title", "kind", "terms", "valid_from", "valid_until")
        }
        items = []
        for item in data["items"]:
            credits = item.get("credits") or {}
            items.append(
                {
                    "provider": item["provider"],
                    "module": item["module"],
                    "unit": item.get("unit") or "",
                    "grant": item["grant"],
                    "credits_value": ""
                    if credits.get("value") is None
                    else f"{credits['value']:g}",
                    "credits_unit": credits.get("unit") or "",
                    "equivalent": item["equivalent"],
                    "licence_terms": item["licence_terms"],
                }
            )
        return cls(values=values, parties=[dict(p) for p in data["parties"]], items=items)

    @classmethod
    def from_request(cls) -> AgreementForm:
        form = request.form
        values = {
            k: form.get(k, "")
            for k in ("code", "title", "kind", "terms", "valid_from", "valid_until")
        }
        groups: dict[str, dict[int, dict[str, str]]] = {"parties": {}, "items": {}}
        for key in form:
            match = _GROUP.match(key)
            if match:
                groups[match.group(1)].setdefault(int(match.group(2)), {})[match.group(3)] = (
                    form.get(key, "")
                )
        return cls(
            values=values,
            parties=[groups["parties"][i] for i in sorted(groups["parties"])],
            items=[groups["items"][i] for i in sorted(groups["items"])],
        )

    def to_raw(self) -> tuple[dict[str, Any], list[int], list[int]]:
        parties, party_slots = [], []
        for slot, party in enumerate(self.parties):
            if party.get("remove") == "y" or not party.get("institution"):
                continue
            party_slots.append(slot)
            parties.append({"institution": party["institution"], "role": party.get("role", "")})
        items, item_slots = [], []
        for slot, item in enumerate(self.items):
            if item.get("remove") == "y" or not (item.get("module") or item.get("grant")):
                continue
            item_slots.append(slot)
            credits = None
            if item.get("credits_value", "").strip():
                credits = {
                    "value": item["credits_value"].replace(",", "."),
                    "unit": item.get("credits_unit") or "ects",
                }
            items.append(
                {
                    "provider": item.get("provider", ""),
                    "module": item.get("module", "").strip(),
                    "unit": item.get("unit", "").strip() or None,
                    "grant": item.get("grant", ""),
                    "credits": credits,
                    "equivalent": item.get("equivalent", ""),
                    "licence_terms": item.get("licence_terms", ""),
                }
            )
        raw = {**self.values, "parties": parties, "items": items}
        raw["valid_until"] = raw.get("valid_until") or None
        return raw, party_slots, item_slots

    def set_errors(self, messages, party_slots: list[int], item_slots: list[int]) -> None:
        for path, message in flatten_errors(messages):
            match = re.match(r"^(parties|items)\[(\d+)\]\.?(\w*)", path)
            if match:
                kind, index, name = match.groups()
                slots = party_slots if kind == "parties" else item_slots
                slot = slots[int(index)] if int(index) < len(slots) else int(index)
                key = f"{kind}-{slot}-{name or ('institution' if kind == 'parties' else 'module')}"
                if name == "credits":
                    key = f"{kind}-{slot}-credits_value"
            else:
                key = re.split(r"[.\[]", path, maxsplit=1)[0] or "_schema"
            self.errors.setdefault(key, []).append(message)


def _render_form(form: AgreementForm, agreement=None, status: int = 200):
    session = get_session()
    actor = current_actor()
    return render_template(
        "recognition/form.html",
        form=form,
        agreement=agreement,
        institution_choices=[
            (i.code, i.name) for i in institutions.list_institutions(session=session)
        ],
        own_institutions=[
            i
            for i in institutions.list_institutions(session=session)
            if can_draft_for(actor, i.id, i.region_id)
        ],
        module_choices=modules.module_choices(session=session),
    ), status


def _save(form: AgreementForm, agreement=None):
    action = request.form.get("action", "save")
    if action == "add-party":
        form.parties.append({"role": "recogniser"})
        return _render_form(form, agreement)
    if action == "add-item":
        form.items.append({})
        return _render_form(form, agreement)
    raw, party_slots, item_slots = form.to_raw()
    try:
        data = AgreementInputSchema().load(raw)
        if agreement is None:
            saved = recognition.create_agreement(
                session=get_session(), actor=current_actor(), data=data
            )
        else:
            lock = request.form.get("lock_version", "")
            saved = recognition.update_agreement(
                session=get_session(),
                actor=current_actor(),
                agreement_id=agreement.id,
                data=data,
                base_version=int(lock) if lock.isdigit() else None,
            )
    except ValidationError as exc:
        form.set_errors(exc.messages, party_slots, item_slots)
        return _render_form(form, agreement, 422)
    except (InvalidInput, Conflict, StaleEdit, PermissionDenied) as exc:
        form.set_errors(
            getattr(exc, "fields", None) or {"_schema": [exc.message]}, party_slots, item_slots
        )
        status = {StaleEdit: 409, PermissionDenied: 403}.get(type(exc), 422)
        return _render_form(form, agreement, status)
    flash(_("The agreement has been saved."), "success")
    return redirect(url_for("recognition.agreement_page", agreement_id=saved.id))


@bp.route("/agreements/new", methods=["GET", "POST"])
@login_required
def new_agreement():
    """Draft an agreement to which one of your institutions is a party."""
    actor = current_actor()
    if not (actor.editor_of or actor.coordinator_of or actor.is_administrator):
        raise PermissionDenied(
            _("Only editors of an institution and regional coordinators can draft agreements.")
        )
    if request.method == "GET":
        return _render_form(AgreementForm.blank())
    return _save(AgreementForm.from_request())


@bp.route("/agreements/<id:agreement_id>/edit", methods=["GET", "POST"])
@login_required
def edit_agreement(agreement_id: int):
    """Change an agreement: a new revision that every party must approve again."""
    agreement = queries.get_agreement(
        session=get_session(), actor=current_actor(), agreement_id=agreement_id
    )
    lifecycle.authorise(current_actor(), agreement, lifecycle.CHANGE)
    if request.method == "GET":
        return _render_form(AgreementForm.from_input(form_input(agreement)), agreement)
    return _save(AgreementForm.from_request(), agreement)


def _decide(agreement_id: int, operation, done, **kwargs):
    """Run one lifecycle operation from a button; say how it went on the agreement's page."""
    try:
        operation(session=get_session(), actor=current_actor(), agreement_id=agreement_id, **kwargs)
    except (Conflict, InvalidInput, StaleEdit) as exc:
        flash(exc.message, "error")
    else:
        flash(str(done), "success")
    return redirect(url_for("recognition.agreement_page", agreement_id=agreement_id))


def _lock() -> dict[str, int | None]:
    """The version of the agreement the button was shown for (its stale-edit check)."""
    value = request.form.get("lock_version", "")
    return {"base_version": int(value) if value.isdigit() else None}


def _form(*names: str) -> dict[str, str]:
    """The named fields of the submitted form, each at most 500 characters."""
    return {name: request.form.get(name, "")[:500] for name in names}


def _decision(*names: str) -> dict[str, str]:
    """The party decided for, and the other named fields, as the services take them."""
    return {"institution_code": request.form.get("institution", ""), **_form(*names)}


# Each button: its path, the operation, what the person is told, the form's arguments, and
# what it does (the view's docstring).
BUTTONS = (
    (
        "propose",
        recognition.propose_agreement,
        _l("The agreement has been proposed to the parties."),
        _lock,
        "Put the draft to the parties.",
    ),
    (
        "approve",
        recognition.approve_agreement,
        _l("Your approval has been recorded."),
        lambda: {
            **_decision("comment"),
            "approved_hash": request.form.get("content_hash", ""),
        },
        "Approve the content you read (its hash) for your institution.",
    ),
    (
        "reject",
        recognition.reject_agreement,
        _l("The agreement has been rejected."),
        lambda: _decision("comment"),
        "Decline the proposed content for your institution.",
    ),
    (
        "withdraw",
        recognition.withdraw_agreement,
        _l("The agreement has been withdrawn."),
        _lock,
        "Take back an agreement that is not in force.",
    ),
    (
        "terminate",
        recognition.terminate_agreement,
        _l("The agreement has been terminated."),
        lambda: {**_form("reason"), **_lock()},
        "End an agreement that is in force.",
    ),
    (
        "repin",
        recognition.repin_agreement,
        _l("The agreement now pins the newest versions; every party must approve it again."),
        _lock,
        "Pin the agreement to the newest published versions (a new approval round).",
    ),
)


def _button(action: str, operation, done, arguments, doc: str) -> None:
    """Register POST /agreements/<id>/<action> for one lifecycle button."""

    def view(agreement_id: int):
        return _decide(agreement_id, operation, done, **arguments())

    view.__name__, view.__doc__ = action, doc
    bp.post(f"/agreements/<id:agreement_id>/{action}")(login_required(view))


for _button_args in BUTTONS:
    _button(*_button_args)
