"""Recognition agreements through the API: the same lifecycle as the web pages."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.api.auth import BEARER, api_actor, etag, required_base_version, writing_actor
from catalogue.api.common import (
    PRECONDITION_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Created,
    create_operation,
    document_errors,
    follow_ups,
    if_match,
    links,
)
from catalogue.db import get_session
from catalogue.modules import services as modules
from catalogue.recognition import queries
from catalogue.recognition import services as recognition
from catalogue.recognition.content import agreement_view
from schemas.api import (
    AgreementListArgsSchema,
    AgreementOutSchema,
    AgreementPageSchema,
    MatrixSchema,
    RecognitionOutSchema,
)
from schemas.recognition import (
    AgreementInputSchema,
    ApprovalInputSchema,
    ReasonInputSchema,
    RejectionInputSchema,
)

blp = Blueprint(
    "api_recognition",
    __name__,
    url_prefix="/api/v1",
    description="Recognition agreements between institutions, approved by content hash",
)

IF_MATCH = if_match("agreement")
AFTER_AGREEMENT_WRITE = follow_ups(
    "/agreements/{agreement_id}",
    "agreement_id",
    "GetAgreement GET",
    "UpdateAgreement PUT if-match",
    "ProposeAgreement POST /propose if-match",
    "ApproveAgreement POST /approve",
    "WithdrawAgreement POST /withdraw if-match",
)
AGREEMENT = Created(
    AgreementOutSchema,
    "api_recognition.get_agreement",
    {"agreement_id": "id"},
    AFTER_AGREEMENT_WRITE,
)


def _stored(agreement_id: int) -> dict:
    """The agreement as stored now, for the output schema."""
    session = get_session()
    session.expire_all()
    agreement = queries.get_agreement(session=session, actor=api_actor(), agreement_id=agreement_id)
    return agreement_view(agreement)


def _reply(agreement_id: int):
    """The agreement as stored now, and its ETag."""
    agreement = _stored(agreement_id)
    return agreement, 200, {"ETag": etag(agreement["lock_version"])}


def _base(agreement_id: int) -> int | None:
    """The If-Match version the write is based on (428 without, 412 when stale)."""
    agreement = queries.get_agreement(
        session=get_session(), actor=api_actor(), agreement_id=agreement_id
    )
    return required_base_version(agreement.lock_version)


@blp.route("/agreements", methods=["GET"])
@blp.arguments(AgreementListArgsSchema, location="query", as_kwargs=True)
@blp.response(200, AgreementPageSchema)
@document_errors(blp, *READ_ERRORS)
def list_agreements(page, page_size, region, institution, kind, status):
    """Agreements, active ones by default; drafts and proposals only for their parties."""
    filters = queries.AgreementFilter(
        region_codes=region,
        institution_codes=institution,
        kinds=kind,
        statuses=status or ["active"],
    )
    return queries.list_agreements(
        session=get_session(), actor=api_actor(), filters=filters, page=page, page_size=page_size
    ).map(agreement_view)


@create_operation(blp, "/agreements", body=AgreementInputSchema, created=AGREEMENT)
def create_agreement(data):
    """Draft an agreement to which an institution you edit is a party. Items are pinned to
    the newest published version of each module."""
    agreement = recognition.create_agreement(
        session=get_session(), actor=writing_actor(), data=data
    )
    return _stored(agreement.id)


@blp.route("/agreements/<id:agreement_id>", methods=["GET"])
@blp.response(200, AgreementOutSchema)
@document_errors(blp, *READ_ERRORS)
def get_agreement(agreement_id: int):
    """An agreement with its parties, items, hash, approvals and revisions."""
    return _reply(agreement_id)


@blp.route("/agreements/<id:agreement_id>", methods=["PUT"])
@blp.doc(security=BEARER, parameters=[IF_MATCH])
@blp.arguments(AgreementInputSchema)
@blp.response(200, AgreementOutSchema)
@links(blp, 200, **AFTER_AGREEMENT_WRITE)
@document_errors(blp, *WRITE_ERRORS, *PRECONDITION_ERRORS)
def update_agreement(data, agreement_id: int):
    """Change an agreement: a new revision that voids every approval."""
    actor = writing_actor()
    base = _base(agreement_id)
    recognition.update_agreement(
        session=get_session(), actor=actor, agreement_id=agreement_id, data=data, base_version=base
    )
    return _reply(agreement_id)


def _transition(agreement_id: int, operation, *, conditional: bool = True, **kwargs):
    """Run one lifecycle operation as the token's holder; conditional ones need If-Match."""
    actor = writing_actor()
    if conditional:
        kwargs["base_version"] = _base(agreement_id)
    operation(session=get_session(), actor=actor, agreement_id=agreement_id, **kwargs)
    return _reply(agreement_id)


