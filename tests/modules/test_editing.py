"""The editing services: create, edit, publish, archive, discard and runs, with their rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalogue.accounts.permissions import ANONYMOUS
from catalogue.audit.models import AuditEvent
from catalogue.errors import Conflict, NotFound, PermissionDenied, StaleEdit
from catalogue.modules import editing
from catalogue.modules import services as modules
from catalogue.modules.content import content_hash, content_of
from catalogue.modules.models import Module, ModuleVersion
from catalogue.search.models import OutboxEntry
from tests.factories import (
    ADMIN,
    COORDINATOR_A,
    EDITOR_A,
    EDITOR_B,
    actor_of,
    app_session,
    module_content,
    offering_data,
    unit_content,
)


@pytest.fixture
def session(world_app):
    """A database session in an app context of the world (for calling services directly)."""
    with app_session(world_app) as session:
        yield session


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _events(session, module_id) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.module_id == module_id)
            .order_by(AuditEvent.id)
        )
    )


def test_creating_a_module_makes_a_draft_with_an_audit_event_and_an_outbox_entry(session, world):
    editor = actor_of(session, EDITOR_A)
    outbox_before = _count(session, OutboxEntry)
    module = editing.create_module(
        session=session, actor=editor, institution_id=world.a, content=module_content("A-NEW")
    )
    assert module.status == "draft"
    assert module.current_version == 0
    assert [u.code for u in module.units] == ["A-NEW-U1"]
    assert _events(session, module.id) == ["module.created"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.module_id == module.id))
    assert event.actor_id == world.user(EDITOR_A)
    assert event.institution_id == world.a
    assert event.after_hash == content_hash(content_of(module))
    assert _count(session, OutboxEntry) == outbox_before + 1


@pytest.mark.parametrize("who", ["anonymous", "editor_b", "coordinator_a"])
def test_only_the_institution_s_editors_create_its_modules(session, world, who):
    actor = {
        "anonymous": ANONYMOUS,
        "editor_b": actor_of(session, EDITOR_B),
        "coordinator_a": actor_of(session, COORDINATOR_A),
    }[who]
    before = _count(session, Module)
    with pytest.raises(PermissionDenied):
        editing.create_module(
            session=session, actor=actor, institution_id=world.a, content=module_content("X-1")
        )
    assert _count(session, Module) == before


def test_an_administrator_may_create_modules_for_any_institution(session, world):
    module = editing.create_module(
        session=session,
        actor=actor_of(session, ADMIN),
        institution_id=world.b,
        content=module_content("ADMIN-1"),
    )
    assert module.institution_id == world.b


def test_a_module_for_an_unknown_institution_is_not_found(session):
    with pytest.raises(NotFound):
        editing.create_module(
            session=session,
            actor=actor_of(session, ADMIN),
            institution_id=987654,
            content=module_content("X-1"),
        )


def test_codes_are_unique_per_institution_whatever_their_case(session, world):
    editor = actor_of(session, EDITOR_A)
    with pytest.raises(Conflict) as refused:
        editing.create_module(
            session=session, actor=editor, institution_id=world.a, content=module_content("a-pub")
        )
    assert "code" in refused.value.fields
    other = editing.create_module(
        session=session, actor=editor, institution_id=world.a, content=module_content("A-OTHER")
    )
    with pytest.raises(Conflict):
        editing.update_module(
            session=session,
            actor=editor,
            module_id=other.id,
            content=module_content("A-Draft"),
            base_version=None,
        )


@pytest.mark.parametrize(
    "operation",
    ["update", "publish", "archive", "discard", "create_offering", "update_offering", "delete"],
)
def test_editors_of_another_institution_change_nothing(session, world, operation):
    outsider = actor_of(session, EDITOR_B)
    module_id = world.modules["A-CHANGED"] if operation == "discard" else world.modules["A-PUB"]
    calls = {
        "update": lambda: editing.update_module(
            session=session,
            actor=outsider,
            module_id=module_id,
            content=module_content("A-PUB", title="Hijacked"),
            base_version=None,
        ),
        "publish": lambda: editing.publish_module(
            session=session, actor=outsider, module_id=world.modules["A-DRAFT"]
        ),
        "archive": lambda: editing.archive_module(
            session=session, actor=outsider, module_id=module_id
        ),
        "discard": lambda: editing.discard_draft(
            session=session, actor=outsider, module_id=module_id
        ),
        "create_offering": lambda: editing.create_offering(
            session=session, actor=outsider, module_id=module_id, data=offering_data("X")
        ),
        "update_offering": lambda: editing.update_offering(
            session=session,
            actor=outsider,
            offering_id=world.offerings["A-PUB"],
            data=offering_data(seats=1),
            base_version=None,
        ),
        "delete": lambda: editing.delete_offering(
            session=session, actor=outsider, offering_id=world.offerings["A-PUB"]
        ),
    }
    events_before = _count(session, AuditEvent)
    with pytest.raises(PermissionDenied):
        calls[operation]()
    session.rollback()
    assert _count(session, AuditEvent) == events_before
    module = session.get(Module, module_id)
    session.refresh(module)
    assert module.title == f"Module {module.code}"
    assert module.status == "published"


def test_editing_a_never_published_module_changes_it_directly(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-DRAFT", title="New title"),
        base_version=None,
    )
    module = session.get(Module, module_id)
    assert module.title == "New title"
    assert module.draft_content is None


def test_editing_a_published_module_keeps_a_draft_and_the_public_sees_the_published_one(
    session, world
):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-PUB"]
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-PUB", title="Draft title"),
        base_version=None,
    )
    module = modules.get_module(session=session, actor=ANONYMOUS, module_id=module_id)
    assert module.title == "Module A-PUB"
    assert module.draft_content["title"] == "Draft title"
    version = editing.latest_version(session, module_id)
    assert version.content["title"] == "Module A-PUB"


def test_editing_back_to_the_published_content_clears_the_draft(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-CHANGED"]
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-CHANGED"),
        base_version=None,
    )
    assert session.get(Module, module_id).draft_content is None


def test_the_published_content_with_its_tags_in_another_order_is_no_change(session, world):
    """The order in which tags arrive (an API client may send any order) is not content: saving
    the published content again with its competencies listed the other way round must leave no
    draft, record no change and keep the version's hash."""
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-PUB"]
    one_order = module_content("A-PUB", competencies=["technology", "collaboration"])
    other_order = module_content("A-PUB", competencies=["collaboration", "technology"])
    editing.update_module(
        session=session, actor=editor, module_id=module_id, content=one_order, base_version=None
    )
    editing.publish_module(session=session, actor=editor, module_id=module_id)
    events_before = _events(session, module_id)
    published_hash = editing.latest_version(session, module_id).content_hash

    editing.update_module(
        session=session, actor=editor, module_id=module_id, content=other_order, base_version=None
    )

    module = session.get(Module, module_id)
    assert module.draft_content is None, "reordered tags made a draft of unchanged content"
    assert _events(session, module_id) == events_before
    assert content_hash(other_order) == published_hash


