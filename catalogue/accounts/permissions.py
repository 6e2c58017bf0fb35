"""Who may do what. Every service asks these functions; nothing else decides permissions.

An actor is whoever acts: a logged-in user, a user behind an API token, or an anonymous visitor.
Roles: administrators may do everything; an institution's editors create, edit, publish and
archive that institution's modules and approve its agreements; a regional coordinator reads the
drafts and dashboards of the institutions in their region, and drafts, proposes and approves
agreements for them; everyone sees published content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from catalogue.errors import NotAuthenticated, PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The permissions of whoever makes a request, resolved once per request."""

    user_id: int | None = None
    name: str = ""
    is_administrator: bool = False
    editor_of: frozenset[int] = field(default_factory=frozenset)
    coordinator_of: frozenset[int] = field(default_factory=frozenset)
    # How the actor reached us: web, api or cli (recorded in the audit trail).
    via: str = "web"

    @property
    def is_anonymous(self) -> bool:
        """Nobody logged in. Actors without an account but with roles (the command line, the
        seed loader acting for an institution) are not anonymous."""
        return self.user_id is None and not (
            self.is_administrator or self.editor_of or self.coordinator_of
        )


ANONYMOUS = Actor()
SYSTEM = Actor(name="system", is_administrator=True, via="cli")


def can_edit_institution(actor: Actor, institution_id: int) -> bool:
    """Whether the actor may change the modules and agreements of this institution."""
    return actor.is_administrator or institution_id in actor.editor_of


def can_read_institution_internals(actor: Actor, institution_id: int, region_id: int) -> bool:
    """Whether the actor may see drafts, dashboards and the audit trail of this institution."""
    return can_edit_institution(actor, institution_id) or region_id in actor.coordinator_of


def acts_for_party(actor: Actor, institution_id: int, region_id: int | None) -> bool:
    """Whether the actor decides on agreements for this institution: its editors and the
    coordinator of its region (an administrator does not decide for another institution)."""
    return institution_id in actor.editor_of or region_id in actor.coordinator_of


def can_draft_for(actor: Actor, institution_id: int, region_id: int | None) -> bool:
    """Whether the actor may draft, change, propose or end agreements with this institution
    as a party: those who decide for it, and administrators."""
    return actor.is_administrator or acts_for_party(actor, institution_id, region_id)


def can_view_module(actor: Actor, module) -> bool:
    """Whether the actor may see this module at all (published modules are public)."""
    if module.status == "published":
        return True
    return can_read_institution_internals(
        actor, module.institution_id, module.institution.region_id
    )


def require_edit_institution(actor: Actor, institution_id: int) -> None:
    """Refuse unless the actor may change this institution's data."""
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    if not can_edit_institution(actor, institution_id):
        raise PermissionDenied(_("You may only change the data of your own institution."))


def require_register_reuse(actor: Actor, institution_id: int, region_id: int) -> None:
    """Refuse unless the actor may register reuse for this institution: its editors and the
    coordinators of its region (and administrators)."""
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    if not can_read_institution_internals(actor, institution_id, region_id):
        raise PermissionDenied(
            _("Only the institution's editors and its region's coordinators register its reuse.")
        )


def require_administrator(actor: Actor) -> None:
    """Refuse unless the actor is an administrator."""
    if actor.is_anonymous:
        raise NotAuthenticated(_("Log in to make changes."))
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators may do this."))
