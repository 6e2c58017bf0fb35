"""The recognition tests' world: the test world of tests/factories.py grown by four more
institutions (one in each remaining region, and a second one in Brainport) with their editors, a
published module with two learning units at every test institution, and helpers that drive the
recognition services, the HTML forms and the API as the parties would.

Institutions and regions of the recognition world:

    A  test-instituut-a  brainport         (EDITOR_A, EDITOR_A2)
    B  test-instituut-b  twente            (EDITOR_B)
    C  test-instituut-c  zuid-holland      (EDITOR_C)
    D  test-instituut-d  noorden           (EDITOR_D)
    E  test-instituut-e  arnhem-nijmegen   (EDITOR_E)
    F  test-instituut-f  brainport         (EDITOR_F)

Each has a published module "<X>-TWO" with learning units "<X>-TWO-U1" and "<X>-TWO-U2"; A and B
also have the world's "A-PUB"/"B-PUB" (one unit "<X>-PUB-U1"). ADMIN is an administrator who
edits no institution; COORDINATOR_A coordinates Brainport. The seed's regions, institutions and
modules are loaded too, but not its agreements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from catalogue import migrate, seeding
from catalogue.accounts import services as accounts
from catalogue.accounts.permissions import ANONYMOUS, SYSTEM, Actor
from catalogue.accounts.tokens import create_token
from catalogue.db import get_session, make_engine
from catalogue.institutions import services as institutions
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module, ModuleVersion
from catalogue.recognition import lifecycle, queries
from catalogue.recognition import services as recognition
from catalogue.recognition.content import form_input
from catalogue.recognition.models import Agreement
from schemas.recognition import AgreementInputSchema
from tests.conftest import _make_app
from tests.factories import (
    ADMIN,
    COORDINATOR_A,
    EDITOR_A,
    EDITOR_A2,
    EDITOR_B,
    INSTITUTION_A,
    INSTITUTION_B,
    Account,
    actor_of,
    app_session,
    build_world,
    create_account,
    create_module,
    institution_data,
    login,
    material_content,
    module_content,
    unit_content,
)

API = "/api/v1"

INSTITUTION_C = "test-instituut-c"
INSTITUTION_D = "test-instituut-d"
INSTITUTION_E = "test-instituut-e"
INSTITUTION_F = "test-instituut-f"
EDITOR_C = Account("editor-c@test.example", "Carla Editor C")
EDITOR_D = Account("editor-d@test.example", "Dirk Editor D")
EDITOR_E = Account("editor-e@test.example", "Eva Editor E")
EDITOR_F = Account("editor-f@test.example", "Femke Editor F")

# Institution code -> (region code, letter, its editor).
INSTITUTIONS: dict[str, tuple[str, str, Account]] = {
    INSTITUTION_A: ("brainport", "A", EDITOR_A),
    INSTITUTION_B: ("twente", "B", EDITOR_B),
    INSTITUTION_C: ("zuid-holland", "C", EDITOR_C),
    INSTITUTION_D: ("noorden", "D", EDITOR_D),
    INSTITUTION_E: ("arnhem-nijmegen", "E", EDITOR_E),
    INSTITUTION_F: ("brainport", "F", EDITOR_F),
}
EDITORS: dict[str, Account] = {code: editor for code, (_r, _l, editor) in INSTITUTIONS.items()}
REGION_OF: dict[str, str] = {code: region for code, (region, _l, _e) in INSTITUTIONS.items()}
ACCOUNTS = (
    ADMIN,
    COORDINATOR_A,
    EDITOR_A,
    EDITOR_A2,
    EDITOR_B,
    EDITOR_C,
    EDITOR_D,
    EDITOR_E,
    EDITOR_F,
)


def two_unit_module(letter: str) -> dict[str, Any]:
    """Content of "<letter>-TWO": a module with two learning units."""
    code = f"{letter}-TWO"
    return module_content(
        code,
        title=f"Waferprocessen {letter}",
        units=[
            unit_content(f"{code}-U1", title="Lithografie"),
            unit_content(f"{code}-U2", title="Depositie en etsen"),
        ],
        materials=[material_content(unit_code=f"{code}-U1")],
    )


def build_recognition_world(session) -> None:
    """Add institutions C to F with their editors, and a two-unit module everywhere."""
    for code in (INSTITUTION_C, INSTITUTION_D, INSTITUTION_E, INSTITUTION_F):
        region, letter, editor = INSTITUTIONS[code]
        institutions.save_institution(
            session=session,
            actor=SYSTEM,
            data=institution_data(code, region, name=f"Testinstelling {letter}"),
        )
        institution_id = session.scalar(select(Institution.id).where(Institution.code == code))
        create_account(session, editor, ("editor", institution_id))
    for code, (_region, letter, editor) in INSTITUTIONS.items():
        institution_id = session.scalar(select(Institution.id).where(Institution.code == code))
        create_module(
            session,
            institution_id,
            two_unit_module(letter),
            actor=actor_of(session, editor),
            status="published",
        )


def seed_without_agreements(tmp_dir: Path):
    """The plan's seed (regions, institutions, modules) without seed/agreements.yaml, so that
    these tests neither depend on nor are broken by the seed's agreements."""
    from catalogue.resources import resource_dir

    source = resource_dir("seed")
    target = tmp_dir / "seed"
    target.mkdir()
    for entry in source.iterdir():
        if entry.name != "agreements.yaml":
            (target / entry.name).symlink_to(entry)
    return seeding.read_seed(target)


