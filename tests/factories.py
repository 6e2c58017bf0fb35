"""Factories for tests: accounts with roles, modules made through the services, a small "world"
of two institutions with their editors, and helpers that drive the real HTML forms.

The world is built once per backend into a template database (see conftest.py); every test then
works on its own copy. Institution A lies in Brainport, institution B in Twente, so that the
coordinator of A's region can read A's drafts but not B's.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlmodel import Session

from catalogue.accounts import services as accounts
from catalogue.accounts import tokens
from catalogue.accounts.models import ApiToken, Membership, User
from catalogue.accounts.permissions import SYSTEM, Actor
from catalogue.db import get_session
from catalogue.institutions import services as institutions
from catalogue.institutions.models import Institution, Region
from catalogue.models import metadata
from catalogue.modules import editing
from catalogue.modules.models import Module, Offering
from schemas.institutions import InstitutionSchema
from schemas.modules import ModuleContentSchema, OfferingSchema
from tests.conftest import csrf_token_from

PASSWORD = "correct-horse-battery-staple"


# -- accounts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A test account: who logs in, with which password."""

    email: str
    name: str
    password: str = PASSWORD


ADMIN = Account("admin@test.example", "Ada Beheerder")
EDITOR_A = Account("editor-a@test.example", "Anna Editor A")
EDITOR_A2 = Account("editor-a2@test.example", "Arend Tweede Editor A")
EDITOR_B = Account("editor-b@test.example", "Bram Editor B")
COORDINATOR_A = Account("coordinator@test.example", "Cor Coordinator Brainport")
NO_ROLE = Account("no-role@test.example", "Nina Zonder Rol")
BLOCKED = Account("blocked@test.example", "Bas Geblokkeerd")

# The roles of the permission matrix, by the name tests use for them.
ROLE_ACCOUNTS: dict[str, Account | None] = {
    "anonymous": None,
    "editor_a": EDITOR_A,
    "editor_b": EDITOR_B,
    "coordinator_a": COORDINATOR_A,
    "administrator": ADMIN,
}

INSTITUTION_A = "test-instituut-a"
INSTITUTION_B = "test-instituut-b"
REGION_A = "brainport"
REGION_B = "twente"


def create_account(session: Session, account: Account, *roles: tuple[str, int | None]) -> User:
    """Create an account through the services and give it roles: ("editor", institution_id),
    ("coordinator", region_id) or ("administrator", None)."""
    user = accounts.create_user(
        session=session,
        actor=SYSTEM,
        email=account.email,
        name=account.name,
        password=account.password,
    )
    for role, scope in roles:
        accounts.grant_role(
            session=session,
            actor=SYSTEM,
            user_id=user.id,
            role=role,
            institution_id=scope if role == "editor" else None,
            region_id=scope if role == "coordinator" else None,
        )
    return user


def actor_of(session: Session, account: Account) -> Actor:
    """The permissions an account holds, as the services see them."""
    user = accounts.find_user_by_email(session, account.email)
    assert user is not None, f"no account {account.email}"
    session.refresh(user)
    return accounts.actor_for(user)


# -- content --------------------------------------------------------------------------------


def unit_content(code: str, **overrides) -> dict[str, Any]:
    """Raw content of one learning unit."""
    unit = {
        "code": code,
        "title": f"Unit {code}",
        "description": "What happens in this unit.",
        "learning_outcomes": ["Works safely in a cleanroom."],
        "study_load": {"value": 28, "unit": "sbu"},
        "assessment": "Practical observation.",
        "component_type": "practical",
    }
    unit.update(overrides)
    return unit


def material_content(**overrides) -> dict[str, Any]:
    """Raw content of one piece of digital material."""
    material = {
        "title": "Reader cleanroom basics",
        "url": "https://example.org/reader.pdf",
        "material_type": "text",
        "format": "application/pdf",
        "language": "nld",
        "licence": "cc-by-40",
        "authors": "A. Auteur",
        "description": "",
        "unit_code": None,
    }
    material.update(overrides)
    return material


