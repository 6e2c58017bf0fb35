"""Schemas of the material finder: query arguments (page and API alike) and the API's result."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, fields, pre_load, validate

from catalogue.search.materials import FACETS, SORTS
from schemas.common import BaseSchema
from schemas.messages import Count, Length, Range
from schemas.search import FacetValueSchema

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _facet_list(description: str):
    return fields.List(
        fields.String(validate=Length(max=100)),
        load_default=list,
        validate=Count(max=50),
        metadata={"description": description},
    )


class MaterialSearchArgsSchema(BaseSchema):
    """What the finder asks for; the text is never an error (cut to 500 characters)."""

    q = fields.String(load_default="", metadata={"description": "Words to search for"})
    licence = _facet_list("NL-LOM licence value(s), e.g. cc-by-40, yes")
    open_licence = _facet_list("yes: only openly licensed material")
    material_type = _facet_list("e.g. text, video, simulation")
    format = _facet_list("MIME type(s), e.g. application/pdf")
    language = _facet_list("nld, eng, deu")
    sector = _facet_list("mbo, hbo, wo (of the module)")
    level = _facet_list("e.g. mbo-4, bachelor (of the module)")
    competency = _facet_list("technology, digitalisation, collaboration")
    region = _facet_list("Region code(s) of the author's institution")
    institution = _facet_list("Institution code(s) of the author")
    reused = _facet_list("yes: reused by another institution; no: not (yet)")
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error=_l("Must be one of: {choices}.")),
    )
    page = fields.Integer(load_default=1, validate=Range(min=1, max=1000))
    page_size = fields.Integer(load_default=20, validate=Range(min=1, max=100))

    blank_means_absent = False

    @pre_load
    def _tidy(self, data, **_kwargs):
        if hasattr(data, "to_dict"):
            data = {k: (data.getlist(k) if k in FACETS else data.get(k)) for k in data}
        if self.blank_means_absent:
            data = {k: v for k, v in data.items() if v not in ("", None, [""])}
        if isinstance(data.get("q"), str):
            data["q"] = _CONTROL.sub(" ", data["q"])[:500]
        return data


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
    page = fields.String(required=True, metadata={"description": "Its page in the catalogue"})
    authors = fields.String(required=True)
    licence = fields.String(required=True)
    material_type = fields.String(required=True)
    format = fields.String(required=True)
    language = fields.String(required=True)
    module_id = fields.Integer(required=True)
    module_title = fields.String(required=True)
    institution = fields.String(required=True)
    region = fields.String(required=True)
    reused_by_institutions = fields.Integer(required=True)


class MaterialSearchResultSchema(BaseSchema):
    searched_for = fields.String(required=True, metadata={"description": "The words searched"})
    corrected_from = fields.String(
        required=True, allow_none=True, metadata={"description": "What was typed, if corrected"}
    )
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    items = fields.List(fields.Nested(MaterialHitSchema), required=True)
    facets = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True
    )
