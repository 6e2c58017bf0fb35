"""Plan monitoring in the API: the dashboard's figures, and the participation import."""

from __future__ import annotations

from flask_babel import gettext as _

from catalogue.api.auth import BEARER, writing_actor
from catalogue.api.common import WRITE_ERRORS, api_blueprint, document_errors, read_operation
from catalogue.db import get_session
from catalogue.errors import InvalidInput
from catalogue.institutions import services as institutions
from catalogue.monitoring import services, uploads
from catalogue.monitoring.imports import COLUMNS, Table, check_table
from catalogue.monitoring.pseudonyms import pseudonym_key
from schemas.monitoring import (
    DashboardSchema,
    MonitoringArgsSchema,
    ParticipationImportReportSchema,
    ParticipationImportSchema,
)

blp = api_blueprint(
    "api_monitoring", __name__, "Plan monitoring: unique people against the regions' targets"
)


@read_operation(blp, "/monitoring", args=MonitoringArgsSchema, response=DashboardSchema)
def get_figures(period: str | None):
    """The public monitoring figures of every region, suppressed as on /monitoring."""
    return services.dashboard(get_session(), period=period)


@blp.route("/participations/imports", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ParticipationImportSchema)
@blp.response(200, ParticipationImportReportSchema)
@document_errors(blp, *WRITE_ERRORS)
def import_participations(data):
    """Check participation rows of one institution and, unless `dry_run`, write them all.

    Any bad row (invalid BSN, unknown run, duplicate, ...) is answered 422 with a message per
    `rows[i].column`, and nothing is written. Identifiers are pseudonymised and never stored.
    """
    actor = writing_actor()
    institution = institutions.get_institution(session=get_session(), code=data["institution"])
    records = [(number, row) for number, row in enumerate(data.pop("rows"), start=1)]
    checked = check_table(Table(records, {k: k for k in COLUMNS}), key=pseudonym_key())
    report = uploads.import_participations(
        session=get_session(),
        actor=actor,
        institution_id=institution.id,
        checked=checked,
        dry_run=data["dry_run"],
    )
    if report.errors:
        fields: dict[str, list[str]] = {}
        for error in report.errors:
            fields.setdefault(f"rows[{error.row - 1}].{error.column}", []).append(error.message)
        raise InvalidInput(
            _("%(num)s rows have errors; nothing was written.", num=len(fields)), fields=fields
        )
    return report
