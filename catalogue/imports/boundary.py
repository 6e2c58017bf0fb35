"""The boundary of an import: spreadsheet rows validated by the forms' and the API's schemas.

This is the one module of catalogue.imports that uses `schemas`: it turns the sheets of a file
into module contents (`ModuleContentSchema`, with their learning units and material) and runs
(`OfferingSchema`), and maps every validation message back to its sheet, row and column. The
web page, the API and the `catalogue import` command call it; the domain services then plan
and apply what it returns.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError

from catalogue.errors import flatten_errors
from catalogue.imports.layout import (
    LAYOUTS,
    CellError,
    CellProblem,
    layout_for,
    map_headers,
    read_cell,
    sheet_language,
)
from catalogue.imports.services import ImportInput, ModuleRow, RunRow
from catalogue.imports.sheets import Sheet, column_letter, read_spreadsheet
from catalogue.imports.templates import VALUES_SHEET
from schemas.modules import ModuleContentSchema, OfferingSchema

_content_schema = ModuleContentSchema()
TRANSLATED_KEY = r"(title|summary|description|learning_outcomes)_(en|nl)"
_offering_schema = OfferingSchema()


@dataclass
class ParsedRow:
    """One data row: its values by field, where each field's column is, which cells failed."""

    sheet: str
    row: int
    values: dict[str, Any]
    where: dict[str, str]
    bad: set[str] = field(default_factory=set)

    def problem(self, key: str | None, message: str) -> CellProblem:
        """A problem in this row, in the column of field `key`."""
        return CellProblem(self.sheet, self.row, self.where.get(key or "", None), message)


def _parse_sheet(sheet: Sheet, problems: list[CellProblem]) -> tuple[str, list[ParsedRow]] | None:
    """The rows of one sheet with their cells read; problems go to `problems`."""
    layout = layout_for(sheet)
    if layout is None:
        names = ", ".join(f"{lay.en} / {lay.nl}" for lay in LAYOUTS)
        message = _("This sheet is not one the catalogue reads (%(names)s).", names=names)
        problems.append(CellProblem(sheet.name, None, None, message))
        return None
    mapping, header_problems = map_headers(sheet, layout)
    problems.extend(header_problems)
    if header_problems:
        return layout.kind, []
    language = sheet_language(sheet, layout)
    parsed = []
    for number, cells in sheet.rows:
        row = ParsedRow(sheet.name, number, {}, {})
        for index, column in mapping.items():
            row.where[column.key] = f"{column_letter(index)} ({sheet.headers[index]})"
            raw = cells[index] if index < len(cells) else None
            try:
                value = read_cell(column, raw, language)
            except CellError as exc:
                problems.append(row.problem(column.key, str(exc)))
                row.bad.add(column.key)
                continue
            if value in (None, "", []):
                if column.required:
                    problems.append(row.problem(column.key, _("Fill in this field.")))
                    row.bad.add(column.key)
                continue
            row.values[column.key] = value
        parsed.append(row)
    return layout.kind, parsed


def _with_study_load(values: dict[str, Any]) -> dict[str, Any]:
    """Row values in the schemas' shape: the study load as one nested field, translated texts
    (title_en) as translations ({"en": {"title": ...}})."""
    raw = {k: v for k, v in values.items() if k not in ("study_load_value", "study_load_unit")}
    translations: dict[str, dict[str, Any]] = {}
    for key in [k for k in raw if re.fullmatch(TRANSLATED_KEY, k)]:
        name, language = key.rsplit("_", 1)
        translations.setdefault(language, {})[name] = raw.pop(key)
    if translations:
        raw["translations"] = translations
    raw["study_load"] = {
        k: values[f"study_load_{k}"] for k in ("value", "unit") if f"study_load_{k}" in values
    }
    raw.pop("module_code", None)
    return raw


def _field_of(path: str) -> str:
    """The column key of a field path ("study_load.value" → study_load_value, "x[0]" → x,
    "translations.en.title" → title_en)."""
    translated = re.match(r"^translations\.(\w+)\.(\w+)", path)
    if translated:
        return f"{translated.group(2)}_{translated.group(1)}"
    path = path.replace(".", "_") if path.startswith("study_load") else path
    return path.split("[", 1)[0].split(".", 1)[0]


