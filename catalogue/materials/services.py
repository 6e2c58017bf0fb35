"""Registering and ending reuse of material: the licence rule, permissions, audit and outbox.

The rule: material under a licence that does not allow sharing and adapting (all rights reserved,
the no-derivatives licences) may be registered as reused only while an active material-sharing
agreement between the author's institution and the reusing one covers its module (or unit).
Ending such an agreement does not change the registrations: they stay, and read as "no longer
covered by an agreement" (`queries.is_covered`) until someone ends them or a new agreement
covers them again.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, require_register_reuse
from catalogue.audit.services import record_event
from catalogue.db import write_transaction
from catalogue.errors import Conflict, InvalidInput, NotFound, StaleEdit
from catalogue.institutions.models import Institution
from catalogue.materials import licences, queries
from catalogue.materials.models import MaterialReuse
from catalogue.model_base import utcnow
from catalogue.modules.models import Material, Module
from catalogue.search.outbox import enqueue_module
from catalogue.vocabularies import ModuleStatus, ReuseStatus


def _reusing_institution(session: Session, data: dict[str, Any]) -> Institution:
    institution = session.get(Institution, data["institution_id"])
    if institution is None:
        raise InvalidInput(
            _("Choose an existing institution."),
            fields={"institution_id": [_("No institution with this id.")]},
        )
    return institution


def _reusing_module(session: Session, data: dict[str, Any], institution: Institution):
    """The reusing module, which must belong to the reusing institution; or None."""
    if not data.get("module_id"):
        if not data.get("course", "").strip():
            raise InvalidInput(
                _("Say where the material is reused: a module or a course."),
                fields={"course": [_("Name the course, or choose a module of the institution.")]},
            )
        return None
    module = session.get(Module, data["module_id"])
    if module is None or module.institution_id != institution.id:
        raise InvalidInput(
            _("The reusing module must be one of the reusing institution's modules."),
            fields={"module_id": [_("Not a module of %(name)s.", name=institution.name)]},
        )
    return module


def _agreement_for(session: Session, material: Material, institution: Institution):
    """The agreement a closed licence needs (None for open licences); Conflict when missing."""
    if licences.terms_of(material.licence).allows_reuse:
        return None
    agreement = queries.covering_agreement(session, material, institution.id)
    if agreement is None:
        author = material.module.institution
        scope = (
            _(
                "unit %(unit)s of module %(module)s",
                unit=material.unit_code,
                module=material.module.code,
            )
            if material.unit_code
            else _("module %(module)s", module=material.module.code)
        )
        raise Conflict(
            _(
                "“%(title)s” is licensed %(licence)s, which does not allow sharing and adapting. "
                "Its reuse can be registered only under an active material-sharing agreement "
                "between %(author)s and %(reuser)s covering %(scope)s; there is none in force.",
                title=material.title,
                licence=licences.terms_of(material.licence).label,
                author=author.name,
                reuser=institution.name,
                scope=scope,
            )
        )
    return agreement


def register_reuse(
    *, session: Session, actor: Actor, material_id: int, data: dict[str, Any]
) -> MaterialReuse:
    """Register that an institution reuses a published material (in a module or a course)."""
    with write_transaction(session):
        material = session.get(Material, material_id)
        if material is None or material.module.status != ModuleStatus.PUBLISHED:
            raise NotFound(_("No material with id %(id)s.", id=material_id))
        institution = _reusing_institution(session, data)
        require_register_reuse(actor, institution.id, institution.region_id)
        if institution.id == material.module.institution_id:
            raise InvalidInput(
                _("An institution does not reuse its own material."),
                fields={"institution_id": [_("Choose another institution than the author's.")]},
            )
        module = _reusing_module(session, data, institution)
        agreement = _agreement_for(session, material, institution)
        reuse = MaterialReuse(
            material_id=material.id,
            institution_id=institution.id,
            module_id=module.id if module else None,
            course="" if module else data["course"].strip(),
            note=data.get("note", "").strip(),
            agreement_id=agreement.id if agreement else None,
            registered_by_name=actor.name,
        )
        session.add(reuse)
        session.flush()
        _audit(session, actor, reuse, material, "reuse.registered", institution.name)
        enqueue_module(session, material.module_id)
    return reuse


def end_reuse(
    *, session: Session, actor: Actor, reuse_id: int, base_version: int | None = None
) -> MaterialReuse:
    """End a reuse registration (the institution no longer reuses the material)."""
    with write_transaction(session):
        reuse = session.get(MaterialReuse, reuse_id)
        if reuse is None:
            raise NotFound(_("No reuse registration with id %(id)s.", id=reuse_id))
        institution = reuse.institution
        require_register_reuse(actor, institution.id, institution.region_id)
        if base_version is not None and base_version != reuse.lock_version:
            raise StaleEdit(
                _("Someone else changed this registration. Reload and try again."),
                current_version=reuse.lock_version,
            )
        if reuse.status != ReuseStatus.ACTIVE:
            raise Conflict(_("This reuse registration has already ended."))
        reuse.status = ReuseStatus.ENDED
        reuse.ended_at = utcnow()
        _audit(session, actor, reuse, reuse.material, "reuse.ended", institution.name)
        enqueue_module(session, reuse.material.module_id)
    return reuse


def _audit(session, actor: Actor, reuse: MaterialReuse, material: Material, action: str, who):
    """One audit event in the reusing institution's trail and one in the author's."""
    summary = f"{who}: {material.title}"
    for institution_id in {reuse.institution_id, material.module.institution_id}:
        record_event(
            session,
            actor,
            action=action,
            entity_id=reuse.id,
            institution_id=institution_id,
            module_id=material.module_id,
            summary=summary,
            details={"material_id": material.id, "agreement_id": reuse.agreement_id},
        )
