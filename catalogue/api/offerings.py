"""Runs (offerings) of a module: add, change, remove. Not versioned: changes show at once."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.accounts.permissions import require_edit_institution
from catalogue.api.auth import api_actor, etag, required_base_version, writing_actor
from catalogue.api.common import (
    Created,
    create_operation,
    document_errors,
    follow_ups,
    if_match,
    token_operation,
)
from catalogue.db import get_session
from catalogue.modules import editing
from catalogue.modules import services as modules
from schemas.api import OfferingOutSchema
from schemas.modules import OfferingSchema

blp = Blueprint("api_offerings", __name__, url_prefix="/api/v1", description="Runs of modules")

IF_MATCH = if_match("run")
RUN = Created(
    OfferingOutSchema,
    "api_offerings.get_offering",
    {"offering_id": "id"},
    follow_ups(
        "/offerings/{offering_id}",
        "offering_id",
        "GetRun GET",
        "UpdateRun PUT if-match",
        "RemoveRun DELETE if-match",
    ),
)


def _etag_header(offering) -> dict[str, str]:
    """The run's ETag, for its next write."""
    return {"ETag": etag(offering.lock_version)}


def _editable_offering(offering_id: int):
    actor = writing_actor()
    offering = modules.get_offering(session=get_session(), actor=actor, offering_id=offering_id)
    require_edit_institution(actor, offering.module.institution_id)
    return actor, offering


@create_operation(blp, "/modules/<id:module_id>/offerings", body=OfferingSchema, created=RUN)
def create_offering(data, module_id: int):
    """Add a run to a module."""
    actor = writing_actor()
    module = modules.get_module(session=get_session(), actor=api_actor(), module_id=module_id)
    return editing.create_offering(
        session=get_session(), actor=actor, module_id=module.id, data=data
    )


@blp.route("/offerings/<id:offering_id>", methods=["GET"])
@blp.response(200, OfferingOutSchema)
@document_errors(blp, 401, 404)
def get_offering(offering_id: int):
    """One run (of a module you may see)."""
    offering = modules.get_offering(
        session=get_session(), actor=api_actor(), offering_id=offering_id
    )
    return offering, 200, _etag_header(offering)


@token_operation(
    blp,
    "/offerings/<id:offering_id>",
    "PUT",
    body=OfferingSchema,
    response=OfferingOutSchema,
    if_match=IF_MATCH,
)
def update_offering(data, offering_id: int):
    """Replace a run."""
    actor, offering = _editable_offering(offering_id)
    base = required_base_version(offering.lock_version)
    offering = editing.update_offering(
        session=get_session(), actor=actor, offering_id=offering.id, data=data, base_version=base
    )
    return offering, 200, _etag_header(offering)


@token_operation(
    blp,
    "/offerings/<id:offering_id>",
    "DELETE",
    status=204,
    errors=(401, 403, 404),
    if_match=IF_MATCH,
)
def delete_offering(offering_id: int):
    """Remove a run."""
    actor, offering = _editable_offering(offering_id)
    base = required_base_version(offering.lock_version)
    editing.delete_offering(
        session=get_session(), actor=actor, offering_id=offering.id, base_version=base
    )
    return "", 204
