"""The sheets and columns of an import file, in English and Dutch, and how cells become values.

Headers and allowed values come from catalogue.vocabularies, the same classes the forms and the
API validate against. A header may be given in either language (or as the field's own name);
numbers may use a decimal comma ("1.250,50") or point; dates may be ISO, day-month-year or an
Excel serial number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import gettext as _

from catalogue import vocabularies as v
from catalogue.imports.sheets import Sheet, column_letter

TEXT, LINES, CODES, CHOICE, NUMBER, INTEGER, MONEY, DATE, BOOLEAN = (
    "text lines codes choice number integer money date boolean".split()
)


@dataclass(frozen=True)
class Column:
    """A column of a sheet: the field it fills, its headers, how its cells read."""

    key: str
    en: str
    nl: str
    kind: str = TEXT
    vocabulary: type[v.Vocabulary] | None = None
    required: bool = False

    def header(self, language: str) -> str:
        """The header in a language (nl or en)."""
        return self.nl if language == "nl" else self.en


@dataclass(frozen=True)
class SheetLayout:
    """One kind of sheet: its names and columns."""

    kind: str
    en: str
    nl: str
    columns: tuple[Column, ...]

    def name(self, language: str) -> str:
        """The sheet's name in a language."""
        return self.nl if language == "nl" else self.en


C = Column
# Translated texts (catalogue.modules.translations) in columns of their own: "title (English)",
# key title_en; a module's sheet row becomes {"translations": {"en": {"title": ...}}}.
_LANGUAGE_NAMES = {"en": ("English", "Engels"), "nl": ("Dutch", "Nederlands")}


def translated_columns(*columns: Column) -> tuple[Column, ...]:
    """Optional columns for the translations of these columns, per language."""
    return tuple(
        C(f"{c.key}_{language}", f"{c.en} ({names[0]})", f"{c.nl} ({names[1]})", c.kind)
        for language, names in _LANGUAGE_NAMES.items()
        for c in columns
    )


# Columns that several sheets have, or that a sheet has translated as well.
MODULE_CODE = C("module_code", "module code", "modulecode", required=True)
CODE = C("code", "code", "code", required=True)
TITLE = C("title", "title", "titel", required=True)
SUMMARY = C("summary", "summary", "samenvatting")
DESCRIPTION = C("description", "description", "beschrijving")
LEARNING_OUTCOMES = C("learning_outcomes", "learning outcomes", "leeruitkomsten", LINES)
STUDY_LOAD = C("study_load_value", "study load", "studielast", NUMBER, required=True)
STUDY_LOAD_UNIT = C(
    "study_load_unit", "study load unit", "eenheid studielast", CHOICE, v.StudyLoadUnit, True
)
ASSESSMENT = C("assessment", "assessment", "toetsing")
LANGUAGE = C("language", "language", "taal", CHOICE, v.TeachingLanguage, True)

