"""A shortlist as files: CSV (through the safe CSV writer), an Excel workbook (openpyxl) and an
iCalendar file of the run dates (icalendar), one row or event per run, with the module's title
in the visitor's language."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _

from catalogue.csv_safety import SafeCsvWriter, safe_row
from catalogue.modules.translations import shown
from catalogue.shortlist.services import ShortlistRow
from catalogue.vocabularies import DeliveryMode, Level, TeachingLanguage


def columns() -> list[tuple[str, str]]:
    """(key, heading) of the exported columns, headings in the visitor's language."""
    return [
        ("module_code", _("Module code")),
        ("title", _("Module")),
        ("institution", _("Institution")),
        ("level", _("Level")),
        ("study_hours", _("Study load (hours)")),
        ("ec", _("EC")),
        ("run_code", _("Run")),
        ("start", _("Start")),
        ("end", _("End")),
        ("enrol_until", _("Enrol by")),
        ("city", _("Place")),
        ("delivery_mode", _("Mode of delivery")),
        ("language", _("Language")),
        ("price", _("Price (€)")),
        ("seats", _("Seats")),
        ("seats_left", _("Places left")),
        ("availability", _("Availability")),
        ("guaranteed", _("Certain to run")),
        ("enrol_url", _("Enrol at")),
        ("enrol_email", _("E-mail")),
        ("enrol_phone", _("Telephone")),
        ("recognised_by", _("Recognised by")),
    ]


def title_of(row: ShortlistRow) -> str:
    """The module's title in the visitor's language when it is translated, else its own."""
    return shown(row, "title", str(get_locale() or "nl")).text


def cell_values(row: ShortlistRow) -> list:
    """A row's cells in column order: dates as ISO text, labels and the title in the visitor's
    language."""
    labels = {
        "title": title_of(row),
        "level": str(Level.label(row.level)),
        "delivery_mode": str(DeliveryMode.label(row.delivery_mode)),
        "language": str(TeachingLanguage.label(row.language)),
        "guaranteed": _("yes") if row.guaranteed else _("no"),
        "recognised_by": "; ".join(row.recognised_by),
    }
    values = []
    for key, _heading in columns():
        value = labels.get(key, getattr(row, key))
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        values.append("" if value is None else value)
    return values


def as_csv(rows: list[ShortlistRow]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow([heading for _key, heading in columns()])
    writer.writerows(cell_values(row) for row in rows)
    return out.getvalue()


def as_xlsx(rows: list[ShortlistRow]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Shortlist")[:31])
    sheet.append([heading for _key, heading in columns()])
    for row in rows:
        sheet.append(safe_row(cell_values(row)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_ics(rows: list[ShortlistRow], *, site: str, url_of) -> bytes:
    """One all-day event per run, from its first to its last day; `url_of(row)` is the run's
    page."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//semicon catalogue//shortlist//NL")
    calendar.add("version", "2.0")
    stamp = datetime.now(UTC)
    for row in rows:
        event = Event()
        event.add("uid", f"run-{row.offering_uuid}@{site}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{title_of(row)} ({row.institution})")
        event.add("dtstart", row.start)
        event.add("dtend", row.end + timedelta(days=1))  # the end of an all-day event is exclusive
        if row.city:
            event.add("location", row.city)
        event.add("url", url_of(row))
        event.add("description", f"{row.module_code} · {row.run_code} · € {row.price:.2f}")
        calendar.add_component(event)
    return calendar.to_ical()
