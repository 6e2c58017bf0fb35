"""Importing participation records: preview what a file would change, then commit it whole.

The same code serves the web upload, the API and the command line: read and check every row
(imports.py), match the rows with the institution's runs and with what is stored, report what
would be created, updated or left unchanged and every error, and only when there is no error and
no dry run write it all in one transaction with one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, require_edit_institution
from catalogue.audit.services import record_event
from catalogue.db import write_transaction
from catalogue.errors import NotFound
from catalogue.institutions.models import Institution
from catalogue.modules.models import Module, Offering
from catalogue.monitoring.imports import CheckedRow, CheckedTable, RowError
from catalogue.monitoring.models import MonitoredPerson, Participation

_COMPARED = ("target_group", "category", "status", "enrolled_on", "started_on", "ended_on")
_CHUNK = 500


@dataclass
class ImportReport:
    """What an import would do (or did): counts, and every error with row and column."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    rows: list[CheckedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the rows can be committed."""
        return not self.errors


def _runs_of(session: Session, institution_id: int) -> tuple[set[str], dict[tuple, int]]:
    """The institution's module codes, and its runs by (module code, run code), lower case."""
    modules = session.scalars(select(Module.code).where(Module.institution_id == institution_id))
    runs = session.execute(
        select(Module.code, Offering.code, Offering.id)
        .join(Offering, Offering.module_id == Module.id)
        .where(Module.institution_id == institution_id)
    )
    return {m.lower() for m in modules}, {(m.lower(), r.lower()): i for m, r, i in runs}


def _people(session: Session, pseudonyms: list[str]) -> dict[str, int]:
    """The stored people among these pseudonyms, by pseudonym."""
    found: dict[str, int] = {}
    for start in range(0, len(pseudonyms), _CHUNK):
        chunk = pseudonyms[start : start + _CHUNK]
        rows = session.execute(
            select(MonitoredPerson.pseudonym, MonitoredPerson.id).where(
                MonitoredPerson.pseudonym.in_(chunk)
            )
        )
        found.update(dict(rows.all()))
    return found


def _stored(session: Session, offering_ids: set[int]) -> dict[tuple[int, int], Participation]:
    """The stored participations in these runs, by (run, person)."""
    found: dict[tuple[int, int], Participation] = {}
    ids = sorted(offering_ids)
    for start in range(0, len(ids), _CHUNK):
        statement = select(Participation).where(
            Participation.offering_id.in_(ids[start : start + _CHUNK])
        )
        found.update({(p.offering_id, p.person_id): p for p in session.scalars(statement)})
    return found


def _match_runs(
    session: Session, institution_id: int, rows: list[CheckedRow], headers: dict[str, str]
) -> tuple[list[tuple[CheckedRow, int]], list[RowError]]:
    """Each row with its run's id; rows naming no run of the institution become errors."""
    modules, runs = _runs_of(session, institution_id)
    matched, errors = [], []
    for row in rows:
        run_id = runs.get((row.module_code.lower(), row.run_code.lower()))
        if run_id is not None:
            matched.append((row, run_id))
        elif row.module_code.lower() not in modules:
            column = headers.get("module_code", "module_code")
            errors.append(RowError(row.row, column, _("Your institution has no such module.")))
        else:
            column = headers.get("run_code", "run_code")
            errors.append(RowError(row.row, column, _("This module has no run with this code.")))
    return matched, errors


def _plan(session, institution_id, rows, headers) -> tuple[ImportReport, list, dict, dict]:
    """Compare the rows with what is stored: the report and what writing would need."""
    report = ImportReport(rows=rows)
    matched, report.errors = _match_runs(session, institution_id, rows, headers)
    people = _people(session, sorted({row.pseudonym for row, _ in matched}))
    stored = _stored(session, {run_id for _, run_id in matched})
    for row, run_id in matched:
        existing = stored.get((run_id, people.get(row.pseudonym, -1)))
        if existing is None:
            report.created += 1
        elif any(getattr(existing, name) != getattr(row, name) for name in _COMPARED):
            report.updated += 1
        else:
            report.unchanged += 1
    return report, matched, people, stored


def import_participations(
    *,
    session: Session,
    actor: Actor,
    institution_id: int,
    checked: CheckedTable,
    dry_run: bool,
    demo: bool = False,
) -> ImportReport:
    """Match checked participation rows with one institution's runs; write them all when every
    row is good and this is no dry run, else write nothing."""
    require_edit_institution(actor, institution_id)
    if session.get(Institution, institution_id) is None:
        raise NotFound(_("No such institution."))
    report, matched, people, stored = _plan(session, institution_id, checked.rows, checked.headers)
    report.errors = sorted(checked.errors + report.errors, key=lambda e: (e.row, e.column))
    report.dry_run = dry_run
    if report.errors or dry_run or not (report.created or report.updated):
        return report
    with write_transaction(session):
        require_edit_institution(actor, institution_id)
        _write(session, matched, people, stored, demo=demo)
        record_event(
            session,
            actor,
            action="participations_imported",
            entity_type="institution",
            entity_id=institution_id,
            institution_id=institution_id,
            summary=f"{report.created} created, {report.updated} updated",
            details={k: getattr(report, k) for k in ("created", "updated", "unchanged")},
        )
    report.committed = True
    return report


def _write(session, matched, people: dict[str, int], stored, *, demo: bool) -> None:
    """Create the missing people, then create or update each participation."""
    new_people = [
        MonitoredPerson(pseudonym=p)
        for p in sorted({r.pseudonym for r, _ in matched} - people.keys())
    ]
    session.add_all(new_people)
    session.flush()
    people.update({person.pseudonym: person.id for person in new_people})
    for row, run_id in matched:
        values: dict[str, Any] = {name: getattr(row, name) for name in _COMPARED}
        existing = stored.get((run_id, people[row.pseudonym]))
        if existing is None:
            session.add(
                Participation(
                    offering_id=run_id, person_id=people[row.pseudonym], is_demo=demo, **values
                )
            )
        elif any(getattr(existing, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(existing, name, value)
