"""The OAI-PMH endpoint /oai for harvesters (GET and POST, as the protocol allows)."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from lxml import etree

from catalogue.db import get_session
from catalogue.materials.oai import Repository, respond

bp = Blueprint("oai", __name__)


@bp.route("/oai", methods=["GET", "POST"])
def endpoint():
    """Answer one OAI-PMH request about the catalogue's published material."""
    arguments = request.form if request.method == "POST" else request.args
    repository = Repository(
        base_url=url_for("oai.endpoint", _external=True),
        name=current_app.config["OAI_REPOSITORY_NAME"],
        admin_email=current_app.config["OAI_ADMIN_EMAIL"],
        identifier_prefix=current_app.config["OAI_IDENTIFIER_PREFIX"],
        page_size=int(current_app.config["OAI_PAGE_SIZE"]),
    )
    document = respond(get_session(), arguments.to_dict(flat=False), repository)
    body = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    return body, 200, {"Content-Type": "text/xml; charset=utf-8"}
