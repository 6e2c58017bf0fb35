"""Who am I: lets an institution's system check its token."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.accounts.models import User
from catalogue.api.auth import BEARER, writing_actor
from catalogue.api.common import document_errors
from catalogue.db import get_session
from catalogue.institutions.models import Institution, Region
from schemas.api import MeSchema

blp = Blueprint("api_meta", __name__, url_prefix="/api/v1", description="Your API token")


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, MeSchema)
@document_errors(blp, 401)
def me():
    """The user behind the token and the institutions and regions they act for."""
    actor = writing_actor()
    session = get_session()
    user = session.get(User, actor.user_id)
    return {
        "name": user.name,
        "email": user.email,
        "administrator": actor.is_administrator,
        "editor_of": sorted(session.get(Institution, i).code for i in actor.editor_of),
        "coordinator_of": sorted(session.get(Region, r).code for r in actor.coordinator_of),
    }
