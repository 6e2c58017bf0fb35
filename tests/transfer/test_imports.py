"""Spreadsheet import through `catalogue import`: what it creates, that a re-import changes
nothing, that a changed cell makes one draft or one version, and the message a person sees for
each kind of spreadsheet trouble (with nothing written)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalogue.accounts.permissions import SYSTEM
from catalogue.audit.models import AuditEvent
from catalogue.cli import main
from catalogue.imports.services import RUN_FIELDS
from catalogue.imports.templates import csv_template, xlsx_template
from catalogue.institutions.models import Institution
from catalogue.modules import editing
from catalogue.modules.content import working_content
from catalogue.modules.models import Module, ModuleVersion, Offering
from tests.factories import INSTITUTION_A, app_session, snapshot
from tests.transfer import spreadsheets as s


def _import(app, tmp_path, data: bytes, name="modules.xlsx", *options):
    path = tmp_path / name
    path.write_bytes(data)
    args = ["import", str(path), "--institution", INSTITUTION_A, *options]
    return app.test_cli_runner().invoke(main, args)


def _module(app, code: str):
    with app_session(app) as session:
        module = session.scalar(select(Module).where(Module.code == code))
        if module is not None:
            _ = (module.units, module.materials, module.offerings, module.tags)
        return module


def _count(app, model) -> int:
    with app_session(app) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_import_creates_everything_and_a_reimport_changes_nothing(world_app, tmp_path):
    data = s.xlsx(s.standard_sheets())
    result = _import(world_app, tmp_path, data)
    assert result.exit_code == 0, result.output + result.stderr
    assert "Imported: 4 created, 0 updated, 0 unchanged, 0 published." in result.output
    module = _module(world_app, "IMP-1")
    assert module.title == "Imported module IMP-1"
    assert module.status == "draft"
    assert module.learning_outcomes == ["Explains the ISO classes.", "Works safely."]
    assert module.codes("competencies") == ["technology", "digitalisation"]
    assert [u.code for u in module.units] == ["IMP-1-U1"]
    assert module.materials[0].unit_code == "IMP-1-U1"
    (run,) = module.offerings
    assert run.price_eur == Decimal("1250.50")
    assert run.start_date == date(2027, 2, 1)

    events = _count(world_app, AuditEvent)
    before = snapshot(world_app)
    again = _import(world_app, tmp_path, data)
    assert again.exit_code == 0, again.output
    assert "0 create, 0 update, 4 unchanged." in again.output
    assert _count(world_app, AuditEvent) == events
    assert snapshot(world_app) == before


def test_a_changed_cell_makes_one_draft_then_one_version(world_app, tmp_path):
    sheets = s.standard_sheets()
    published = _import(world_app, tmp_path, s.xlsx(sheets), "m.xlsx", "--publish")
    assert "2 published" in published.output, published.output
    sheets["modules"][1] = s.module_row("IMP-1", title="A better title")

    draft = _import(world_app, tmp_path, s.xlsx(sheets))
    assert "Imported: 0 created, 1 updated, 3 unchanged, 0 published." in draft.output
    module = _module(world_app, "IMP-1")
    assert module.title == "Imported module IMP-1"  # the public copy stays
    assert module.draft_content["title"] == "A better title"
    assert _count(world_app, ModuleVersion) == 2 + _versions_of_world(world_app)

    version = _import(world_app, tmp_path, s.xlsx(sheets), "m.xlsx", "--publish")
    assert "0 created, 0 updated, 4 unchanged, 1 published." in version.output, version.output
    module = _module(world_app, "IMP-1")
    assert (module.title, module.current_version, module.draft_content) == (
        "A better title",
        2,
        None,
    )
    assert _module(world_app, "IMP-2").current_version == 1


def _versions_of_world(app) -> int:
    with app_session(app) as session:
        return session.scalar(
            select(func.count())
            .select_from(ModuleVersion)
            .join(Module)
            .where(~Module.code.startswith("IMP-"))
        )


def test_dry_run_writes_nothing(world_app, tmp_path):
    before = snapshot(world_app)
    result = _import(world_app, tmp_path, s.xlsx(s.standard_sheets()), "m.xlsx", "--dry-run")
    assert result.exit_code == 0
    assert "4 create, 0 update, 0 unchanged." in result.output
    assert "Dry run: nothing was written." in result.output
    assert snapshot(world_app) == before


def _bad_header(sheets):
    sheets["modules"][0][1] = "titel2"


def _missing_header(sheets):
    for row in sheets["modules"]:
        del row[3]


def _unknown_enum(sheets):
    sheets["modules"][1][3] = "hbx"


def _bad_list_code(sheets):
    sheets["modules"][2][7] = "technology, chemistry"


def _bad_date(sheets):
    sheets["runs"][1][2] = "31-02-2027"


def _orphan_unit(sheets):
    sheets["learning units"].append(s.unit_row("NOPE", "NOPE-U1"))


def _duplicate_code(sheets):
    sheets["modules"].append(s.module_row("IMP-1"))


def _empty_required(sheets):
    sheets["runs"][2][8] = None


@pytest.mark.parametrize(
    ("change", "messages"),
    [
        (
            _bad_header,
            [
                "sheet modules, row 1, column B (titel2): Unknown column “titel2”. The columns of "
                "this sheet are: code, title, summary,",
                "sheet modules, row 1: The column “title” is missing.",
            ],
        ),
        (_missing_header, ["sheet modules, row 1: The column “sector” is missing."]),
        (_unknown_enum, ["sheet modules, row 2, column D (sector): Must be one of: mbo, hbo, wo."]),
        (
            _bad_list_code,
            [
                "sheet modules, row 3, column H (competencies): Must be one of: technology, "
                "digitalisation, collaboration."
            ],
        ),
        (
            _bad_date,
            [
                "sheet runs, row 2, column C (start date): “31-02-2027” is not a date; write it "
                "as 2026-09-01 or 1-9-2026."
            ],
        ),
        (
            _orphan_unit,
            [
                "sheet learning units, row 4, column A (module code): Module NOPE is not in the "
                "modules sheet: learning units and material are imported together with their "
                "module."
            ],
        ),
        (_duplicate_code, ["sheet modules, row 4, column code: Code IMP-1 is also in row 2."]),
        (_empty_required, ["sheet runs, row 3, column I (seats): Fill in this field."]),
    ],
    ids=[
        "wrong-header",
        "missing-header",
        "unknown-enum",
        "unknown-list-code",
        "bad-date",
        "unit-without-module",
        "duplicate",
        "empty-required",
    ],
)
def test_row_problems_are_named_and_nothing_is_written(world_app, tmp_path, change, messages):
    sheets = s.standard_sheets()
    change(sheets)
    before = snapshot(world_app)
    result = _import(world_app, tmp_path, s.xlsx(sheets))
    assert result.exit_code == 1
    for message in messages:
        assert message in result.stderr
    assert "nothing was imported." in result.stderr
    assert snapshot(world_app) == before


def test_merged_cells_are_refused(world_app, tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(__import__("io").BytesIO(s.xlsx(s.standard_sheets())))
    book["modules"].merge_cells("D2:D3")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    result = _import(world_app, tmp_path, path.read_bytes())
    assert result.exit_code == 1
    assert (
        "Sheet modules has merged cells (D2:D3). Unmerge them and give every row its own value."
        in result.stderr
    )


def test_formulas_give_their_saved_value_or_are_refused(world_app, tmp_path):
    data = s.xlsx(s.standard_sheets())
    # Study load (column F) of IMP-1 as a formula: with the value the spreadsheet saved, it is read.
    saved = s.with_cell_xml(data, 1, "F2", '<c r="F2"><f>1+4</f><v>5</v></c>')
    result = _import(world_app, tmp_path, saved)
    assert result.exit_code == 0, result.stderr
    assert _module(world_app, "IMP-1").study_load_value == 5

    unsaved = s.with_cell_xml(data, 1, "F3", '<c r="F3"><f>1+4</f></c>')
    refused = _import(world_app, tmp_path, unsaved)
    assert refused.exit_code == 1
    assert (
        "Sheet modules, cell F3 holds a formula without a saved value. Open and save the file in "
        "a spreadsheet program, or type the value." in refused.stderr
    )


def test_dates_as_serials_or_text_and_dutch_decimal_commas(world_app, tmp_path):
    sheets = s.standard_sheets()
    serial = (date(2027, 3, 1) - date(1899, 12, 30)).days
    sheets["runs"][1][2:4] = [serial, "30-6-2027"]
    sheets["runs"][2][2:4] = [date(2027, 4, 1), "2027-07-01"]
    sheets["modules"][1][5] = "2,5"
    result = _import(world_app, tmp_path, s.xlsx(sheets))
    assert result.exit_code == 0, result.stderr
    assert _module(world_app, "IMP-1").study_load_value == 2.5
    run_1 = _module(world_app, "IMP-1").offerings[0]
    run_2 = _module(world_app, "IMP-2").offerings[0]
    assert (run_1.start_date, run_1.end_date) == (date(2027, 3, 1), date(2027, 6, 30))
    assert (run_2.start_date, run_2.end_date) == (date(2027, 4, 1), date(2027, 7, 1))


def test_semicolon_csv_with_bom_and_empty_trailing_rows(world_app, tmp_path):
    rows = [list(s.MODULE_HEADERS), s.module_row("CSV-1"), ["", "", ""], [], [""] * 11]
    rows[1][5] = "1.250,5"  # a Dutch number with a thousands point
    data = s.csv_bytes(rows, delimiter=";", bom=True)
    result = _import(world_app, tmp_path, data, "modules.csv")
    assert result.exit_code == 0, result.stderr
    assert "Imported: 1 created" in result.output
    assert _module(world_app, "CSV-1").study_load_value == 1250.5


def test_zip_of_csv_files(world_app, tmp_path):
    result = _import(world_app, tmp_path, s.csv_zip(s.standard_sheets()), "import.zip")
    assert result.exit_code == 0, result.stderr
    assert "Imported: 4 created" in result.output


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("kind", ["xlsx", "zip"])
def test_a_downloaded_template_imports_without_changes(world_app, tmp_path, language, kind):
    modules, data = downloaded_template(
        world_app, language, xlsx_template if kind == "xlsx" else csv_template
    )
    result = _import(world_app, tmp_path, data, f"template.{kind}")
    assert result.exit_code == 0, result.stderr
    assert f"0 create, 0 update, {len(modules) + 1} unchanged." in result.output


def downloaded_template(app, language: str, make=xlsx_template) -> tuple[list[Module], bytes]:
    """Institution A's modules and the template of them an editor downloads."""
    with app_session(app) as session:
        institution = session.scalar(select(Institution).where(Institution.code == INSTITUTION_A))
        modules = list(
            session.scalars(select(Module).where(Module.institution_id == institution.id))
        )
        for module in modules:
            _ = (module.units, module.materials, module.offerings, module.tags)
        with app.test_request_context():
            return modules, make(modules, language)


