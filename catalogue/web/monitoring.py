"""Monitoring pages: the public dashboard and its exports, the coordinators' and editors' views,
and the participation upload with its preview and all-or-nothing commit.

Between preview and commit the checked rows travel in a signed form field. They hold pseudonyms
only: the uploaded file, and the national identifiers in it, are gone once the preview is made.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeSerializer

from catalogue.accounts.auth import current_actor
from catalogue.db import get_session
from catalogue.errors import InvalidInput, PermissionDenied
from catalogue.institutions import services as institutions
from catalogue.monitoring import exports, services, uploads
from catalogue.monitoring.imports import CheckedRow, CheckedTable, check_table, read_table
from catalogue.monitoring.pseudonyms import pseudonym_key
from catalogue.web.downloads import XLSX, attachment

bp = Blueprint("monitoring", __name__)

_SALT = "participation-import"


@bp.get("/monitoring")
def dashboard():
    """Each region's progress against its targets, unique people beside participations."""
    figures = services.dashboard(get_session(), period=request.args.get("period") or None)
    return render_template("monitoring/dashboard.html", figures=figures)


@bp.get("/monitoring/figures.<any(csv, xlsx):kind>")
def export(kind: str):
    """The dashboard's aggregates (suppressed as on the page) as CSV or XLSX."""
    figures = services.dashboard(get_session(), period=request.args.get("period") or None)
    rows, targets = exports.aggregate_rows(figures), exports.target_rows(figures)
    name = f"monitoring-{figures.period.label}"
    if kind == "csv":
        body = exports.as_csv(exports.AGGREGATE_HEADER, rows)
        return attachment(body, f"{name}.csv", "text/csv")
    sheets = {
        "figures": (exports.AGGREGATE_HEADER, rows),
        "targets": (exports.TARGET_HEADER, targets),
    }
    return attachment(exports.as_xlsx(sheets), f"{name}.xlsx", XLSX)


@bp.get("/monitoring/template.<any(csv, xlsx):kind>")
def template(kind: str):
    """The upload template, with headers in the visitor's language."""
    language = request.args.get("lang") or str(get_locale())
    header = exports.template_header("en" if language == "en" else "nl")
    if kind == "csv":
        body = exports.as_csv(header, [exports.TEMPLATE_EXAMPLE])
        return attachment(body, "participation-template.csv", "text/csv")
    body = exports.as_xlsx({"participation": (header, [exports.TEMPLATE_EXAMPLE])})
    return attachment(body, "participation-template.xlsx", XLSX)


@bp.get("/monitoring/regions/<code>")
@login_required
def region_view(code: str):
    """A coordinator's region per institution and per module."""
    figures = services.internal_figures(
        get_session(), actor=current_actor(), region_code=code, period=request.args.get("period")
    )
    return render_template("monitoring/internal.html", figures=figures)


@bp.get("/monitoring/institutions/<code>")
@login_required
def institution_view(code: str):
    """An editor's own institution per module."""
    institution = institutions.get_institution(session=get_session(), code=code)
    figures = services.internal_figures(
        get_session(),
        actor=current_actor(),
        region_code=institution.region.code,
        institution_code=code,
        period=request.args.get("period"),
    )
    return render_template("monitoring/internal.html", figures=figures)


def _editable_institutions():
    actor = current_actor()
    everything = institutions.list_institutions(session=get_session())
    return [i for i in everything if actor.is_administrator or i.id in actor.editor_of]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _sign(institution_id: int, checked: CheckedTable) -> str:
    rows = [
        [r.row, r.module_code, r.run_code, r.pseudonym, r.target_group, r.category, r.status]
        + [d.isoformat() if d else None for d in (r.enrolled_on, r.started_on, r.ended_on)]
        for r in checked.rows
    ]
    actor = current_actor()
    return _serializer().dumps([institution_id, actor.user_id, checked.headers, rows])


def _unsign(payload: str) -> tuple[int, CheckedTable]:
    try:
        institution_id, user_id, headers, rows = _serializer().loads(payload)
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput(
            _("The preview has expired or was changed. Upload the file again."),
            fields={"file": [_("upload again")]},
        ) from exc
    if user_id != current_actor().user_id:
        raise PermissionDenied(_("This preview belongs to someone else."))
    checked = [
        CheckedRow(*r[:7], *(date.fromisoformat(d) if d else None for d in r[7:])) for r in rows
    ]
    return institution_id, CheckedTable(checked, [], headers)


@bp.route("/monitoring/upload", methods=["GET", "POST"])
@login_required
def upload():
    """Upload a participation file: a preview of every change and error, nothing written yet."""
    choices = _editable_institutions()
    if not choices:
        raise PermissionDenied(_("Only editors of an institution upload participation records."))
    report = payload = None
    institution_id = request.form.get("institution", type=int)
    problem = None
    if request.method == "POST":
        upload_file = request.files.get("file")
        try:
            if upload_file is None or not upload_file.filename:
                raise InvalidInput(_("Choose a file."), fields={"file": [_("required")]})
            table = read_table(upload_file.filename, upload_file.read())
            checked = check_table(table, key=pseudonym_key())
            report = uploads.import_participations(
                session=get_session(),
                actor=current_actor(),
                institution_id=institution_id or 0,
                checked=checked,
                dry_run=True,
            )
        except InvalidInput as exc:
            problem = exc
        if report is not None and report.ok:
            payload = _sign(institution_id, checked)
    return render_template(
        "monitoring/upload.html",
        choices=choices,
        institution_id=institution_id,
        report=report,
        payload=payload,
        problem=problem,
    )


@bp.post("/monitoring/upload/commit")
@login_required
def commit_upload():
    """Write a previewed upload, all of it, or nothing when anything changed since."""
    institution_id, checked = _unsign(request.form.get("payload", ""))
    report = uploads.import_participations(
        session=get_session(),
        actor=current_actor(),
        institution_id=institution_id,
        checked=checked,
        dry_run=False,
    )
    if not report.ok:
        return render_template(
            "monitoring/upload.html",
            choices=_editable_institutions(),
            institution_id=institution_id,
            report=report,
            payload=None,
            problem=None,
        )
    flash(
        _(
            "Saved: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return redirect(url_for("monitoring.dashboard"))
