"""Modules: list, read, create, update, publish, archive; versions, comparisons, audit trail."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint

from catalogue.accounts.permissions import require_edit_institution
from catalogue.api.auth import (
    BEARER,
    api_actor,
    client_base_version,
    etag,
    required_base_version,
    writing_actor,
)
from catalogue.api.common import (
    PRECONDITION_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    document_errors,
    if_match,
    page_envelope,
)
from catalogue.audit import services as audit
from catalogue.db import get_session
from catalogue.institutions import services as institutions
from catalogue.modules import editing
from catalogue.modules import services as modules
from catalogue.modules.content import content_of, diff_content, working_content
from catalogue.modules.models import Module
from catalogue.vocabularies import (
    NLQF_LEVEL,
    OOAPI_LEVEL,
    OOAPI_MODE_OF_DELIVERY,
    OOAPI_SECTOR,
    OOAPI_STUDY_LOAD_UNIT,
)
from schemas.api import (
    AuditEventSchema,
    CompareArgsSchema,
    DraftSchema,
    FieldChangeSchema,
    ModuleCreateSchema,
    ModuleListArgsSchema,
    ModuleOutSchema,
    ModulePageSchema,
    PublishResultSchema,
    VersionSchema,
    VersionSummarySchema,
)
from schemas.modules import ModuleContentSchema

blp = Blueprint(
    "api_modules",
    __name__,
    url_prefix="/api/v1",
    description="Modules with their learning units, material, runs and versions",
)

IF_MATCH = if_match("module")


def institution_ref(institution) -> dict:
    return {
        "code": institution.code,
        "name": institution.name,
        "region": {"code": institution.region.code, "name": institution.region.name},
    }


def _ooapi(module: Module) -> dict:
    languages = module.codes("languages")
    return {
        "level": OOAPI_LEVEL[module.level],
        "sector": OOAPI_SECTOR[module.sector],
        "levelOfQualification": NLQF_LEVEL[module.level],
        "studyLoad": {
            "studyLoadUnit": OOAPI_STUDY_LOAD_UNIT[module.study_load_unit],
            "value": module.study_load_value,
        },
        "modeOfDelivery": [OOAPI_MODE_OF_DELIVERY[m] for m in module.codes("delivery_modes")],
        "teachingLanguage": languages[0] if languages else "",
    }


def module_out(module: Module) -> dict:
    """The API representation of a module (its stored, i.e. published, content)."""
    return {
        **content_of(module),
        "id": module.id,
        "institution": institution_ref(module.institution),
        "status": module.status,
        "current_version": module.current_version,
        "lock_version": module.lock_version,
        "has_unpublished_changes": module.draft_content is not None,
        "published_at": module.published_at,
        "created_at": module.created_at,
        "updated_at": module.updated_at,
        "offerings": [o.model_dump() for o in module.offerings],
        "ooapi": _ooapi(module),
        "url": url_for("pages.module_detail", module_id=module.id, _external=True),
    }


def module_summary(module: Module) -> dict:
    return {
        "id": module.id,
        "code": module.code,
        "title": module.title,
        "summary": module.summary,
        "institution": institution_ref(module.institution),
        "sector": module.sector,
        "level": module.level,
        "study_load": {"value": module.study_load_value, "unit": module.study_load_unit},
        "competencies": module.codes("competencies"),
        "languages": module.codes("languages"),
        "delivery_modes": module.codes("delivery_modes"),
        "target_groups": module.codes("target_groups"),
        "status": module.status,
        "current_version": module.current_version,
        "updated_at": module.updated_at,
        "url": url_for("pages.module_detail", module_id=module.id, _external=True),
    }


def _version_summary(version) -> dict:
    return {
        "number": version.number,
        "content_hash": version.content_hash,
        "published_at": version.published_at,
        "published_by": version.published_by_name,
    }


def _module(module_id: int) -> Module:
    return modules.get_module(session=get_session(), actor=api_actor(), module_id=module_id)


def _fresh(module_id: int) -> Module:
    get_session().expire_all()
    return _module(module_id)


def _with_etag(module: Module, body, status: int = 200):
    return body, status, {"ETag": etag(module.lock_version)}


@blp.route("/modules", methods=["GET"])
@blp.arguments(ModuleListArgsSchema, location="query", as_kwargs=True)
@blp.response(200, ModulePageSchema)
@document_errors(blp, *READ_ERRORS)
def list_modules(
    page, page_size, institution, region, sector, level, competency, status, updated_since
):
    """Modules, paged and filtered. Without a token: published modules only."""
    filters = modules.ModuleFilter(
        institution_codes=institution,
        region_codes=region,
        sectors=sector,
        levels=level,
        competencies=competency,
        statuses=status or ["published"],
        updated_since=updated_since,
    )
    result = modules.list_modules(
        session=get_session(), actor=api_actor(), filters=filters, page=page, page_size=page_size
    )
    return page_envelope(
        result, [module_summary(m) for m in result.items], "api_modules.list_modules"
    )


@blp.route("/modules", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ModuleCreateSchema)
@blp.response(201, ModuleOutSchema)
@document_errors(blp, *WRITE_ERRORS)
def create_module(data):
    """Create a draft module for an institution you edit."""
    actor = writing_actor()
    session = get_session()
    institution = institutions.get_institution(session=session, code=data.pop("institution"))
    module = editing.create_module(
        session=session, actor=actor, institution_id=institution.id, content=data
    )
    module = _fresh(module.id)
    headers = {
        "ETag": etag(module.lock_version),
        "Location": url_for("api_modules.get_module", module_id=module.id),
    }
    return module_out(module), 201, headers


@blp.route("/modules/<id:module_id>", methods=["GET"])
@blp.response(200, ModuleOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
@document_errors(blp, *READ_ERRORS)
def get_module(module_id: int):
    """A module with its units, material and runs. Sends its ETag for later writes."""
    module = _module(module_id)
    return _with_etag(module, module_out(module))


@blp.route("/modules/<id:module_id>/draft", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, DraftSchema)
@document_errors(blp, 401, 403, 404)
def get_draft(module_id: int):
    """The content editors work on: unpublished changes, or the stored content if none."""
    actor = writing_actor()
    module = _module(module_id)
    require_edit_institution(actor, module.institution_id)
    return _with_etag(module, working_content(module))


@blp.route("/modules/<id:module_id>", methods=["PUT"])
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(ModuleContentSchema)
@blp.response(200, ModuleOutSchema)
@document_errors(blp, *WRITE_ERRORS, *PRECONDITION_ERRORS)
def update_module(data, module_id: int):
    """Replace a module's content. A published module keeps showing its published content
    until you publish again."""
    actor = writing_actor()
    module = _module(module_id)
    require_edit_institution(actor, module.institution_id)
    # The service compares versions itself, so a stale copy gets 412 with what changed.
    base = client_base_version(module.lock_version)
    editing.update_module(
        session=get_session(), actor=actor, module_id=module.id, content=data, base_version=base
    )
    module = _fresh(module_id)
    return _with_etag(module, module_out(module))


def _lifecycle_call(module_id: int, operation):
    actor = writing_actor()
    module = _module(module_id)
    require_edit_institution(actor, module.institution_id)
    base = required_base_version(module.lock_version)
    return operation(session=get_session(), actor=actor, module_id=module.id, base_version=base)


@blp.route("/modules/<id:module_id>/publish", methods=["POST"])
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.response(200, PublishResultSchema)
@document_errors(blp, 401, 403, 404, 409, *PRECONDITION_ERRORS)
def publish_module(module_id: int):
    """Publish the module's current content as a new version (409 if nothing changed)."""
    _module_obj, version = _lifecycle_call(module_id, editing.publish_module)
    module = _fresh(module_id)
    body = {
        "module": module_out(module),
        "new_version": _version_summary(version) if version else None,
    }
    return _with_etag(module, body)


