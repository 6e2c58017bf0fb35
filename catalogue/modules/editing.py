"""Changing modules: create, edit, publish, archive, and their offerings.

Every function checks permission, validates the state, writes, records an audit event and an
outbox entry for search, all in one transaction. Content arrives already validated by
`schemas.modules.ModuleContentSchema` (the boundary's job); these functions enforce the rules that
need the database: ownership, unique codes, stale edits and the publishing lifecycle.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, require_edit_institution
from catalogue.audit.services import record_event
from catalogue.db import write_transaction
from catalogue.errors import Conflict, NotFound, StaleEdit
from catalogue.institutions.models import Institution
from catalogue.model_base import utcnow
from catalogue.modules.content import (
    apply_content,
    content_hash,
    content_of,
    diff_content,
    working_content,
)
from catalogue.modules.models import Module, ModuleVersion, Offering
from catalogue.modules.services import whole_module_options
from catalogue.search.outbox import enqueue_module
from catalogue.signals import module_version_published
from catalogue.vocabularies import ModuleStatus


def _load_module(session: Session, module_id: int) -> Module:
    module = session.scalar(
        select(Module).where(Module.id == module_id).options(*whole_module_options())
    )
    if module is None:
        raise NotFound(_("No module with id %(id)s.", id=module_id))
    return module


def _check_not_stale(module: Module, base_version: int | None, submitted=None) -> None:
    """Refuse an edit based on an older copy than the stored one."""
    if base_version is None or base_version == module.lock_version:
        return
    changes = diff_content(submitted, working_content(module)) if submitted else []
    raise StaleEdit(
        _(
            "Someone else saved this module while you were working on it. "
            "Your changes have not been saved; compare them with the stored version below."
        ),
        current_version=module.lock_version,
        changes=[{"field": c.path, "yours": c.before, "stored": c.after} for c in changes],
    )


def _editable_module(
    session: Session, actor: Actor, module_id: int, base_version: int | None, submitted=None
) -> Module:
    """The module to change: loaded, the actor allowed to edit it, the editor's copy current."""
    module = _load_module(session, module_id)
    require_edit_institution(actor, module.institution_id)
    _check_not_stale(module, base_version, submitted)
    return module


def _record_module_event(
    session: Session, actor: Actor, module: Module, action: str, entity_id=None, **event
) -> None:
    """Record an audit event about the module, or about its run with id `entity_id`.

    Flushes first, so that a row added in this transaction has its id.
    """
    session.flush()
    record_event(
        session,
        actor,
        action=action,
        entity_id=entity_id or module.id,
        institution_id=module.institution_id,
        module_id=module.id,
        **event,
    )


def _ensure_code_free(session: Session, institution_id: int, code: str, module_id=None) -> None:
    clash = session.scalar(
        select(Module.id).where(
            Module.institution_id == institution_id,
            func.lower(Module.code) == code.lower(),
            Module.id != (module_id or -1),
        )
    )
    if clash is not None:
        raise Conflict(
            _("Another module of this institution has code %(code)s.", code=code),
            fields={"code": [_("Another module of this institution has this code.")]},
        )


def _summary(changes) -> str:
    paths = [c.path for c in changes]
    return ", ".join(paths[:8]) + (f" (+{len(paths) - 8})" if len(paths) > 8 else "")


def create_module(
    *, session: Session, actor: Actor, institution_id: int, content: dict[str, Any]
) -> Module:
    """Create a draft module for an institution the actor edits."""
    require_edit_institution(actor, institution_id)
    with write_transaction(session):
        if session.get(Institution, institution_id) is None:
            raise NotFound(_("No such institution."))
        _ensure_code_free(session, institution_id, content["code"])
        module = Module(
            institution_id=institution_id,
            code=content["code"],
            title=content["title"],
            sector=content["sector"],
            level=content["level"],
            study_load_value=content["study_load"]["value"],
            study_load_unit=content["study_load"]["unit"],
        )
        apply_content(module, content)
        session.add(module)
        _record_module_event(
            session,
            actor,
            module,
            "module.created",
            summary=content["title"],
            after_hash=content_hash(content_of(module)),
        )
        enqueue_module(session, module.id)
    return module


