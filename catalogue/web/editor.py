"""The editor: dashboards, the module form, publishing, runs, versions and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from marshmallow import ValidationError

from catalogue.accounts.auth import current_actor
from catalogue.accounts.permissions import (
    can_edit_institution,
    can_read_institution_internals,
)
from catalogue.audit import services as audit
from catalogue.db import get_session
from catalogue.errors import Conflict, InvalidInput, PermissionDenied, StaleEdit
from catalogue.institutions import services as institutions
from catalogue.institutions.models import Institution
from catalogue.materials import queries as material_queries
from catalogue.modules import editing
from catalogue.modules import services as modules
from catalogue.modules.content import apply_content, working_content
from catalogue.modules.models import Module
from catalogue.vocabularies import default_study_load_unit
from catalogue.web import day
from catalogue.web.forms import form_page, number_input, save_form, whole_number_input
from catalogue.web.module_form import ModuleForm
from schemas.modules import ModuleContentSchema, OfferingSchema

bp = Blueprint("editor", __name__, url_prefix="/manage")


@bp.before_request
@login_required
def _require_login():
    """Every editor page needs a logged-in user."""


def _base_version() -> int | None:
    value = request.form.get("lock_version", "")
    return int(value) if value.isdigit() else None


@bp.get("/")
def dashboard():
    """The institutions this person edits or coordinates, with their modules by status."""
    actor = current_actor()
    session = get_session()
    visible = [
        i
        for i in institutions.list_institutions(session=session)
        if can_read_institution_internals(actor, i.id, i.region_id)
    ]
    return render_template("editor/dashboard.html", institutions=visible, actor=actor)


@bp.get("/institutions/<code>")
def institution_dashboard(code: str):
    """One institution's drafts, published and archived modules."""
    session = get_session()
    actor = current_actor()
    institution = institutions.get_institution(session=session, code=code)
    all_modules = modules.institution_modules(session=session, actor=actor, institution=institution)
    grouped = {
        "draft": [m for m in all_modules if m.status == "draft"],
        "changed": [m for m in all_modules if m.status == "published" and m.draft_content],
        "published": [m for m in all_modules if m.status == "published"],
        "archived": [m for m in all_modules if m.status == "archived"],
    }
    return render_template(
        "editor/institution.html",
        institution=institution,
        grouped=grouped,
        can_edit=can_edit_institution(actor, institution.id),
        material_reuse=material_queries.reuse_of_institutions_material(session, [institution.id]),
    )


def _render_form(
    form: ModuleForm,
    *,
    institution: Institution,
    module: Module | None,
    status: int = 200,
    conflict: StaleEdit | None = None,
):
    # The form carries the version its content was based on. After a conflict it carries the
    # stored version, so that saving again (after reading the differences) is a deliberate choice.
    if conflict is not None:
        lock_version = conflict.current_version
    elif module is not None:
        lock_version = request.form.get("lock_version") or module.lock_version
    else:
        lock_version = None
    return (
        render_template(
            "editor/module_form.html",
            form=form,
            institution=institution,
            module=module,
            lock_version=lock_version,
            conflict=conflict,
        ),
        status,
    )


def _handle_form_action(form: ModuleForm, institution, module):
    """Add-a-group buttons re-render the form without saving."""
    action = request.form.get("action", "save")
    if action == "add-unit":
        form.add_unit()
        return _render_form(form, institution=institution, module=module)
    if action == "add-material":
        form.add_material()
        return _render_form(form, institution=institution, module=module)
    return None


@bp.route("/institutions/<code>/modules/new", methods=["GET", "POST"])
def new_module(code: str):
    """Create a module for an institution the person edits."""
    session = get_session()
    actor = current_actor()
    institution = institutions.get_institution(session=session, code=code)
    if not can_edit_institution(actor, institution.id):
        raise PermissionDenied(_("You may only change the data of your own institution."))
    if request.method == "GET":
        form = ModuleForm.blank(default_study_load_unit(institution.kind))
        return _render_form(form, institution=institution, module=None)
    form = ModuleForm.from_request(request.form, locale=str(get_locale()))
    rerender = _handle_form_action(form, institution, None)
    if rerender:
        return rerender
    try:
        content = ModuleContentSchema().load(form.to_raw_content())
        module = editing.create_module(
            session=session, actor=actor, institution_id=institution.id, content=content
        )
    except ValidationError as exc:
        form.set_errors(exc.messages)
        return _render_form(form, institution=institution, module=None, status=422)
    except (InvalidInput, Conflict) as exc:
        form.set_errors(exc.fields or {"_schema": [exc.message]})
        return _render_form(form, institution=institution, module=None, status=422)
    flash(_("The module has been saved as a draft."), "success")
    return redirect(url_for("editor.edit_module", module_id=module.id))


