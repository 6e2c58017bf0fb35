"""Administration: accounts and their roles, and institutions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalogue.accounts import services as accounts
from catalogue.accounts.auth import current_actor
from catalogue.accounts.permissions import require_administrator
from catalogue.db import get_session
from catalogue.errors import Conflict, InvalidInput, NotFound
from catalogue.institutions import services as institutions
from catalogue.institutions.models import Institution
from catalogue.web.forms import form_page, save_form
from schemas.institutions import InstitutionSchema

bp = Blueprint("admin", __name__, url_prefix="/manage/admin")


@bp.before_request
@login_required
def _require_administrator():
    """Every page here is for administrators only."""
    require_administrator(current_actor())


@bp.route("/users", methods=["GET", "POST"])
def users():
    """All accounts, and a form to create one."""
    session = get_session()
    errors: dict = {}
    values = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("email", "name")}
        try:
            user = accounts.create_user(
                session=session,
                actor=current_actor(),
                email=values["email"],
                name=values["name"],
                password=request.form.get("password", ""),
            )
        except (InvalidInput, Conflict) as exc:
            errors = exc.fields or {"email": [exc.message]}
        else:
            flash(_("The account has been created."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
        if not values["email"] or "@" not in values["email"]:
            errors.setdefault("email", [_("Give an e-mail address.")])
        if not values["name"].strip():
            errors.setdefault("name", [_("Give a name.")])
    users = accounts.list_users(session=session, actor=current_actor())
    return form_page("admin/users.html", values, errors, users=users)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """One account: grant and revoke roles, block or unblock."""
    session = get_session()
    account = accounts.get_user(session=session, actor=current_actor(), user_id=user_id)
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "grant":
                institution = request.form.get("institution", type=int)
                region = request.form.get("region", type=int)
                accounts.grant_role(
                    session=session,
                    actor=current_actor(),
                    user_id=account.id,
                    role=request.form.get("role", ""),
                    institution_id=institution,
                    region_id=region,
                )
            elif action == "revoke":
                accounts.revoke_role(
                    session=session,
                    actor=current_actor(),
                    membership_id=request.form.get("membership", type=int) or 0,
                )
            elif action in ("block", "unblock"):
                accounts.set_active(
                    session=session,
                    actor=current_actor(),
                    user_id=account.id,
                    active=action == "unblock",
                )
        except (InvalidInput, Conflict, NotFound) as exc:
            flash(exc.message, "error")
        else:
            flash(_("The account has been updated."), "success")
        return redirect(url_for("admin.user", user_id=account.id))
    return render_template(
        "admin/user.html",
        account=account,
        institutions=institutions.list_institutions(session=session),
        regions=institutions.list_regions(session=session),
    )


@bp.route("/institutions/new", methods=["GET", "POST"])
@bp.route("/institutions/<code>/edit", methods=["GET", "POST"])
def institution_form(code: str | None = None):
    """Create or change an institution."""
    session = get_session()
    institution: Institution | None = None
    if code is not None:
        institution = institutions.get_institution(session=session, code=code)
    values = {}
    if institution is not None:
        values = InstitutionSchema().dump(
            {**institution.model_dump(), "region": institution.region.code}
        )
    errors: dict = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        # Optional fields left blank: no BRIN or KvK code, and no contact address (the schema
        # checks an address that is given, so a blank one is left out rather than refused).
        raw = {
            k: (v if v != "" or k not in ("brin", "kvk") else None)
            for k, v in values.items()
            if not (k == "email" and v == "")
        }
        institution_id = institution.id if institution else None
        saved, errors = save_form(
            InstitutionSchema(), raw, institutions.save_institution, institution_id=institution_id
        )
        if not errors:
            flash(_("The institution has been saved."), "success")
            return redirect(url_for("pages.institution_detail", code=saved.code))
    return form_page(
        "admin/institution_form.html",
        values,
        errors,
        institution=institution,
        regions=institutions.list_regions(session=session),
    )
