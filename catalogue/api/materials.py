"""Material through the API: one material, its reuse registrations (with ETags), the finder."""

from __future__ import annotations

from catalogue.api.auth import api_actor, etag, required_base_version, writing_actor
from catalogue.api.common import (
    Created,
    api_blueprint,
    create_operation,
    follow_ups,
    if_match,
    read_operation,
    search_operation,
    token_operation,
)
from catalogue.db import get_session
from catalogue.materials import finder, queries, services
from catalogue.materials.content import read_material, read_reuse, read_reuses
from schemas.material_search import MaterialSearchArgsSchema, MaterialSearchResultSchema
from schemas.materials import MaterialOutSchema, ReuseInputSchema, ReuseListSchema, ReuseOutSchema

blp = api_blueprint(
    "api_materials", __name__, "Reusable digital material, its licences and who reuses it"
)

IF_MATCH = if_match("reuse registration")
REUSE = Created(
    ReuseOutSchema,
    "api_materials.get_reuse",
    {"material_id": "material_id", "reuse_id": "id"},
    follow_ups(
        "/materials/{material_id}/reuses/{reuse_id}",
        "reuse_id",
        "GetReuse GET",
        "EndReuse POST /end if-match",
        material_id="$request.path.material_id",
    ),
)


def _stored_reuse(material_id: int, reuse_id: int):
    """A reuse registration as stored now, with whether it is covered."""
    session = get_session()
    session.expire_all()
    reuse = queries.get_reuse(
        session=session, actor=api_actor(), material_id=material_id, reuse_id=reuse_id
    )
    return read_reuse(session, reuse)


def _reuse_reply(material_id: int, reuse_id: int):
    """A reuse registration as stored now, and its ETag."""
    reuse = _stored_reuse(material_id, reuse_id)
    return reuse, 200, {"ETag": etag(reuse.lock_version)}


@read_operation(blp, "/materials/<id:material_id>", response=MaterialOutSchema)
def get_material(material_id: int):
    """One material: licence with what it allows, attribution (TASL), module and reuse counts."""
    session = get_session()
    material = queries.get_material(session=session, actor=api_actor(), material_id=material_id)
    return read_material(session, material)


@read_operation(blp, "/materials/<id:material_id>/reuses", response=ReuseListSchema)
def list_reuses(material_id: int):
    """Every reuse registration of a material, newest first, with the active counts."""
    session = get_session()
    material = queries.get_material(session=session, actor=api_actor(), material_id=material_id)
    return read_reuses(session, material)


@create_operation(blp, "/materials/<id:material_id>/reuses", body=ReuseInputSchema, created=REUSE)
def register_reuse(data, material_id: int):
    """Register that an institution reuses the material (in one of its modules, or a course).
    A closed licence without an active material-sharing agreement gets 409 with the reason."""
    reuse = services.register_reuse(
        session=get_session(), actor=writing_actor(), material_id=material_id, data=data
    )
    return _stored_reuse(material_id, reuse.id)


@read_operation(blp, "/materials/<id:material_id>/reuses/<id:reuse_id>", response=ReuseOutSchema)
def get_reuse(material_id: int, reuse_id: int):
    """One reuse registration, with its ETag for ending it."""
    return _reuse_reply(material_id, reuse_id)


@token_operation(
    blp,
    "/materials/<id:material_id>/reuses/<id:reuse_id>/end",
    "POST",
    response=ReuseOutSchema,
    errors=(401, 403, 404, 409),
    if_match=IF_MATCH,
)
def end_reuse(material_id: int, reuse_id: int):
    """End a reuse registration (needs its ETag in If-Match)."""
    actor = writing_actor()
    reuse = queries.get_reuse(
        session=get_session(), actor=actor, material_id=material_id, reuse_id=reuse_id
    )
    base = required_base_version(reuse.lock_version)
    services.end_reuse(session=get_session(), actor=actor, reuse_id=reuse_id, base_version=base)
    return _reuse_reply(material_id, reuse_id)


@search_operation(
    blp, "/materials", args=MaterialSearchArgsSchema, response=MaterialSearchResultSchema
)
def find_material(args):
    """Search published material (title, description, authors, module and unit) with facets:
    licence (and `open_licence=yes` for every open licence), type, format, language, sector,
    level, competency, region, institution, reused. Counts per facet value use the filters of
    the other facets (OR within a facet, AND across facets)."""
    return finder.find_material(session=get_session(), args=args)
