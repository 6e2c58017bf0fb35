"""A hypothesis state machine drives the real recognition services on a real database with random
sequences of create, change, propose, approve (by anyone, for any institution, with any hash),
reject, withdraw, terminate, publishing new module versions and re-pinning, and checks the
database after every step:

- an agreement is active only when, for its current revision, every party approved its current
  content hash through a person who edits that party or coordinates its region;
- no decision is ever recorded by someone who neither edits the institution it is recorded for
  nor coordinates its region;
- approvals of earlier revisions are void;
- the stored content hash is the hash of the agreement's canonical content;
- an agreement whose pinned module or unit got a new version with a different hash needs review
  (and stays active if it was) until it is re-pinned.

The first test checks the first four; the second runs the same machine, without the rules that
only refuse or end agreements, and checks the fifth as well (kept apart so that a failure of one
does not hide the other). Each example runs on its own copy of a small template database (four
institutions in three regions, each with a published two-unit module and its own editor, an
administrator and a Brainport coordinator), on every backend of the run. Failures are reported
unshrunk: shrinking examples that each need a database copy takes minutes.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue import migrate, seeding
from catalogue.accounts import services as accounts
from catalogue.accounts.models import User
from catalogue.accounts.permissions import ANONYMOUS, SYSTEM, Actor
from catalogue.db import get_session, make_engine
from catalogue.errors import (
    CatalogueError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from catalogue.institutions import services as institutions
from catalogue.institutions.models import Institution, Region
from catalogue.modules import editing
from catalogue.modules.content import unit_hash, working_content
from catalogue.modules.models import Module
from catalogue.recognition import lifecycle, queries
from catalogue.recognition import services as recognition
from catalogue.recognition.content import agreement_hash, form_input
from catalogue.recognition.models import Agreement, AgreementItem, AgreementParty
from schemas.institutions import RegionSchema
from schemas.recognition import AgreementInputSchema
from tests.conftest import _make_app
from tests.databases import DatabaseFactory
from tests.factories import (
    Account,
    create_account,
    create_module,
    institution_data,
    module_content,
    unit_content,
)

REGIONS = [("brainport", "Brainport"), ("twente", "Twente"), ("zuid-holland", "Zuid-Holland")]
MACHINE_INSTITUTIONS = [
    ("sm-bp-1", "brainport"),
    ("sm-bp-2", "brainport"),
    ("sm-tw", "twente"),
    ("sm-zh", "zuid-holland"),
]
CODES = [code for code, _region in MACHINE_INSTITUTIONS]
ACTOR_NAMES = [*(f"editor:{code}" for code in CODES), "admin", "coordinator", "system", "anon"]
TERMS = ["", "Vrijstelling na een geslaagde toets.", "Credits na een portfoliogesprek."]
ROLES = ["provider", "recogniser", "both"]
LIVE = ("draft", "proposed", "active")
# Refusals of someone who may not act: not logged in, not allowed, not a party, or (for an
# agreement they may not even see) not found.
PERMISSION_ERRORS = (NotAuthenticated, PermissionDenied, InvalidInput, NotFound)
MAX_AGREEMENTS = 3

# Who acts: mostly the editor of one of the agreement's parties, else anyone at all.
WHO = st.one_of(st.just("party"), st.just("party"), st.sampled_from(ACTOR_NAMES))
PARTY = st.integers(0, 3)
PARTIES = st.lists(st.sampled_from(CODES), min_size=2, max_size=4, unique=True)
ROLE_LISTS = st.lists(st.sampled_from(ROLES), min_size=4, max_size=4)
PICKS = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from([None, "U1", "U2"])), min_size=1, max_size=3
)


def _module_code(institution: str) -> str:
    return f"{institution.upper()}-M"


def build_machine_template(url: str, tmp_dir) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = _make_app(url, tmp_dir / "index")
    with app.app_context():
        session = get_session()
        regions = [RegionSchema().load({"code": c, "name": n}) for c, n in REGIONS]
        seeding.load_seed(session, seeding.SeedData(regions=regions))
        for code, region in MACHINE_INSTITUTIONS:
            institutions.save_institution(
                session=session, actor=SYSTEM, data=institution_data(code, region)
            )
            institution_id = session.scalar(select(Institution.id).where(Institution.code == code))
            create_account(
                session,
                Account(f"{code}@machine.example", f"Editor {code}"),
                ("editor", institution_id),
            )
            module = _module_code(code)
            content = module_content(
                module, units=[unit_content(f"{module}-U1"), unit_content(f"{module}-U2")]
            )
            create_module(session, institution_id, content, status="published")
        brainport = session.scalar(select(Region.id).where(Region.code == "brainport"))
        create_account(
            session, Account("admin@machine.example", "Beheerder"), ("administrator", None)
        )
        create_account(
            session,
            Account("coordinator@machine.example", "Coördinator"),
            ("coordinator", brainport),
        )
    app.extensions["db_engine"].dispose()


class AgreementMachine(RuleBasedStateMachine):
    """The recognition lifecycle, driven at random; the database is checked after every step."""

    factory: ClassVar[DatabaseFactory]
    backend: ClassVar[str]
    template_url: ClassVar[str]
    check_review: ClassVar[bool] = False

    agreements = Bundle("agreements")

    def __init__(self):
        super().__init__()
        self.url = self.factory.copy(self.backend, self.template_url)
        self.engine = make_engine(self.url)
        self.session = Session(self.engine, expire_on_commit=False)
        self.counter = 0
        self.created = 0
        # Agreements flagged by a new version while draft, proposed or active.
        self.flagged: set[int] = set()
        self._load_world()

    def _load_world(self):
        session = self.session
        self.institution_ids = {
            i.code: i.id
            for i in session.scalars(select(Institution).where(Institution.code.in_(CODES)))
        }
        self.code_of = {i: c for c, i in self.institution_ids.items()}
        self.region_of = {
            i.id: i.region_id
            for i in session.scalars(select(Institution).where(Institution.code.in_(CODES)))
        }
        self.module_ids = {
            code: session.scalar(select(Module.id).where(Module.code == _module_code(code)))
            for code in CODES
        }
        self.actors: dict[str, Actor] = {"system": SYSTEM, "anon": ANONYMOUS}
        for user in session.scalars(select(User)):
            actor = accounts.actor_for(user)
            if actor.is_administrator:
                self.actors["admin"] = actor
            elif actor.coordinator_of:
                self.actors["coordinator"] = actor
            else:
                (institution_id,) = actor.editor_of
                self.actors[f"editor:{self.code_of[institution_id]}"] = actor
        assert set(self.actors) == set(ACTOR_NAMES)
        # The newest published version of every module: number, content and hash.
        self.latest = {}
        for module_id in self.module_ids.values():
            version = editing.latest_version(session, module_id)
            self.latest[module_id] = (version.number, version.content, version.content_hash)
        # Who decides for an institution: its editors and the coordinator of its region.
        self.editorships = {
            (user_id, institution_id)
            for user_id, institution_id in session.execute(
                text("SELECT user_id, institution_id FROM membership WHERE role = 'editor'")
            )
        } | {
            (coordinator.user_id, institution_id)
            for coordinator in [self.actors["coordinator"]]
            for institution_id, region_id in self.region_of.items()
            if region_id in coordinator.coordinator_of
        }
        session.rollback()

    def teardown(self):
        self.session.close()
        self.engine.dispose()
        self.factory.drop(self.url)

    # -- helpers ------------------------------------------------------------------------------
    def _agreement(self, agreement_id: int):
        self.session.expire_all()
        agreement = queries.get_agreement(
            session=self.session, actor=SYSTEM, agreement_id=agreement_id
        )
        return agreement

    def _row(self, agreement_id: int) -> Any:
        """The agreement's state as stored now: status, revision, hash, review flag, and how
        many decisions and void decisions it has."""
        row = self.session.execute(
            text(
                "SELECT status, revision, content_hash, review_needed, "
                "(SELECT count(*) FROM agreement_approval p WHERE p.agreement_id = a.id) "
                "AS decisions, "
                "(SELECT count(*) FROM agreement_approval p WHERE p.agreement_id = a.id "
                "AND p.voided_at IS NULL) AS live_decisions "
                "FROM agreement a WHERE a.id = :id"
            ),
            {"id": agreement_id},
        ).one()
        self.session.rollback()
        return row

    def _acts_for(self, actor: Actor, institution_id: int) -> bool:
        """An editor of the institution or the coordinator of its region."""
        return (
            institution_id in actor.editor_of
            or self.region_of.get(institution_id) in actor.coordinator_of
        )

    def _is_party_editor(self, actor: Actor, agreement) -> bool:
        return any(
            actor.is_administrator or self._acts_for(actor, p.institution_id)
            for p in agreement.parties
        )

    def _latest_pin(self, item) -> tuple[int, str | None]:
        """The (version number, hash) re-pinning would give the item now."""
        number, content, digest = self.latest[item.module_id]
        return number, unit_hash(content, item.unit_code) if item.unit_code else digest

    def _stale(self, agreement) -> bool:
        """Whether a pinned module or unit has changed in a newer version."""
        return any(self._latest_pin(item)[1] != item.pinned_hash for item in agreement.items)

    def _repinnable(self, agreement) -> bool:
        """Whether re-pinning would change any pin (a newer version, even of an unchanged unit)."""
        return any(
            self._latest_pin(item) != (item.pinned_version, item.pinned_hash)
            for item in agreement.items
        )

    def _attempt(self, operation, **kwargs) -> CatalogueError | None:
        try:
            operation(session=self.session, **kwargs)
        except CatalogueError as error:
            return error
        return None

    # -- who acts ------------------------------------------------------------------------------
    def _who(self, agreement, who: str, party: int) -> tuple[str, Actor]:
        """ "party": the editor of one of the agreement's parties; otherwise the named actor."""
        if who == "party":
            parties = agreement.parties
            code = parties[party % len(parties)].institution.code
            who = f"editor:{code}"
        return who, self.actors[who]

    # -- rules --------------------------------------------------------------------------------
    @initialize(target=agreements, parties=PARTIES, roles=ROLE_LISTS, picks=PICKS)
    def first_agreement(self, parties, roles, picks):
        """Every run starts with an agreement drafted and proposed by a party's editor."""
        initiator = f"editor:{parties[0]}"
        agreement_id = self._create(initiator, parties, roles, picks)
        self.propose(agreement_id, "party", 0)
        return agreement_id

    @precondition(lambda self: self.created < MAX_AGREEMENTS)
    @rule(target=agreements, who=WHO, parties=PARTIES, roles=ROLE_LISTS, picks=PICKS)
    def create(self, who, parties, roles, picks):
        """Anyone creates an agreement between any institutions (a few per run, so that the
        steps go to their lifecycles)."""
        actor = f"editor:{parties[0]}" if who == "party" else who
        agreement_id = self._create(actor, parties, roles, picks)
        return multiple() if agreement_id is None else agreement_id

    def _create(self, actor: str, parties, roles, picks) -> int | None:
        roles = roles[: len(parties)]
        if not {"provider", "both"} & set(roles):
            roles[0] = "provider"
        if not {"recogniser", "both"} & set(roles):
            roles[-1] = "recogniser"
        providers = [p for p, r in zip(parties, roles, strict=True) if r != "recogniser"]
        items, seen = [], set()
        for index, unit in picks:
            provider = providers[index % len(providers)]
            if (provider, unit) in seen:
                continue
            seen.add((provider, unit))
            module = _module_code(provider)
            items.append(
                {
                    "provider": provider,
                    "module": module,
                    "unit": f"{module}-{unit}" if unit else None,
                    "grant": "Vrijstelling",
                }
            )
        self.counter += 1
        data = AgreementInputSchema().load(
            {
                "code": f"SM-{self.counter}",
                "title": f"Afspraak {self.counter}",
                "kind": "exemption",
                "terms": TERMS[1],
                "valid_from": "2026-01-01",
                "valid_until": None,
                "parties": [
                    {"institution": p, "role": r} for p, r in zip(parties, roles, strict=True)
                ],
                "items": items,
            }
        )
        who = self.actors[actor]
        allowed = who.is_administrator or any(
            self._acts_for(who, self.institution_ids[p]) for p in parties
        )
        try:
            agreement = recognition.create_agreement(session=self.session, actor=who, data=data)
        except CatalogueError as error:
            assert not allowed, f"{actor} could not create: {error.message}"
            assert isinstance(error, NotAuthenticated if actor == "anon" else PermissionDenied)
            return None
        assert allowed, f"{actor} created an agreement without editing any party"
        assert agreement.status == "draft" and agreement.revision == 1
        self.created += 1
        return agreement.id

    @rule(agreement_id=agreements, who=WHO, party=PARTY, shift=st.integers(0, 2))
    def change_terms(self, agreement_id, who, party, shift):
        """Someone changes the terms (perhaps in the middle of an approval round); `shift` 0
        saves them unchanged."""
        before = self._agreement(agreement_id)
        name, actor = self._who(before, who, party)
        status, revision, old_terms = before.status, before.revision, before.terms
        terms = TERMS[(TERMS.index(old_terms) + shift) % len(TERMS)]
        data = form_input(before)
        data["terms"] = terms
        may = not actor.is_anonymous and self._is_party_editor(actor, before)
        error = self._attempt(
            recognition.update_agreement,
            actor=actor,
            agreement_id=agreement_id,
            data=data,
            base_version=None,
        )
        after = self._row(agreement_id)
        if error is not None:
            assert not may or status not in lifecycle.CHANGEABLE, error.message
            assert (after.status, after.revision) == (status, revision)
            return
        assert may and status in lifecycle.CHANGEABLE, f"{name} changed a {status} agreement"
        if terms == old_terms:
            assert (after.status, after.revision) == (status, revision)
        else:
            assert after.revision == revision + 1
            assert after.status == {"active": "proposed", "rejected": "draft"}.get(status, status)
            assert after.live_decisions == 0, "a change voids every approval"

    @rule(agreement_id=agreements, who=WHO, party=PARTY)
    def propose(self, agreement_id, who, party):
        before = self._agreement(agreement_id)
        name, actor = self._who(before, who, party)
        status = before.status
        may = not actor.is_anonymous and self._is_party_editor(actor, before)
        error = self._attempt(recognition.propose_agreement, actor=actor, agreement_id=agreement_id)
        after = self._row(agreement_id)
        if error is None:
            assert may and status == "draft", f"{name} proposed a {status} agreement"
            assert after.status == "proposed"
        else:
            assert not may or status != "draft", error.message
            assert after.status == status

    @rule(
        agreement_id=agreements,
        who=st.one_of(st.just("own"), st.sampled_from(ACTOR_NAMES)),
        institution=st.sampled_from([0, 1, 2, 3, "outsider", "unknown"]),
        which_hash=st.sampled_from(["current", "current", "old", "garbage", "other"]),
    )
    def approve(self, agreement_id, who, institution, which_hash):
        """Anyone ("own": the institution's own editor) approves, for any institution, with the
        current hash, an earlier one, another agreement's or a made-up one."""
        before = self._agreement(agreement_id)
        party_codes = [p.institution.code for p in before.parties]
        if institution == "outsider":
            code = next((c for c in CODES if c not in party_codes), "no-such-institution")
        elif institution == "unknown":
            code = "no-such-institution"
        else:
            code = party_codes[institution % len(party_codes)]
        actor = self.actors.get(f"editor:{code}", SYSTEM) if who == "own" else self.actors[who]
        self._approve(agreement_id, actor, code, self._pick_hash(before, which_hash))

    @rule(agreement_id=agreements, how_many=st.integers(1, 2))
    def approval_round(self, agreement_id, how_many):
        """A draft is proposed by its initiator's editor; then the own editors of some (or all)
        of the parties that have not yet decided approve the current hash, one by one."""
        agreement = self._agreement(agreement_id)
        if agreement.status == "draft":
            self.propose(agreement_id, f"editor:{self.code_of[agreement.initiator_id]}", 0)
            agreement = self._agreement(agreement_id)
        decided = lifecycle.current_decisions(agreement)
        undecided = [
            p.institution.code for p in agreement.parties if p.institution_id not in decided
        ]
        for code in undecided[:how_many]:
            self._approve(agreement_id, self.actors[f"editor:{code}"], code, None)

    def _pick_hash(self, agreement, which: str) -> str:
        if which == "old":
            old = [r.content_hash for r in agreement.revisions if r.number < agreement.revision]
            return old[0] if old else agreement.content_hash
        if which == "garbage":
            return "0" * 64
        if which == "other":
            other = self.session.scalar(
                text("SELECT content_hash FROM agreement WHERE id <> :id ORDER BY id LIMIT 1"),
                {"id": agreement.id},
            )
            return other or "f" * 64
        return agreement.content_hash

    def _approve(self, agreement_id: int, who: Actor, code: str, digest: str | None) -> None:
        """`who` approves `digest` (None: the current hash) for institution `code`."""
        before = self._agreement(agreement_id)
        status, current = before.status, before.content_hash
        digest = current if digest is None else digest
        party = next((p for p in before.parties if p.institution.code == code), None)
        decided = lifecycle.current_decisions(before)
        count = len(before.approvals)
        error = self._attempt(
            recognition.approve_agreement,
            actor=who,
            agreement_id=agreement_id,
            institution_code=code,
            approved_hash=digest,
        )
        after = self._row(agreement_id)
        edits = party is not None and self._acts_for(who, party.institution_id)
        if error is None:
            assert edits, f"{who.name or 'anonymous'} approved for {code}, which they do not edit"
            assert status == "proposed" and digest == current
            assert party.institution_id not in decided
            assert after.decisions == count + 1
        else:
            if not edits:
                assert isinstance(error, PERMISSION_ERRORS), error
            elif status == "proposed" and digest != current:
                assert isinstance(error, Conflict), error
            assert after.decisions == count
            assert after.status == status

    @rule(
        agreement_id=agreements,
        how=st.sampled_from(["reject", "withdraw", "terminate"]),
        who=WHO,
        party=PARTY,
    )
    def end(self, agreement_id, how, who, party):
        """Someone rejects (for one of the parties), withdraws or terminates the agreement."""
        before = self._agreement(agreement_id)
        target = before.parties[party % len(before.parties)]
        name, actor = self._who(before, who, party)
        status = before.status
        party_editor = not actor.is_anonymous and self._is_party_editor(actor, before)
        if how == "reject":
            operation = recognition.reject_agreement
            kwargs = {"institution_code": target.institution.code, "comment": "Past niet."}
            may = self._acts_for(actor, target.institution_id)
            allowed_from, result = ("proposed",), "rejected"
        elif how == "withdraw":
            operation, kwargs = recognition.withdraw_agreement, {}
            may = party_editor and (
                actor.is_administrator or self._acts_for(actor, before.initiator_id)
            )
            allowed_from, result = ("draft", "proposed", "rejected"), "withdrawn"
        else:
            operation, kwargs = recognition.terminate_agreement, {"reason": "Einde"}
            may = party_editor
            allowed_from, result = ("active",), "terminated"
        error = self._attempt(operation, actor=actor, agreement_id=agreement_id, **kwargs)
        after = self._row(agreement_id)
        if error is None:
            assert may, f"{name} could {how} an agreement they may not"
            assert status in allowed_from, f"a {status} agreement could be {result}"
            assert after.status == result
        else:
            assert not may or status not in allowed_from, error.message
            assert after.status == status

    @rule(
        agreement_id=agreements,
        item=st.integers(0, 2),
        part=st.sampled_from(["pinned", "pinned", "module", "U1", "U2"]),
        by_system=st.booleans(),
    )
    def publish_new_version(self, agreement_id, item, part, by_system):
        """The provider of one of the agreement's items changes its module and publishes a new
        version: mostly exactly what the item pins, sometimes the module or another unit."""
        items = self._agreement(agreement_id).items
        pinned = items[item % len(items)]
        if part == "pinned":
            part = pinned.unit_code.rsplit("-", 1)[1] if pinned.unit_code else "module"
        self._publish(self.code_of[pinned.module.institution_id], part, by_system)

    def _publish(self, provider: str, part: str, by_system: bool) -> None:
        module_id = self.module_ids[provider]
        affected = {
            row.id: (row.status, row.review_needed)
            for row in self.session.execute(
                text(
                    "SELECT DISTINCT a.id, a.status, a.review_needed FROM agreement a "
                    "JOIN agreement_item i ON i.agreement_id = a.id WHERE i.module_id = :m"
                ),
                {"m": module_id},
            )
        }
        self.session.expire_all()
        module = self.session.get(Module, module_id)
        content = working_content(module)
        target = (
            content
            if part == "module"
            else next(u for u in content["units"] if u["code"].endswith(part))
        )
        self.counter += 1
        target["description"] = f"{target['description']} (herzien {self.counter})"
        actor = SYSTEM if by_system else self.actors[f"editor:{provider}"]
        editing.update_module(
            session=self.session,
            actor=actor,
            module_id=module_id,
            content=content,
            base_version=None,
        )
        _module, version = editing.publish_module(
            session=self.session, actor=actor, module_id=module_id
        )
        assert version is not None
        self.latest[module_id] = (version.number, version.content, version.content_hash)
        for agreement_id, (status, was_flagged) in affected.items():
            after = self._agreement(agreement_id)
            assert after.status == status, "a new module version changes no agreement's status"
            pin_changed = any(
                item.module_id == module_id
                and (
                    unit_hash(version.content, item.unit_code)
                    if item.unit_code
                    else version.content_hash
                )
                != item.pinned_hash
                for item in after.items
            )
            if status in LIVE and pin_changed:
                assert after.review_needed, "a new version of a pinned module or unit needs review"
                self.flagged.add(agreement_id)
            else:
                assert after.review_needed == was_flagged, "review_needed changed for nothing"

    @rule(agreement_id=agreements, who=WHO, party=PARTY)
    def repin(self, agreement_id, who, party):
        before = self._agreement(agreement_id)
        _name, actor = self._who(before, who, party)
        status, revision = before.status, before.revision
        repinnable = self._repinnable(before)
        may = not actor.is_anonymous and self._is_party_editor(actor, before)
        error = self._attempt(recognition.repin_agreement, actor=actor, agreement_id=agreement_id)
        after = self._agreement(agreement_id)
        if error is None:
            assert may and status in lifecycle.CHANGEABLE and repinnable
            assert after.revision == revision + 1
            assert after.status == {"active": "proposed", "rejected": "proposed"}.get(
                status, status
            )
            assert not self._repinnable(after) and not after.review_needed
        else:
            assert not may or status not in lifecycle.CHANGEABLE or not repinnable, error.message
            assert (after.status, after.revision) == (status, revision)

    # -- invariants ---------------------------------------------------------------------------
    def _rows(self, sql: str) -> list[Any]:
        return list(self.session.execute(text(sql)))

    @invariant()
    def only_parties_own_editors_decide_and_old_revisions_are_void(self):
        agreements = {a.id: a for a in self._rows("SELECT id, revision FROM agreement")}
        for approval in self._rows(
            "SELECT agreement_id, revision, institution_id, decided_by_id, voided_at "
            "FROM agreement_approval"
        ):
            assert (approval.decided_by_id, approval.institution_id) in self.editorships, (
                f"a decision for {self.code_of.get(approval.institution_id)} was recorded by "
                f"user {approval.decided_by_id}, who does not edit it"
            )
            if approval.revision < agreements[approval.agreement_id].revision:
                assert approval.voided_at is not None, "an approval of an old revision counts"
        self.session.rollback()

    @invariant()
    def active_only_when_every_party_approved_the_current_hash(self):
        approvals = self._rows(
            "SELECT agreement_id, revision, institution_id, content_hash, decision, "
            "decided_by_id, voided_at FROM agreement_approval"
        )
        parties = self._rows("SELECT agreement_id, institution_id FROM agreement_party")
        for agreement in self._rows(
            "SELECT id, revision, content_hash FROM agreement WHERE status = 'active'"
        ):
            for party in (p for p in parties if p.agreement_id == agreement.id):
                assert any(
                    a.agreement_id == agreement.id
                    and a.institution_id == party.institution_id
                    and a.revision == agreement.revision
                    and a.content_hash == agreement.content_hash
                    and a.decision == "approved"
                    and a.voided_at is None
                    and (a.decided_by_id, party.institution_id) in self.editorships
                    for a in approvals
                ), (
                    f"agreement {agreement.id} is active without an approval of its current "
                    f"hash by an editor of {self.code_of.get(party.institution_id)}"
                )
        self.session.rollback()

    def _all_agreements(self) -> list[Agreement]:
        self.session.expire_all()
        return list(
            self.session.scalars(
                select(Agreement).options(
                    selectinload(Agreement.parties).selectinload(AgreementParty.institution),
                    selectinload(Agreement.items)
                    .selectinload(AgreementItem.module)
                    .selectinload(Module.institution),
                    selectinload(Agreement.revisions),
                )
            )
        )

    @invariant()
    def stored_hash_is_the_hash_of_the_content(self):
        for agreement in self._all_agreements():
            assert agreement.content_hash == agreement_hash(agreement)
            assert agreement.revisions[0].number == agreement.revision
            assert agreement.revisions[0].content_hash == agreement.content_hash
        self.session.rollback()

    @invariant()
    def new_versions_of_pinned_modules_need_review_until_repinned(self):
        if not self.check_review:
            return
        for agreement in self._all_agreements():
            agreement_id = agreement.id
            if agreement_id not in self.flagged:
                continue
            if agreement.status in LIVE and self._stale(agreement):
                assert agreement.review_needed, (
                    f"agreement {agreement_id} ({agreement.status}) pins an old version "
                    "but is not marked review needed"
                )
        self.session.rollback()