MODULES = SheetLayout(
    "modules",
    "modules",
    "modules",
    (
        CODE,
        TITLE,
        SUMMARY,
        DESCRIPTION,
        C("sector", "sector", "sector", CHOICE, v.Sector, True),
        C("level", "level", "niveau", CHOICE, v.Level, True),
        STUDY_LOAD,
        STUDY_LOAD_UNIT,
        C("competencies", "competencies", "competenties", CODES, v.Competency, True),
        C("languages", "languages", "talen", CODES, v.TeachingLanguage, True),
        C("delivery_modes", "delivery modes", "vormen", CODES, v.DeliveryMode, True),
        C("target_groups", "target groups", "doelgroepen", CODES, v.TargetGroup),
        C("audiences", "audiences", "publiek", CODES, v.Audience),
        LEARNING_OUTCOMES,
        C("prerequisites", "prerequisites", "voorkennis"),
        ASSESSMENT,
        C("participation", "participation", "deelname"),
        C("quality_assurance", "quality assurance", "kwaliteitszorg"),
        C("micro_credential", "micro-credential", "microcredential", BOOLEAN),
        C("esco_uris", "ESCO URIs", "ESCO-URI's", LINES),
        *translated_columns(TITLE, SUMMARY, DESCRIPTION, LEARNING_OUTCOMES),
    ),
)
UNITS = SheetLayout(
    "units",
    "learning units",
    "leereenheden",
    (
        MODULE_CODE,
        CODE,
        TITLE,
        DESCRIPTION,
        LEARNING_OUTCOMES,
        STUDY_LOAD,
        STUDY_LOAD_UNIT,
        ASSESSMENT,
        C("component_type", "type", "soort", CHOICE, v.ComponentType, True),
        *translated_columns(TITLE),
    ),
)
MATERIALS = SheetLayout(
    "materials",
    "materials",
    "materialen",
    (
        MODULE_CODE,
        TITLE,
        C("url", "URL", "URL", required=True),
        C("material_type", "type", "soort", CHOICE, v.MaterialType, True),
        C("format", "format", "formaat"),
        LANGUAGE,
        C("licence", "licence", "licentie", CHOICE, v.Licence, True),
        C("authors", "authors", "auteurs"),
        DESCRIPTION,
        C("unit_code", "unit code", "code leereenheid"),
    ),
)
RUNS = SheetLayout(
    "runs",
    "runs",
    "uitvoeringen",
    (
        MODULE_CODE,
        CODE,
        C("start_date", "start date", "startdatum", DATE, required=True),
        C("end_date", "end date", "einddatum", DATE, required=True),
        C("enrol_from", "enrolment opens", "inschrijving vanaf", DATE),
        C("enrol_until", "enrolment closes", "inschrijving tot", DATE),
        C("city", "city", "plaats"),
        C("delivery_mode", "delivery mode", "vorm", CHOICE, v.DeliveryMode, True),
        LANGUAGE,
        C("price_eur", "price (EUR)", "prijs (EUR)", MONEY, required=True),
        C("price_note", "price note", "toelichting prijs"),
        C("seats", "seats", "plaatsen", INTEGER, required=True),
        C("seats_left", "places left", "vrije plaatsen", INTEGER),
        C("status", "status", "status", CHOICE, v.OfferingStatus),
        C("enrol_url", "web address to enrol", "webadres om aan te melden"),
        C("enrol_email", "e-mail address to enrol", "e-mailadres om aan te melden"),
        C("enrol_phone", "telephone number to enrol", "telefoonnummer om aan te melden"),
        C("guaranteed", "certain to run", "gaat zeker door", BOOLEAN),
        # "yes" saves values that look wrong (see schemas.modules.run_sanity_problems).
        C("confirm", "values are right", "waarden kloppen", BOOLEAN),
    ),
)
# Fields of a run that an import compares and writes (the confirmation is not stored).
RUN_FIELDS = tuple(c.key for c in RUNS.columns if c.key not in ("module_code", "code", "confirm"))
LAYOUTS = (MODULES, UNITS, MATERIALS, RUNS)


def _norm(text: str) -> str:
    """A header or sheet name as compared: lower case, single spaces."""
    return re.sub(r"[\s_]+", " ", str(text)).strip().lower()


def layout_for(sheet: Sheet) -> SheetLayout | None:
    """The layout a sheet follows, by its name in either language, else by its headers."""
    for layout in LAYOUTS:
        if _norm(sheet.name) in {_norm(layout.en), _norm(layout.nl), layout.kind}:
            return layout
    headers = {_norm(h) for h in sheet.headers}
    scored = [(len(headers & _known_headers(layout)), layout) for layout in LAYOUTS]
    best, layout = max(scored, key=lambda pair: pair[0])
    return layout if best >= 3 and best > sorted(s for s, _l in scored)[-2] else None


def _known_headers(layout: SheetLayout) -> set[str]:
    """Every header (both languages and field names) a layout knows."""
    return {_norm(h) for c in layout.columns for h in (c.en, c.nl, c.key)}


def sheet_language(sheet: Sheet, layout: SheetLayout) -> str:
    """nl when the sheet uses more Dutch headers than English ones, else en."""
    headers = {_norm(h) for h in sheet.headers}
    dutch = sum(_norm(c.nl) in headers and c.nl != c.en for c in layout.columns)
    english = sum(_norm(c.en) in headers and c.nl != c.en for c in layout.columns)
    return "nl" if dutch > english else "en"


