"""Spreadsheet import through the API: the same checks and the same all-or-nothing import as
the upload page and `catalogue import`."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.api.auth import BEARER, writing_actor
from catalogue.api.common import WRITE_ERRORS, document_errors
from catalogue.db import get_session
from catalogue.imports import services as imports
from catalogue.imports.boundary import read_import
from catalogue.institutions import services as institutions
from schemas.imports import ImportReportSchema, ImportRequestSchema

blp = Blueprint("api_imports", __name__, url_prefix="/api/v1", description="Spreadsheet import")


@blp.route("/institutions/<code>/imports", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ImportRequestSchema)
@blp.response(200, ImportReportSchema)
@document_errors(blp, *WRITE_ERRORS)
def import_spreadsheet(request_data, code: str):
    """Import an institution's modules, units, material and runs from a spreadsheet.

    All rows or none: with any problem the answer is 422 and `fields.file` lists each problem
    with its sheet, row and column. Modules are matched by code, runs by module and run code.
    """
    actor = writing_actor()
    session = get_session()
    institution = institutions.get_institution(session=session, code=code)
    given = read_import(request_data["content"], request_data["filename"])
    plan = imports.plan_import(
        session=session, actor=actor, institution_id=institution.id, given=given
    )
    if request_data["dry_run"]:
        return imports.preview_import(plan)
    return imports.apply_import(
        session=session, actor=actor, plan=plan, publish=request_data["publish"]
    )
