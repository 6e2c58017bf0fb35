"""Spreadsheet import pages: templates to download, upload → preview → confirm.

The uploaded file is kept in the instance folder between the preview and the confirmation
(named after the person and a random token), read and planned again on confirmation, and
removed once imported.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalogue.accounts.auth import current_actor
from catalogue.accounts.permissions import require_edit_institution
from catalogue.db import get_session
from catalogue.errors import CatalogueError, NotFound
from catalogue.imports import services as imports
from catalogue.imports.boundary import read_import
from catalogue.imports.templates import csv_template, xlsx_template
from catalogue.institutions import services as institutions
from catalogue.modules import services as modules
from catalogue.web.downloads import XLSX, attachment

bp = Blueprint("imports", __name__, url_prefix="/manage/institutions/<code>/import")

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
KEEP_UPLOADS_SECONDS = 24 * 3600


@bp.before_request
@login_required
def _require_login():
    """Every import page needs a logged-in user."""


def _institution(code: str):
    """The institution of the URL, if the person may edit it."""
    institution = institutions.get_institution(session=get_session(), code=code)
    require_edit_institution(current_actor(), institution.id)
    return institution


def _upload_dir() -> Path:
    """The folder where uploads wait for their confirmation."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _upload_path(token: str) -> Path:
    """Where the upload with this token (of this person) is kept."""
    if not _TOKEN.match(token or ""):
        raise NotFound(_("This upload has expired; upload the file again."))
    return _upload_dir() / f"{current_actor().user_id}-{token}"


def _forget_old_uploads() -> None:
    """Remove uploads nobody confirmed within a day."""
    cutoff = time.time() - KEEP_UPLOADS_SECONDS
    for path in _upload_dir().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


@bp.get("")
def upload_form(code: str):
    """The upload form with links to the templates."""
    return render_template("imports/upload.html", institution=_institution(code))


@bp.get("/template.<kind>")
def template(code: str, kind: str):
    """A template in Dutch or English, holding the institution's current modules and runs."""
    institution = _institution(code)
    language = "nl" if request.args.get("lang") == "nl" else "en"
    listed = modules.institution_modules(
        session=get_session(), actor=current_actor(), institution=institution
    )
    name = f"{institution.code}-{'modules' if language == 'en' else 'modules-nl'}"
    if kind == "xlsx":
        data, mimetype = xlsx_template(listed, language), XLSX
    elif kind == "zip":
        data, mimetype = csv_template(listed, language), "application/zip"
    else:
        raise NotFound(_("There is no template of this kind."))
    return attachment(data, f"{name}.{kind}", mimetype)


def _plan(institution, data: bytes, filename: str) -> imports.ImportPlan:
    """Read, validate and plan an uploaded file."""
    given = read_import(data, filename)
    return imports.plan_import(
        session=get_session(), actor=current_actor(), institution_id=institution.id, given=given
    )


@bp.post("")
def preview(code: str):
    """Read the uploaded file and show what importing it would do, or what is wrong with it."""
    institution = _institution(code)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return render_template("imports/upload.html", institution=institution), 422
    data = upload.read()
    try:
        plan = _plan(institution, data, upload.filename)
    except CatalogueError as exc:
        flash(exc.message, "error")
        return render_template("imports/upload.html", institution=institution), 422
    token = None
    if plan.ok:
        _forget_old_uploads()
        token = secrets.token_urlsafe(18)
        _upload_path(token).write_bytes(data)
    return render_template(
        "imports/preview.html",
        institution=institution,
        plan=plan,
        token=token,
        filename=upload.filename,
    ), (200 if plan.ok else 422)


@bp.post("/confirm")
def confirm(code: str):
    """Import the previewed file: every row in one transaction, or nothing."""
    institution = _institution(code)
    path = _upload_path(request.form.get("token", ""))
    if not path.exists():
        raise NotFound(_("This upload has expired; upload the file again."))
    filename = request.form.get("filename", "upload.xlsx")
    plan = _plan(institution, path.read_bytes(), filename)
    if not plan.ok:
        return render_template(
            "imports/preview.html", institution=institution, plan=plan, token=None
        ), 422
    result = imports.apply_import(
        session=get_session(),
        actor=current_actor(),
        plan=plan,
        publish=request.form.get("publish") == "y",
    )
    path.unlink(missing_ok=True)
    flash(
        _(
            "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(published)s published.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            published=result.published,
        ),
        "success",
    )
    return redirect(url_for("editor.institution_dashboard", code=code))