def _report(errors: dict, owners: dict[str, tuple[ParsedRow, list[ParsedRow]]], problems) -> None:
    """Turn a schema's error dict into problems at the rows and columns they concern."""
    for path, message in flatten_errors(errors):
        row, rest = owners["module"][0], path
        for part in ("units", "materials"):
            if path.startswith(part + "["):
                index, rest = path[len(part) + 1 :].split("]", 1)
                row = owners[part][1][int(index)]
                rest = rest.lstrip(".")
        key = _field_of(rest)
        if key in row.bad:
            continue
        if key == "_schema" or key not in row.where:
            problems.append(row.problem(None, f"{rest}: {message}" if rest else message))
        else:
            problems.append(row.problem(key, message))


def _modules(parsed: dict[str, list[ParsedRow]], given: ImportInput) -> None:
    """Validate every module with its units and material into `given`."""
    children: dict[str, dict[str, list[ParsedRow]]] = {
        "units": defaultdict(list),
        "materials": defaultdict(list),
    }
    for part, grouped in children.items():
        for row in parsed.get(part, []):
            grouped[str(row.values.get("module_code", "")).lower()].append(row)
    problems = given.problems
    for row in parsed.get("modules", []):
        code = str(row.values.get("code", "")).lower()
        given.failed_modules.add(code)
        units, materials = children["units"].pop(code, []), children["materials"].pop(code, [])
        raw = _with_study_load(row.values)
        raw["units"] = [_with_study_load(u.values) for u in units]
        raw["materials"] = [_with_study_load(m.values) for m in materials]
        for material in raw["materials"]:
            material.pop("study_load")
        try:
            content = _content_schema.dump(_content_schema.load(raw))
        except ValidationError as exc:
            owners = {"module": (row, []), "units": (row, units), "materials": (row, materials)}
            _report(exc.messages, owners, problems)
            continue
        if not (row.bad or any(child.bad for child in units + materials)):
            present = {"module": _fields_given([row])}
            present |= {
                part: _fields_given(rows) for part, rows in _parts(units, materials, parsed)
            }
            given.modules.append(ModuleRow(row.sheet, row.row, content, present))
            given.failed_modules.discard(code)
    for grouped in children.values():
        for code, rows in grouped.items():
            for row in rows:
                if "module_code" in row.bad:
                    continue
                message = _(
                    "Module %(code)s is not in the modules sheet: learning units and material "
                    "are imported together with their module.",
                    code=row.values.get("module_code", code),
                )
                problems.append(row.problem("module_code", message))


def _fields_given(rows: list[ParsedRow]) -> frozenset[str]:
    """The content fields the sheet of these rows has columns for."""
    keys = {"study_load" if k.startswith("study_load_") else k for r in rows for k in r.where}
    return frozenset(keys - {"module_code"})


def _parts(units, materials, parsed):
    """(part, its rows of one module) for the parts the file has a sheet for."""
    return [
        (part, rows)
        for part, rows in (("units", units), ("materials", materials))
        if part in parsed
    ]


def _runs(parsed: dict[str, list[ParsedRow]], given: ImportInput) -> None:
    """Validate every run into `given`."""
    for row in parsed.get("runs", []):
        raw = {k: v for k, v in row.values.items() if k != "module_code"}
        try:
            data = _offering_schema.load(raw)
        except ValidationError as exc:
            owners = {"module": (row, [])}
            _report(exc.messages, owners, given.problems)
            continue
        if not row.bad:
            where = row.where.get("module_code", "module_code")
            run = RunRow(row.sheet, row.row, row.values["module_code"], data, where)
            run.given = _fields_given([row])
            given.runs.append(run)


def read_import(data: bytes, filename: str) -> ImportInput:
    """Read and validate an uploaded file; SpreadsheetError when it cannot be read at all."""
    problems: list[CellProblem] = []
    parsed: dict[str, list[ParsedRow]] = {}
    sheets: dict[str, str] = {}
    for sheet in read_spreadsheet(data, filename):
        if sheet.name.strip().lower() in VALUES_SHEET.values():
            continue  # the templates' list of allowed values
        result = _parse_sheet(sheet, problems)
        if result is None:
            continue
        kind, rows = result
        if kind in sheets:
            message = _(
                "Sheets %(a)s and %(b)s hold the same kind of rows.", a=sheets[kind], b=sheet.name
            )
            problems.append(CellProblem(sheet.name, None, None, message))
            continue
        sheets[kind] = sheet.name
        parsed[kind] = rows
    if not parsed.get("modules") and not parsed.get("runs") and not problems:
        problems.append(CellProblem(filename, None, None, _("The file holds no modules or runs.")))
    given = ImportInput(problems=problems)
    _modules(parsed, given)
    _runs(parsed, given)
    # Problems in the order a person reads the file: sheet by sheet, row by row.
    order = {name: index for index, name in enumerate(sheets.values())}
    given.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row or 0))
    return given
