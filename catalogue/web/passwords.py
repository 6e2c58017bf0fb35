"""Forgotten passwords: a reset link by e-mail (when mail is set up) or from an administrator."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from catalogue.accounts import resets
from catalogue.accounts.auth import current_actor
from catalogue.db import get_session
from catalogue.errors import InvalidInput
from catalogue.notifications import mail
from catalogue.notifications.services import both_languages

bp = Blueprint("passwords", __name__)


def _reset_link(token: str) -> str:
    return url_for("passwords.reset", token=token, _external=True)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset link by e-mail; the answer is the same whether the address exists."""
    sent = False
    if request.method == "POST" and mail.enabled():
        issued = resets.request_reset(session=get_session(), email=request.form.get("email", ""))
        if issued is not None:
            user, token = issued
            subject = both_languages(lambda: _("Set a new password")).replace("\n\n", " / ")
            body = both_languages(
                lambda: _(
                    "Someone asked to set a new password for your account. Open this link within "
                    "an hour to do so; it works once. If it was not you, ignore this message."
                )
            )
            mail.send([(user.email, subject, f"{body}\n\n{_reset_link(token)}")])
        sent = True
    return render_template("accounts/forgot.html", mail_enabled=mail.enabled(), sent=sent)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Set a new password with a reset link."""
    errors: dict[str, list[str]] = {}
    try:
        if request.method == "GET":
            resets.check_token(session=get_session(), token=token)
        else:
            resets.reset_password(
                session=get_session(),
                token=token,
                new_password=request.form.get("new_password", ""),
            )
            flash(_("Your password has been set. Log in with it."), "success")
            return redirect(url_for("accounts.login"))
    except InvalidInput as exc:
        errors = exc.fields or {"token": [exc.message]}
    status = 410 if "token" in errors else (422 if errors else 200)
    return render_template("accounts/reset.html", errors=errors), status


@bp.post("/admin/users/<id:user_id>/reset-link")
@login_required
def admin_reset_link(user_id: int):
    """An administrator makes a reset link to hand to the person (shown once)."""
    token = resets.issue_by_administrator(
        session=get_session(), actor=current_actor(), user_id=user_id
    )
    return render_template("admin/reset_link.html", link=_reset_link(token), user_id=user_id)
