"""Reading and checking participation files: CSV or XLSX, English or Dutch headers.

Everything is read and checked before anything is written: every problem is reported with its
row (the spreadsheet's row number; the header is row 1) and column (the header as the file spells
it), and never with the value itself, since a value may be a national identifier. The identifier
is turned into its pseudonym while the row is checked; what leaves this module holds pseudonyms
only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from catalogue.errors import InvalidInput
from catalogue.monitoring.pseudonyms import IdentifierKind, InvalidIdentifier, pseudonym_for
from catalogue.vocabularies import Audience, ParticipationStatus, TargetGroup

MAX_ROWS = 20_000
MAX_CELL = 200

# Each column: its English header, its Dutch header, and other spellings accepted.
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "module_code": ("module code", "modulecode", ()),
    "run_code": ("run code", "uitvoeringscode", ("run",)),
    "identifier": ("bsn or education number", "bsn of onderwijsnummer", ("identifier", "bsn")),
    "identifier_type": ("identifier type", "soort nummer", ()),
    "target_group": ("target group", "doelgroep", ()),
    "category": ("category", "categorie", ()),
    "status": ("status", "status", ()),
    "enrolled_on": ("enrolled on", "ingeschreven op", ()),
    "started_on": ("started on", "gestart op", ()),
    "ended_on": ("ended on", "beëindigd op", ("beeindigd op",)),
}
REQUIRED = ("module_code", "run_code", "identifier", "target_group", "category", "status")
REQUIRED += ("enrolled_on",)

# Values as files write them (codes, English and Dutch words) mapped to the stored codes.
_TARGET_GROUPS = {"omscholing": "retraining", "bijscholing": "upskilling"}
_CATEGORIES = {
    "job-seeker": "job-seekers",
    "werkzoekende": "job-seekers",
    "werkzoekenden": "job-seekers",
    "labour-migrant": "labour-migrants",
    "arbeidsmigrant": "labour-migrants",
    "arbeidsmigranten": "labour-migrants",
    "career-switcher": "career-switchers",
    "zij-instromer": "career-switchers",
    "zij-instromers": "career-switchers",
    "employee": "employees",
    "werknemer": "employees",
    "werknemers": "employees",
    "werkende": "employees",
    "werkenden": "employees",
    "alumnus": "alumni",
    "student": "students",
}
_STATUSES = {
    "ingeschreven": "enrolled",
    "gestart": "started",
    "afgerond": "completed",
    "uitgevallen": "dropped-out",
    "gestopt": "dropped-out",
}
_IDENTIFIER_KINDS = {"": "bsn", "onderwijsnummer": "education-number", "oen": "education-number"}
VALUE_MAPS = {
    "target_group": (TargetGroup.values(), _TARGET_GROUPS),
    "category": (Audience.values(), _CATEGORIES),
    "status": (ParticipationStatus.values(), _STATUSES),
    "identifier_type": ([k.value for k in IdentifierKind], _IDENTIFIER_KINDS),
}


@dataclass(frozen=True)
class RowError:
    """One problem: where (row, column) and what, never the offending value."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class CheckedRow:
    """One valid row, with the person's pseudonym in place of their number."""

    row: int
    module_code: str
    run_code: str
    pseudonym: str
    target_group: str
    category: str
    status: str
    enrolled_on: date
    started_on: date | None
    ended_on: date | None


@dataclass
class CheckedTable:
    """The checked rows of a table, its errors, and the headers to name columns by."""

    rows: list[CheckedRow]
    errors: list[RowError]
    headers: dict[str, str]


@dataclass
class Table:
    """A file's rows as records keyed by column, with the header each column had in the file."""

    records: list[tuple[int, dict[str, Any]]]
    headers: dict[str, str]


def _header_key(text: Any) -> str:
    return " ".join(str(text or "").strip().lower().replace("_", " ").split())


_HEADER_LOOKUP = {
    _header_key(name): key
    for key, (english, dutch, others) in COLUMNS.items()
    for name in (key, english, dutch, *others)
}


