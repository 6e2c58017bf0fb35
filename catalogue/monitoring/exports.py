"""Files out: the dashboard's aggregates as CSV or XLSX, and the upload template.

The aggregates come from services.dashboard, already suppressed: a suppressed cell is written as
"< 5" or "hidden", never as its number.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from catalogue.csv_safety import SafeCsvWriter
from catalogue.monitoring.counting import Breakdown
from catalogue.monitoring.imports import COLUMNS
from catalogue.monitoring.services import Dashboard

AGGREGATE_HEADER = [
    "period",
    "region",
    "dimension",
    "value",
    "unique_people",
    "participations",
    "completion_rate",
    "demo_data",
]
TARGET_HEADER = ["period", "region", "target_period", "target_group", "sector", "target", "people"]


def _lines(breakdown: Breakdown) -> Iterator[tuple[str, str, str, str, str]]:
    for line in [*breakdown.lines, breakdown.total]:
        rate = "" if line.completion_rate is None else f"{line.completion_rate:.3f}"
        value = "total" if line is breakdown.total else str(line.key)
        yield breakdown.dimension, value, line.people.text, line.participations.text, rate


def aggregate_rows(figures: Dashboard) -> list[list[str]]:
    """One row per cell of every breakdown: national first, then each region."""
    demo = "yes" if figures.demo else "no"
    period = figures.period.label
    rows = [
        [period, "national", *line, demo]
        for breakdown in (figures.national, figures.national_by_target_group)
        for line in _lines(breakdown)
    ]
    for region in figures.regions:
        for breakdown in (region.by_target_group, region.by_sector, region.by_category):
            rows += [[period, region.code, *line, demo] for line in _lines(breakdown)]
    return rows


def target_rows(figures: Dashboard) -> list[list[str]]:
    """One row per current target, with the unique people counted against it."""
    return [
        [
            figures.period.label,
            region.code,
            target.period.label,
            target.target_group or "",
            target.sector or "",
            str(target.people_target),
            target.counted.text,
        ]
        for region in figures.regions
        for target in region.targets
    ]


def as_csv(header: list[str], rows: list[list[str]]) -> str:
    """Rows as CSV text with a header, each cell neutralised against spreadsheet formulas."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def as_xlsx(sheets: dict[str, tuple[list[str], list[list[str]]]]) -> bytes:
    """Sheets of rows (name: (header, rows)) as an Excel workbook."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_header(language: str) -> list[str]:
    """The upload template's header row in English or Dutch."""
    return [english if language == "en" else dutch for english, dutch, _ in COLUMNS.values()]


TEMPLATE_EXAMPLE = [
    "MODULE-CODE",
    "2026-09",
    "",
    "bsn",
    "retraining",
    "job-seekers",
    "enrolled",
    "2026-08-20",
    "",
    "",
]
