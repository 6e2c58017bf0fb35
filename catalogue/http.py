"""What the pages and the APIs share: CSRF protection and the one error dispatch by path.

Neither ``catalogue.web``, ``catalogue.api`` nor ``catalogue.oeapi`` imports another; they reach
what they share through this module, which is the one place that knows about all three.
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from catalogue.errors import CatalogueError

csrf = CSRFProtect()


def is_api_request() -> bool:
    """Whether the current request is for the JSON API (paths under /api/)."""
    return request.path.startswith("/api/")


def is_oeapi_request() -> bool:
    """Whether the current request is for the OEAPI (/oeapi and paths under it)."""
    return request.path == "/oeapi" or request.path.startswith("/oeapi/")


def init_app(app: Flask) -> None:
    """Turn on CSRF protection; render errors as JSON under /api/, as problem documents under
    /oeapi/ and as pages elsewhere."""
    from catalogue.api import errors as api_errors
    from catalogue.oeapi import endpoints as oeapi
    from catalogue.web import errors as page_errors

    csrf.init_app(app)
    csrf.exempt(oeapi.bp)
    # Adding a run to or taking it off the shortlist changes only the visitor's own session
    # list, and its buttons are on pages cached for every anonymous visitor (which must not
    # carry one visitor's token): these two forms carry no CSRF token.
    csrf.exempt("catalogue.web.shortlist.add")
    csrf.exempt("catalogue.web.shortlist.remove")
    handlers = (
        (CSRFError, api_errors.http_error, page_errors.csrf_error_page),
        (HTTPException, api_errors.http_error, page_errors.http_error_page),
        (CatalogueError, api_errors.catalogue_error, page_errors.catalogue_error_page),
    )
    for exception, for_api, for_pages in handlers:
        app.register_error_handler(exception, _by_path(for_api, oeapi.http_error, for_pages))


def _by_path(for_api, for_oeapi, for_pages):
    """An error handler that answers each surface (API, OEAPI, pages) in its own form."""

    def handle(error):
        if is_api_request():
            return for_api(error)
        if is_oeapi_request() and isinstance(error, HTTPException):
            return for_oeapi(error)
        return for_pages(error)

    return handle
