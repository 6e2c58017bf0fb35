"""Logging in and out, and the account page (password)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from catalogue.accounts import services as accounts
from catalogue.accounts.auth import SessionUser, current_account, current_actor
from catalogue.db import get_session
from catalogue.errors import InvalidInput, PermissionDenied
from catalogue.web.safety import safe_next_url

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; after a good login, go where the person was heading."""
    error, status = None, 200
    email = request.form.get("email", "")
    if request.method == "POST":
        try:
            user = accounts.authenticate(
                session=get_session(), email=email, password=request.form.get("password", "")
            )
        except accounts.LoginThrottled as exc:
            error, status = exc.message, 429
        except PermissionDenied as exc:
            error, status = exc.message, 401
        else:
            login_user(SessionUser(user), remember=request.form.get("remember") == "y")
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next_url(request.args.get("next"), "editor.dashboard"))
    return render_template("accounts/login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    """End the session."""
    logout_user()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The person's own account: their roles, and a password change."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            accounts.change_password(
                session=get_session(),
                user=current_account(),
                current=request.form.get("current_password", ""),
                new=request.form.get("new_password", ""),
            )
        except InvalidInput as exc:
            errors = exc.fields
        else:
            # The session id includes the password nonce: log in again under the new one.
            user = accounts.find_user_by_email(get_session(), current_account().email)
            login_user(SessionUser(user))
            flash(
                _("Your password has been changed. Other sessions have been logged out."), "success"
            )
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html", user=current_account(), actor=current_actor(), errors=errors
    ), (422 if errors else 200)
