"""Planning and applying an import: which rows create, update or leave modules and runs alone,
and writing them all in one transaction through the module services.

Rows arrive validated (see catalogue.imports.boundary). Modules are matched by code within the
institution, runs by module code and run code, so importing the same file twice changes nothing
the second time, and a changed cell makes exactly one new draft (or, when publishing, one new
published version) of its module. A module in the file gets exactly the learning units and
material the file gives it; modules and runs the file does not name are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlmodel import Session

from catalogue.accounts.permissions import Actor, require_edit_institution
from catalogue.db import write_transaction
from catalogue.errors import InvalidInput, NotFound
from catalogue.imports.layout import RUN_FIELDS, CellProblem
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.content import diff_content, working_content
from catalogue.modules.models import Module
from catalogue.modules.services import whole_module_options

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class ModuleRow:
    """A validated module of the file, with its units and material, and where it stands."""

    sheet: str
    row: int
    content: dict[str, Any]
    # What the file gives, by part ("module", "units", "materials"): the fields its sheets
    # have columns for. A part the file has no sheet for is left out.
    given: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The module's code."""
        return self.content["code"]


@dataclass
class RunRow:
    """A validated run of the file and the module code it belongs to."""

    sheet: str
    row: int
    module_code: str
    data: dict[str, Any]
    module_column: str = "module_code"
    # The fields the runs sheet has columns for.
    given: frozenset[str] = frozenset(RUN_FIELDS)

    @property
    def code(self) -> str:
        """The run's code."""
        return self.data["code"]


@dataclass
class ImportInput:
    """What the boundary read from a file: valid rows and every problem found."""

    modules: list[ModuleRow] = field(default_factory=list)
    runs: list[RunRow] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    # Codes of modules in the file whose rows have problems (their runs are not planned).
    failed_modules: set[str] = field(default_factory=set)


@dataclass
class PlannedRow:
    """What importing one row would do: create, update (with the changed fields) or nothing."""

    kind: str
    sheet: str
    row: int
    code: str
    action: str
    changes: list[str] = field(default_factory=list)
    module_id: int | None = None
    target_id: int | None = None
    module_code: str = ""
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    """The preview of an import: one planned row per module and run, and every problem."""

    institution_id: int
    rows: list[PlannedRow]
    problems: list[CellProblem]

    @property
    def ok(self) -> bool:
        """Whether the import may be applied (no problems at all)."""
        return not self.problems

    def count(self, action: str) -> int:
        """How many rows would be created, updated or left unchanged."""
        return sum(1 for row in self.rows if row.action == action)


def _institution_modules(session: Session, institution_id: int) -> dict[str, Module]:
    """The institution's modules by lower-case code, with what a diff needs."""
    modules = session.scalars(
        select(Module)
        .where(Module.institution_id == institution_id)
        .options(*whole_module_options())
    )
    return {module.code.lower(): module for module in modules}


def _plan_module(row: ModuleRow, existing: Module | None) -> PlannedRow:
    """What importing one module row would do."""
    planned = PlannedRow("module", row.sheet, row.row, row.code, CREATE, values=row.content)
    if existing is not None:
        current = working_content(existing)
        planned.values = completed_content(row.content, row.given, current)
        changes = [c.path for c in diff_content(current, planned.values)]
        planned.action = UPDATE if changes else UNCHANGED
        planned.changes, planned.module_id = changes, existing.id
    return planned


def completed_content(
    content: dict[str, Any], given: dict[str, frozenset[str]], current: dict[str, Any]
) -> dict[str, Any]:
    """A module's content from a file, with what the file has no column or sheet for taken
    from the module as it is: its fields, and those of the units (matched by code) and
    material (matched by URL) it already has."""
    parts = (("units", "code"), ("materials", "url"))
    module = given.get("module", frozenset(content))
    merged = {k: v if k in module else current[k] for k, v in content.items()}
    for part, key in parts:
        if part not in given:
            merged[part] = current[part]
            continue
        existing = {item[key]: item for item in current[part]}
        merged[part] = [
            {
                k: v if k in given[part] or item[key] not in existing else existing[item[key]][k]
                for k, v in item.items()
            }
            for item in content[part]
        ]
    return merged


def _plan_run(row: RunRow, module: Module | None) -> PlannedRow:
    """What importing one run row would do."""
    planned = PlannedRow("run", row.sheet, row.row, row.code, CREATE, values=row.data)
    planned.module_id = module.id if module else None
    planned.module_code = row.module_code
    current = next(
        (o for o in (module.offerings if module else []) if o.code.lower() == row.code.lower()),
        None,
    )
    if current is not None:
        planned.values = {
            k: v if k in row.given or k not in RUN_FIELDS else getattr(current, k)
            for k, v in row.data.items()
        }
        changes = [name for name in RUN_FIELDS if getattr(current, name) != planned.values[name]]
        planned.action = UPDATE if changes else UNCHANGED
        planned.changes, planned.target_id = changes, current.id
    return planned


