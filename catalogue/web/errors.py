"""The HTML error pages; catalogue.http sends API paths to catalogue.api.errors instead."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from catalogue.errors import CatalogueError


def http_error_page(error: HTTPException):
    """The error page for a werkzeug error (404, 405, ...)."""
    return render_template("errors/error.html", error=error), error.code


def csrf_error_page(error: CSRFError):
    """The error page for a form that expired or came from another site."""
    message = _(
        "This form has expired or was not sent from this site. Go back, reload the page and "
        "try again."
    )
    return render_template("errors/error.html", error=error, message=message), 400


def catalogue_error_page(error: CatalogueError):
    """The error page for a service error; a visitor who must log in is sent to the login page."""
    if error.status_code == 401:
        return redirect(url_for("accounts.login", next=request.full_path))
    return (
        render_template("errors/error.html", error=error, message=error.message),
        error.status_code,
    )
