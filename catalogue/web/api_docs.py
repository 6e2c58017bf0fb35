"""The API documentation page: how to use the API, and Swagger UI served from our own files."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def docs():
    """Human documentation of the JSON API, with the OpenAPI document rendered by Swagger UI."""
    return render_template("api/docs.html")
