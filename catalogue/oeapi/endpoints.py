"""The read-only OEAPI v6 endpoints under /oeapi/ (a plain Flask blueprint).

Objects come from `queries` (published content only) and are shaped by `mapping`. Anonymous
reads: no session cookie, no CSRF. Errors anywhere under /oeapi/, including unknown paths and
methods, are answered as problem+json.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, Flask, current_app, url_for
from werkzeug.exceptions import HTTPException

from catalogue.db import get_session
from catalogue.oeapi import mapping, openapi, queries
from catalogue.oeapi.protocol import (
    Problem,
    enum_parameter,
    envelope,
    expand_parameter,
    json_response,
    language_parameter,
    negotiate_version,
    paging,
    problem_response,
    text_parameter,
)
from catalogue.oeapi.protocol import day_parameter as day

bp = Blueprint("oeapi", __name__, url_prefix="/oeapi")
bp.before_request(negotiate_version)

# A fixed default, so that the catalogue's root organisation keeps its id across restores;
# an installation may set its own with CATALOGUE_OEAPI_ROOT_ORGANISATION_ID.
DEFAULT_ROOT_ID = "5b0d7c1e-3f0a-4c8e-9d55-6f3c2a7e9b10"


def init_app(app: Flask) -> None:
    """Register the blueprint (its errors are answered by catalogue.http as problem+json)."""
    app.config.setdefault("OEAPI_ROOT_ORGANISATION_ID", DEFAULT_ROOT_ID)
    app.config.setdefault("OEAPI_CONTACT_EMAIL", "beheer@semicon-catalogus.nl")
    app.register_blueprint(bp)


def http_error(error: HTTPException):
    """An HTTP error under /oeapi/ as a problem document."""
    response = problem_response(error.code or 500, error.description or "")
    if error.code == 405:
        response.headers["Allow"] = dict(error.get_headers()).get("Allow", "GET")
    return response


@bp.errorhandler(Problem)
def _problem(error: Problem):
    return problem_response(error.status, error.detail, **error.extra)


def _root() -> mapping.Root:
    return mapping.Root(
        organisation_id=str(uuid.UUID(current_app.config["OEAPI_ROOT_ORGANISATION_ID"])),
        link=url_for("pages.home", _external=True),
    )


def _not_found(kind: str, identifier: str) -> Problem:
    return Problem(404, f"No {kind} with id {identifier}.")


def _uuid(value: str, kind: str) -> str:
    """A path id, which must be a UUID (anything else cannot exist)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _not_found(kind, value) from None


def _course(module) -> dict[str, Any]:
    session = get_session()
    link = url_for("pages.module_detail", module_id=module.id, _external=True)
    return mapping.course(module, recognised=mapping.recognitions(session, module), link=link)


def _page(slice_: queries.Slice, shape, number: int, size: int):
    return json_response(envelope([shape(x) for x in slice_.items], number, size, slice_.total))


def _reference(path: str) -> str:
    """A path template as a URI reference (braces percent-encoded, as RFC 3986 wants)."""
    return path.replace("{", "%7B").replace("}", "%7D")


@bp.get("/")
def service():
    """The Service object: who runs this endpoint and where its OpenAPI document is."""
    return json_response(
        {
            "contactEmail": current_app.config["OEAPI_CONTACT_EMAIL"],
            "specification": url_for("oeapi.specification", _external=True),
            "supportedOperations": [
                {"verbs": ["GET"], "path": _reference(path)}
                for path in openapi.PATHS
                if path != "/"
            ],
            "supportedExpands": [
                {"path": _reference("/courses/{courseId}"), "expandableObjects": ["organisation"]}
            ],
        }
    )


@bp.get("/openapi.json")
def specification():
    """The OpenAPI 3.1 document describing these endpoints."""
    return current_app.response_class(
        openapi.document_json(server=url_for("oeapi.service", _external=True).rstrip("/")),
        mimetype="application/json",
    )


