"""Material and reuse registrations at the boundary: input of a registration, output shapes."""

from __future__ import annotations

from marshmallow import fields, validate

from catalogue.vocabularies import Licence, MaterialType, ReuseStatus, TeachingLanguage
from schemas.common import BaseSchema, Text, record_id


class ReuseInputSchema(BaseSchema):
    """Register that an institution reuses a material: in one of its modules or in a course."""

    institution_id = record_id(required=True)
    module_id = record_id(load_default=None, allow_none=True)
    course = Text(max_length=200, load_default="")
    note = Text(max_length=1000, multiline=True, load_default="")


class ReuseOutSchema(BaseSchema):
    id = fields.Integer()
    material_id = fields.Integer()
    institution = fields.String(attribute="institution.code")
    institution_name = fields.String(attribute="institution.name")
    region = fields.String(attribute="institution.region.code")
    module_id = fields.Integer(allow_none=True)
    course = fields.String()
    note = fields.String()
    agreement_id = fields.Integer(allow_none=True)
    status = fields.String(validate=validate.OneOf(ReuseStatus.values()))
    covered = fields.Boolean(
        metadata={"description": "False when a closed licence is no longer covered by an agreement"}
    )
    created_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)


class ReuseListSchema(BaseSchema):
    items = fields.List(fields.Nested(ReuseOutSchema))
    institutions = fields.Integer()
    regions = fields.Integer()


class LicenceOutSchema(BaseSchema):
    """A licence, and what it lets another institution do with the material."""

    code = fields.String(validate=validate.OneOf(Licence.values()))
    label = fields.String()
    url = fields.String(metadata={"description": "Where the licence's text lives"})
    open = fields.Boolean(metadata={"description": "In the finder's open-licence group"})
    share = fields.Boolean(metadata={"description": "Others may share the material"})
    adapt = fields.Boolean(metadata={"description": "Others may adapt it"})
    commercial = fields.Boolean(metadata={"description": "Others may use it commercially"})


class MaterialOutSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    url = fields.String()
    material_type = fields.String(validate=validate.OneOf(MaterialType.values()))
    format = fields.String()
    language = fields.String(validate=validate.OneOf(TeachingLanguage.values()))
    authors = fields.String()
    licence = fields.Nested(LicenceOutSchema)
    attribution = fields.String()
    module_id = fields.Integer()
    module_code = fields.String(attribute="module.code")
    module_title = fields.String(attribute="module.title")
    unit_code = fields.String(allow_none=True)
    institution = fields.String(attribute="module.institution.code")
    region = fields.String(attribute="module.institution.region.code")
    reused_by_institutions = fields.Integer()
    reused_in_regions = fields.Integer()
