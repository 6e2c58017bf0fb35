"""Schemas of the JSON API: query arguments, response shapes and the one error format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request, url_for
from marshmallow import fields, pre_dump, utils

from catalogue.pagination import Page
from catalogue.vocabularies import (
    NLQF_LEVEL,
    OOAPI_LEVEL,
    OOAPI_MODE_OF_DELIVERY,
    OOAPI_SECTOR,
    OOAPI_STUDY_LOAD_UNIT,
    AgreementKind,
    AgreementStatus,
    Competency,
    Level,
    ModuleStatus,
    Sector,
)
from schemas.common import BaseSchema, Code, one_of
from schemas.institutions import InstitutionSchema, RegionTargetSchema
from schemas.messages import Range
from schemas.modules import (
    LearningUnitSchema,
    MaterialSchema,
    ModuleContentSchema,
    OfferingSchema,
    StudyLoadSchema,
)


class ErrorSchema(BaseSchema):
    """The one error format of the API, for every status code."""

    status = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    error = fields.String(
        required=True, metadata={"description": "Short machine-readable name, e.g. not_found"}
    )
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    fields_ = fields.Dict(
        attribute="fields",
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages per field path, e.g. units[0].title"},
    )
    current_etag = fields.String(
        metadata={"description": "On 412: the ETag of the stored resource now"}
    )
    changes = fields.List(
        fields.Dict(),
        metadata={"description": "On 412 for a module: the fields where your copy differs"},
    )


# -- query arguments ----------------------------------------------------------------------


class PageArgsSchema(BaseSchema):
    """Paging of a list."""

    page = fields.Integer(load_default=1, validate=Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=Range(min=1, max=100))


def _codes(vocabulary=None, **kw):
    inner = fields.String(validate=one_of(vocabulary)) if vocabulary else Code()
    return fields.List(inner, load_default=list, **kw)


class ModuleListArgsSchema(PageArgsSchema):
    """Filters of the module list; several values of one filter mean any of them."""

    institution = _codes(metadata={"description": "Institution code(s)"})
    region = _codes(metadata={"description": "Region code(s)"})
    sector = _codes(Sector, metadata={"description": "mbo, hbo or wo"})
    level = _codes(Level)
    competency = _codes(Competency)
    status = _codes(
        ModuleStatus,
        metadata={
            "description": "Default: published. Drafts and archived modules are listed only "
            "for tokens that may read them."
        },
    )
    updated_since = fields.AwareDateTime(
        load_default=None, metadata={"description": "ISO 8601 with time zone"}
    )


class InstitutionListArgsSchema(BaseSchema):
    """Filter of the institution list."""

    region = _codes(metadata={"description": "Region code(s)"})


# -- responses ----------------------------------------------------------------------------
# Response schemas dump the domain's objects (rows and read models) as the handlers return them.


class Whole(fields.Nested):
    """A nested schema that dumps the whole object, not one of its attributes."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj


def object_url(obj, endpoint: str, arguments: dict[str, str], **options) -> str:
    """The URL of `endpoint` with its arguments (name: source) read from the object, from an
    attribute or a key of a dict."""
    values = {name: utils.get_value(obj, source) for name, source in arguments.items()}
    return url_for(endpoint, **values, **options)


class PageUrl(fields.String):
    """The absolute URL of the object's page: an endpoint with arguments read from the object
    (an attribute, or a key of a dict)."""

    def __init__(self, endpoint: str, arguments: dict[str, str], **kwargs):
        super().__init__(required=True, **kwargs)
        self.endpoint = endpoint
        self.arguments = arguments

    def get_value(self, obj, attr, accessor=None, default=None):
        return object_url(obj, self.endpoint, self.arguments, _external=True)


class PageLink(fields.String):
    """The address of a page of the list being answered, keeping the request's filters: page
    `number(page)` of it, or None where that page does not exist."""

    def __init__(self, number: Callable[[Page], int | None], **kwargs):
        super().__init__(**kwargs)
        self.number = number

    def get_value(self, obj, attr, accessor=None, default=None):
        number = self.number(obj)
        if number is None:
            return None
        arguments = {**request.args.to_dict(flat=False), "page": number}
        return url_for(request.endpoint, **(request.view_args or {}), **arguments)


class LinksSchema(BaseSchema):
    """Links of a page of results (dumped from the page)."""

    self = PageLink(lambda page: page.page, required=True)
    first = PageLink(lambda page: 1, required=True)
    last = PageLink(lambda page: page.pages, required=True)
    next = PageLink(lambda page: page.page + 1 if page.has_next else None, allow_none=True)
    prev = PageLink(lambda page: page.page - 1 if page.has_previous else None, allow_none=True)


class PageSchema(BaseSchema):
    """Envelope of a paged list: a `catalogue.pagination.Page` with links to its neighbours."""

    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    links = Whole(LinksSchema, required=True)


class RegionRefSchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class InstitutionRefSchema(BaseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    region = fields.Nested(RegionRefSchema, required=True)


class RegionOutSchema(BaseSchema):
    """A region with the plan's budgets and targets."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    partner_of = fields.Pluck(
        RegionRefSchema,
        "code",
        allow_none=True,
        metadata={"description": "Code of the region it cooperates through"},
    )
    description_nl = fields.String()
    description_en = fields.String()
    budget_reserved_eur = fields.Float(allow_none=True)
    budget_initial_intake_eur = fields.Float(allow_none=True)
    llo_advice_eur = fields.Float(allow_none=True)
    llo_people_target = fields.Integer(allow_none=True)
    llo_target_note_nl = fields.String()
    llo_target_note_en = fields.String()
    targets = fields.List(fields.Nested(RegionTargetSchema))
    institutions = fields.Pluck(
        InstitutionRefSchema, "code", many=True, metadata={"description": "Institution codes"}
    )


class InstitutionOutSchema(InstitutionSchema):
    """An institution."""

    region = fields.String(
        required=True, attribute="region.code", metadata={"description": "Region code"}
    )
    published_modules = fields.Integer()


class OOAPISchema(BaseSchema):
    """The module's classification in Open Education API v5 terms."""

    level = fields.String(required=True)
    sector = fields.String(required=True)
    levelOfQualification = fields.Integer(allow_none=True)
    studyLoad = fields.Dict(required=True)
    modeOfDelivery = fields.List(fields.String(), required=True)
    teachingLanguage = fields.String(required=True)

    @pre_dump
    def _classify(self, module, **_kwargs) -> dict[str, Any]:
        """The module's own codes, mapped to OOAPI's (see catalogue.vocabularies)."""
        languages = module.languages
        return {
            "level": OOAPI_LEVEL[module.level],
            "sector": OOAPI_SECTOR[module.sector],
            "levelOfQualification": NLQF_LEVEL[module.level],
            "studyLoad": {
                "studyLoadUnit": OOAPI_STUDY_LOAD_UNIT[module.study_load_unit],
                "value": module.study_load_value,
            },
            "modeOfDelivery": [OOAPI_MODE_OF_DELIVERY[m] for m in module.delivery_modes],
            "teachingLanguage": languages[0] if languages else "",
        }


class OfferingOutSchema(OfferingSchema):
    """A run of a module, with its id and lock version."""

    id = fields.Integer(required=True)
    lock_version = fields.Integer(required=True, metadata={"description": "Also sent as ETag"})


class ModuleSummarySchema(BaseSchema):
    """A module in a list."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String()
    institution = fields.Nested(InstitutionRefSchema, required=True)
    sector = fields.String(required=True)
    level = fields.String(required=True)
    study_load = fields.Nested(StudyLoadSchema, required=True)
    competencies = fields.List(fields.String())
    languages = fields.List(fields.String())
    delivery_modes = fields.List(fields.String())
    target_groups = fields.List(fields.String())
    status = fields.String(required=True)
    current_version = fields.Integer(required=True)
    updated_at = fields.AwareDateTime(required=True)
    url = PageUrl(
        "pages.module_detail", {"module_id": "id"}, metadata={"description": "The module's page"}
    )


class ModulePageSchema(PageSchema):
    items = fields.List(fields.Nested(ModuleSummarySchema), required=True)


class ModuleOutSchema(ModuleContentSchema):
    """A module: its content as stored (published content once published), runs and state."""

    id = fields.Integer(required=True)
    institution = fields.Nested(InstitutionRefSchema, required=True)
    status = fields.String(required=True)
    current_version = fields.Integer(required=True)
    lock_version = fields.Integer(required=True, metadata={"description": "Also sent as ETag"})
    has_unpublished_changes = fields.Boolean(required=True)
    published_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    offerings = fields.List(fields.Nested(OfferingOutSchema), required=True)
    ooapi = Whole(OOAPISchema, required=True)
    url = PageUrl("pages.module_detail", {"module_id": "id"})
    units = fields.List(fields.Nested(LearningUnitSchema), required=True)
    materials = fields.List(fields.Nested(MaterialSchema), required=True)


class ModuleCreateSchema(ModuleContentSchema):
    """A new module: its content and the institution it belongs to."""

    institution = Code(metadata={"description": "Code of the institution"})


class DraftSchema(ModuleContentSchema):
    """The content an editor works on: the pending draft, or the stored content if none."""


class VersionSummarySchema(BaseSchema):
    number = fields.Integer(required=True)
    content_hash = fields.String(required=True, metadata={"description": "SHA-256, hex"})
    published_at = fields.AwareDateTime(required=True)
    published_by = fields.String(required=True, attribute="published_by_name")


class VersionSchema(VersionSummarySchema):
    content = fields.Nested(ModuleContentSchema, required=True)


class PublishResultSchema(BaseSchema):
    module = fields.Nested(ModuleOutSchema, required=True)
    new_version = fields.Nested(VersionSummarySchema, allow_none=True, required=True)


class FieldChangeSchema(BaseSchema):
    field = fields.String(required=True, attribute="path")
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class CompareArgsSchema(BaseSchema):
    from_ = fields.Integer(data_key="from", required=True, validate=Range(min=1, max=1_000_000))
    to = fields.Integer(required=True, validate=Range(min=1, max=1_000_000))


class AuditEventSchema(BaseSchema):
    """One recorded change: who made it and where, to what, and the content before and after."""

    occurred_at = fields.AwareDateTime(required=True)
    actor = fields.String(
        required=True, attribute="actor_name", metadata={"description": "Their name at the time"}
    )
    via = fields.String(required=True, metadata={"description": "web, api or cli"})
    action = fields.String(required=True, metadata={"description": "What, e.g. module.published"})
    entity_type = fields.String(required=True)
    entity_id = fields.Integer(required=True)
    summary = fields.String(required=True)
    before_hash = fields.String(allow_none=True, metadata={"description": "SHA-256, hex"})
    after_hash = fields.String(allow_none=True, metadata={"description": "SHA-256, hex"})


class MeSchema(BaseSchema):
    """Who a token belongs to, and what it may do."""

    name = fields.String(required=True)
    email = fields.String(required=True)
    administrator = fields.Boolean(required=True)
    editor_of = fields.List(fields.String(), required=True)
    coordinator_of = fields.List(fields.String(), required=True)


# -- recognition ----------------------------------------------------------------------------


class AgreementListArgsSchema(PageArgsSchema):
    region = _codes(metadata={"description": "Region code(s) of any party"})
    institution = _codes(metadata={"description": "Institution code(s) of any party"})
    kind = _codes(AgreementKind)
    status = _codes(AgreementStatus, metadata={"description": "Default: active"})


class PartyOutSchema(BaseSchema):
    institution = fields.Nested(InstitutionRefSchema, required=True)
    role = fields.String(required=True)
    decision = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "approved, rejected, or null: the party's decision on the "
            "current revision"
        },
    )


class AgreementItemOutSchema(BaseSchema):
    module_id = fields.Integer(required=True)
    provider = fields.String(required=True)
    module = fields.String(required=True)
    module_title = fields.String(required=True)
    unit = fields.String(allow_none=True, required=True)
    pinned_version = fields.Integer(required=True)
    pinned_hash = fields.String(required=True)
    grant = fields.String(required=True)
    credits = fields.Dict(allow_none=True, required=True)
    equivalent = fields.String(required=True)
    licence_terms = fields.String(required=True)


class ApprovalOutSchema(BaseSchema):
    """A party's decision on a revision, as stored."""

    institution = fields.String(attribute="institution.code", required=True)
    revision = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    decision = fields.String(required=True)
    comment = fields.String(required=True)
    decided_at = fields.AwareDateTime(required=True)
    decided_by = fields.String(attribute="decided_by_name", required=True)
    voided_at = fields.AwareDateTime(allow_none=True, required=True)


class RevisionOutSchema(BaseSchema):
    """A revision of the agreement's content, as stored."""

    number = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    created_by = fields.String(attribute="created_by_name", required=True)
    reason = fields.String(required=True)


class AgreementOutSchema(BaseSchema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=one_of(AgreementKind))
    status = fields.String(required=True, validate=one_of(AgreementStatus))
    terms = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(
        allow_none=True, required=True, metadata={"description": "null: no end date"}
    )
    revision = fields.Integer(required=True)
    content_hash = fields.String(
        required=True, metadata={"description": "SHA-256 of the canonical content; approve this"}
    )
    review_needed = fields.Boolean(required=True)
    review_note = fields.String(required=True)
    lock_version = fields.Integer(required=True)
    initiator = fields.String(required=True)
    parties = fields.List(fields.Nested(PartyOutSchema), required=True)
    items = fields.List(fields.Nested(AgreementItemOutSchema), required=True)
    approvals = fields.List(fields.Nested(ApprovalOutSchema), required=True)
    revisions = fields.List(fields.Nested(RevisionOutSchema), required=True)
    url = fields.Function(
        lambda agreement: url_for(
            "recognition.agreement_page", agreement_id=agreement["id"], _external=True
        ),
        required=True,
    )


class AgreementPageSchema(PageSchema):
    items = fields.List(fields.Nested(AgreementOutSchema), required=True)


class MatrixCellSchema(BaseSchema):
    provider_region = fields.String(required=True)
    recogniser_region = fields.String(required=True)
    agreements = fields.Integer(required=True)


class MatrixSchema(BaseSchema):
    regions = fields.List(fields.Nested(RegionRefSchema), required=True)
    cells = fields.List(fields.Nested(MatrixCellSchema), required=True)


class RecognitionOutSchema(BaseSchema):
    """One institution recognising (part of) a module: a `queries.Recognition`."""

    institution = fields.Nested(InstitutionRefSchema, required=True)
    agreement_id = fields.Integer(attribute="agreement.id", required=True)
    agreement_code = fields.String(attribute="agreement.code", required=True)
    kind = fields.String(attribute="agreement.kind", required=True)
    unit = fields.String(attribute="unit_code", allow_none=True, required=True)