def _editable_module(module_id: int) -> Module:
    module = modules.get_module(session=get_session(), actor=current_actor(), module_id=module_id)
    if not can_edit_institution(current_actor(), module.institution_id):
        raise PermissionDenied(_("You may only change the data of your own institution."))
    return module


@bp.route("/modules/<id:module_id>/edit", methods=["GET", "POST"])
def edit_module(module_id: int):
    """Edit a module's content; a published module's edits stay a draft until published.

    The "publish" button belongs to this form: it saves what was typed and publishes it in one
    step, so that nothing typed since the last save is lost.
    """
    module = _editable_module(module_id)
    if request.method == "GET":
        form = ModuleForm.from_content(working_content(module), str(get_locale()))
        return _render_form(form, institution=module.institution, module=module)
    form = ModuleForm.from_request(request.form, locale=str(get_locale()))
    rerender = _handle_form_action(form, module.institution, module)
    if rerender:
        return rerender
    publishing = request.form.get("action") == "publish"
    try:
        content = ModuleContentSchema().load(form.to_raw_content())
        (editing.save_and_publish if publishing else editing.update_module)(
            session=get_session(),
            actor=current_actor(),
            module_id=module.id,
            content=content,
            base_version=_base_version(),
        )
    except ValidationError as exc:
        form.set_errors(exc.messages)
        return _render_form(form, institution=module.institution, module=module, status=422)
    except StaleEdit as exc:
        return _render_form(
            form, institution=module.institution, module=module, status=409, conflict=exc
        )
    except (InvalidInput, Conflict) as exc:
        form.set_errors(exc.fields or {"_schema": [exc.message]})
        return _render_form(form, institution=module.institution, module=module, status=422)
    if publishing:
        flash(_("Your changes have been saved and the module has been published."), "success")
    else:
        flash(_("Your changes have been saved."), "success")
    return redirect(url_for("editor.edit_module", module_id=module.id))


@bp.get("/modules/<id:module_id>/preview")
def preview_module(module_id: int):
    """The module as the public would see it once its current draft is published."""
    module = _editable_module(module_id)
    preview = Module(
        id=module.id,
        institution_id=module.institution_id,
        code=module.code,
        title=module.title,
        sector=module.sector,
        level=module.level,
        study_load_value=module.study_load_value,
        study_load_unit=module.study_load_unit,
        status=module.status,
    )
    preview.institution = module.institution
    apply_content(preview, working_content(module))
    return render_template(
        "modules/detail.html",
        module=preview,
        offerings=modules.upcoming_offerings(module),
        recognitions=[],
        preview=True,
    )


def _flash_outcome(write, done_message: str, refusals=(StaleEdit,)) -> None:
    """Run a write; flash the service's refusal as an error, or `done_message` when it is done."""
    try:
        write()
    except refusals as exc:
        flash(exc.message, "error")
    else:
        flash(done_message, "success")


def _lifecycle(module_id: int, operation, done_message: str):
    module = _editable_module(module_id)
    _flash_outcome(
        lambda: operation(
            session=get_session(),
            actor=current_actor(),
            module_id=module.id,
            base_version=_base_version(),
        ),
        done_message,
        (StaleEdit, Conflict),
    )
    return redirect(url_for("editor.edit_module", module_id=module.id))


@bp.post("/modules/<id:module_id>/publish")
def publish_module(module_id: int):
    """Publish the module's stored content as a new version (the editor page saves first)."""
    return _lifecycle(module_id, editing.publish_module, _("The module has been published."))


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation page asks before a write that cannot simply be undone."""

    question: LazyString  # with placeholders, e.g. %(title)s, filled in by the view
    explanation: LazyString
    button: LazyString


CONFIRMATIONS = {
    "archive": Confirmation(
        _l("Archive %(title)s?"),
        _l(
            "The module disappears from the public catalogue, from search and from the "
            "registry's lists. You can publish it again later."
        ),
        _l("Yes, archive the module"),
    ),
    "discard": Confirmation(
        _l("Discard the unpublished changes to %(title)s?"),
        _l(
            "Everything changed since the last publication is thrown away; the module goes "
            "back to its published version. This cannot be undone."
        ),
        _l("Yes, discard the changes"),
    ),
    "delete-run": Confirmation(
        _l("Remove run %(code)s (%(start)s)?"),
        _l("The run disappears from the module's page at once. This cannot be undone."),
        _l("Yes, remove the run"),
    ),
}


def _confirm_page(module: Module, confirmation: Confirmation, lock_version: int, **values):
    """The page that asks before a write; the form posts back to the same address, where the
    write's own view does it (works without JavaScript)."""
    return render_template(
        "editor/confirm.html",
        module=module,
        question=confirmation.question % values,
        confirmation=confirmation,
        lock_version=lock_version,
    )