def plan_import(
    *, session: Session, actor: Actor, institution_id: int, given: ImportInput
) -> ImportPlan:
    """What importing the rows into an institution would do, and what stands in the way."""
    require_edit_institution(actor, institution_id)
    if session.get(Institution, institution_id) is None:
        raise NotFound(_("No such institution."))
    existing = _institution_modules(session, institution_id)
    problems = list(given.problems)
    rows, seen = [], {}
    for row in given.modules:
        if row.code.lower() in seen:
            problems.append(_duplicate(row, seen[row.code.lower()]))
            continue
        seen[row.code.lower()] = row.row
        rows.append(_plan_module(row, existing.get(row.code.lower())))
    seen_runs: dict[tuple[str, str], int] = {}
    for row in given.runs:
        key = (row.module_code.lower(), row.code.lower())
        if key in seen_runs:
            problems.append(_duplicate(row, seen_runs[key]))
            continue
        seen_runs[key] = row.row
        module = existing.get(key[0])
        if key[0] in given.failed_modules:
            continue
        if module is None and key[0] not in seen:
            message = _(
                "No module with code %(code)s in this file or in the catalogue.",
                code=row.module_code,
            )
            problems.append(CellProblem(row.sheet, row.row, row.module_column, message))
            continue
        rows.append(_plan_run(row, module))
    session.rollback()
    return ImportPlan(institution_id, rows, problems)


def _duplicate(row, first_row: int) -> CellProblem:
    """A problem for a code that an earlier row of the sheet already has."""
    message = _("Code %(code)s is also in row %(first)s.", code=row.code, first=first_row)
    return CellProblem(row.sheet, row.row, "code", message)


@dataclass
class ImportResult:
    """What an applied import did, or with `dry_run` what it would do: its counts, and what
    it does with each module and run."""

    rows: list[PlannedRow] = field(default_factory=list)
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0


def _applicable(plan: ImportPlan) -> None:
    """Refuse a plan with problems: an import writes all its rows or none."""
    if not plan.ok:
        raise InvalidInput(
            _("The file has problems; nothing was imported."),
            fields={"file": [str(problem) for problem in plan.problems]},
        )


def preview_import(plan: ImportPlan) -> ImportResult:
    """What applying a plan without problems would do, writing nothing."""
    _applicable(plan)
    return ImportResult(
        rows=plan.rows,
        dry_run=True,
        created=plan.count(CREATE),
        updated=plan.count(UPDATE),
        unchanged=plan.count(UNCHANGED),
    )


def apply_import(
    *,
    session: Session,
    actor: Actor,
    plan: ImportPlan,
    publish: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Apply a plan without problems in one transaction; all rows or none are written."""
    _applicable(plan)
    result = ImportResult(rows=plan.rows)
    module_ids: dict[str, int] = {}
    with write_transaction(session):
        for planned in plan.rows:
            if planned.kind == "module":
                module_ids[planned.code.lower()] = _apply_module(
                    session, actor, plan, planned, publish, result
                )
            else:
                module_id = planned.module_id or module_ids[planned.module_code.lower()]
                _apply_run(session, actor, planned, module_id, result)
            if progress:
                progress(1)
    return result


def _apply_module(session, actor, plan, planned: PlannedRow, publish: bool, result) -> int:
    """Create or update one module (and publish it when asked); returns its id."""
    if planned.action == UNCHANGED:
        result.unchanged += 1
        module = session.get(Module, planned.module_id)
    elif planned.action == CREATE:
        module = editing.create_module(
            session=session,
            actor=actor,
            institution_id=plan.institution_id,
            content=planned.values,
        )
        result.created += 1
    else:
        module = editing.update_module(
            session=session,
            actor=actor,
            module_id=planned.module_id,
            content=planned.values,
            base_version=None,
        )
        result.updated += 1
    # Publishing makes the catalogue show what the file says, also for a draft made earlier.
    pending = module.draft_content is not None or module.current_version == 0
    if publish and pending:
        editing.publish_module(session=session, actor=actor, module_id=module.id)
        result.published += 1
    return module.id


def _apply_run(session, actor, planned: PlannedRow, module_id: int, result) -> None:
    """Create or update one run."""
    data = planned.values
    if planned.action == UNCHANGED:
        result.unchanged += 1
    elif planned.action == CREATE:
        editing.create_offering(session=session, actor=actor, module_id=module_id, data=data)
        result.created += 1
    else:
        editing.update_offering(
            session=session,
            actor=actor,
            offering_id=planned.target_id,
            data=data,
            base_version=None,
        )
        result.updated += 1