def module_content(code: str, **overrides) -> dict[str, Any]:
    """Validated canonical content of a module with one unit and one piece of material."""
    raw = {
        "code": code,
        "title": f"Module {code}",
        "summary": "Learn to work in a cleanroom.",
        "description": "Why cleanrooms exist.\n\nHow to behave in one.",
        "sector": "mbo",
        "level": "mbo-3",
        "study_load": {"value": 3, "unit": "ects"},
        "competencies": ["technology"],
        "languages": ["nld"],
        "delivery_modes": ["on-campus"],
        "target_groups": ["retraining"],
        "audiences": ["job-seekers"],
        "learning_outcomes": ["Explains the ISO cleanroom classes."],
        "prerequisites": "None.",
        "assessment": "Practical exam.",
        "participation": "Two half-days a week.",
        "quality_assurance": "mbo certificate.",
        "micro_credential": False,
        "esco_uris": [],
        "units": [unit_content(f"{code}-U1")],
        "materials": [material_content()],
    }
    raw.update(overrides)
    return ModuleContentSchema().load(raw)


def offering_data(code: str = "2026-09", **overrides) -> dict[str, Any]:
    """Validated data of a run of a module."""
    raw = {
        "code": code,
        "start_date": "2026-09-07",
        "end_date": "2026-11-27",
        "enrol_from": "2026-05-01",
        "enrol_until": "2026-08-31",
        "city": "Eindhoven",
        "delivery_mode": "on-campus",
        "language": "nld",
        "price_eur": "450.00",
        "price_note": "Funded by the national plan.",
        "seats": 16,
        "status": "open",
    }
    raw.update(overrides)
    return OfferingSchema().load(raw)


def create_module(
    session: Session,
    institution_id: int,
    content: dict[str, Any],
    *,
    actor: Actor = SYSTEM,
    status: str = "draft",
) -> Module:
    """A module made through the editing services, left as draft, published or archived."""
    module = editing.create_module(
        session=session, actor=actor, institution_id=institution_id, content=content
    )
    if status in ("published", "archived"):
        editing.publish_module(session=session, actor=actor, module_id=module.id)
    if status == "archived":
        editing.archive_module(session=session, actor=actor, module_id=module.id)
    return module


def institution_data(code: str, region: str, **overrides) -> dict[str, Any]:
    """Validated data of an institution."""
    raw = {
        "code": code,
        "name": f"Test institution {code}",
        "short_name": "",
        "kind": "mbo-college",
        "region": region,
        "city": "Eindhoven",
        "website": "https://example.org",
        "email": "info@example.org",
    }
    raw.update(overrides)
    return InstitutionSchema().load(raw)


# -- the world ------------------------------------------------------------------------------


def build_world(session: Session) -> None:
    """Institutions A (Brainport) and B (Twente), their editors, a coordinator of Brainport, an
    administrator, and in each institution a draft, a published module with a run, a published
    module with unpublished changes and an archived module."""
    for code, region in ((INSTITUTION_A, REGION_A), (INSTITUTION_B, REGION_B)):
        institutions.save_institution(
            session=session, actor=SYSTEM, data=institution_data(code, region)
        )
    ids = {i.code: i.id for i in session.scalars(select(Institution))}
    region_a = session.scalar(select(Region).where(Region.code == REGION_A))
    a, b = ids[INSTITUTION_A], ids[INSTITUTION_B]

    create_account(session, ADMIN, ("administrator", None))
    create_account(session, EDITOR_A, ("editor", a))
    create_account(session, EDITOR_A2, ("editor", a))
    create_account(session, EDITOR_B, ("editor", b))
    create_account(session, COORDINATOR_A, ("coordinator", region_a.id))
    create_account(session, NO_ROLE)
    blocked = create_account(session, BLOCKED, ("editor", a))
    accounts.set_active(session=session, actor=SYSTEM, user_id=blocked.id, active=False)
    editor_a = accounts.find_user_by_email(session, EDITOR_A.email)
    tokens.create_token(
        session=session, actor=actor_of(session, EDITOR_A), user=editor_a, name="Osiris link"
    )

    for prefix, institution_id, editor in (("A", a, EDITOR_A), ("B", b, EDITOR_B)):
        actor = actor_of(session, editor)
        create_module(
            session, institution_id, module_content(f"{prefix}-DRAFT"), actor=actor, status="draft"
        )
        published = create_module(
            session,
            institution_id,
            module_content(f"{prefix}-PUB"),
            actor=actor,
            status="published",
        )
        editing.create_offering(
            session=session, actor=actor, module_id=published.id, data=offering_data()
        )
        changed = create_module(
            session,
            institution_id,
            module_content(f"{prefix}-CHANGED"),
            actor=actor,
            status="published",
        )
        editing.update_module(
            session=session,
            actor=actor,
            module_id=changed.id,
            content=module_content(f"{prefix}-CHANGED", title=f"Changed {prefix} (unpublished)"),
            base_version=None,
        )
        create_module(
            session,
            institution_id,
            module_content(f"{prefix}-ARCH"),
            actor=actor,
            status="archived",
        )


