"""Fixtures of the API tests: tokens made through the token service, JSON clients that send them,
request bodies as an institution's system would send them, and the app served over real HTTP.

The world of tests/factories.py (institutions A and B with their editors and modules) is the
starting point of most tests; the fuzzing tests start from the plain seed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text
from werkzeug.serving import WSGIRequestHandler, make_server

from catalogue.accounts import services as accounts
from catalogue.accounts.permissions import SYSTEM
from catalogue.accounts.tokens import create_token
from catalogue.institutions.models import Institution, Region
from tests import factories
from tests.factories import INSTITUTION_A, Account, app_session

API = "/api/v1"


# -- tokens ---------------------------------------------------------------------------------


def issue_token(app: Flask, email: str, name: str = "tests") -> str:
    """A new API token of the account with this e-mail address, made by the token service."""
    with app_session(app) as session:
        user = accounts.find_user_by_email(session, email)
        assert user is not None, f"no account {email}"
        return create_token(session=session, actor=SYSTEM, user=user, name=name).secret


def create_account(
    app: Flask, *, email: str, name: str, role: str, institution: str = "", region: str = ""
) -> None:
    """An account with one role (editor of an institution, coordinator of a region, or
    administrator), the institution or region given by its code."""
    with app_session(app) as session:
        scope = None
        if institution:
            scope = session.scalar(select(Institution.id).where(Institution.code == institution))
            assert scope is not None, f"no institution {institution}"
        if region:
            scope = session.scalar(select(Region.id).where(Region.code == region))
            assert scope is not None, f"no region {region}"
        account = Account(email, name, "a long enough password")
        factories.create_account(session, account, (role, scope))


def create_editor(app: Flask, *, email: str, name: str, institution_code: str) -> None:
    """An account that edits one institution."""
    create_account(app, email=email, name=name, role="editor", institution=institution_code)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header that carries a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_for(world_app) -> Callable[[Account], str]:
    """Make an API token for a world account."""

    def make(account: Account) -> str:
        return issue_token(world_app, account.email)

    return make


@pytest.fixture
def api_client_for(world_app, token_for) -> Callable[[Account | None], FlaskClient]:
    """A test client that sends a fresh token of the account on every request (None: no token),
    asking for English messages as an integration would (Accept-Language)."""

    def make(account: Account | None = None) -> FlaskClient:
        client = world_app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        if account is not None:
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_for(account)}"
        return client

    return make


# -- request bodies -------------------------------------------------------------------------


def module_payload(code: str, institution: str = INSTITUTION_A, **overrides: Any) -> dict:
    """The JSON body of POST /modules, as an institution's system would send it."""
    body = {
        "institution": institution,
        "code": code,
        "title": f"Vacuümtechniek in de praktijk {code}",
        "summary": "Pompen, lekzoeken en drukmeting voor monteurs in de hightech.",
        "sector": "mbo",
        "level": "mbo-4",
        "study_load": {"value": 80, "unit": "sbu"},
        "competencies": ["technology"],
        "languages": ["nld"],
        "delivery_modes": ["on-campus"],
        "target_groups": ["upskilling"],
        "audiences": ["employees"],
        "learning_outcomes": ["Zoekt een lek met een heliumlekzoeker en rapporteert de lekrate."],
        "units": [
            {
                "code": f"{code}-1",
                "title": "Pompen, lekzoeken en meten",
                "study_load": {"value": 40, "unit": "sbu"},
                "component_type": "lab",
            }
        ],
        "materials": [
            {
                "title": "Werkboek vacuümtechniek",
                "url": "https://example.nl/vac.pdf",
                "material_type": "text",
                "format": "application/pdf",
                "language": "nld",
                "licence": "cc-by-sa-40",
                "unit_code": f"{code}-1",
            }
        ],
    }
    body.update(overrides)
    return body


def create_and_publish(editor: FlaskClient, code: str):
    """Create a module through the API and publish it; (its id, the publish response)."""
    created = editor.post(f"{API}/modules", json=module_payload(code))
    module = created.get_json()["id"]
    published = editor.post(
        f"{API}/modules/{module}/publish", headers={"If-Match": created.headers["ETag"]}
    )
    return module, published


def content_payload(code: str, **overrides: Any) -> dict:
    """The JSON body of PUT /modules/{id}: a module's whole content, without its institution."""
    body = module_payload(code, **overrides)
    del body["institution"]
    return body


def offering_payload(code: str = "2027-03", **overrides: Any) -> dict:
    """The JSON body of a run (POST /modules/{id}/offerings, PUT /offerings/{id})."""
    body = {
        "code": code,
        "start_date": "2027-03-01",
        "end_date": "2027-04-12",
        "enrol_until": "2027-02-15",
        "city": "Eindhoven",
        "delivery_mode": "on-campus",
        "language": "nld",
        "price_eur": 0,
        "price_note": "Gefinancierd via het Nationaal Plan",
        "seats": 16,
    }
    body.update(overrides)
    return body


# -- the database ---------------------------------------------------------------------------


def stored_rows(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table the database holds, to show that a refused request changed
    nothing at all (tables are read from the database itself, not from the models)."""
    with app_session(app) as session:
        connection = session.connection()
        result = {}
        for table in sorted(inspect(connection).get_table_names()):
            # The names come from the database's own catalogue, not from input.
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()  # noqa: S608
            result[table] = sorted(tuple(map(repr, row)) for row in rows)
        return result


# -- reading answers ------------------------------------------------------------------------


def assert_error(response, status: int) -> dict:
    """Assert the API's one error form with this status; return its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]
    return body


def all_pages(client: FlaskClient, url: str) -> list[dict]:
    """Every item of a paged list, following its `next` links to the end."""
    items: list[dict] = []
    seen_pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items.extend(body["items"])
        url = body["links"]["next"]
        seen_pages += 1
        assert seen_pages <= body["pages"], "the next links go on past the last page"
    return items


# -- the app over real HTTP -----------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """The app served by werkzeug on a free local port, in a thread of the test process."""

    app: Flask
    url: str


class _QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler without a log line per request (fuzzing sends thousands)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve the app over HTTP on 127.0.0.1 until the generator is closed."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-api", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(seeded_app) -> Iterator[LiveServer]:
    """The app on a fresh copy of the seeded database, served over real HTTP."""
    yield from serve(seeded_app)