@bp.get("/modules/<id:module_id>/<any(archive, discard):action>")
def confirm(module_id: int, action: str):
    """Ask before archiving or discarding."""
    module = _editable_module(module_id)
    return _confirm_page(module, CONFIRMATIONS[action], module.lock_version, title=module.title)


@bp.post("/modules/<id:module_id>/archive")
def archive_module(module_id: int):
    """Take the module out of the public catalogue."""
    return _lifecycle(module_id, editing.archive_module, _("The module has been archived."))


@bp.post("/modules/<id:module_id>/discard")
def discard_draft(module_id: int):
    """Throw away unpublished changes."""
    return _lifecycle(
        module_id, editing.discard_draft, _("The unpublished changes have been discarded.")
    )


# -- offerings ------------------------------------------------------------------------------


def _offering_input() -> dict:
    raw = request.form.to_dict()
    raw.pop("csrf_token", None)
    raw.pop("lock_version", None)
    locale = str(get_locale())
    raw["price_eur"] = number_input(raw.get("price_eur", ""), locale) or ""
    for name in ("seats", "seats_left"):
        raw[name] = whole_number_input(raw.get(name, ""), locale)
    # Unticked boxes are not sent at all.
    raw["guaranteed"] = raw.get("guaranteed") == "true"
    raw["confirm"] = raw.get("confirm") == "true"
    return raw


@bp.route("/modules/<id:module_id>/offerings/new", methods=["GET", "POST"])
def new_offering(module_id: int):
    """Add a run to a module."""
    module = _editable_module(module_id)
    values, errors = {"delivery_mode": "on-campus", "language": "nld", "status": "planned"}, {}
    if request.method == "POST":
        values = request.form.to_dict()
        _saved, errors = save_form(
            OfferingSchema(), _offering_input(), editing.create_offering, module_id=module.id
        )
        if not errors:
            flash(_("The run has been added."), "success")
            return redirect(url_for("editor.edit_module", module_id=module.id))
    return form_page("editor/offering_form.html", values, errors, module=module, offering=None)


def _editable_offering(offering_id: int):
    offering = modules.get_offering(
        session=get_session(), actor=current_actor(), offering_id=offering_id
    )
    return _editable_module(offering.module_id), offering


@bp.route("/offerings/<id:offering_id>/edit", methods=["GET", "POST"])
def edit_offering(offering_id: int):
    """Change a run."""
    module, offering = _editable_offering(offering_id)
    values = OfferingSchema().dump(offering)
    errors: dict = {}
    if request.method == "POST":
        values = request.form.to_dict()
        _saved, errors = save_form(
            OfferingSchema(),
            _offering_input(),
            editing.update_offering,
            (Conflict, StaleEdit),
            offering_id=offering.id,
            base_version=_base_version(),
        )
        if not errors:
            flash(_("The run has been saved."), "success")
            return redirect(url_for("editor.edit_module", module_id=module.id))
    return form_page("editor/offering_form.html", values, errors, module=module, offering=offering)


@bp.get("/offerings/<id:offering_id>/delete")
def confirm_delete_offering(offering_id: int):
    """Ask before removing a run."""
    module, offering = _editable_offering(offering_id)
    return _confirm_page(
        module,
        CONFIRMATIONS["delete-run"],
        offering.lock_version,
        code=offering.code,
        start=day(offering.start_date),
    )


@bp.post("/offerings/<id:offering_id>/delete")
def delete_offering(offering_id: int):
    """Remove a run."""
    module, offering = _editable_offering(offering_id)
    _flash_outcome(
        lambda: editing.delete_offering(
            session=get_session(),
            actor=current_actor(),
            offering_id=offering.id,
            base_version=_base_version(),
        ),
        _("The run has been removed."),
    )
    return redirect(url_for("editor.edit_module", module_id=module.id))


# -- audit ----------------------------------------------------------------------------------


@bp.get("/institutions/<code>/audit")
def institution_audit(code: str):
    """The institution's audit trail."""
    session = get_session()
    institution = institutions.get_institution(session=session, code=code)
    page = audit.institution_trail(
        session=session,
        actor=current_actor(),
        institution=institution,
        page=request.args.get("page", 1, type=int) or 1,
    )
    titles = modules.module_titles(
        session=session,
        module_ids=[e.module_id or e.entity_id for e in page.items if e.entity_type == "module"],
    )
    return render_template(
        "editor/audit.html", institution=institution, page=page, module=None, titles=titles
    )


@bp.get("/modules/<id:module_id>/audit")
def module_audit(module_id: int):
    """One module's audit trail."""
    module = modules.get_module(session=get_session(), actor=current_actor(), module_id=module_id)
    events = audit.module_trail(session=get_session(), actor=current_actor(), module=module)
    return render_template(
        "editor/audit.html",
        institution=module.institution,
        module=module,
        events=events,
        page=None,
        titles={module.id: module.title},
    )
