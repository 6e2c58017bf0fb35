"""Operations: /health tells a load balancer whether the node can serve and how far its index is
behind; /metrics is read by Prometheus' own parser and only by those allowed to."""

from __future__ import annotations

import shutil
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import make_url, text

from catalogue.modules import editing
from tests.databases import _admin_engine
from tests.factories import EDITOR_A, World, actor_of, app_session


def _publish_without_indexing(app, module_id: int) -> None:
    """Publish through the service outside a request: the outbox entry waits for a drain."""
    with app_session(app) as session:
        editing.publish_module(
            session=session, actor=actor_of(session, EDITOR_A), module_id=module_id
        )


def test_health_reports_the_index_lag(world_app_factory):
    app = world_app_factory()
    client = app.test_client()
    client.get("/api/v1/search?q=")  # builds this node's index
    caught_up = client.get("/health")
    assert caught_up.status_code == 200
    assert caught_up.json["index"]["exists"] is True
    assert caught_up.json["index"]["lag"] == 0

    _publish_without_indexing(app, World.load(app).modules["A-DRAFT"])
    behind = client.get("/health")
    assert behind.status_code == 200
    assert behind.json["index"]["lag"] == 1
    assert behind.json["index"]["latest"] == behind.json["index"]["applied"] + 1
    assert client.get("/health?max_lag=0").status_code == 503
    assert client.get("/health?max_lag=1").status_code == 200

    client.get("/api/v1/search?q=")  # a search applies the pending change first
    assert client.get("/health?max_lag=0").json["index"]["lag"] == 0


def _cut_off(url: str):
    """Stop the app's access to its database; returns how to give it back."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        hidden = path.with_name(path.name + ".away")
        shutil.move(path, hidden)
        return lambda: shutil.move(hidden, path)
    admin = _admin_engine()
    name = parsed.database
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )

    def restore():
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()

    return restore


def test_health_is_unhealthy_while_the_database_is_unreachable(world_app_factory):
    app = world_app_factory()
    client = app.test_client()
    assert client.get("/health").status_code == 200

    restore = _cut_off(app.config["DATABASE_URL"])
    try:
        app.extensions["db_engine"].dispose()  # pooled connections would outlive a moved file
        down = client.get("/health")
        assert down.status_code == 503
        assert down.json == {"status": "unhealthy", "database": "unreachable"}
    finally:
        restore()
    app.extensions["db_engine"].dispose()
    assert client.get("/health").status_code == 200


def _metrics(client, **kwargs) -> dict:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    # Prometheus' exposition format, with its version and one charset.
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def test_metrics_count_requests_and_report_index_lag(world_app_factory):
    app = world_app_factory()
    client = app.test_client()
    module = World.load(app).modules["A-PUB"]
    client.get("/api/v1/search?q=")
    client.get(f"/modules/{module}")
    client.get(f"/modules/{module}")

    families = _metrics(client)
    counted = {
        (s.labels["endpoint"], s.labels["status"]): s.value
        for s in families["catalogue_http_requests"].samples
        if s.name == "catalogue_http_requests_total"
    }
    assert counted[("pages.module_detail", "200")] >= 2
    durations = [
        s
        for s in families["catalogue_http_request_duration_seconds"].samples
        if s.name.endswith("_count") and s.labels["endpoint"] == "pages.module_detail"
    ]
    assert durations and durations[0].value >= 2
    lag = families["catalogue_search_index_lag"].samples[0].value
    assert lag == 0

    _publish_without_indexing(app, World.load(app).modules["A-DRAFT"])
    families = _metrics(client)
    assert families["catalogue_search_index_lag"].samples[0].value == 1
    assert families["catalogue_search_outbox_entries"].samples[0].value >= 1


def test_metrics_are_only_for_allowed_addresses_or_the_token(world_app_factory):
    app = world_app_factory(METRICS_TOKEN="scrape-secret")
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    client = app.test_client()
    assert client.get("/metrics", environ_base=outside).status_code == 404
    wrong = client.get(
        "/metrics", environ_base=outside, headers={"Authorization": "Bearer guessed"}
    )
    assert wrong.status_code == 404
    _metrics(client, environ_base=outside, headers={"Authorization": "Bearer scrape-secret"})
