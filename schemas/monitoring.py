"""Schemas of plan monitoring: the dashboard's figures as the API gives them, and the import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from schemas.common import BaseSchema, Code, Pattern, Text
from schemas.imports import ImportCountsSchema
from schemas.messages import Count

PERIOD_PATTERN = r"^20\d\d(-20\d\d)?$"
_SUPPRESSED = "null when suppressed; see the *_shown text"
# Rows per API request: a body of that many rows stays well within the 2 MiB request limit.
MAX_API_ROWS = 5_000


class MonitoringArgsSchema(BaseSchema):
    """Which period the figures are for."""

    period = fields.String(
        load_default=None,
        validate=Pattern(
            PERIOD_PATTERN,
            error=_l(
                "A period is a year (2026) or a range of years (2025-2026), from 2000 to 2099."
            ),
        ),
        metadata={
            "description": "A year or a range of years; default: the current target period",
            "pattern": PERIOD_PATTERN,
        },
    )


class LineSchema(BaseSchema):
    """One cell of a breakdown, already suppressed."""

    key = fields.String(metadata={"description": "The value (region code, target group, ...)"})
    people = fields.Integer(
        attribute="people.number", allow_none=True, metadata={"description": _SUPPRESSED}
    )
    people_shown = fields.String(
        attribute="people.text", metadata={"description": 'The count, "< 5" or "hidden"'}
    )
    participations = fields.Integer(
        attribute="participations.number", allow_none=True, metadata={"description": _SUPPRESSED}
    )
    participations_shown = fields.String(attribute="participations.text")
    completion_rate = fields.Float(
        allow_none=True, metadata={"description": "Completed / finished participations"}
    )


class BreakdownSchema(BaseSchema):
    """Unique people and participations by one dimension, with the total."""

    dimension = fields.String()
    lines = fields.List(fields.Nested(LineSchema))
    total = fields.Nested(LineSchema)


class TargetProgressSchema(BaseSchema):
    """Unique people counted against one current target."""

    period = fields.String(attribute="period.label")
    people_target = fields.Integer()
    target_group = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    people = fields.Integer(
        attribute="counted.number", allow_none=True, metadata={"description": _SUPPRESSED}
    )
    people_shown = fields.String(attribute="counted.text")


class RegionFiguresSchema(BaseSchema):
    """One region's progress and breakdowns."""

    code = fields.String()
    name = fields.String()
    targets = fields.List(fields.Nested(TargetProgressSchema))
    by_target_group = fields.Nested(BreakdownSchema)
    by_sector = fields.Nested(BreakdownSchema)
    by_category = fields.Nested(BreakdownSchema)


class PeriodSchema(BaseSchema):
    """A target period."""

    label = fields.String()


class DashboardSchema(BaseSchema):
    """The public monitoring figures: the same as /monitoring shows."""

    period = fields.String(attribute="period.label")
    periods = fields.List(fields.Pluck(PeriodSchema, "label"))
    demo = fields.Boolean(metadata={"description": "Whether synthetic demo records are counted"})
    national = fields.Nested(BreakdownSchema)
    national_by_target_group = fields.Nested(BreakdownSchema)
    regions = fields.List(fields.Nested(RegionFiguresSchema))


def _cell(max_length: int = 200, **kw) -> Text:
    return Text(max_length=max_length, **kw)


class ParticipationRowSchema(BaseSchema):
    """One participation as an institution's system sends it (values as in the CSV template)."""

    module_code = _cell(min_length=1)
    run_code = _cell(min_length=1)
    identifier = _cell(
        max_length=20,
        min_length=1,
        metadata={"description": "BSN or education number; pseudonymised, never stored"},
    )
    identifier_type = _cell(load_default="bsn", metadata={"description": "bsn, education-number"})
    target_group = _cell(min_length=1)
    category = _cell(min_length=1)
    status = _cell(min_length=1)
    enrolled_on = _cell(min_length=1, metadata={"description": "YYYY-MM-DD"})
    started_on = _cell(load_default="")
    ended_on = _cell(load_default="")


class ParticipationImportSchema(BaseSchema):
    """POST /participations/imports: rows of one institution, checked whole, written whole."""

    institution = Code()
    dry_run = fields.Boolean(load_default=False)
    rows = fields.List(
        fields.Nested(ParticipationRowSchema),
        required=True,
        validate=Count(min=1, max=MAX_API_ROWS),
        metadata={"description": f"At most {MAX_API_ROWS} rows per request"},
    )


class RowErrorSchema(BaseSchema):
    """A problem in one row and column (the value itself is never repeated)."""

    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class ParticipationImportReportSchema(ImportCountsSchema):
    """What the import did, or would do on a dry run."""

    committed = fields.Boolean()
