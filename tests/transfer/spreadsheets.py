"""Spreadsheets for import tests: rows as a person would type them, written as XLSX or CSV."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

MODULE_HEADERS = [
    "code",
    "title",
    "summary",
    "sector",
    "level",
    "study load",
    "study load unit",
    "competencies",
    "languages",
    "delivery modes",
    "learning outcomes",
]
UNIT_HEADERS = [
    "module code",
    "code",
    "title",
    "study load",
    "study load unit",
    "type",
]
MATERIAL_HEADERS = ["module code", "title", "URL", "type", "language", "licence", "unit code"]
RUN_HEADERS = [
    "module code",
    "code",
    "start date",
    "end date",
    "city",
    "delivery mode",
    "language",
    "price (EUR)",
    "seats",
]


def module_row(code: str, title: str | None = None, **changes) -> list:
    """A module row in MODULE_HEADERS order."""
    row = {
        "code": code,
        "title": title or f"Imported module {code}",
        "summary": "Cleanroom basics for career switchers.",
        "sector": "mbo",
        "level": "mbo-3",
        "study load": 3,
        "study load unit": "ects",
        "competencies": "technology, digitalisation",
        "languages": "nld",
        "delivery modes": "on-campus",
        "learning outcomes": "Explains the ISO classes.\nWorks safely.",
    }
    row.update(changes)
    return [row[h] for h in MODULE_HEADERS]


def unit_row(module_code: str, code: str) -> list:
    """A learning unit row."""
    return [module_code, code, f"Unit {code}", 28, "sbu", "practical"]


def material_row(module_code: str, unit_code: str = "") -> list:
    """A material row."""
    return [
        module_code,
        "Reader cleanroom basics",
        "https://example.org/reader.pdf",
        "text",
        "nld",
        "cc-by-40",
        unit_code,
    ]


def run_row(module_code: str, code: str = "2027-02", **changes) -> list:
    """A run row."""
    row = {
        "module code": module_code,
        "code": code,
        "start date": "2027-02-01",
        "end date": "2027-06-30",
        "city": "Eindhoven",
        "delivery mode": "on-campus",
        "language": "nld",
        "price (EUR)": "1.250,50",
        "seats": 16,
    }
    row.update(changes)
    return [row[h] for h in RUN_HEADERS]


def standard_sheets(codes=("IMP-1", "IMP-2")) -> dict[str, list[list]]:
    """Modules with a unit, material and a run each."""
    return {
        "modules": [list(MODULE_HEADERS), *(module_row(c) for c in codes)],
        "learning units": [list(UNIT_HEADERS), *(unit_row(c, f"{c}-U1") for c in codes)],
        "materials": [list(MATERIAL_HEADERS), *(material_row(c, f"{c}-U1") for c in codes)],
        "runs": [list(RUN_HEADERS), *(run_row(c) for c in codes)],
    }


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An XLSX workbook with these sheets."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ",", bom: bool = False) -> bytes:
    """One CSV file (rows written plainly, as a spreadsheet program would)."""
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def csv_zip(sheets: dict[str, list[list]], **options) -> bytes:
    """A zip with one CSV file per sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, rows in sheets.items():
            archive.writestr(f"{name}.csv", csv_bytes(rows, **options))
    return out.getvalue()


def with_cell_xml(data: bytes, sheet_number: int, cell: str, new_xml: str) -> bytes:
    """An XLSX file with one cell's XML replaced (to make formulas, with or without a value)."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == f"xl/worksheets/sheet{sheet_number}.xml":
                pattern = rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)'
                content = re.sub(pattern.encode(), new_xml.encode(), content, count=1)
            target.writestr(info, content)
    return out.getvalue()


def large_sheets(modules: int) -> dict[str, list[list]]:
    """`modules` modules with a unit, material and a run each: four data rows per module."""
    return standard_sheets(tuple(f"BULK-{n:05d}" for n in range(1, modules + 1)))


if __name__ == "__main__":  # write a large import file: python -m tests.transfer.spreadsheets
    import sys

    count, target = int(sys.argv[1]), sys.argv[2]
    data = xlsx(large_sheets(count)) if target.endswith(".xlsx") else csv_zip(large_sheets(count))
    with open(target, "wb") as out:
        out.write(data)