def test_saving_unchanged_content_records_nothing(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    before = _events(session, module_id)
    module = session.get(Module, module_id)
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-DRAFT"),
        base_version=module.lock_version,
    )
    assert _events(session, module_id) == before


def test_an_edit_based_on_an_old_copy_is_refused_with_the_differences(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    loaded_at = session.get(Module, module_id).lock_version
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-DRAFT", title="First save"),
        base_version=loaded_at,
    )
    with pytest.raises(StaleEdit) as stale:
        editing.update_module(
            session=session,
            actor=actor_of(session, ADMIN),
            module_id=module_id,
            content=module_content("A-DRAFT", title="Second save"),
            base_version=loaded_at,
        )
    assert stale.value.current_version != loaded_at
    assert {"field": "title", "yours": "Second save", "stored": "First save"} in (
        stale.value.changes
    )
    session.rollback()
    assert session.get(Module, module_id).title == "First save"


@pytest.mark.parametrize("operation", ["publish", "archive", "discard"])
def test_lifecycle_steps_from_an_old_copy_are_refused(session, world, operation):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-CHANGED"]
    stale_version = session.get(Module, module_id).lock_version
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-CHANGED", title="Changed again"),
        base_version=stale_version,
    )
    step = {
        "publish": editing.publish_module,
        "archive": editing.archive_module,
        "discard": editing.discard_draft,
    }[operation]
    with pytest.raises(StaleEdit):
        step(session=session, actor=editor, module_id=module_id, base_version=stale_version)
    session.rollback()
    module = session.get(Module, module_id)
    assert module.status == "published"
    assert module.current_version == 1