@dataclass
class World:
    """The ids of what build_world made, looked up in a test's own database copy."""

    institution_ids: dict[str, int]
    region_ids: dict[str, int]
    modules: dict[str, int]
    offerings: dict[str, int]
    users: dict[str, int]
    memberships: dict[str, int] = field(default_factory=dict)
    api_tokens: dict[str, int] = field(default_factory=dict)

    @property
    def a(self) -> int:
        return self.institution_ids[INSTITUTION_A]

    @property
    def b(self) -> int:
        return self.institution_ids[INSTITUTION_B]

    def user(self, account: Account) -> int:
        return self.users[account.email]

    @classmethod
    def load(cls, app: Flask) -> World:
        """Look the world up in the app's database."""
        with app_session(app) as session:
            institution_ids = {
                i.code: i.id
                for i in session.scalars(
                    select(Institution).where(Institution.code.in_([INSTITUTION_A, INSTITUTION_B]))
                )
            }
            modules = {
                m.code: m.id
                for m in session.scalars(
                    select(Module).where(Module.institution_id.in_(institution_ids.values()))
                )
            }
            offerings = {
                code: session.scalar(select(Offering.id).where(Offering.module_id == module_id))
                for code, module_id in modules.items()
                if code.endswith("-PUB")
            }
            users = {u.email: u.id for u in session.scalars(select(User))}
            memberships = {
                session.get(User, m.user_id).email: m.id
                for m in session.scalars(select(Membership))
            }
            region_ids = {r.code: r.id for r in session.scalars(select(Region))}
            api_tokens = {
                session.get(User, t.user_id).email: t.id for t in session.scalars(select(ApiToken))
            }
        assert len(institution_ids) == 2, "the world template is missing its institutions"
        return cls(institution_ids, region_ids, modules, offerings, users, memberships, api_tokens)


# -- database access from tests -------------------------------------------------------------


@contextmanager
def app_session(app: Flask):
    """A database session in a short app context of its own (never around a test request)."""
    with app.app_context():
        yield get_session()


def load_module(app: Flask, module_id: int) -> Module | None:
    """The module as stored now, with its units, material and runs loaded."""
    with app_session(app) as session:
        module = session.get(Module, module_id)
        if module is not None:
            _ = (module.units, module.materials, module.offerings, module.tags, module.institution)
        return module


def snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused request changed nothing at all."""
    with app_session(app) as session:
        connection = session.connection()
        result = {}
        for table in metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            result[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        return result


# -- the browser's side: forms --------------------------------------------------------------


def login(client, account: Account | str, password: str | None = None, *, remember: bool = False):
    """Log in through the real login form, CSRF token included; returns the response."""
    email = account if isinstance(account, str) else account.email
    if password is None:
        password = account.password if isinstance(account, Account) else PASSWORD
    page = client.get("/login")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token_from(page.text), "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def csrf_token(client) -> str:
    """A valid CSRF token for the client's session (taken from the login page's form)."""
    return csrf_token_from(client.get("/login").text)


def post_with_csrf(client, path: str, data: dict | None = None, **kwargs):
    """POST `data` to `path` with a valid CSRF token, as the site's own forms do."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


