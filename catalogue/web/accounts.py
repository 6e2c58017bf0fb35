"""Logging in and out, and the account page (password)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from catalogue.accounts import services as accounts
from catalogue.accounts import tokens
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
    return _account_page(errors=errors, status=422 if errors else 200)


def _account_page(*, errors=None, new_token=None, status=200):
    user = current_account()
    return render_template(
        "accounts/account.html",
        user=user,
        actor=current_actor(),
        errors=errors or {},
        tokens=tokens.list_tokens(session=get_session(), user_id=user.id),
        new_token=new_token,
    ), status


@bp.post("/account/tokens")
@login_required
def create_token():
    """Create an API token and show it once (never stored, never put in a cookie)."""
    try:
        issued = tokens.create_token(
            session=get_session(),
            actor=current_actor(),
            user=current_account(),
            name=request.form.get("token_name", ""),
        )
    except InvalidInput as exc:
        return _account_page(errors={"token_name": exc.fields["name"]}, status=422)
    response = _account_page(new_token=issued, status=201)
    return response


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's API tokens."""
    token = tokens.revoke_token(session=get_session(), actor=current_actor(), token_id=token_id)
    flash(_("The token %(name)s has been revoked.", name=token.name), "success")
    return redirect(url_for("accounts.account"))