def _lifecycle_route(action: str, operation, doc: str, *, schema=None, arguments=None):
    """Register POST /agreements/<id>/<action>: one lifecycle operation, answered with the
    agreement. Operations with a request body take their arguments from it; the others, and
    terminate, are conditional writes that need If-Match."""
    conditional = schema is None or action == "terminate"

    def view(*args, agreement_id: int):
        kwargs = arguments(args[0]) if schema is not None else {}
        return _transition(agreement_id, operation, conditional=conditional, **kwargs)

    view.__name__, view.__doc__ = action, doc
    errors = WRITE_ERRORS if schema is not None else (401, 403, 404, 409)
    view = document_errors(blp, *errors, *(PRECONDITION_ERRORS if conditional else ()))(view)
    view = blp.response(200, AgreementOutSchema)(view)
    view = links(blp, 200, **AFTER_AGREEMENT_WRITE)(view)
    if schema is not None:
        view = blp.arguments(schema)(view)
    view = blp.doc(security=BEARER, **({"parameters": [IF_MATCH]} if conditional else {}))(view)
    blp.route(f"/agreements/<id:agreement_id>/{action}", methods=["POST"])(view)


_lifecycle_route(
    "propose",
    recognition.propose_agreement,
    "Put a draft to the parties for approval (409 when it is not a draft).",
)
_lifecycle_route(
    "approve",
    recognition.approve_agreement,
    """Approve the content hash you read, for an institution you edit. A stale hash gets 409.
    The agreement becomes active when every party has approved the current hash.""",
    schema=ApprovalInputSchema,
    arguments=lambda data: {
        "institution_code": data["institution"],
        "approved_hash": data["content_hash"],
        "comment": data["comment"],
    },
)
_lifecycle_route(
    "reject",
    recognition.reject_agreement,
    "Decline a proposed agreement for an institution you edit.",
    schema=RejectionInputSchema,
    arguments=lambda data: {"institution_code": data["institution"], "comment": data["comment"]},
)
_lifecycle_route(
    "withdraw",
    recognition.withdraw_agreement,
    "The initiator withdraws an agreement that is not in force.",
)
_lifecycle_route(
    "terminate",
    recognition.terminate_agreement,
    "A party ends an active agreement.",
    schema=ReasonInputSchema,
    arguments=lambda data: {"reason": data["reason"]},
)
_lifecycle_route(
    "repin",
    recognition.repin_agreement,
    "Pin every item to its newest published version: a new revision and approval round.",
)


@blp.route("/recognition/matrix", methods=["GET"])
@blp.response(200, MatrixSchema)
@document_errors(blp, 400)
def matrix():
    """Active agreements per pair of regions (provider's region, recogniser's region)."""
    return queries.recognition_matrix(session=get_session())


@blp.route("/modules/<id:module_id>/recognised-by", methods=["GET"])
@blp.response(200, RecognitionOutSchema(many=True))
@document_errors(blp, *READ_ERRORS)
def recognised_by(module_id: int):
    """Institutions that recognise the module (or a unit of it) under an agreement in force today
    (one that starts later is not a recognition yet)."""
    module = modules.get_module(session=get_session(), actor=api_actor(), module_id=module_id)
    found = queries.recognised_by(session=get_session(), module_id=module.id)
    return [r for r in found if r.starts_on is None]
