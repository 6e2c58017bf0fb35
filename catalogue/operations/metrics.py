"""/metrics: Prometheus metrics of this node (prometheus_client).

Counted per request: `catalogue_http_requests_total{endpoint,method,status}` and the histogram
`catalogue_http_request_duration_seconds{endpoint}`. Read at each scrape: the outbox size, the
newest entry, the entry this node's index has applied and the lag between them.

Under gunicorn every worker counts its own requests; set PROMETHEUS_MULTIPROC_DIR to an empty
folder per node (cleared at start) and a scrape adds up all workers (prometheus_client's
multiprocess mode).

Who may read it: requests from the networks in `METRICS_ALLOW` (default: this machine only),
or any request with `Authorization: Bearer <METRICS_TOKEN>` when that is set; everyone else gets
404. Behind a proxy on the same machine, block /metrics in the proxy (see README).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from catalogue.db import new_session
from catalogue.search.models import OutboxEntry

REQUESTS = Counter(
    "catalogue_http_requests",
    "HTTP requests answered, by endpoint, method and status",
    ["endpoint", "method", "status"],
)
DURATION = Histogram(
    "catalogue_http_request_duration_seconds",
    "Time to answer a request, by endpoint",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class SearchIndexCollector:
    """Outbox size and this node's index lag, read from the database at each scrape."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        """Yield the gauges (nothing when the database does not answer)."""
        from catalogue.operations.health import index_state

        with self.app.app_context():
            session = new_session()
            try:
                state = index_state(session)
                size = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
            finally:
                session.close()
        values = {
            "catalogue_search_outbox_entries": ("Entries in the search outbox", size),
            "catalogue_search_outbox_latest_id": ("Id of the newest outbox entry", state["latest"]),
            "catalogue_search_index_applied_id": (
                "Id of the last outbox entry this node's index applied",
                state["applied"],
            ),
            "catalogue_search_index_lag": (
                "Outbox entries this node has not applied",
                state["lag"],
            ),
        }
        for name, (documentation, value) in values.items():
            yield GaugeMetricFamily(name, documentation, value=value)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)
    registry.register(SearchIndexCollector(current_app._get_current_object()))
    return registry


def _may_read() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(offered.encode(), str(token).encode()):
            return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    allowed = str(current_app.config["METRICS_ALLOW"]).split(",")
    return any(address in ipaddress.ip_network(net.strip()) for net in allowed if net.strip())


def metrics():
    """The node's metrics in Prometheus' text format (404 to those who may not read them)."""
    if not _may_read():
        abort(404)
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _count(response):
    started = g.get("request_started")
    endpoint = request.endpoint or "unmatched"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    if started is not None:
        DURATION.labels(endpoint).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Count requests and serve /metrics."""
    app.config.setdefault("METRICS_ALLOW", "127.0.0.0/8,::1/128")
    app.config.setdefault("METRICS_TOKEN", None)
    app.add_url_rule("/metrics", "operations.metrics", metrics)
    app.before_request(_start_timer)
    app.after_request(_count)