def update_module(
    *,
    session: Session,
    actor: Actor,
    module_id: int,
    base_version: int | None,
    content: dict[str, Any],
) -> Module:
    """Save an editor's changes: into the rows of a never-published module, else into its draft.

    `base_version` is the lock version the editor's copy was loaded at; a different stored
    version means someone else saved in between, and the edit is refused (StaleEdit).
    """
    with write_transaction(session):
        module = _editable_module(session, actor, module_id, base_version, content)
        before = working_content(module)
        changes = diff_content(before, content)
        if not changes:
            return module
        if content["code"].lower() != module.code.lower():
            _ensure_code_free(session, module.institution_id, content["code"], module.id)
        if module.current_version == 0:
            apply_content(module, content)
        else:
            # Published content stays as it is until the draft is published.
            module.draft_content = None if content == content_of(module) else content
        module.updated_at = utcnow()
        _record_module_event(
            session,
            actor,
            module,
            "module.updated",
            summary=_summary(changes),
            before_hash=content_hash(before),
            after_hash=content_hash(content),
        )
        enqueue_module(session, module.id)
    return module


def publish_module(
    *, session: Session, actor: Actor, module_id: int, base_version: int | None = None
) -> tuple[Module, ModuleVersion | None]:
    """Publish the module's current content; returns the new version, or None if unchanged.

    Publishing content identical to the latest version makes no new version; it only makes the
    module public again if it was archived.
    """
    with write_transaction(session):
        module = _editable_module(session, actor, module_id, base_version)
        latest = latest_version(session, module.id)
        before_hash = latest.content_hash if latest is not None else None
        _apply_draft(session, module)
        content = content_of(module)
        digest = content_hash(content)
        version = None
        if latest is None or latest.content_hash != digest:
            module.current_version += 1
            version = ModuleVersion(
                module_id=module.id,
                number=module.current_version,
                content=content,
                content_hash=digest,
                published_by_id=actor.user_id,
                published_by_name=actor.name or "system",
            )
            session.add(version)
        elif module.status == ModuleStatus.PUBLISHED:
            raise Conflict(
                _("Nothing to publish: the module equals version %(n)s.", n=latest.number)
            )
        module.status = ModuleStatus.PUBLISHED
        module.published_at = utcnow()
        _record_module_event(
            session,
            actor,
            module,
            "module.published",
            summary=f"v{module.current_version}" + ("" if version else " (republished)"),
            before_hash=before_hash,
            after_hash=digest,
            details={"version": module.current_version},
        )
        if version is not None:
            module_version_published.send(module, session=session, version=version, actor=actor)
        enqueue_module(session, module.id)
    return module, version


def save_and_publish(
    *,
    session: Session,
    actor: Actor,
    module_id: int,
    base_version: int | None,
    content: dict[str, Any],
) -> tuple[Module, ModuleVersion | None]:
    """Save the editor's form and publish the result, as one transaction.

    "Publish" on the editor page sends the form, so that what was typed since the last save is
    what gets published; when either step is refused, nothing of the two is written.
    """
    with write_transaction(session):
        update_module(
            session=session,
            actor=actor,
            module_id=module_id,
            base_version=base_version,
            content=content,
        )
        return publish_module(session=session, actor=actor, module_id=module_id)


def _apply_draft(session: Session, module: Module) -> None:
    """Write a module's pending draft into its rows, after checking its code is still free."""
    if module.draft_content is None:
        return
    if module.draft_content["code"].lower() != module.code.lower():
        _ensure_code_free(session, module.institution_id, module.draft_content["code"], module.id)
    apply_content(module, module.draft_content)
    module.draft_content = None


def archive_module(
    *, session: Session, actor: Actor, module_id: int, base_version: int | None = None
) -> Module:
    """Take a module out of the public catalogue (it can be published again later)."""
    with write_transaction(session):
        module = _editable_module(session, actor, module_id, base_version)
        if module.status == ModuleStatus.ARCHIVED:
            raise Conflict(_("This module is archived already."))
        module.status = ModuleStatus.ARCHIVED
        module.updated_at = utcnow()
        _record_module_event(session, actor, module, "module.archived", summary=module.title)
        enqueue_module(session, module.id)
    return module


def discard_draft(
    *, session: Session, actor: Actor, module_id: int, base_version: int | None = None
) -> Module:
    """Throw away the unpublished changes of a published module."""
    with write_transaction(session):
        module = _editable_module(session, actor, module_id, base_version)
        if module.draft_content is None:
            raise Conflict(_("This module has no unpublished changes."))
        before = content_hash(module.draft_content)
        module.draft_content = None
        _record_module_event(
            session,
            actor,
            module,
            "module.draft_discarded",
            before_hash=before,
            after_hash=content_hash(content_of(module)),
        )
    return module


