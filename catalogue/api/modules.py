"""Modules: list, read, create, update, publish, archive; versions, comparisons, audit trail."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.accounts.permissions import require_edit_institution
from catalogue.api.auth import (
    api_actor,
    client_base_version,
    etag,
    required_base_version,
    writing_actor,
)
from catalogue.api.common import (
    ETAG,
    READ_ERRORS,
    Created,
    create_operation,
    document_errors,
    follow_ups,
    if_match,
    link,
    token_operation,
)
from catalogue.audit import services as audit
from catalogue.db import get_session
from catalogue.institutions import services as institutions
from catalogue.modules import editing
from catalogue.modules import services as modules
from catalogue.modules.content import diff_content, working_content
from catalogue.modules.models import Module
from catalogue.vocabularies import SECTOR_LEVELS
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
MODULE = "/modules/{module_id}"
# What a client can do next with a module it has just written (OpenAPI links).
AFTER_MODULE_WRITE = follow_ups(
    MODULE,
    "module_id",
    "GetModule GET",
    "GetDraft GET /draft",
    "UpdateModule PUT if-match",
    "PublishModule POST /publish if-match",
    "AddRun POST /offerings",
)
MODULE_CREATED = Created(
    ModuleOutSchema, "api_modules.get_module", {"module_id": "id"}, AFTER_MODULE_WRITE
)


# A publish or archive can also conflict with the module's state.
LIFECYCLE_ERRORS = (401, 403, 404, 409)


def _module_write(rule: str, method: str = "POST", **options):
    """Decorator of a write to one module, which needs the module's ETag in If-Match."""
    return token_operation(
        blp, "/modules/<id:module_id>" + rule, method, if_match=IF_MATCH, **options
    )


def document_sector_levels(spec) -> None:
    """State in the document that a module's level must belong to its sector (a rule across two
    fields, which the request schemas enforce and marshmallow cannot describe by itself)."""
    combinations = [
        {"properties": {"sector": {"enum": [sector]}, "level": {"enum": sorted(levels)}}}
        for sector, levels in SECTOR_LEVELS.items()
    ]
    for name in ("ModuleCreate", "ModuleContent"):
        spec.components.schemas[name]["anyOf"] = combinations


def _module(module_id: int) -> Module:
    return modules.get_module(session=get_session(), actor=api_actor(), module_id=module_id)


def _fresh(module_id: int) -> Module:
    get_session().expire_all()
    return _module(module_id)


def _with_etag(module: Module, body=None, status: int = 200):
    """The response (the module itself unless `body` is given) with the module's ETag."""
    return (module if body is None else body), status, {"ETag": etag(module.lock_version)}


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
    return modules.list_modules(
        session=get_session(), actor=api_actor(), filters=filters, page=page, page_size=page_size
    )


@create_operation(blp, "/modules", body=ModuleCreateSchema, created=MODULE_CREATED)
def create_module(data):
    """Create a draft module for an institution you edit."""
    actor = writing_actor()
    session = get_session()
    institution = institutions.get_institution(session=session, code=data.pop("institution"))
    module = editing.create_module(
        session=session, actor=actor, institution_id=institution.id, content=data
    )
    return _fresh(module.id)


@blp.route("/modules/<id:module_id>", methods=["GET"])
@blp.response(200, ModuleOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
@document_errors(blp, *READ_ERRORS)
def get_module(module_id: int):
    """A module with its units, material and runs. Sends its ETag for later writes."""
    module = _module(module_id)
    return _with_etag(module)


@token_operation(
    blp, "/modules/<id:module_id>/draft", "GET", response=DraftSchema, errors=(401, 403, 404)
)
def get_draft(module_id: int):
    """The content editors work on: unpublished changes, or the stored content if none."""
    actor = writing_actor()
    module = _module(module_id)
    require_edit_institution(actor, module.institution_id)
    return _with_etag(module, working_content(module))


@_module_write(
    "", "PUT", body=ModuleContentSchema, response=ModuleOutSchema, follow=AFTER_MODULE_WRITE
)
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
    return _with_etag(module)


def _lifecycle_call(module_id: int, operation):
    actor = writing_actor()
    module = _module(module_id)
    require_edit_institution(actor, module.institution_id)
    base = required_base_version(module.lock_version)
    return operation(session=get_session(), actor=actor, module_id=module.id, base_version=base)


@_module_write(
    "/publish",
    response=PublishResultSchema,
    errors=LIFECYCLE_ERRORS,
    follow={
        "ArchiveModule": link(
            "POST",
            MODULE + "/archive",
            module_id="$response.body#/module/id",
            **{"header.If-Match": ETAG},
        )
    },
)
def publish_module(module_id: int):
    """Publish the module's current content as a new version (409 if nothing changed)."""
    _module_obj, version = _lifecycle_call(module_id, editing.publish_module)
    module = _fresh(module_id)
    return _with_etag(module, {"module": module, "new_version": version})


@_module_write("/archive", response=ModuleOutSchema, errors=LIFECYCLE_ERRORS)
def archive_module(module_id: int):
    """Take the module out of the public catalogue."""
    _lifecycle_call(module_id, editing.archive_module)
    module = _fresh(module_id)
    return _with_etag(module)


@blp.route("/modules/<id:module_id>/versions", methods=["GET"])
@blp.response(200, VersionSummarySchema(many=True))
@document_errors(blp, *READ_ERRORS)
def list_versions(module_id: int):
    """The module's published versions, newest first, with their content hashes."""
    module = _module(module_id)
    return editing.list_versions(get_session(), module.id)


@blp.route("/modules/<id:module_id>/versions/<id:number>", methods=["GET"])
@blp.response(200, VersionSchema)
@document_errors(blp, *READ_ERRORS)
def get_version(module_id: int, number: int):
    """One published version with its full content."""
    module = _module(module_id)
    return editing.get_version(get_session(), module.id, number)


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
    return diff_content(before.content, after.content)


@token_operation(
    blp,
    "/modules/<id:module_id>/audit",
    "GET",
    response=AuditEventSchema(many=True),
    errors=(401, 403, 404),
)
def module_audit(module_id: int):
    """Every recorded change of the module and its runs (editors and administrators)."""
    actor = writing_actor()
    module = _module(module_id)
    return audit.module_trail(session=get_session(), actor=actor, module=module)
