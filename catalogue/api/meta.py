"""Who am I: lets an institution's system check its token."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.accounts import services as accounts
from catalogue.api.auth import BEARER, writing_actor
from catalogue.api.common import document_errors
from catalogue.db import get_session
from schemas.api import MeSchema

blp = Blueprint("api_meta", __name__, url_prefix="/api/v1", description="Your API token")


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, MeSchema)
@document_errors(blp, 401)
def me():
    """The user behind the token and the institutions and regions they act for."""
    return accounts.who_am_i(session=get_session(), actor=writing_actor())
