"""Every table of the catalogue, imported in one place so the metadata is complete."""

from sqlmodel import SQLModel

from catalogue.accounts.models import ApiToken, Membership, User
from catalogue.audit.models import AuditEvent
from catalogue.institutions.models import Institution, Region, RegionTarget
from catalogue.modules.models import (
    LearningUnit,
    Material,
    Module,
    ModuleTag,
    ModuleVersion,
    Offering,
)
from catalogue.monitoring.models import MonitoredPerson, Participation
from catalogue.recognition.models import (
    Agreement,
    AgreementApproval,
    AgreementItem,
    AgreementParty,
    AgreementRevision,
)
from catalogue.search.models import OutboxEntry, OutboxHorizon

metadata = SQLModel.metadata

__all__ = [
    "Agreement",
    "AgreementApproval",
    "AgreementItem",
    "AgreementParty",
    "AgreementRevision",
    "ApiToken",
    "AuditEvent",
    "Institution",
    "LearningUnit",
    "Material",
    "Membership",
    "Module",
    "ModuleTag",
    "ModuleVersion",
    "MonitoredPerson",
    "Offering",
    "OutboxEntry",
    "OutboxHorizon",
    "Participation",
    "Region",
    "RegionTarget",
    "User",
    "metadata",
]