class ReviewMachine(AgreementMachine):
    """The same machine, checking the review invariant too, without the rules that only refuse
    or end agreements (random approvals, rejecting, withdrawing, terminating): its steps go to
    drafting, changing, approving, publishing new versions and re-pinning."""

    check_review = True

    def approve(self, *args, **kwargs):  # not a rule here
        raise NotImplementedError

    def end(self, *args, **kwargs):  # not a rule here
        raise NotImplementedError


# The suite's run is kept short; CATALOGUE_STATEFUL_EXAMPLES=200 explores far deeper.
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("CATALOGUE_STATEFUL_EXAMPLES", "12")),
    stateful_step_count=25,
    deadline=None,
    database=None,
    # No shrinking: each example works on its own database copy, and shrinking a failure would
    # take minutes; the failing sequence is printed as it was found.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def machine(backend, database_factory, tmp_path_factory, tmp_path):
    """The machine class bound to this backend's template database, inside an app context
    (the services' messages are translated)."""
    tmp_dir = tmp_path_factory.mktemp("machine-template")
    template = database_factory.template(
        backend, "recognition-machine", lambda url: build_machine_template(url, tmp_dir)
    )
    app = _make_app(f"sqlite:///{tmp_path / 'unused.sqlite'}", tmp_path / "index")

    def bind(machine_class: type[AgreementMachine]) -> type[AgreementMachine]:
        attributes = {"factory": database_factory, "backend": backend, "template_url": template}
        return type(f"Bound{machine_class.__name__}", (machine_class,), attributes)

    with app.app_context():
        yield bind
    app.extensions["db_engine"].dispose()


@pytest.mark.slow
def test_an_agreement_is_active_only_when_every_partys_own_editor_approved_its_current_hash(
    machine,
):
    run_state_machine_as_test(machine(AgreementMachine), settings=MACHINE_SETTINGS)


@pytest.mark.slow
def test_an_agreement_pinning_an_outdated_version_is_marked_for_review_until_repinned(machine):
    run_state_machine_as_test(machine(ReviewMachine), settings=MACHINE_SETTINGS)
