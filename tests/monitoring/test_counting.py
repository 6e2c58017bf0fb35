"""The counting rules on real imports: unique people across modules, institutions and regions,
participations beside them, and bad files refused whole with row and column."""

from __future__ import annotations

import csv
import io

import pytest

from catalogue.errors import PermissionDenied
from tests.api.conftest import stored_rows
from tests.factories import EDITOR_B, INSTITUTION_A, INSTITUTION_B, actor_of, app_session
from tests.monitoring.conftest import (
    INSTITUTION_C,
    csv_bytes,
    fake_bsn,
    figures,
    region,
    row,
    upload,
)


def test_one_person_in_two_modules_at_two_institutions_of_one_region_counts_once(
    monitoring_app,
):
    bsn = fake_bsn(1)
    assert upload(
        monitoring_app, INSTITUTION_A, csv_bytes([row("A-PUB", "2026-09", bsn)])
    ).committed
    assert upload(
        monitoring_app, INSTITUTION_C, csv_bytes([row("C-PUB", "2026-03", bsn)])
    ).committed

    brainport = region(figures(monitoring_app), "brainport").by_target_group.total
    assert brainport.people.value == 1
    assert brainport.participations.value == 2
    # Both are below 5: the public sees neither number.
    assert (brainport.people.text, brainport.participations.text) == ("< 5", "< 5")


def test_one_person_in_two_regions_counts_once_nationally_and_once_in_each(monitoring_app):
    bsn = fake_bsn(2)
    upload(monitoring_app, INSTITUTION_A, csv_bytes([row("A-PUB", "2026-09", bsn)]))
    upload(monitoring_app, INSTITUTION_B, csv_bytes([row("B-PUB", "2026-09", bsn)]))

    dashboard = figures(monitoring_app)
    assert dashboard.national.total.people.value == 1
    assert dashboard.national.total.participations.value == 2
    people = {line.key: line.people.value for line in dashboard.national.lines}
    assert people["brainport"] == 1 and people["twente"] == 1


def test_counts_reach_the_targets_by_the_run_s_target_group_and_sector(monitoring_app):
    rows = [row("A-PUB", "2026-09", fake_bsn(n)) for n in range(10, 17)]
    rows += [row("A-PUB", "2026-09", fake_bsn(n), target_group="upskilling") for n in range(20, 26)]
    upload(monitoring_app, INSTITUTION_A, csv_bytes(rows))

    targets = region(figures(monitoring_app), "brainport").targets
    counted = {(t.period.label, t.target_group): t.counted.text for t in targets}
    assert counted[("2025-2026", "retraining")] == "7"
    assert counted[("2025-2026", "upskilling")] == "6"
    assert counted[("2025-2030", None)] == "13"


def test_a_bad_file_is_reported_by_row_and_column_and_nothing_is_written(monitoring_app):
    good = fake_bsn(3)
    bad_bsn = good[:-1] + str((int(good[-1]) + 1) % 10)
    before = stored_rows(monitoring_app)
    report = upload(
        monitoring_app,
        INSTITUTION_A,
        csv_bytes(
            [
                row("A-PUB", "2026-09", good),
                row("A-PUB", "2026-09", bad_bsn),
                row("A-PUB", "1999-01", fake_bsn(4)),
                row("A-PUB", "2026-09", good, status="started"),
                row("NO-SUCH", "2026-09", fake_bsn(5)),
                row("A-PUB", "2026-09", fake_bsn(6), status="graduated", enrolled_on="yesterday"),
            ]
        ),
    )
    where = [(e.row, e.column) for e in report.errors]
    assert where == [
        (3, "BSN or education number"),
        (4, "run code"),
        (5, "BSN or education number"),
        (6, "module code"),
        (7, "enrolled on"),
        (7, "status"),
    ]
    assert "BSN" in report.errors[0].message
    assert " 2." in report.errors[2].message  # names the row the person appeared on first
    assert all(bad_bsn not in e.message and good not in e.message for e in report.errors)
    assert not report.committed
    assert stored_rows(monitoring_app) == before


def test_uploading_the_same_file_again_changes_nothing_and_a_new_status_updates(monitoring_app):
    rows = [row("A-PUB", "2026-09", fake_bsn(n)) for n in range(30, 33)]
    first = upload(monitoring_app, INSTITUTION_A, csv_bytes(rows))
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    before = stored_rows(monitoring_app)

    again = upload(monitoring_app, INSTITUTION_A, csv_bytes(rows))
    assert (again.created, again.updated, again.unchanged, again.committed) == (0, 0, 3, False)
    assert stored_rows(monitoring_app) == before

    rows[1] = row("A-PUB", "2026-09", fake_bsn(31), status="completed")
    changed = upload(monitoring_app, INSTITUTION_A, csv_bytes(rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    by_group = region(figures(monitoring_app), "brainport").by_target_group
    assert by_group.total.people.value == 3


def test_a_dry_run_reports_but_writes_nothing(monitoring_app):
    before = stored_rows(monitoring_app)
    report = upload(
        monitoring_app,
        INSTITUTION_A,
        csv_bytes([row("A-PUB", "2026-09", fake_bsn(40))]),
        dry_run=True,
    )
    assert report.created == 1 and not report.committed
    assert stored_rows(monitoring_app) == before


def test_only_editors_of_the_run_s_institution_may_upload(monitoring_app):
    with app_session(monitoring_app) as session:
        editor_b = actor_of(session, EDITOR_B)
    with pytest.raises(PermissionDenied):
        upload(
            monitoring_app,
            INSTITUTION_A,
            csv_bytes([row("A-PUB", "2026-09", fake_bsn(41))]),
            actor=editor_b,
        )
    # B's editor cannot reach A's runs from B's institution either: the run is unknown there.
    report = upload(
        monitoring_app,
        INSTITUTION_B,
        csv_bytes([row("A-PUB", "2026-09", fake_bsn(41))]),
        actor=editor_b,
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "module code")]


def test_dutch_headers_and_an_excel_file_are_read_alike(monitoring_app):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Modulecode",
            "Uitvoeringscode",
            "BSN of onderwijsnummer",
            "Doelgroep",
            "Categorie",
            "Status",
            "Ingeschreven op",
        ]
    )
    sheet.append(
        ["A-PUB", "2026-09", int(fake_bsn(42)), "bijscholing", "werknemer", "gestart", "20-08-2026"]
    )
    import io

    out = io.BytesIO()
    workbook.save(out)
    report = upload(monitoring_app, INSTITUTION_A, out.getvalue(), name="deelnemers.xlsx")
    assert report.errors == [] and report.created == 1
    totals = region(figures(monitoring_app), "brainport").by_target_group
    assert {line.key: line.people.value for line in totals.lines}["upskilling"] == 1


def test_monitoring_csv_neutralises_cells_a_spreadsheet_would_run():
    """A label typed by someone (an institution or module name in a breakdown) never becomes a
    formula in the exported figures."""
    from catalogue.monitoring.exports import as_csv

    text = as_csv(["label", "people"], [['=HYPERLINK("http://x","y")', "12"], ["Twente", "< 5"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ['\'=HYPERLINK("http://x","y")', "12"]
    assert rows[2] == ["Twente", "< 5"]