def test_import_refuses_unknown_institution(world_app, tmp_path):
    path = tmp_path / "m.xlsx"
    path.write_bytes(s.xlsx(s.standard_sheets()))
    result = world_app.test_cli_runner().invoke(
        main, ["import", str(path), "--institution", "nope"]
    )
    assert result.exit_code == 1
    assert "nope" in result.output


def test_ids_of_runs_kept_on_update(world_app, tmp_path):
    sheets = s.standard_sheets()
    _import(world_app, tmp_path, s.xlsx(sheets))
    first = _module(world_app, "IMP-1").offerings[0].id
    sheets["runs"][1] = s.run_row("IMP-1", seats=20)
    result = _import(world_app, tmp_path, s.xlsx(sheets))
    assert "0 created, 1 updated, 3 unchanged" in result.output, result.output
    with app_session(world_app) as session:
        run = session.get(Offering, first)
        assert run.seats == 20


def test_what_a_file_has_no_column_or_sheet_for_keeps_its_value(world_app, tmp_path):
    """A file made before a column existed (or without the optional ones) changes nothing it does
    not show: a run that became full, its enrolment details, the module's description, and the
    units and material when the file has no sheet for them."""
    sheets = s.standard_sheets()
    _import(world_app, tmp_path, s.xlsx(sheets))
    with app_session(world_app) as session:
        module = session.scalar(select(Module).where(Module.code == "IMP-1"))
        content = working_content(module)
        content["description"] = "Written on the form after the import."
        editing.update_module(
            session=session, actor=SYSTEM, module_id=module.id, content=content, base_version=None
        )
        run = module.offerings[0]
        data = {k: getattr(run, k) for k in RUN_FIELDS} | {"code": run.code}
        data |= {"status": "full", "enrol_url": "https://example.org/enrol", "guaranteed": True}
        editing.update_offering(
            session=session, actor=SYSTEM, offering_id=run.id, data=data, base_version=None
        )
    before = snapshot(world_app)

    again = _import(world_app, tmp_path, s.xlsx(sheets))
    assert "0 create, 0 update, 4 unchanged." in again.output, again.output
    assert snapshot(world_app) == before

    only_modules = {"modules": [sheets["modules"][0], s.module_row("IMP-1", title="Renamed")]}
    renamed = _import(world_app, tmp_path, s.xlsx(only_modules))
    assert "Imported: 0 created, 1 updated, 0 unchanged" in renamed.output, renamed.output
    module = _module(world_app, "IMP-1")
    assert module.title == "Renamed"
    assert module.description == "Written on the form after the import."
    assert [u.code for u in module.units] == ["IMP-1-U1"]
    assert [m.url for m in module.materials] == ["https://example.org/reader.pdf"]
    (run,) = module.offerings
    assert (run.status, run.enrol_url, run.guaranteed) == (
        "full",
        "https://example.org/enrol",
        True,
    )


