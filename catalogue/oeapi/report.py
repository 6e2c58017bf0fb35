"""What a harvest found and did: per course, and the culprits that stopped it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogue.errors import CatalogueError


@dataclass(frozen=True)
class Culprit:
    """An object that stopped the harvest: its id (or URL), the JSON path of the cause, why."""

    object_id: str
    path: str
    reason: str
    url: str = ""

    def __str__(self) -> str:
        where = f" (from {self.url})" if self.url and self.url != self.object_id else ""
        return f"{self.object_id} at {self.path}: {self.reason}{where}"


@dataclass
class CourseOutcome:
    """What the harvest does with one course: create, update, or leave it unchanged."""

    course_id: str
    code: str
    title: str
    action: str
    changes: list[str] = field(default_factory=list)
    runs_created: int = 0
    runs_updated: int = 0
    notes: list[str] = field(default_factory=list)


# The counts of a harvest's summary, in the order the audit trail and the command line show them.
SUMMARY_COUNTS = ("created", "updated", "unchanged", "rejected", "runs_created", "runs_updated")


@dataclass
class HarvestReport:
    """The outcome of one harvest (or of its dry run)."""

    url: str
    institution: str
    dry_run: bool
    publish: bool
    outcomes: list[CourseOutcome] = field(default_factory=list)
    culprits: list[Culprit] = field(default_factory=list)

    def count(self, action: str) -> int:
        """How many courses get this action."""
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def rejected(self) -> int:
        """Objects refused (the harvest then writes nothing)."""
        return len({c.object_id for c in self.culprits})

    @property
    def runs_created(self) -> int:
        return sum(o.runs_created for o in self.outcomes)

    @property
    def runs_updated(self) -> int:
        return sum(o.runs_updated for o in self.outcomes)

    def summary(self) -> dict[str, Any]:
        """The counts, as the audit trail and the command line show them."""
        return {name: getattr(self, name) for name in SUMMARY_COUNTS}


class HarvestFailed(CatalogueError):
    """The harvest stopped before writing anything; the report names every culprit."""

    status_code = 422

    def __init__(self, message: str, report: HarvestReport):
        super().__init__(message, details={"culprits": [str(c) for c in report.culprits]})
        self.report = report