def _cell(value: Any) -> Any:
    """A spreadsheet cell as text (dates stay dates; whole numbers lose their '.0')."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _("The file is not UTF-8 text. Save it as CSV UTF-8 or as an Excel workbook."),
            fields={"file": [_("not UTF-8")]},
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise InvalidInput(
            _("The file cannot be read as an Excel workbook (.xlsx)."),
            fields={"file": [_("not a readable .xlsx file")]},
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(filename: str, data: bytes) -> Table:
    """Read a CSV or XLSX file into records keyed by column; InvalidInput when it cannot be."""
    rows = _xlsx_rows(data) if filename.lower().endswith(".xlsx") else _csv_rows(data)
    rows = [[_cell(v) for v in row] for row in rows]
    while rows and not any(v != "" for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InvalidInput(_("The file is empty."), fields={"file": [_("empty")]})
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(
            _("The file has more than %(max)s rows; split it.", max=MAX_ROWS),
            fields={"file": [_("too many rows")]},
        )
    header_row = rows[0]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown = []
    for position, text in enumerate(header_row):
        key = _HEADER_LOOKUP.get(_header_key(text))
        if key is None:
            if str(text).strip():
                unknown.append(str(text).strip()[:60])
            continue
        positions[key] = position
        headers[key] = str(text).strip()
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in positions]
    if missing or unknown:
        problems = {}
        if missing:
            problems["columns"] = [_("missing: %(names)s", names=", ".join(missing))]
        if unknown:
            problems["headers"] = [_("not known: %(names)s", names=", ".join(unknown))]
        raise InvalidInput(_("The header row does not match the template."), fields=problems)
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(v != "" for v in row):
            continue
        records.append((number, {k: row[p] if p < len(row) else "" for k, p in positions.items()}))
    return Table(records=records, headers=headers)


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _choice(key: str, value: Any) -> str:
    codes, words = VALUE_MAPS[key]
    text = _header_key(value).replace(" ", "-")
    code = words.get(text, text)
    if code not in codes:
        raise ValueError(key)
    return code


def _check_cells(record: dict[str, Any], fail) -> dict[str, Any]:
    """Check every cell but the identifier; returns the cleaned values of the good ones."""
    clean: dict[str, Any] = {}
    for key in COLUMNS:
        if key == "identifier":
            continue
        value = record.get(key, "")
        if value == "" and key in REQUIRED:
            fail(key, _("This column needs a value."))
        elif isinstance(value, str) and len(value) > MAX_CELL:
            fail(key, _("Too long (at most 200 characters)."))
        elif key in VALUE_MAPS:
            try:
                clean[key] = _choice(key, value)
            except ValueError:
                allowed = ", ".join(VALUE_MAPS[key][0])
                fail(key, _("Not one of the allowed values: %(values)s.", values=allowed))
        elif key.endswith("_on"):
            try:
                clean[key] = _date(value) if value != "" else None
            except ValueError:
                fail(key, _("Not a date; write it as 2026-09-07 or 07-09-2026."))
        else:
            clean[key] = value
    started, ended = clean.get("started_on"), clean.get("ended_on")
    if started and ended and ended < started:
        fail("ended_on", _("Ends before it starts."))
    return clean


def check_records(
    records: list[tuple[int, dict[str, Any]]], headers: dict[str, str], *, key: bytes
) -> tuple[list[CheckedRow], list[RowError]]:
    """Check every record; the good ones come back pseudonymised, the bad ones as errors."""
    errors: list[RowError] = []
    checked: list[CheckedRow] = []
    first_row_of: dict[tuple[str, str, str], int] = {}
    for number, record in records:
        row_errors: list[RowError] = []

        def fail(column: str, message, number=number, row_errors=row_errors) -> None:
            row_errors.append(RowError(number, headers.get(column, column), str(message)))

        clean = _check_cells(record, fail)
        pseudonym = _pseudonym_of(record, clean.get("identifier_type", "bsn"), key, fail)
        if row_errors or pseudonym is None:
            errors.extend(row_errors)
            continue
        where = (clean["module_code"].lower(), clean["run_code"].lower(), pseudonym)
        if where in first_row_of:
            message = _(
                "The same person appears in the same run on row %(row)s.", row=first_row_of[where]
            )
            fail("identifier", message)
            errors.extend(row_errors)
            continue
        first_row_of[where] = number
        fields = {k: clean.get(k) for k in CheckedRow.__dataclass_fields__ if k in clean}
        checked.append(CheckedRow(row=number, pseudonym=pseudonym, **fields))
    return checked, errors


def _pseudonym_of(record: dict[str, Any], kind: str, key: bytes, fail) -> str | None:
    """The pseudonym of the row's identifier, or None after reporting why it has none."""
    value = record.get("identifier", "")
    if value == "" or value is None:
        fail("identifier", _("This column needs a value."))
        return None
    try:
        return pseudonym_for(str(value), kind, key=key)
    except InvalidIdentifier:
        if kind == IdentifierKind.EDUCATION_NUMBER:
            fail("identifier", _("Not a valid education number."))
        else:
            fail("identifier", _("Not a valid BSN: it fails the eleven-test."))
        return None


def check_table(table: Table, *, key: bytes) -> CheckedTable:
    """Check a whole table; its identifiers are pseudonyms from here on."""
    rows, errors = check_records(table.records, table.headers, key=key)
    return CheckedTable(rows, errors, table.headers)