@blp.route("/modules/<id:module_id>/archive", methods=["POST"])
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.response(200, ModuleOutSchema)
@document_errors(blp, 401, 403, 404, 409, *PRECONDITION_ERRORS)
def archive_module(module_id: int):
    """Take the module out of the public catalogue."""
    _lifecycle_call(module_id, editing.archive_module)
    module = _fresh(module_id)
    return _with_etag(module, module_out(module))


@blp.route("/modules/<id:module_id>/versions", methods=["GET"])
@blp.response(200, VersionSummarySchema(many=True))
@document_errors(blp, *READ_ERRORS)
def list_versions(module_id: int):
    """The module's published versions, newest first, with their content hashes."""
    module = _module(module_id)
    return [_version_summary(v) for v in editing.list_versions(get_session(), module.id)]


@blp.route("/modules/<id:module_id>/versions/<id:number>", methods=["GET"])
@blp.response(200, VersionSchema)
@document_errors(blp, *READ_ERRORS)
def get_version(module_id: int, number: int):
    """One published version with its full content."""
    module = _module(module_id)
    version = editing.get_version(get_session(), module.id, number)
    return {**_version_summary(version), "content": version.content}


@blp.route("/modules/<id:module_id>/compare", methods=["GET"])
@blp.arguments(CompareArgsSchema, location="query", as_kwargs=True)
@blp.response(200, FieldChangeSchema(many=True))
@document_errors(blp, *READ_ERRORS)
def compare_versions(module_id: int, from_: int, to: int):
    """The fields that differ between two published versions."""
    module = _module(module_id)
    session = get_session()
    before = editing.get_version(session, module.id, from_)
    after = editing.get_version(session, module.id, to)
    return [
        {"field": c.path, "before": c.before, "after": c.after}
        for c in diff_content(before.content, after.content)
    ]


@blp.route("/modules/<id:module_id>/audit", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, AuditEventSchema(many=True))
@document_errors(blp, 401, 403, 404)
def module_audit(module_id: int):
    """Every recorded change of the module and its runs (editors and administrators)."""
    actor = writing_actor()
    module = _module(module_id)
    events = audit.module_trail(session=get_session(), actor=actor, module=module)
    return [
        {
            "occurred_at": e.occurred_at,
            "actor": e.actor_name,
            "via": e.via,
            "action": e.action,
            "entity_type": e.entity_type,
            "entity_id": e.entity_id,
            "summary": e.summary,
            "before_hash": e.before_hash,
            "after_hash": e.after_hash,
        }
        for e in events
    ]
