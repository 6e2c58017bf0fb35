"""The national catalogue of semicon learning modules and registry of recognition agreements."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from catalogue.resources import resource_dir


def _instance_path() -> str | None:
    """CATALOGUE_INSTANCE_PATH, a relative one taken from the working folder; None: Flask's."""
    configured = os.environ.get("CATALOGUE_INSTANCE_PATH")
    return os.path.abspath(configured) if configured else None


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, database, languages, security, pages and API."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=_instance_path(),
        template_folder=str(resource_dir("templates")),
    )
    from catalogue import config, routing

    config.configure(app, test_config)
    routing.init_app(app)
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:
        # Behind a reverse proxy (TLS terminated there): trust its X-Forwarded-* headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from catalogue import (
        api,
        caching,
        db,
        http,
        i18n,
        oeapi,
        operations,
        places,
        security_headers,
        web,
    )
    from catalogue.accounts import auth
    from catalogue.notifications import mail
    from catalogue.recognition import hooks as _recognition_hooks  # noqa: F401 - connects signals
    from catalogue.search import service as search_service

    db.init_app(app)
    operations.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    http.init_app(app)
    web.init_app(app)
    api.init_app(app)
    oeapi.init_app(app)
    search_service.init_app(app)
    mail.init_app(app)
    caching.init_app(app)
    security_headers.init_app(app)
    places.init_app(app)
    return app
