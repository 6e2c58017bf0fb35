"""Reading spreadsheets: XLSX workbooks, CSV files and zips of CSV files, into plain rows.

What comes out is a list of `Sheet`s: a name, the header cells and the data rows with their
row numbers as the spreadsheet program shows them. Trouble that makes a whole file unreadable
(not a spreadsheet, merged cells, formulas without a saved value) raises `SpreadsheetError`
with a message a person can act on.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from flask_babel import gettext as _

from catalogue.csv_safety import restore_cell
from catalogue.errors import CatalogueError

MAX_ROWS = 50_000
MAX_BYTES = 50 * 1024 * 1024


class SpreadsheetError(CatalogueError):
    """The file cannot be read as a spreadsheet of the catalogue."""

    status_code = 422


@dataclass
class Sheet:
    """One sheet (or CSV file): its name, header cells and non-empty data rows."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a zero-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _blank(value: Any) -> bool:
    """Whether a cell is empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(name: str, raw_rows: list[list[Any]]) -> Sheet | None:
    """A sheet from its rows (header first); empty rows, trailing ones too, are left out."""
    numbered = [(n, row) for n, row in enumerate(raw_rows, start=1) if not all(map(_blank, row))]
    if not numbered:
        return None
    _first, headers = numbered[0]
    if len(numbered) - 1 > MAX_ROWS:
        raise SpreadsheetError(
            _("Sheet %(sheet)s has more than %(max)s rows.", sheet=name, max=MAX_ROWS)
        )
    headers = ["" if h is None else str(h).strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    return Sheet(name, headers, [(n, list(row)) for n, row in numbered[1:]])


def _decode(data: bytes, name: str) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(
                _("%(file)s is not a text file in UTF-8 or Windows-1252.", file=name)
            ) from exc


def read_csv(data: bytes, name: str) -> Sheet | None:
    """One CSV file; the separator (comma, semicolon or tab) is read from the header line."""
    text = _decode(data, name)
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise SpreadsheetError(_("%(file)s is not valid CSV: %(p)s.", file=name, p=exc)) from exc
    rows = [[restore_cell(cell) for cell in row] for row in rows]
    return _sheet(PurePosixPath(name).stem, rows)


def _read_csv_zip(archive: zipfile.ZipFile) -> list[Sheet]:
    """The sheets of a zip of CSV files, one per file."""
    sheets = []
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(".csv"):
            continue
        if info.file_size > MAX_BYTES:
            raise SpreadsheetError(_("%(file)s is too large.", file=info.filename))
        sheet = read_csv(archive.read(info), PurePosixPath(info.filename).name)
        if sheet is not None:
            sheets.append(sheet)
    if not sheets:
        raise SpreadsheetError(_("The zip file holds no CSV files."))
    return sheets


def _refuse_merged(worksheet) -> None:
    """Refuse a sheet with merged cells."""
    ranges = sorted(str(r) for r in worksheet.merged_cells.ranges)
    if ranges:
        raise SpreadsheetError(
            _(
                "Sheet %(sheet)s has merged cells (%(cells)s). Unmerge them and give every row "
                "its own value.",
                sheet=worksheet.title,
                cells=", ".join(ranges[:5]),
            )
        )


def _formula_cells(worksheet) -> list[str]:
    """The coordinates of the cells that hold formulas."""
    return [
        cell.coordinate for row in worksheet.iter_rows() for cell in row if cell.data_type == "f"
    ]


def read_xlsx(data: bytes) -> list[Sheet]:
    """Every sheet of an XLSX workbook.

    Merged cells are refused. Formulas are replaced by the value the spreadsheet program saved
    with them; a formula without a saved value (a file no program has calculated) is refused.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(_("The file is not a readable XLSX workbook.")) from exc
    formulas = {}
    for worksheet in book.worksheets:
        _refuse_merged(worksheet)
        formulas[worksheet.title] = _formula_cells(worksheet)
    values = book
    if any(formulas.values()):
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheets = []
    for worksheet in values.worksheets:
        for coordinate in formulas[worksheet.title]:
            if worksheet[coordinate].value is None:
                raise SpreadsheetError(
                    _(
                        "Sheet %(sheet)s, cell %(cell)s holds a formula without a saved value. "
                        "Open and save the file in a spreadsheet program, or type the value.",
                        sheet=worksheet.title,
                        cell=coordinate,
                    )
                )
        sheet = _sheet(worksheet.title, [list(r) for r in worksheet.iter_rows(values_only=True)])
        if sheet is not None:
            sheets.append(sheet)
    return sheets


def read_spreadsheet(data: bytes, filename: str) -> list[Sheet]:
    """The sheets of an uploaded file: XLSX, a zip of CSV files, or one CSV file."""
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(_("The file is larger than 50 MB."))
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise SpreadsheetError(_("The file is a damaged zip or XLSX file.")) from exc
        if "[Content_Types].xml" in archive.namelist():
            return read_xlsx(data)
        return _read_csv_zip(archive)
    if filename.lower().endswith((".xls", ".ods")):
        raise SpreadsheetError(_("Save the file as XLSX or CSV; XLS and ODS are not read."))
    sheet = read_csv(data, filename or "modules.csv")
    if sheet is None:
        raise SpreadsheetError(_("The file is empty."))
    return [sheet]
