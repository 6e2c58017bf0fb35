"""The JSON API at /api/v1 (flask-smorest): the same services and rules as the web pages.

Reads of published content need no login. Writes need `Authorization: Bearer <token>`; session
cookies are ignored here, so no page can make a browser write through the API (no CSRF hole).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api

from catalogue.http import csrf
from catalogue.routing import IdConverter, id_parameter_schema
from schemas.api import ErrorSchema


class CatalogueApi(Api):
    """flask-smorest's Api with our error format; errors are rendered by catalogue.api.errors."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # One handler for pages and API alike is registered by catalogue.http.
        pass


class CatalogueJSONProvider(DefaultJSONProvider):
    """JSON with euro amounts as numbers (as OpenAPI documents them) and translated texts."""

    @staticmethod
    def default(o):
        if isinstance(o, Decimal):
            return float(o)
        if hasattr(o, "__html__") or type(o).__name__ == "LazyString":
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app: Flask) -> None:
    """Register the API blueprints and describe the API for OpenAPI."""
    app.json = CatalogueJSONProvider(app)
    from catalogue.api import (
        imports,
        institutions,
        materials,
        meta,
        modules,
        monitoring,
        offerings,
        recognition,
        search,
    )

    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "The national catalogue of semicon learning modules. Reads of published "
                    "content are open; writes need an API token (`Authorization: Bearer …`) "
                    "created on your account page or with `catalogue tokens create`. "
                    "Writes to an existing resource need `If-Match` with its ETag."
                ),
            },
            "servers": [{"url": "/"}],
        },
    )
    api = CatalogueApi(app)
    app.extensions["catalogue_api"] = api
    api.register_converter(IdConverter, id_parameter_schema)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "API token"}
    )
    from catalogue.api.auth import check_api_write

    app.before_request(check_api_write)
    for module in (
        meta,
        institutions,
        modules,
        offerings,
        search,
        materials,
        recognition,
        imports,
        monitoring,
    ):
        api.register_blueprint(module.blp)
        csrf.exempt(module.blp)
    modules.document_sector_levels(api.spec)
