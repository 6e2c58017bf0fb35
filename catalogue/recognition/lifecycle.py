"""The agreement lifecycle as one table: state by action → who may, what happens, next state.

The services read this table: `authorise` runs an action's guard (who may act), `transition`
answers the next state or refuses with the action's message. docs/recognition.md renders the
same table (`transition_table_markdown`), and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalogue.accounts.permissions import (
    Actor,
    acts_for_party,
    can_draft_for,
    can_read_institution_internals,
)
from catalogue.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from catalogue.recognition.models import Agreement, AgreementApproval, AgreementParty
from catalogue.vocabularies import AgreementStatus

S = AgreementStatus
PUBLIC_STATUSES = (S.ACTIVE, S.EXPIRED, S.TERMINATED)
CHANGEABLE = (S.DRAFT, S.PROPOSED, S.ACTIVE, S.REJECTED)
# A new version of a pinned module or unit marks agreements in these states "review needed".
REVIEWABLE = (S.DRAFT, S.PROPOSED, S.ACTIVE)


# -- who may see and decide -------------------------------------------------------------------


def can_view(actor: Actor, agreement: Agreement) -> bool:
    """Active, expired and terminated agreements are public; others only for the parties."""
    if agreement.status in PUBLIC_STATUSES:
        return True
    return any(
        can_read_institution_internals(actor, p.institution_id, p.institution.region_id)
        for p in agreement.parties
    )


def current_decisions(agreement: Agreement) -> dict[int, AgreementApproval]:
    """Each party's decision on the current revision, by institution id."""
    decisions = {}
    for approval in sorted(agreement.approvals, key=lambda a: a.id or 0):
        if approval.revision == agreement.revision and approval.voided_at is None:
            decisions[approval.institution_id] = approval
    return decisions


def awaiting(agreement: Agreement) -> list[AgreementParty]:
    """The parties that have not yet decided on the current revision."""
    decided = current_decisions(agreement)
    return [p for p in agreement.parties if p.institution_id not in decided]


def everyone_approved(agreement: Agreement) -> bool:
    """Whether every party has approved the current revision."""
    decisions = current_decisions(agreement)
    return all(
        p.institution_id in decisions and decisions[p.institution_id].decision == "approved"
        for p in agreement.parties
    )


# -- guards: each raises the error a person gets when they may not act ------------------------


def drafts_for_a_party(actor: Actor, agreement: Agreement) -> bool:
    """Whether the actor may change the agreement: it acts for one of its parties."""
    return any(
        can_draft_for(actor, p.institution_id, p.institution.region_id) for p in agreement.parties
    )


def drafts_for_initiator(actor: Actor, agreement: Agreement) -> bool:
    """Whether the actor acts for the initiating institution (and so may withdraw)."""
    initiator = next(
        (p for p in agreement.parties if p.institution_id == agreement.initiator_id), None
    )
    region_id = initiator.institution.region_id if initiator else None
    return can_draft_for(actor, agreement.initiator_id, region_id)


def deciding_parties(actor: Actor, agreement: Agreement) -> list[AgreementParty]:
    """The parties the actor decides for (as their editor or their region's coordinator)."""
    return [
        p
        for p in agreement.parties
        if acts_for_party(actor, p.institution_id, p.institution.region_id)
    ]


def party_editor(actor: Actor, agreement: Agreement, institution_code: str | None = None):
    """An editor of one of the parties or the coordinator of a party's region."""
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    if not can_view(actor, agreement):
        # Not a party: a draft or proposal stays as invisible as it is on the pages.
        raise NotFound(_("No agreement with id %(id)s.", id=agreement.id))
    if not drafts_for_a_party(actor, agreement):
        raise PermissionDenied(
            _(
                "Only the editors of the parties, or the coordinators of their regions, may "
                "change this agreement."
            )
        )


def initiator_editor(actor: Actor, agreement: Agreement, institution_code: str | None = None):
    """An editor of the initiating party or the coordinator of its region."""
    party_editor(actor, agreement)
    if not drafts_for_initiator(actor, agreement):
        raise PermissionDenied(_("Only the initiating institution can withdraw the agreement."))


def deciding_editor(actor: Actor, agreement: Agreement, institution_code: str | None = None):
    """An editor of the party decided for or its region's coordinator (not an administrator)."""
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    if not can_view(actor, agreement):
        raise NotFound(_("No agreement with id %(id)s.", id=agreement.id))
    party = next((p for p in agreement.parties if p.institution.code == institution_code), None)
    if party is None:
        raise InvalidInput(
            _("This institution is not a party to the agreement."),
            fields={"institution": [_("This institution is not a party to the agreement.")]},
        )
    if not acts_for_party(actor, party.institution_id, party.institution.region_id):
        raise PermissionDenied(
            _("You can only decide for an institution you edit or whose region you coordinate.")
        )
    return party


