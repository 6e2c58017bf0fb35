"""The page where an institution's editors harvest its own OEAPI endpoint: first a dry run that
shows what would change, then a confirmation that writes it (and records it in the audit trail).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalogue.accounts.auth import current_actor
from catalogue.accounts.permissions import require_edit_institution
from catalogue.db import get_session
from catalogue.institutions import services as institutions
from catalogue.oeapi.client import Limits
from catalogue.oeapi.harvest import harvest as run_harvest
from catalogue.oeapi.report import HarvestFailed
from catalogue.vocabularies import Competency

bp = Blueprint("oeapi_pages", __name__, url_prefix="/manage")


def init_app(app: Flask) -> None:
    """Register the harvest page (web harvests may not read this machine unless configured)."""
    app.config.setdefault("OEAPI_HARVEST_ALLOW_LOOPBACK", False)
    app.register_blueprint(bp)


@bp.before_request
@login_required
def _require_login():
    """The harvest page needs a logged-in user."""


def _form_values() -> dict:
    source = request.form if request.method == "POST" else request.args
    competency = source.get("competency") or Competency.TECHNOLOGY
    return {
        "url": (source.get("url") or "").strip()[:2000],
        "organisation": (source.get("organisation") or "").strip()[:40] or None,
        "publish": source.get("publish") == "y",
        "competency": competency if competency in Competency.values() else Competency.TECHNOLOGY,
    }


@bp.route("/institutions/<code>/harvest", methods=["GET", "POST"])
def harvest(code: str):
    """Dry run (action=preview) or the real harvest (action=confirm) of an OEAPI endpoint."""
    session = get_session()
    actor = current_actor()
    institution = institutions.get_institution(session=session, code=code)
    require_edit_institution(actor, institution.id)
    values = _form_values()
    report, failure = None, None
    if request.method == "POST" and values["url"]:
        confirm = request.form.get("action") == "confirm"
        limits = Limits(allow_loopback=current_app.config["OEAPI_HARVEST_ALLOW_LOOPBACK"])
        try:
            report = run_harvest(
                session=session, actor=actor, url=values["url"], institution_code=code,
                organisation_id=values["organisation"], dry_run=not confirm,
                publish=values["publish"], competencies=[values["competency"]], limits=limits,
            )  # fmt: skip
        except HarvestFailed as exc:
            failure = exc
        else:
            if confirm:
                counts = report.summary()
                flash(
                    _(
                        "Harvested: %(created)s modules created, %(updated)s updated, "
                        "%(unchanged)s unchanged.",
                        **counts,
                    ),
                    "success",
                )
                return redirect(url_for("editor.institution_dashboard", code=code))
    elif request.method == "POST":
        failure_message = _("Give the URL of the OEAPI endpoint.")
        return render_template(
            "editor/harvest.html", institution=institution, values=values,
            report=None, failure=None, url_error=failure_message,
        ), 422  # fmt: skip
    return render_template(
        "editor/harvest.html", institution=institution, values=values, report=report,
        failure=failure, url_error=None,
    ), (422 if failure else 200)  # fmt: skip
