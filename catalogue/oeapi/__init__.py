"""The Open Education API (OEAPI v6): served read-only under /oeapi/, and harvested from others.

`mapping` turns the catalogue's objects into OEAPI objects and back (the one place for both
directions); `endpoints` serves them, `openapi` describes them, `harvest` reads another endpoint
into an institution's modules, `pages` lets editors start a harvest, `commands` adds
`catalogue harvest`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve /oeapi/, its OpenAPI document, problem+json errors there, and the harvest page."""
    from catalogue.oeapi import endpoints, pages

    endpoints.init_app(app)
    pages.init_app(app)
