"""Schemas of the seed files in `seed/`: the same content schemas as the API, wrapped per file."""

from __future__ import annotations

from marshmallow import fields

from catalogue.vocabularies import ModuleStatus
from schemas.common import BaseSchema, Code, vocabulary_field
from schemas.institutions import InstitutionSchema, RegionSchema
from schemas.messages import Length
from schemas.modules import ModuleContentSchema, OfferingSchema


class RegionsFileSchema(BaseSchema):
    """seed/regions.yaml"""

    regions = fields.List(fields.Nested(RegionSchema), required=True)


class InstitutionsFileSchema(BaseSchema):
    """seed/institutions.yaml"""

    institutions = fields.List(fields.Nested(InstitutionSchema), required=True)


class SeedModuleSchema(ModuleContentSchema):
    """A module in a seed file: its content, the state to leave it in, and its offerings."""

    status = vocabulary_field(ModuleStatus, load_default=ModuleStatus.PUBLISHED)
    offerings = fields.List(fields.Nested(OfferingSchema), load_default=list)


class ModulesFileSchema(BaseSchema):
    """seed/modules/<institution>.yaml: the modules of one institution."""

    institution = Code()
    modules = fields.List(fields.Nested(SeedModuleSchema), required=True, validate=Length(min=1))