def system(actor: Actor, agreement: Agreement, institution_code: str | None = None):
    """The system, on its own (a scheduled command or the last approval)."""


# -- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """What can be done to an agreement: who may, and the refusal in a state that forbids it."""

    name: str
    guard: Callable
    refusal: str


CREATE, CHANGE, PROPOSE, APPROVE, ACTIVATE = "create", "change", "propose", "approve", "activate"
REJECT, WITHDRAW, TERMINATE, REPIN, EXPIRE = "reject", "withdraw", "terminate", "repin", "expire"

ACTIONS = {
    a.name: a
    for a in (
        Action(CREATE, party_editor, ""),
        Action(
            CHANGE, party_editor, _l("An agreement with status “%(status)s” cannot be changed.")
        ),
        Action(
            PROPOSE,
            party_editor,
            _l("Only a draft can be proposed; this agreement's status is “%(status)s”."),
        ),
        Action(
            APPROVE,
            deciding_editor,
            _l("Only a proposed agreement can be approved; its status is “%(status)s”."),
        ),
        Action(ACTIVATE, system, ""),
        Action(
            REJECT,
            deciding_editor,
            _l("Only a proposed agreement can be rejected; its status is “%(status)s”."),
        ),
        Action(
            WITHDRAW,
            initiator_editor,
            _l("An agreement with status “%(status)s” cannot be withdrawn; terminate it instead."),
        ),
        Action(
            TERMINATE,
            party_editor,
            _l("Only an active agreement can be terminated; its status is “%(status)s”."),
        ),
        Action(
            REPIN, party_editor, _l("An agreement with status “%(status)s” cannot be re-pinned.")
        ),
        Action(EXPIRE, system, ""),
    )
}

NEW_REVISION = "new revision, approvals voided"
# (state, action) → (what happens, next state). None as state: the agreement does not exist yet.
TABLE: dict[tuple[str | None, str], tuple[str, str]] = {
    (None, CREATE): ("revision 1 with the content hash", S.DRAFT),
    (S.DRAFT, CHANGE): (NEW_REVISION, S.DRAFT),
    (S.PROPOSED, CHANGE): (NEW_REVISION, S.PROPOSED),
    (S.ACTIVE, CHANGE): (NEW_REVISION + "; no longer in force", S.PROPOSED),
    (S.REJECTED, CHANGE): (NEW_REVISION, S.DRAFT),
    (S.DRAFT, PROPOSE): ("the proposer's parties approve the current hash", S.PROPOSED),
    (S.PROPOSED, APPROVE): ("the party's approval of the hash it read is recorded", S.PROPOSED),
    (S.PROPOSED, ACTIVATE): ("when every party approved the current hash: in force", S.ACTIVE),
    (S.PROPOSED, REJECT): ("the party's rejection is recorded", S.REJECTED),
    (S.DRAFT, WITHDRAW): ("ended", S.WITHDRAWN),
    (S.PROPOSED, WITHDRAW): ("ended", S.WITHDRAWN),
    (S.REJECTED, WITHDRAW): ("ended", S.WITHDRAWN),
    (S.ACTIVE, TERMINATE): ("ended, with the reason given", S.TERMINATED),
    (S.DRAFT, REPIN): (NEW_REVISION + "; pins the newest versions", S.DRAFT),
    (S.PROPOSED, REPIN): (NEW_REVISION + "; pins the newest versions", S.PROPOSED),
    (S.ACTIVE, REPIN): (NEW_REVISION + "; pins the newest versions; not in force", S.PROPOSED),
    (S.REJECTED, REPIN): (NEW_REVISION + "; pins the newest versions", S.PROPOSED),
    (S.ACTIVE, EXPIRE): ("the end date has passed: no longer in force", S.EXPIRED),
}


def authorise(actor: Actor, agreement: Agreement, action: str, institution_code: str | None = None):
    """Run the action's guard; returns the deciding party for approve and reject."""
    return ACTIONS[action].guard(actor, agreement, institution_code)


def allows(agreement: Agreement, action: str) -> bool:
    """Whether the agreement's state allows the action."""
    return (agreement.status, action) in TABLE


def transition(agreement: Agreement, action: str) -> str:
    """The state the action leads to from the agreement's state; Conflict if it may not."""
    rule = TABLE.get((agreement.status, action))
    if rule is None:
        label = AgreementStatus.label(agreement.status)
        raise Conflict(str(ACTIONS[action].refusal % {"status": label}))
    return rule[1]


def transition_table_markdown() -> str:
    """The table as Markdown, as docs/recognition.md shows it."""
    lines = [
        "| State | Action | Who may | What happens | Next state |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (state, action), (effect, after) in TABLE.items():
        guard = (ACTIONS[action].guard.__doc__ or "").strip().rstrip(".")
        lines.append(f"| {state or '(new)'} | {action} | {guard} | {effect} | {after} |")
    return "\n".join(lines) + "\n"
