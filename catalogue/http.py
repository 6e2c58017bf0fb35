"""What the pages and the API share: CSRF protection and the one error dispatch by path.

Neither ``catalogue.web`` nor ``catalogue.api`` imports the other; both reach what they share
through this module, which is the one place that knows about both.
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


def init_app(app: Flask) -> None:
    """Turn on CSRF protection; render errors as JSON under /api/ and as pages elsewhere."""
    from catalogue.api import errors as api_errors
    from catalogue.web import errors as page_errors

    csrf.init_app(app)
    handlers = (
        (CSRFError, api_errors.http_error, page_errors.csrf_error_page),
        (HTTPException, api_errors.http_error, page_errors.http_error_page),
        (CatalogueError, api_errors.catalogue_error, page_errors.catalogue_error_page),
    )
    for exception, for_api, for_pages in handlers:
        app.register_error_handler(exception, _by_path(for_api, for_pages))


def _by_path(for_api, for_pages):
    """An error handler that answers API paths with ``for_api`` and pages with ``for_pages``."""

    def handle(error):
        return for_api(error) if is_api_request() else for_pages(error)

    return handle
