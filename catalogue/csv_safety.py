"""Safe CSV: every CSV the catalogue writes goes through here.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and a tab
or carriage return in front of one hides it), so a module title such as `=HYPERLINK(...)` typed
by one person could run on the computer of another who opens a download. Such cells are written
with a leading apostrophe, which spreadsheets show as text and which a reader can see.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value that no spreadsheet will run as a formula; non-text values are kept."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_cell(text: str) -> str:
    """The cell as typed, when `safe_cell` put an apostrophe in front of it (reading CSV back)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each neutralised by `safe_cell`."""
    return [safe_cell(value) for value in values]


class SafeCsvWriter:
    """A `csv.writer` whose every row is neutralised; the one way the catalogue writes CSV."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, values: Iterable[Any]) -> None:
        """Write one neutralised row."""
        self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several neutralised rows."""
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[Any]], **options) -> str:
    """The CSV text of some rows, every cell neutralised."""
    out = io.StringIO()
    SafeCsvWriter(out, **options).writerows(rows)
    return out.getvalue()
