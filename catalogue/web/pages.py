"""Public pages: home, module list and detail, institutions and regions."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request
from flask_babel import gettext as _

from catalogue.accounts.auth import current_actor
from catalogue.accounts.permissions import can_edit_institution
from catalogue.db import get_session
from catalogue.errors import NotFound
from catalogue.i18n import LANGUAGE_COOKIE
from catalogue.institutions import services as institutions
from catalogue.materials import queries as materials
from catalogue.modules import editing
from catalogue.modules import services as modules
from catalogue.modules.content import diff_content
from catalogue.recognition import services as recognition
from catalogue.web.safety import safe_next_url

bp = Blueprint("pages", __name__)


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _published_modules(session, filters: modules.ModuleFilter):
    """The page of published modules the visitor asked for (?page=), filtered."""
    return modules.list_modules(
        session=session,
        filters=filters,
        page=_page_number(),
        page_size=current_app.config["PAGE_SIZE"],
    )


@bp.get("/")
def home():
    """The front page: what the catalogue is, the regions, and what was published last."""
    session = get_session()
    regions = institutions.list_regions(session=session)
    latest = modules.recently_published(session=session)
    totals = modules.catalogue_totals(session=session)
    return render_template("home.html", regions=regions, latest=latest, totals=totals)


@bp.get("/modules")
def module_list():
    """All published modules, paged, with simple filters."""
    filters = modules.ModuleFilter(
        sectors=request.args.getlist("sector"),
        competencies=request.args.getlist("competency"),
        region_codes=request.args.getlist("region"),
    )
    page = _published_modules(get_session(), filters)
    regions = institutions.list_regions(session=get_session())
    return render_template("modules/list.html", page=page, filters=filters, regions=regions)


@bp.get("/modules/<id:module_id>")
def module_detail(module_id: int):
    """One module with its units, material and upcoming runs."""
    session = get_session()
    actor = current_actor()
    module = modules.get_module(session=session, actor=actor, module_id=module_id)
    return render_template(
        "modules/detail.html",
        module=module,
        offerings=modules.upcoming_offerings(module),
        recognitions=recognition.recognised_by(session=session, module_id=module.id),
        can_edit=can_edit_institution(actor, module.institution_id),
        material_counts=materials.reuse_counts(session, [m.id for m in module.materials]),
        module_reuse=materials.module_reuse_count(session, module.id),
    )


@bp.get("/modules/<id:module_id>/versions")
def module_versions(module_id: int):
    """The published versions of a module, with their content hashes."""
    session = get_session()
    module = modules.get_module(session=session, actor=current_actor(), module_id=module_id)
    versions = editing.list_versions(session, module.id)
    return render_template("modules/versions.html", module=module, versions=versions)


@bp.get("/modules/<id:module_id>/versions/<id:number>")
def module_version(module_id: int, number: int):
    """One published version of a module, as it was published."""
    session = get_session()
    module = modules.get_module(session=session, actor=current_actor(), module_id=module_id)
    version = editing.get_version(session, module.id, number)
    return render_template("modules/version.html", module=module, version=version)


@bp.get("/modules/<id:module_id>/compare")
def compare_versions(module_id: int):
    """Field-by-field differences between two published versions of a module."""
    session = get_session()
    module = modules.get_module(session=session, actor=current_actor(), module_id=module_id)
    versions = editing.list_versions(session, module.id)
    if not versions:
        raise NotFound(_("This module has not been published yet."))
    newest = versions[0].number
    to_number = request.args.get("to", newest, type=int) or newest
    from_number = request.args.get("from", max(1, to_number - 1), type=int) or 1
    before = editing.get_version(session, module.id, from_number)
    after = editing.get_version(session, module.id, to_number)
    return render_template(
        "modules/compare.html",
        module=module,
        versions=versions,
        before=before,
        after=after,
        changes=diff_content(before.content, after.content),
    )


@bp.get("/institutions")
def institution_list():
    """All institutions, grouped by region, with their published modules."""
    regions = institutions.read_regions(session=get_session())
    return render_template("institutions/list.html", regions=regions)


@bp.get("/institutions/<code>")
def institution_detail(code: str):
    """One institution and its published modules."""
    session = get_session()
    institution = institutions.get_institution(session=session, code=code)
    page = _published_modules(session, modules.ModuleFilter(institution_codes=[code]))
    return render_template("institutions/detail.html", institution=institution, page=page)


@bp.get("/regions")
def region_list():
    """The plan's regions with their budgets and targets."""
    return render_template(
        "regions/list.html", regions=institutions.list_regions(session=get_session())
    )


@bp.get("/regions/<code>")
def region_detail(code: str):
    """One region: the plan's targets, its institutions and their modules."""
    session = get_session()
    region = institutions.get_region(session=session, code=code)
    page = _published_modules(session, modules.ModuleFilter(region_codes=[code]))
    members = [institution.id for institution in region.institutions]
    return render_template(
        "regions/detail.html",
        region=region,
        page=page,
        counts=institutions.published_module_counts(session=session, institution_ids=members),
        reuse_count=materials.region_reuse_count(session, region.id),
        shared=materials.reuse_of_institutions_material(session, members),
        reused=materials.reuse_by_institutions(session, members),
    )


@bp.get("/language/<code>")
def switch_language(code: str):
    """Remember the visitor's language and go back to the page they came from."""
    if code not in current_app.config["LANGUAGES"]:
        raise NotFound(_("This language is not available."))
    response = make_response(redirect(safe_next_url(request.args.get("next"))))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
