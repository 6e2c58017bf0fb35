"""Files the pages hand out: a body the browser saves under a file name instead of showing it."""

from __future__ import annotations

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(body, filename: str, mimetype: str) -> Response:
    """A response that the browser saves as `filename`. A text type (text/csv) gets its
    `charset=utf-8` from the response itself; the mimetype names none."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
