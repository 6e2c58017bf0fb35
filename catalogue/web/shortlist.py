"""The shortlist pages: add and remove runs (plain forms, no JavaScript needed), compare up to
five side by side, export CSV, XLSX and iCalendar, and a signed read-only link to share."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask_babel import gettext as _

from catalogue.db import get_session
from catalogue.shortlist import exports
from catalogue.shortlist import services as shortlist
from catalogue.web.downloads import XLSX, attachment
from catalogue.web.safety import safe_next_url

bp = Blueprint("shortlist", __name__)
SESSION_KEY = "shortlist"


def current_ids() -> list[int]:
    """The runs on this visitor's shortlist (kept in the signed session cookie)."""
    return shortlist.clean_ids(cookie_session.get(SESSION_KEY, []))


def _rows(ids: list[int]):
    return shortlist.shortlist_rows(get_session(), ids, date.today())


def _run_id() -> int:
    value = request.form.get("run", "")
    if not value.isdigit():
        abort(400, _("Say which run: the form sent no run number."))
    return int(value)


@bp.post("/shortlist/add")
def add():
    """Put a run on the shortlist and go back to where the visitor was."""
    cookie_session[SESSION_KEY] = shortlist.added(current_ids(), _run_id())
    return redirect(safe_next_url(request.form.get("next"), "shortlist.show"), code=303)


@bp.post("/shortlist/remove")
def remove():
    """Take a run off the shortlist."""
    cookie_session[SESSION_KEY] = shortlist.removed(current_ids(), _run_id())
    return redirect(safe_next_url(request.form.get("next"), "shortlist.show"), code=303)


@bp.get("/shortlist")
def show():
    """The visitor's shortlist, with compare, export and share."""
    ids = current_ids()
    token = shortlist.share_token(current_app.secret_key, ids) if ids else None
    return render_template("shortlist/list.html", rows=_rows(ids), share_token=token, shared=False)


@bp.get("/shortlist/shared/<token>")
def shared(token: str):
    """A shortlist someone shared: read only."""
    ids = shortlist.shared_ids(current_app.secret_key, token)
    return render_template("shortlist/list.html", rows=_rows(ids), share_token=token, shared=True)


@bp.get("/shortlist/compare")
def compare():
    """Up to five runs of the shortlist (or of a shared list) side by side."""
    ids = shortlist.clean_ids(request.args.getlist("run"))
    problem = None
    if len(ids) > shortlist.MAX_COMPARED:
        problem = _("Compare at most %(n)s runs at a time: the first %(n)s are shown.", n=5)
        ids = ids[: shortlist.MAX_COMPARED]
    if not ids:
        ids = current_ids()[: shortlist.MAX_COMPARED]
    return render_template("shortlist/compare.html", rows=_rows(ids), problem=problem)


def _ids_for_export() -> list[int]:
    token = request.args.get("share")
    if token:
        return shortlist.shared_ids(current_app.secret_key, token)
    return current_ids()


@bp.get("/shortlist/export.<kind>")
def export(kind: str):
    """The shortlist (or a shared one, with ?share=) as CSV, XLSX or iCalendar."""
    rows = _rows(_ids_for_export())
    if kind == "csv":
        body, mimetype = exports.as_csv(rows).encode("utf-8-sig"), "text/csv"
    elif kind == "xlsx":
        body, mimetype = exports.as_xlsx(rows), XLSX
    elif kind == "ics":
        body = exports.as_ics(
            rows,
            site=request.host.split(":")[0],
            url_of=lambda row: url_for(
                "pages.module_detail",
                module_id=row.module_id,
                _external=True,
                _anchor=f"run-{row.offering_id}",
            ),
        )
        mimetype = "text/calendar"
    else:
        abort(404)
    return attachment(body, f"shortlist.{kind}", mimetype)