def recognition_template(database_factory, tmp_path_factory, backend: str) -> str:
    """The template database of the recognition world (built once per backend): the seed
    without its agreements, the world of tests/factories.py, and institutions C to F."""
    tmp_dir = tmp_path_factory.mktemp("recognition-template")

    def build(url: str) -> None:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = _make_app(url, tmp_dir / "index")
        with app.app_context():
            session = get_session()
            seeding.load_seed(session, seed_without_agreements(tmp_dir))
            build_world(session)
            build_recognition_world(session)
        app.extensions["db_engine"].dispose()

    return database_factory.template(backend, "recognition-world", build)


# -- the registry helper ----------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """An agreement item as a person names it: provider, module code, optional unit code."""

    provider: str
    module: str
    unit: str | None = None


def agreement_input(
    code: str,
    parties: list[tuple[str, str]],
    items: list[Item],
    **overrides: Any,
) -> dict[str, Any]:
    """Raw agreement input (what the API receives as JSON)."""
    raw: dict[str, Any] = {
        "code": code,
        "title": f"Erkenningsafspraak {code}",
        "kind": "exemption",
        "terms": "De erkennende partij verleent vrijstelling voor de genoemde leereenheden.",
        "valid_from": "2026-01-01",
        "valid_until": "2029-12-31",
        "parties": [{"institution": i, "role": r} for i, r in parties],
        "items": [
            {
                "provider": item.provider,
                "module": item.module,
                "unit": item.unit,
                "grant": "Vrijstelling",
                "credits": {"value": 3, "unit": "ects"},
                "equivalent": "",
                "licence_terms": "",
            }
            for item in items
        ],
    }
    raw.update(overrides)
    return raw