@dataclass(frozen=True)
class CellProblem:
    """Something wrong in a file: where (sheet, row, column) and what."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """Where and what, as a person reads it."""
        where = [_("sheet %(sheet)s", sheet=self.sheet)]
        if self.row is not None:
            where.append(_("row %(row)s", row=self.row))
        if self.column:
            where.append(_("column %(column)s", column=self.column))
        return ", ".join(where) + ": " + self.message


def map_headers(sheet: Sheet, layout: SheetLayout) -> tuple[dict[int, Column], list[CellProblem]]:
    """Which sheet column is which field; unknown, doubled or missing headers are problems."""
    by_header = {}
    for column in layout.columns:
        for header in (column.en, column.nl, column.key):
            by_header[_norm(header)] = column
    found: dict[int, Column] = {}
    problems = []
    for index, header in enumerate(sheet.headers):
        where = f"{column_letter(index)} ({header})" if header else column_letter(index)
        column = by_header.get(_norm(header))
        if column is None:
            problems.append(CellProblem(sheet.name, 1, where, _unknown_header(layout, header)))
        elif column in found.values():
            problems.append(CellProblem(sheet.name, 1, where, _("This column appears twice.")))
        else:
            found[index] = column
    language = sheet_language(sheet, layout)
    for column in layout.columns:
        if column.required and column not in found.values():
            message = _("The column “%(name)s” is missing.", name=column.header(language))
            problems.append(CellProblem(sheet.name, 1, None, message))
    return found, problems


def _unknown_header(layout: SheetLayout, header: str) -> str:
    """The message for an unknown header, listing the sheet's columns."""
    language = "nl" if _norm(header) in {_norm(c.nl) for c in layout.columns} else "en"
    return _(
        "Unknown column “%(header)s”. The columns of this sheet are: %(known)s.",
        header=header,
        known=", ".join(c.header(language) for c in layout.columns),
    )


# -- cells ------------------------------------------------------------------------------------

_TRUE = {"yes", "ja", "true", "waar", "1", "x", "y", "j"}
_FALSE = {"no", "nee", "false", "onwaar", "0", "n", ""}
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read as its column's kind of value."""


def _text(value: Any) -> str:
    """A cell as trimmed text (whole numbers without '.0', dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return str(value).strip()


def read_number(value: Any, language: str) -> Decimal:
    """A number from a cell: a spreadsheet number, or text with a decimal comma or point."""
    if isinstance(value, bool):
        raise CellError(_("Give a number."))
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = _text(value).replace("\u00a0", "").replace(" ", "").replace("€", "")
    for locale in (language, "en" if language == "nl" else "nl"):
        try:
            return parse_decimal(text, locale=locale, strict=True)
        except NumberFormatError:
            continue
    raise CellError(_("“%(value)s” is not a number.", value=_text(value)))


def read_date(value: Any) -> date:
    """A date from a cell: a spreadsheet date, an Excel serial number, ISO or day-month-year."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DMY.match(text)
    if match:
        day, month, year = map(int, match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise CellError(_("“%(value)s” is not a date; write it as 2026-09-01 or 1-9-2026.", value=text))


def read_cell(column: Column, value: Any, language: str) -> Any:
    """A cell's value in the form the schemas read; None for an empty optional cell."""
    text = _text(value)
    if column.kind in (TEXT, CHOICE):
        return text
    if column.kind == LINES:
        return [line.strip() for line in text.splitlines() if line.strip()]
    if column.kind == CODES:
        return [code.strip() for code in re.split(r"[,;\n]", text) if code.strip()]
    if not text:
        return None
    if column.kind == BOOLEAN:
        if text.lower() not in _TRUE | _FALSE:
            raise CellError(_("Write yes or no."))
        return text.lower() in _TRUE
    if column.kind == DATE:
        return read_date(value).isoformat()
    number = read_number(value, language)
    if column.kind == INTEGER:
        if number != number.to_integral_value():
            raise CellError(_("Give a whole number."))
        return int(number)
    return str(number) if column.kind == MONEY else float(number)


def allowed_values(column: Column, language: str) -> str:
    """The allowed codes of a column with their labels, for templates and messages."""
    if column.vocabulary is None:
        return ""
    return ", ".join(f"{code} ({label})" for code, label in column.vocabulary.choices())
