"""Schemas of the material finder: query arguments (page and API alike) and the API's result."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, fields, validate

from catalogue.search.materials import FACETS, SORTS
from catalogue.vocabularies import Licence, MaterialType
from schemas.api import PageUrl
from schemas.common import BaseSchema, one_of
from schemas.search import FacetValueSchema, with_facets


class MaterialSearchArgsSchema(with_facets(FACETS, max_length=100)):
    """What the material finder asks for: the material's facets, and those of its module and
    the module's institution."""

    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error=_l("Must be one of: {choices}.")),
    )


class MaterialFinderFormSchema(MaterialSearchArgsSchema):
    """The finder page's form: blank boxes are absent, foreign query parameters ignored."""

    class Meta:
        unknown = EXCLUDE

    blank_means_absent = True


class MaterialHitSchema(BaseSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The material itself"})
    page = PageUrl(
        "materials.material_detail",
        {"material_id": "id"},
        metadata={"description": "Its page in the catalogue"},
    )
    authors = fields.String(required=True)
    licence = fields.String(required=True, validate=one_of(Licence))
    material_type = fields.String(required=True, validate=one_of(MaterialType))
    format = fields.String(
        required=True, metadata={"description": "Media type such as application/pdf, or empty"}
    )
    language = fields.String(required=True)
    module_id = fields.Integer(required=True)
    module_title = fields.String(required=True)
    institution = fields.String(
        required=True, metadata={"description": "The name of the module's institution"}
    )
    region = fields.String(required=True, metadata={"description": "The name of its region"})
    reused_by_institutions = fields.Integer(required=True, attribute="reused_by")


class MaterialSearchResultSchema(BaseSchema):
    searched_for = fields.String(
        required=True, attribute="result.searched", metadata={"description": "The words searched"}
    )
    corrected_from = fields.String(
        required=True,
        allow_none=True,
        attribute="result.corrected_from",
        metadata={"description": "What was typed, if corrected"},
    )
    total = fields.Integer(required=True, attribute="result.total")
    page = fields.Integer(required=True, attribute="result.page")
    page_size = fields.Integer(required=True, attribute="result.page_size")
    pages = fields.Integer(required=True, attribute="result.pages")
    items = fields.List(fields.Nested(MaterialHitSchema), required=True, attribute="result.items")
    facets = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True
    )
