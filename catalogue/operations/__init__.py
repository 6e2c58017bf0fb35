"""Operating the catalogue: a health check for load balancers and Prometheus metrics."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve /health and /metrics and count every request."""
    from catalogue.operations import health, metrics

    app.register_blueprint(health.bp)
    metrics.init_app(app)