class Registry:
    """The recognition world of one test: ids, actors, and the services as the parties use them."""

    def __init__(self, app: Flask):
        self.app = app
        with app_session(app) as session:
            self.institution_ids = {
                code: session.scalar(select(Institution.id).where(Institution.code == code))
                for code in INSTITUTIONS
            }
            self.module_ids = {
                m.code: m.id
                for m in session.scalars(
                    select(Module).where(Module.institution_id.in_(self.institution_ids.values()))
                )
            }
            self.actors = {account.email: actor_of(session, account) for account in ACCOUNTS}

    # -- who ------------------------------------------------------------------------------
    def actor(self, account: Account | None) -> Actor:
        return ANONYMOUS if account is None else self.actors[account.email]

    @contextmanager
    def session(self) -> Iterator[Any]:
        with app_session(self.app) as session:
            yield session

    # -- agreements through the services --------------------------------------------------
    def create(
        self,
        code: str,
        parties: list[tuple[str, str]],
        items: list[Item],
        *,
        by: Account | None = None,
        **overrides: Any,
    ) -> int:
        """A draft agreement created by `by` (default: the first party's editor)."""
        by = by or EDITORS[parties[0][0]]
        data = AgreementInputSchema().load(agreement_input(code, parties, items, **overrides))
        with self.session() as session:
            agreement = recognition.create_agreement(
                session=session, actor=self.actor(by), data=data
            )
            return agreement.id

    def propose(self, agreement_id: int, *, by: Account | None = None) -> None:
        with self.session() as session:
            by = by or self._initiator_editor(session, agreement_id)
            recognition.propose_agreement(
                session=session, actor=self.actor(by), agreement_id=agreement_id
            )

    def approve(
        self,
        agreement_id: int,
        institution: str,
        *,
        by: Account | None = None,
        content_hash: str | None = None,
    ) -> None:
        with self.session() as session:
            digest = content_hash or self.agreement(agreement_id, session=session).content_hash
            recognition.approve_agreement(
                session=session,
                actor=self.actor(by or EDITORS[institution]),
                agreement_id=agreement_id,
                institution_code=institution,
                approved_hash=digest,
            )

    def approve_all(self, agreement_id: int) -> None:
        """Every party that has not decided yet approves the current hash through its own
        editor (proposing already counts as the proposer's approval)."""
        with self.session() as session:
            agreement = self.agreement(agreement_id, session=session)
            pending = [p.institution.code for p in lifecycle.awaiting(agreement)]
        for code in pending:
            self.approve(agreement_id, code)

    def activate(self, code: str, parties, items, **overrides: Any) -> int:
        """Create, propose and have every party approve: an active agreement."""
        agreement_id = self.create(code, parties, items, **overrides)
        self.propose(agreement_id)
        self.approve_all(agreement_id)
        assert self.agreement(agreement_id).status == "active"
        return agreement_id

    def change_terms(self, agreement_id: int, terms: str, *, by: Account | None = None) -> None:
        with self.session() as session:
            agreement = self.agreement(agreement_id, session=session)
            data = form_input(agreement)
            data["terms"] = terms
            by = by or self._initiator_editor(session, agreement_id)
            recognition.update_agreement(
                session=session,
                actor=self.actor(by),
                agreement_id=agreement_id,
                data=data,
                base_version=None,
            )

    def terminate(self, agreement_id: int, *, by: Account | None = None) -> None:
        with self.session() as session:
            by = by or self._initiator_editor(session, agreement_id)
            recognition.terminate_agreement(
                session=session, actor=self.actor(by), agreement_id=agreement_id, reason="Einde"
            )

    def repin(self, agreement_id: int, *, by: Account | None = None) -> None:
        with self.session() as session:
            by = by or self._initiator_editor(session, agreement_id)
            recognition.repin_agreement(
                session=session, actor=self.actor(by), agreement_id=agreement_id
            )

    # -- modules ----------------------------------------------------------------------------
    def publish_change(self, module_code: str, unit: str | None = None, text: str = "") -> int:
        """The provider changes the module's (or one unit's) description and publishes: returns
        the new version's number."""
        module_id = self.module_ids[module_code]
        with self.session() as session:
            module = session.get(Module, module_id)
            provider = next(
                c for c, i in self.institution_ids.items() if i == module.institution_id
            )
            actor = self.actor(EDITORS[provider])
            content = working_content(module)
            target = content
            if unit is not None:
                target = next(u for u in content["units"] if u["code"] == unit)
            target["description"] = (
                target["description"] + "\n\n" + (text or "Bijgewerkt voor het nieuwe studiejaar.")
            )
            editing.update_module(
                session=session,
                actor=actor,
                module_id=module_id,
                content=content,
                base_version=None,
            )
            _module, version = editing.publish_module(
                session=session, actor=actor, module_id=module_id
            )
            assert version is not None
            return version.number

    def latest_version(self, module_code: str) -> ModuleVersion:
        with self.session() as session:
            return editing.latest_version(session, self.module_ids[module_code])

    # -- reading ----------------------------------------------------------------------------
    def agreement(self, agreement_id: int, *, session=None) -> Agreement:
        """The agreement as stored now, with parties, items, revisions and approvals loaded."""
        if session is None:
            with self.session() as own:
                return self.agreement(agreement_id, session=own)
        session.expire_all()
        return queries.get_agreement(session=session, actor=SYSTEM, agreement_id=agreement_id)

    def party_codes(self, agreement_id: int) -> list[str]:
        return [p.institution.code for p in self.agreement(agreement_id).parties]

    def _initiator_editor(self, session, agreement_id: int) -> Account:
        agreement = session.get(Agreement, agreement_id)
        code = next(c for c, i in self.institution_ids.items() if i == agreement.initiator_id)
        return EDITORS[code]

    # -- clients ----------------------------------------------------------------------------
    def token(self, account: Account) -> str:
        with self.session() as session:
            user = accounts.find_user_by_email(session, account.email)
            return create_token(session=session, actor=SYSTEM, user=user, name="tests").secret

    def api_client(self, account: Account | None = None, *, language: str = "en") -> FlaskClient:
        """A test client that sends the account's API token (None: no token) and asks for
        answers in `language`."""
        client = self.app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        if account is not None:
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {self.token(account)}"
        return client

    def web_client(self, account: Account | None = None) -> FlaskClient:
        """A browser-like test client, logged in through the login form (None: anonymous)."""
        client = self.app.test_client()
        if account is not None:
            response = login(client, account)
            assert response.status_code == 302, f"{account.email} could not log in"
        return client


A, B, C, D, E, F = (
    INSTITUTION_A,
    INSTITUTION_B,
    INSTITUTION_C,
    INSTITUTION_D,
    INSTITUTION_E,
    INSTITUTION_F,
)
TODAY = date.today()


# -- reading answers ---------------------------------------------------------------------------


def api_error(response, status: int) -> dict:
    """Assert the API's error form with this status; return its body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    return body


def api_etag(client: FlaskClient, agreement_id: int) -> str:
    """The ETag of the agreement as the client reads it."""
    response = client.get(f"{API}/agreements/{agreement_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.headers["ETag"]