def module_form_fields(content: dict[str, Any], *, action: str = "save") -> dict[str, Any]:
    """The editor form's fields for `content`, as a browser would submit them."""
    data: dict[str, Any] = {
        name: content.get(name) or ""
        for name in (
            "code",
            "title",
            "summary",
            "description",
            "sector",
            "level",
            "prerequisites",
            "assessment",
            "participation",
            "quality_assurance",
        )
    }
    data["study_load_value"] = str(content["study_load"]["value"])
    data["study_load_unit"] = content["study_load"]["unit"]
    for vocabulary in ("competencies", "languages", "delivery_modes", "target_groups", "audiences"):
        data[vocabulary] = list(content.get(vocabulary) or [])
    data["learning_outcomes"] = "\n".join(content.get("learning_outcomes") or [])
    data["esco_uris"] = "\n".join(content.get("esco_uris") or [])
    if content.get("micro_credential"):
        data["micro_credential"] = "y"
    for index, unit in enumerate(content.get("units") or []):
        prefix = f"units-{index}-"
        for name in ("code", "title", "description", "assessment", "component_type"):
            data[prefix + name] = unit.get(name) or ""
        data[prefix + "learning_outcomes"] = "\n".join(unit.get("learning_outcomes") or [])
        data[prefix + "study_load_value"] = str(unit["study_load"]["value"])
        data[prefix + "study_load_unit"] = unit["study_load"]["unit"]
    for index, material in enumerate(content.get("materials") or []):
        prefix = f"materials-{index}-"
        for name in (
            "title",
            "url",
            "material_type",
            "format",
            "language",
            "licence",
            "authors",
            "description",
        ):
            data[prefix + name] = material.get(name) or ""
        data[prefix + "unit_code"] = material.get("unit_code") or ""
    data["action"] = action
    return data


def offering_form_fields(**overrides) -> dict[str, str]:
    """The run form's fields, as a browser would submit them."""
    data = {
        "code": "2027-02",
        "start_date": "2027-02-01",
        "end_date": "2027-04-30",
        "enrol_from": "",
        "enrol_until": "2027-01-15",
        "delivery_mode": "hybrid",
        "city": "Eindhoven",
        "language": "nld",
        "price_eur": "1250,00",
        "price_note": "",
        "seats": "12",
        "status": "planned",
    }
    data.update(overrides)
    return data


@dataclass
class Form:
    """One HTML form as a browser would submit it: action, method and successful fields."""

    action: str
    method: str
    fields: list[tuple[str, str]]
    buttons: list[tuple[str, str]]

    def values(self, **changes: Any) -> dict[str, Any]:
        """The form's fields with some changed (a list value sets a multi-valued field)."""
        data: dict[str, Any] = {}
        for name, value in self.fields:
            if name in data:
                existing = data[name]
                data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                data[name] = value
        data.update(changes)
        return data

    def get(self, name: str) -> str | None:
        """The first value of a field."""
        return next((value for key, value in self.fields if key == name), None)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").lower(), [], [])
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if not name:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value") or "on"))
            elif kind == "submit":
                self._form.buttons.append((name, a.get("value") or ""))
            else:
                self._form.fields.append((name, a.get("value") or ""))
        elif tag == "button" and a.get("name"):
            self._form.buttons.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []
        elif tag == "select":
            self._select, self._select_value, self._select_first = a.get("name"), None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            value = "".join(self._text)
            # Browsers drop one newline right after <textarea>.
            self._form.fields.append((self._textarea, value.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            value = self._select_value if self._select_value is not None else self._select_first
            self._form.fields.append((self._select, value or ""))
            self._select = None


def forms_on(html: str) -> list[Form]:
    """Every form on a page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_on(html: str, action_pattern: str) -> Form:
    """The form on the page whose action matches the regular expression."""
    for form in forms_on(html):
        if re.search(action_pattern, form.action):
            return form
    raise AssertionError(f"no form with an action like {action_pattern!r} on the page")


def input_value(html: str, name: str) -> str | None:
    """The value of the named field on the page (first form that has it)."""
    for form in forms_on(html):
        value = form.get(name)
        if value is not None:
            return value
    return None
