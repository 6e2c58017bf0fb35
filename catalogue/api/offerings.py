"""Runs (offerings) of a module: add, change, remove. Not versioned: changes show at once."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint

from catalogue.accounts.permissions import require_edit_institution
from catalogue.api.auth import BEARER, api_actor, etag, required_base_version, writing_actor
from catalogue.api.common import PRECONDITION_ERRORS, WRITE_ERRORS, document_errors, if_match
from catalogue.db import get_session
from catalogue.modules import editing
from catalogue.modules import services as modules
from schemas.api import OfferingOutSchema
from schemas.modules import OfferingSchema

blp = Blueprint("api_offerings", __name__, url_prefix="/api/v1", description="Runs of modules")

IF_MATCH = if_match("run")


def _editable_offering(offering_id: int):
    actor = writing_actor()
    offering = modules.get_offering(session=get_session(), actor=actor, offering_id=offering_id)
    require_edit_institution(actor, offering.module.institution_id)
    return actor, offering


@blp.route("/modules/<id:module_id>/offerings", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(OfferingSchema)
@blp.response(201, OfferingOutSchema)
@document_errors(blp, *WRITE_ERRORS)
def create_offering(data, module_id: int):
    """Add a run to a module."""
    actor = writing_actor()
    module = modules.get_module(session=get_session(), actor=api_actor(), module_id=module_id)
    offering = editing.create_offering(
        session=get_session(), actor=actor, module_id=module.id, data=data
    )
    headers = {
        "ETag": etag(offering.lock_version),
        "Location": url_for("api_offerings.get_offering", offering_id=offering.id),
    }
    return offering, 201, headers


@blp.route("/offerings/<id:offering_id>", methods=["GET"])
@blp.response(200, OfferingOutSchema)
@document_errors(blp, 401, 404)
def get_offering(offering_id: int):
    """One run (of a module you may see)."""
    offering = modules.get_offering(
        session=get_session(), actor=api_actor(), offering_id=offering_id
    )
    return offering, 200, {"ETag": etag(offering.lock_version)}


@blp.route("/offerings/<id:offering_id>", methods=["PUT"])
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(OfferingSchema)
@blp.response(200, OfferingOutSchema)
@document_errors(blp, *WRITE_ERRORS, *PRECONDITION_ERRORS)
def update_offering(data, offering_id: int):
    """Replace a run."""
    actor, offering = _editable_offering(offering_id)
    base = required_base_version(offering.lock_version)
    offering = editing.update_offering(
        session=get_session(), actor=actor, offering_id=offering.id, data=data, base_version=base
    )
    return offering, 200, {"ETag": etag(offering.lock_version)}


@blp.route("/offerings/<id:offering_id>", methods=["DELETE"])
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.response(204)
@document_errors(blp, 401, 403, 404, *PRECONDITION_ERRORS)
def delete_offering(offering_id: int):
    """Remove a run."""
    actor, offering = _editable_offering(offering_id)
    base = required_base_version(offering.lock_version)
    editing.delete_offering(
        session=get_session(), actor=actor, offering_id=offering.id, base_version=base
    )
    return "", 204