# -- versions -------------------------------------------------------------------------------


def latest_version(session: Session, module_id: int) -> ModuleVersion | None:
    """The newest published version of a module."""
    return session.scalar(
        select(ModuleVersion)
        .where(ModuleVersion.module_id == module_id)
        .order_by(ModuleVersion.number.desc())
        .limit(1)
    )


def list_versions(session: Session, module_id: int) -> list[ModuleVersion]:
    """All published versions of a module, newest first."""
    return list(
        session.scalars(
            select(ModuleVersion)
            .where(ModuleVersion.module_id == module_id)
            .order_by(ModuleVersion.number.desc())
        )
    )


def get_version(session: Session, module_id: int, number: int) -> ModuleVersion:
    """One published version of a module by number, or NotFound."""
    version = session.scalar(
        select(ModuleVersion).where(
            ModuleVersion.module_id == module_id, ModuleVersion.number == number
        )
    )
    if version is None:
        raise NotFound(_("This module has no version %(n)s.", n=number))
    return version


# -- offerings ------------------------------------------------------------------------------


def _run_details(offering: Offering) -> dict[str, str]:
    """What an audit trail shows of a run: its code and start date."""
    return {"code": offering.code, "start_date": offering.start_date.isoformat()}


def _ensure_offering_code_free(module: Module, code: str, offering_id=None) -> None:
    for offering in module.offerings:
        if offering.code.lower() == code.lower() and offering.id != offering_id:
            raise Conflict(
                _("Another run of this module has code %(code)s.", code=code),
                fields={"code": [_("Another run of this module has this code.")]},
            )


def create_offering(
    *, session: Session, actor: Actor, module_id: int, data: dict[str, Any]
) -> Offering:
    """Add a run to a module (runs are not versioned: they show as soon as they are saved)."""
    with write_transaction(session):
        module = _load_module(session, module_id)
        require_edit_institution(actor, module.institution_id)
        _ensure_offering_code_free(module, data["code"])
        offering = Offering(module_id=module.id, **data)
        session.add(offering)
        session.flush()
        _record_module_event(
            session,
            actor,
            module,
            "offering.created",
            offering.id,
            summary=f"{data['code']} {data['start_date']}",
            details=_run_details(offering),
        )
        enqueue_module(session, module.id)
    return offering


def _editable_offering(
    session: Session, actor: Actor, offering_id: int, base_version: int | None
) -> tuple[Offering, Module]:
    """The run to change and its module: the actor allowed to edit it, the editor's copy current."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound(_("No run with id %(id)s.", id=offering_id))
    module = _load_module(session, offering.module_id)
    require_edit_institution(actor, module.institution_id)
    if base_version is not None and base_version != offering.lock_version:
        raise StaleEdit(
            _("Someone else changed this run while you were working on it."),
            current_version=offering.lock_version,
        )
    return offering, module


def update_offering(
    *,
    session: Session,
    actor: Actor,
    offering_id: int,
    data: dict[str, Any],
    base_version: int | None,
) -> Offering:
    """Change a run; refused when based on an outdated copy."""
    with write_transaction(session):
        offering, module = _editable_offering(session, actor, offering_id, base_version)
        _ensure_offering_code_free(module, data["code"], offering.id)
        changed = [k for k, v in data.items() if getattr(offering, k) != v]
        for key, value in data.items():
            setattr(offering, key, value)
        session.add(offering)
        _record_module_event(
            session,
            actor,
            module,
            "offering.updated",
            offering.id,
            summary=", ".join(changed),
            details=_run_details(offering),
        )
        enqueue_module(session, module.id)
    return offering


def delete_offering(
    *, session: Session, actor: Actor, offering_id: int, base_version: int | None = None
) -> None:
    """Remove a run."""
    with write_transaction(session):
        offering, module = _editable_offering(session, actor, offering_id, base_version)
        _record_module_event(
            session,
            actor,
            module,
            "offering.deleted",
            offering.id,
            summary=offering.code,
            details=_run_details(offering),
        )
        session.delete(offering)
        enqueue_module(session, module.id)
