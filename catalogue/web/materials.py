"""Material pages: one material with its licence, attribution and reuse; registering reuse."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from catalogue.accounts.auth import current_actor
from catalogue.db import get_session
from catalogue.errors import Conflict, InvalidInput, StaleEdit
from catalogue.materials import finder, licences, queries, services
from catalogue.materials.content import attribution_of
from catalogue.web.forms import save_form
from schemas.material_search import MaterialFinderFormSchema
from schemas.materials import ReuseInputSchema

bp = Blueprint("materials", __name__)

REUSE_FIELDS = ("institution_id", "module_id", "course", "note")


def _material_page(material_id: int, values=None, errors=None, status: int = 200):
    """The material page, with the reuse form as typed (and its errors) when given."""
    session = get_session()
    actor = current_actor()
    material = queries.get_material(session=session, actor=actor, material_id=material_id)
    reuses = queries.material_reuses(session, material.id)
    page = render_template(
        "materials/detail.html",
        material=material,
        terms=licences.terms_of(material.licence),
        explanation=licences.explanation(material.licence),
        attribution=attribution_of(material),
        reuses=reuses,
        covered={r.id: queries.is_covered(session, r) for r in reuses if r.is_active},
        count=queries.reuse_counts(session, [material.id])[material.id],
        registering=queries.registering_institutions(session, actor, material),
        values=values or {},
        errors=errors or {},
    )
    return page, status


@bp.get("/materials/<id:material_id>")
def material_detail(material_id: int):
    """One material: what it is, its licence explained, attribution and where it is reused."""
    return _material_page(material_id)


@bp.post("/materials/<id:material_id>/reuses")
@login_required
def register_reuse(material_id: int):
    """Register that an institution reuses this material."""
    raw = {name: request.form.get(name, "")[:1000] for name in REUSE_FIELDS}
    raw["module_id"] = raw["module_id"] or None
    _reuse, errors = save_form(
        ReuseInputSchema(),
        raw,
        services.register_reuse,
        (Conflict, InvalidInput),
        material_id=material_id,
    )
    if errors:
        return _material_page(material_id, raw, errors, 422 if "_schema" not in errors else 409)
    flash(_("The reuse has been registered."), "success")
    return redirect(url_for("materials.material_detail", material_id=material_id) + "#reuse")


@bp.post("/materials/<id:material_id>/reuses/<id:reuse_id>/end")
@login_required
def end_reuse(material_id: int, reuse_id: int):
    """End a reuse registration."""
    session = get_session()
    actor = current_actor()
    queries.get_reuse(session=session, actor=actor, material_id=material_id, reuse_id=reuse_id)
    lock = request.form.get("lock_version", "")
    try:
        services.end_reuse(
            session=session,
            actor=actor,
            reuse_id=reuse_id,
            base_version=int(lock) if lock.isdigit() else None,
        )
    except (Conflict, StaleEdit) as exc:
        flash(exc.message, "error")
    else:
        flash(_("The reuse registration has ended."), "success")
    return redirect(url_for("materials.material_detail", material_id=material_id) + "#reuse")


@bp.get("/materials")
def material_list():
    """The material finder: search published material with facets and sorting."""
    schema = MaterialFinderFormSchema()
    try:
        args = schema.load(request.args)
    except ValidationError:
        # A bad sort or page never loses the search: start from the words and filters.
        args = schema.load({k: v for k, v in request.args.lists() if k not in ("sort", "page")})
    found = finder.find_material(session=get_session(), args=args)
    return render_template("materials/finder.html", found=found, titles=finder.FACET_TITLES)