def test_publishing_twice_with_changes_gives_v1_and_v2_with_different_hashes(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    _, v1 = editing.publish_module(session=session, actor=editor, module_id=module_id)
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-DRAFT", title="Second edition"),
        base_version=None,
    )
    _, v2 = editing.publish_module(session=session, actor=editor, module_id=module_id)
    assert (v1.number, v2.number) == (1, 2)
    assert v1.content_hash != v2.content_hash
    assert v2.content_hash == content_hash(v2.content)
    assert v1.content["title"] == "Module A-DRAFT"
    assert v2.content["title"] == "Second edition"
    assert v2.published_by_id == world.user(EDITOR_A)
    module = session.get(Module, module_id)
    assert (module.status, module.current_version, module.title) == (
        "published",
        2,
        "Second edition",
    )


def test_an_unchanged_republish_makes_no_new_version(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-PUB"]
    with pytest.raises(Conflict):
        editing.publish_module(session=session, actor=editor, module_id=module_id)
    session.rollback()
    assert _count(session, ModuleVersion, ModuleVersion.module_id == module_id) == 1


def test_republishing_an_archived_module_unchanged_makes_it_public_without_a_new_version(
    session, world
):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-ARCH"]
    module, version = editing.publish_module(session=session, actor=editor, module_id=module_id)
    assert version is None
    assert module.status == "published"
    assert module.current_version == 1
    assert _count(session, ModuleVersion, ModuleVersion.module_id == module_id) == 1


def test_published_versions_do_not_change_when_the_module_is_edited(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-PUB"]
    version = editing.latest_version(session, module_id)
    before = (dict(version.content), version.content_hash)
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-PUB", title="Edited", units=[unit_content("NEW-U")]),
        base_version=None,
    )
    editing.publish_module(session=session, actor=editor, module_id=module_id)
    session.expire_all()
    again = editing.get_version(session, module_id, 1)
    assert (again.content, again.content_hash) == before


def test_a_unit_keeps_its_identity_when_its_title_changes(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    unit_id = session.get(Module, module_id).units[0].id
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content(
            "A-DRAFT", units=[unit_content("A-DRAFT-U1", title="Renamed unit"), unit_content("U2")]
        ),
        base_version=None,
    )
    session.expire_all()
    units = session.get(Module, module_id).units
    assert [(u.code, u.title) for u in units] == [
        ("A-DRAFT-U1", "Renamed unit"),
        ("U2", "Unit U2"),
    ]
    assert units[0].id == unit_id


def test_archiving_twice_is_refused(session, world):
    editor = actor_of(session, EDITOR_A)
    with pytest.raises(Conflict):
        editing.archive_module(session=session, actor=editor, module_id=world.modules["A-ARCH"])


def test_discarding_a_draft_brings_back_the_published_content(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-CHANGED"]
    editing.discard_draft(session=session, actor=editor, module_id=module_id)
    module = session.get(Module, module_id)
    assert module.draft_content is None
    assert module.title == "Module A-CHANGED"
    with pytest.raises(Conflict):
        editing.discard_draft(session=session, actor=editor, module_id=module_id)


def test_every_lifecycle_step_is_in_the_audit_trail(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-DRAFT"]
    before = len(_events(session, module_id))
    editing.publish_module(session=session, actor=editor, module_id=module_id)
    editing.update_module(
        session=session,
        actor=editor,
        module_id=module_id,
        content=module_content("A-DRAFT", title="Changed"),
        base_version=None,
    )
    editing.discard_draft(session=session, actor=editor, module_id=module_id)
    editing.archive_module(session=session, actor=editor, module_id=module_id)
    assert _events(session, module_id)[before:] == [
        "module.published",
        "module.updated",
        "module.draft_discarded",
        "module.archived",
    ]


# -- runs -------------------------------------------------------------------------------------


def test_runs_are_added_changed_and_removed_with_audit_events(session, world):
    editor = actor_of(session, EDITOR_A)
    module_id = world.modules["A-PUB"]
    offering = editing.create_offering(
        session=session, actor=editor, module_id=module_id, data=offering_data("2027-01")
    )
    assert offering.price_eur == Decimal("450.00")
    editing.update_offering(
        session=session,
        actor=editor,
        offering_id=offering.id,
        data=offering_data("2027-01", seats=4, price_eur="0"),
        base_version=offering.lock_version,
    )
    session.refresh(offering)
    assert (offering.seats, offering.price_eur) == (4, Decimal("0.00"))
    editing.delete_offering(session=session, actor=editor, offering_id=offering.id)
    assert _events(session, module_id)[-3:] == [
        "offering.created",
        "offering.updated",
        "offering.deleted",
    ]


def test_run_codes_are_unique_per_module(session, world):
    editor = actor_of(session, EDITOR_A)
    with pytest.raises(Conflict) as clash:
        editing.create_offering(
            session=session,
            actor=editor,
            module_id=world.modules["A-PUB"],
            data=offering_data("2026-09"),
        )
    assert "code" in clash.value.fields


def test_a_run_changed_from_an_old_copy_is_refused(session, world):
    editor = actor_of(session, EDITOR_A)
    offering_id = world.offerings["A-PUB"]
    with pytest.raises(StaleEdit):
        editing.update_offering(
            session=session,
            actor=editor,
            offering_id=offering_id,
            data=offering_data(seats=1),
            base_version=999,
        )
    with pytest.raises(StaleEdit):
        editing.delete_offering(
            session=session, actor=editor, offering_id=offering_id, base_version=999
        )


def test_an_unknown_run_is_not_found(session):
    with pytest.raises(NotFound):
        editing.delete_offering(session=session, actor=actor_of(session, ADMIN), offering_id=10**6)


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("anonymous", {"A-PUB", "A-CHANGED"}),
        ("editor_a", {"A-PUB", "A-CHANGED", "A-DRAFT", "A-ARCH"}),
        ("editor_b", {"A-PUB", "A-CHANGED"}),
        ("coordinator_a", {"A-PUB", "A-CHANGED", "A-DRAFT", "A-ARCH"}),
        ("administrator", {"A-PUB", "A-CHANGED", "A-DRAFT", "A-ARCH"}),
    ],
)
def test_who_sees_which_module(session, world, who, visible):
    actor = {
        "anonymous": ANONYMOUS,
        "editor_a": actor_of(session, EDITOR_A),
        "editor_b": actor_of(session, EDITOR_B),
        "coordinator_a": actor_of(session, COORDINATOR_A),
        "administrator": actor_of(session, ADMIN),
    }[who]
    seen = set()
    for code in ("A-PUB", "A-CHANGED", "A-DRAFT", "A-ARCH"):
        try:
            modules.get_module(session=session, actor=actor, module_id=world.modules[code])
        except NotFound:
            continue
        seen.add(code)
    assert seen == visible


def test_the_institution_s_module_list_is_for_its_editors_and_coordinators(session, world):
    from catalogue.institutions.models import Institution

    institution = session.get(Institution, world.a)
    for account in (EDITOR_A, COORDINATOR_A, ADMIN):
        listed = modules.institution_modules(
            session=session, actor=actor_of(session, account), institution=institution
        )
        assert {m.code for m in listed} == {"A-DRAFT", "A-PUB", "A-CHANGED", "A-ARCH"}
    for actor in (ANONYMOUS, actor_of(session, EDITOR_B)):
        with pytest.raises(PermissionDenied):
            modules.institution_modules(session=session, actor=actor, institution=institution)
