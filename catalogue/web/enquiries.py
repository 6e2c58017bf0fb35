"""Asking a provider about a run for a group (a public form with CSRF token, rate limit and a
honeypot), and the provider's inbox of such requests (its editors only)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from catalogue.accounts.auth import current_actor
from catalogue.db import get_session
from catalogue.enquiries import services as enquiries
from catalogue.institutions import services as institutions
from catalogue.web.forms import form_page
from schemas.enquiries import GroupRequestSchema

bp = Blueprint("enquiries", __name__)


@bp.route("/runs/<id:offering_id>/request-information", methods=["GET", "POST"])
def request_information(offering_id: int):
    """The form to ask the provider about a run for a group."""
    session = get_session()
    offering = enquiries.requestable_run(session, offering_id)
    values: dict = {"participants": "5"}
    errors: dict = {}
    status = None
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            data = GroupRequestSchema().load(values)
        except ValidationError as exc:
            errors = exc.messages
        else:
            if data.pop("website"):
                # Only a robot fills in the hidden field: thank it, keep nothing.
                return _thanks(offering)
            try:
                enquiries.send_request(
                    session=session,
                    offering_id=offering.id,
                    data=data,
                    sender=enquiries.sender_key(
                        current_app.secret_key, request.remote_addr or "unknown"
                    ),
                    limit=int(current_app.config["REQUEST_RATE_LIMIT"]),
                )
            except enquiries.TooManyRequests as exc:
                errors, status = {"_schema": [exc.message]}, 429
            else:
                return _thanks(offering)
    page, code = form_page(
        "enquiries/request_form.html", values, errors, offering=offering, module=offering.module
    )
    return page, status or code


def _thanks(offering):
    flash(_("Thank you: your request has been sent to the provider."), "success")
    return redirect(
        url_for("pages.module_detail", module_id=offering.module_id, _anchor=f"run-{offering.id}")
    )


@bp.get("/manage/institutions/<code>/requests")
@login_required
def inbox(code: str):
    """The information requests about the institution's runs (its editors only)."""
    session = get_session()
    institution = institutions.get_institution(session=session, code=code)
    requests = enquiries.inbox(session=session, actor=current_actor(), institution=institution)
    return render_template(
        "enquiries/inbox.html",
        institution=institution,
        requests=requests,
        runs=enquiries.runs_of(session, requests),
        retention_days=current_app.config["REQUEST_RETENTION_DAYS"],
    )
