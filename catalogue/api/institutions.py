"""Regions and institutions, read-only."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.api.common import READ_ERRORS, document_errors
from catalogue.db import get_session
from catalogue.institutions import services as institutions
from schemas.api import InstitutionListArgsSchema, InstitutionOutSchema, RegionOutSchema

blp = Blueprint(
    "api_institutions",
    __name__,
    url_prefix="/api/v1",
    description="The plan's regions and their institutions",
)


@blp.route("/regions", methods=["GET"])
@blp.response(200, RegionOutSchema(many=True))
@document_errors(blp, 400)
def list_regions():
    """All regions with their budgets, LLO targets and institutions."""
    return institutions.list_regions(session=get_session())


@blp.route("/regions/<code>", methods=["GET"])
@blp.response(200, RegionOutSchema)
@document_errors(blp, 404)
def get_region(code: str):
    """One region."""
    return institutions.get_region(session=get_session(), code=code)


@blp.route("/institutions", methods=["GET"])
@blp.arguments(InstitutionListArgsSchema, location="query", as_kwargs=True)
@blp.response(200, InstitutionOutSchema(many=True))
@document_errors(blp, *READ_ERRORS)
def list_institutions(region: list[str]):
    """All institutions, optionally of some regions."""
    return institutions.read_institutions(session=get_session(), region_codes=region)


@blp.route("/institutions/<code>", methods=["GET"])
@blp.response(200, InstitutionOutSchema)
@document_errors(blp, 404)
def get_institution(code: str):
    """One institution."""
    return institutions.read_institution(session=get_session(), code=code)
