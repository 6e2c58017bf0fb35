"""The search page: works without JavaScript, every link keeps the search's state."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from catalogue.db import get_session
from catalogue.errors import flatten_errors
from catalogue.search.service import request_from_args, search_catalogue
from schemas.search import SearchFormSchema

bp = Blueprint("search", __name__)


@bp.get("/search")
def search_page():
    """Search published modules with facets, ranges and sorting."""
    schema = SearchFormSchema()
    problems: dict[str, list[str]] = {}
    try:
        args = schema.load(request.args)
    except ValidationError as exc:
        # A bad number or date in the form never loses the search: drop it, say why.
        for path, message in flatten_errors(exc.messages):
            problems.setdefault(path.split(".")[0].split("[")[0], []).append(message)
        kept = [(k, v) for k, v in request.args.items(multi=True) if k not in problems]
        args = schema.load(MultiDict(kept))
    page = search_catalogue(session=get_session(), request=request_from_args(args))
    return render_template("search/results.html", page=page, args=args, problems=problems)