@bp.get("/organisations")
def organisations():
    """All organisations: the catalogue's root first, then every institution by code."""
    number, size = paging()
    root = _root()
    institutions = queries.institutions(get_session())
    everything = [mapping.root_organisation(root, [i.uuid for i in institutions])]
    everything += [mapping.organisation(i, root) for i in institutions]
    page = everything[(number - 1) * size : number * size]
    return json_response(envelope(page, number, size, len(everything)))


@bp.get("/organisations/<organisation_id>")
def organisation(organisation_id: str):
    """One organisation: the root, or an institution."""
    root = _root()
    organisation_id = _uuid(organisation_id, "organisation")
    session = get_session()
    if organisation_id == root.organisation_id:
        children = [i.uuid for i in queries.institutions(session)]
        return json_response(mapping.root_organisation(root, children))
    institution = queries.institution(session, organisation_id)
    if institution is None:
        raise _not_found("organisation", organisation_id)
    return json_response(mapping.organisation(institution, root))


def _course_filter(institution_id: int | None) -> queries.CourseFilter:
    return queries.CourseFilter(
        institution_id=institution_id,
        primary_code=text_parameter("primaryCode", max_length=100),
        q=text_parameter("q"),
        level=enum_parameter("level", list(mapping.LEVEL_BACK)),
        teaching_language=language_parameter("teachingLanguage"),
        mode_of_delivery=enum_parameter("modeOfDelivery", list(mapping.MODE_OF_DELIVERY_BACK)),
    )


@bp.get("/organisations/<organisation_id>/courses")
def organisation_courses(organisation_id: str):
    """The published courses of one institution (of all, for the root)."""
    organisation_id = _uuid(organisation_id, "organisation")
    session = get_session()
    institution_id = None
    if organisation_id != _root().organisation_id:
        institution = queries.institution(session, organisation_id)
        if institution is None:
            raise _not_found("organisation", organisation_id)
        institution_id = institution.id
    filters = _course_filter(institution_id)
    number, size = paging()
    return _page(queries.courses(session, filters, number=number, size=size), _course, number, size)


@bp.get("/courses")
def courses():
    """All published courses, filtered by primaryCode, q, level, teachingLanguage, mode."""
    filters = _course_filter(None)
    number, size = paging()
    found = queries.courses(get_session(), filters, number=number, size=size)
    return _page(found, _course, number, size)


def _found(query, identifier: str, kind: str):
    """The object a query finds by its UUID; a 404 problem when there is none."""
    identifier = _uuid(identifier, kind)
    found = query(get_session(), identifier)
    if found is None:
        raise _not_found(kind, identifier)
    return found


def _published_module(course_id: str):
    return _found(queries.course, course_id, "course")


@bp.get("/courses/<course_id>")
def course(course_id: str):
    """One published course; expand=organisation adds its organisation."""
    expand = expand_parameter({"organisation"})
    module = _published_module(course_id)
    body = _course(module)
    if "organisation" in expand:
        body["organisation"] = mapping.organisation(module.institution, _root())
    return json_response(body)


@bp.get("/courses/<course_id>/course-offerings")
def course_offerings(course_id: str):
    """A course's runs that have not ended by `since` (default today), started by `until`."""
    module = _published_module(course_id)
    since = day("since") or date.today()
    until = day("until")
    number, size = paging()
    found = queries.offerings(
        get_session(), module, since=since, until=until, number=number, size=size
    )
    return _page(found, lambda o: mapping.course_offering(o, module), number, size)


@bp.get("/course-offerings/<offering_id>")
def course_offering(offering_id: str):
    """One run of a published course."""
    offering = _found(queries.offering, offering_id, "course offering")
    return json_response(mapping.course_offering(offering, offering.module))


@bp.get("/courses/<course_id>/learning-components")
def course_components(course_id: str):
    """The learning units of a published course, in the course's order."""
    module = _published_module(course_id)
    number, size = paging()
    found = queries.components(get_session(), module, number=number, size=size)
    return _page(found, lambda u: mapping.learning_component(u, module), number, size)


@bp.get("/learning-components/<component_id>")
def learning_component(component_id: str):
    """One learning unit of a published course."""
    unit = _found(queries.component, component_id, "learning component")
    return json_response(mapping.learning_component(unit, unit.module))
