"""Every kind of response carries the browser security headers; pages get a policy without
inline script, and HSTS is sent only where cookies are Secure."""

from __future__ import annotations

import pytest

from tests.api.conftest import API, issue_token
from tests.factories import EDITOR_A

COMMON = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _kinds(world) -> dict[str, tuple[str, str]]:
    """A request of each kind of response: (method, path)."""
    return {
        "page": ("GET", f"/modules/{world.modules['A-PUB']}"),
        "not found page": ("GET", "/modules/999999"),
        "form page": ("GET", "/login"),
        "redirect": ("GET", "/language/en?next=/"),
        "csv": ("GET", "/agreements.csv"),
        "api read": ("GET", f"{API}/modules"),
        "api error": ("GET", f"{API}/modules/999999"),
        "api write refused": ("POST", f"{API}/modules"),
        "openapi": ("GET", f"{API}/openapi.json"),
        "swagger page": ("GET", "/api/docs"),
        "static": ("GET", "/static/catalogue.css"),
        "health": ("GET", "/health"),
        "metrics": ("GET", "/metrics"),
    }


def _check_common(response, kind: str) -> None:
    for header, value in COMMON.items():
        assert response.headers.get(header) == value, f"{kind}: {header}"
    assert "camera=()" in response.headers["Permissions-Policy"], kind
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy, kind
    assert "unsafe-inline" not in policy, kind
    assert "unsafe-eval" not in policy, kind


def test_every_kind_of_response_has_the_security_headers(world, anonymous_client):
    for kind, (method, path) in _kinds(world).items():
        response = anonymous_client.open(path, method=method)
        assert response.status_code < 500, kind
        _check_common(response, kind)
        policy = response.headers["Content-Security-Policy"]
        if response.mimetype == "text/html":
            assert "script-src 'self'" in policy, kind
            assert "style-src 'self'" in policy, kind
        else:
            assert policy.startswith("default-src 'none'"), kind
        assert "Strict-Transport-Security" not in response.headers, "plain-http test set-up"


def test_a_304_and_a_cached_answer_keep_the_headers(world, anonymous_client):
    path = f"/modules/{world.modules['A-PUB']}"
    etag = anonymous_client.get(path).headers["ETag"]
    for response in (
        anonymous_client.get(path),
        anonymous_client.get(path, headers={"If-None-Match": etag}),
    ):
        _check_common(response, f"status {response.status_code}")


def test_logged_in_pages_and_token_reads_have_them_and_are_not_stored(world_app, world, client_for):
    editor = client_for(EDITOR_A)
    dashboard = editor.get("/manage/")
    assert dashboard.status_code == 200
    _check_common(dashboard, "editor page")
    assert dashboard.headers["Cache-Control"] == "no-store"

    token = issue_token(world_app, EDITOR_A.email)
    me = world_app.test_client().get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    _check_common(me, "token read")
    assert me.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("secure", [True, False])
def test_hsts_only_when_cookies_are_secure(world_app_factory, secure):
    app = world_app_factory(SESSION_COOKIE_SECURE=secure)
    response = app.test_client().get("/")
    assert response.status_code == 200
    if secure:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    else:
        assert "Strict-Transport-Security" not in response.headers