def test_runs_carry_enrolment_details_and_confirmed_unusual_values(world_app, tmp_path):
    extra = [
        "places left",
        "web address to enrol",
        "e-mail address to enrol",
        "telephone number to enrol",
        "certain to run",
        "values are right",
    ]
    values = [4, "https://example.org/enrol", "info@example.org", "040 123 4567", "yes", "yes"]
    sheets = s.standard_sheets(("IMP-1",))
    sheets["runs"] = [
        [*s.RUN_HEADERS, *extra],
        [*s.run_row("IMP-1", **{"price (EUR)": "60.000,00"}), *values],
    ]
    result = _import(world_app, tmp_path, s.xlsx(sheets))
    assert result.exit_code == 0, result.output
    (run,) = _module(world_app, "IMP-1").offerings
    assert run.price_eur == Decimal("60000.00") and run.seats_left == 4
    assert run.enrol_url == "https://example.org/enrol" and run.enrol_email == "info@example.org"
    assert run.enrol_phone == "040 123 4567" and run.guaranteed

    sheets["runs"][1][-1] = "no"  # not confirmed: the unusual price is refused, with where
    refused = _import(world_app, tmp_path, s.xlsx(sheets))
    assert refused.exit_code == 1
    assert "row 2" in refused.output and "price (EUR)" in refused.output
    assert "unusual" in refused.output


@pytest.mark.slow
@pytest.mark.one_backend
def test_ten_thousand_rows_import_in_one_go(world_app, tmp_path):
    # 2,500 modules with a unit, material and a run each; the time is in docs/benchmarks.md.
    data = s.csv_zip(s.large_sheets(2500))
    result = _import(world_app, tmp_path, data, "bulk.zip")
    assert result.exit_code == 0, result.stderr
    assert "Imported: 5000 created, 0 updated, 0 unchanged, 0 published." in result.output
    with app_session(world_app) as session:
        count = session.scalar(
            select(func.count()).select_from(Module).where(Module.code.startswith("BULK-"))
        )
    assert count == 2500
