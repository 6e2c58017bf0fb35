"""Import templates: an XLSX workbook or a zip of CSV files, in Dutch or English.

Each holds the four sheets with their headers, a sheet of allowed values (from the same
vocabularies the forms use), and the institution's current modules and runs, so that a template
downloaded, changed and uploaded again changes exactly what was edited. CSV cells pass through
catalogue.csv_safety; XLSX cells are written as text, never as formulas.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from catalogue.csv_safety import csv_text
from catalogue.imports.layout import (
    BOOLEAN,
    CODES,
    LAYOUTS,
    LINES,
    RUNS,
    Column,
    SheetLayout,
    allowed_values,
)
from catalogue.modules.content import working_content
from catalogue.modules.models import Module

VALUES_SHEET = {"en": "allowed values", "nl": "toegestane waarden"}


def _module_rows(modules: list[Module]) -> dict[str, list[dict[str, Any]]]:
    """The modules' working content as rows of each sheet."""
    rows: dict[str, list[dict[str, Any]]] = {layout.kind: [] for layout in LAYOUTS}
    for module in modules:
        content = working_content(module)
        flat = {k: v for k, v in content.items() if k not in ("units", "materials")}
        rows["modules"].append(_flatten(flat))
        for unit in content["units"]:
            rows["units"].append({"module_code": content["code"], **_flatten(unit)})
        for material in content["materials"]:
            rows["materials"].append({"module_code": content["code"], **material})
        for offering in module.offerings:
            run = {c.key: getattr(offering, c.key, None) for c in RUNS.columns}
            rows["runs"].append({**run, "module_code": content["code"]})
    return rows


def _flatten(content: dict[str, Any]) -> dict[str, Any]:
    """Content with its study load as two columns, its translated texts as columns (title_en)."""
    load = content.get("study_load") or {}
    translated = {
        f"{name}_{language}": value
        for language, texts in (content.get("translations") or {}).items()
        for name, value in texts.items()
    }
    return {
        **content,
        "study_load_value": load.get("value"),
        "study_load_unit": load.get("unit"),
        **translated,
    }


def _cell(column: Column, value: Any, language: str, *, text_numbers: bool) -> Any:
    """A value as a spreadsheet cell: lists joined, yes/no, numbers in the language's style."""
    if value is None:
        return ""
    if column.kind == CODES:
        return ", ".join(value)
    if column.kind == LINES:
        return "\n".join(value)
    if column.kind == BOOLEAN:
        with force_locale(language):
            return _("yes") if value else _("no")
    if isinstance(value, float | Decimal | int) and not isinstance(value, bool):
        if not text_numbers:
            return float(value) if isinstance(value, Decimal) else value
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return text.replace(".", ",") if language == "nl" else text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _sheet_rows(layout: SheetLayout, rows, language: str, *, text_numbers: bool) -> list[list]:
    """A sheet's header and rows as cells."""
    header = [column.header(language) for column in layout.columns]
    body = [
        [_cell(c, row.get(c.key), language, text_numbers=text_numbers) for c in layout.columns]
        for row in rows
    ]
    return [header, *body]


def _values_rows(language: str) -> list[list[str]]:
    """Sheet, column and allowed values of every column that takes codes."""
    with force_locale(language):
        rows = [[_("sheet"), _("column"), _("allowed values")]]
        for layout in LAYOUTS:
            for column in layout.columns:
                if column.vocabulary is not None:
                    rows.append(
                        [
                            layout.name(language),
                            column.header(language),
                            allowed_values(column, language),
                        ]
                    )
    return rows


def csv_template(modules: list[Module], language: str) -> bytes:
    """A zip with one CSV file per sheet (semicolons and decimal commas in Dutch)."""
    delimiter = ";" if language == "nl" else ","
    rows = _module_rows(modules)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for layout in LAYOUTS:
            lines = _sheet_rows(layout, rows[layout.kind], language, text_numbers=True)
            text = csv_text(lines, delimiter=delimiter)
            archive.writestr(f"{layout.name(language)}.csv", "\ufeff" + text)
        text = csv_text(_values_rows(language), delimiter=delimiter)
        archive.writestr(f"{VALUES_SHEET[language]}.csv", "\ufeff" + text)
    return out.getvalue()


def xlsx_template(modules: list[Module], language: str) -> bytes:
    """An XLSX workbook with the four sheets, drop-down lists of codes and the allowed values."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = _module_rows(modules)
    book = Workbook()
    book.remove(book.active)
    for layout in LAYOUTS:
        sheet = book.create_sheet(layout.name(language))
        for values in _sheet_rows(layout, rows[layout.kind], language, text_numbers=False):
            sheet.append(values)
        for cell in (c for line in sheet.iter_rows() for c in line):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "="
        for index, column in enumerate(layout.columns, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 18
            if column.vocabulary is not None and column.kind != CODES:
                codes = ",".join(column.vocabulary.values())
                rule = DataValidation(type="list", formula1=f'"{codes}"', allow_blank=True)
                letter = sheet.cell(1, index).column_letter
                rule.add(f"{letter}2:{letter}5000")
                sheet.add_data_validation(rule)
    values = book.create_sheet(VALUES_SHEET[language])
    for line in _values_rows(language):
        values.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
