"""Schemas of the seed files in `seed/`: the same content schemas as the API, wrapped per file."""

from __future__ import annotations

from marshmallow import fields

from catalogue.vocabularies import AgreementStatus, ModuleStatus
from schemas.common import BaseSchema, Code, vocabulary_field
from schemas.institutions import InstitutionSchema, RegionSchema
from schemas.messages import Count, Length
from schemas.modules import ModuleContentSchema, OfferingSchema
from schemas.recognition import AgreementInputSchema


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
    modules = fields.List(fields.Nested(SeedModuleSchema), required=True, validate=Count(min=1))


class RevisionSchema(BaseSchema):
    """A later change the seed makes to a pinned module, so that an agreement needs review."""

    unit = fields.String(load_default=None, allow_none=True)
    append = fields.String(required=True, validate=Length(min=3, max=500))


class SeedAgreementSchema(AgreementInputSchema):
    """An agreement in seed/agreements.yaml, with the state the seed leaves it in."""

    state = vocabulary_field(AgreementStatus, load_default=AgreementStatus.ACTIVE)
    approved_by = fields.List(Code(), load_default=list)
    revise_after = fields.Nested(RevisionSchema, load_default=None, allow_none=True)


class AgreementsFileSchema(BaseSchema):
    """seed/agreements.yaml"""

    agreements = fields.List(fields.Nested(SeedAgreementSchema), required=True)
