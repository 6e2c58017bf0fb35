"""The OpenAPI 3.1 document of /oeapi/, built around the OEAPI v6 JSON Schema subset.

OpenAPI 3.1 speaks JSON Schema 2020-12, so the standard's own definitions are the response
schemas (their `$defs` become `components/schemas`): what the document promises is what the
standard demands. The Service object's `specification` names this document's URL.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).parent / "spec" / "oeapi-v6-subset.schema.json"


@cache
def subset_schema() -> dict[str, Any]:
    """The OEAPI v6 JSON Schema subset shipped with the catalogue (EUPL-1.2, see spec/)."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _query(name: str, schema: dict[str, Any], description: str, **extra) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description, **extra}  # fmt: skip


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string", "format": "uuid"}}  # fmt: skip


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


PAGING = [
    _query("pageSize", {"type": "integer", "enum": [10, 20, 50, 100, 250], "default": 10},
           "Items per page."),
    _query("pageNumber", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
           "Page to return, from 1."),
]  # fmt: skip
COURSE_FILTERS = [
    _query("primaryCode", {"type": "string", "maxLength": 100}, "Exact module code."),
    _query("q", {"type": "string", "maxLength": 200},
           "Case-insensitive part of the name, summary or description."),
    _query("level", _ref("level"), "Level of the course."),
    _query("teachingLanguage", _ref("Language"), "A teaching language (nld, eng, en-GB, ...)."),
    _query("modeOfDelivery", _ref("modeOfDelivery"), "A mode of delivery."),
]  # fmt: skip
PERIOD = [
    _query("since", {"type": "string", "format": "date"},
           "Only runs that end on or after this day (default: today)."),
    _query("until", {"type": "string", "format": "date"}, "Only runs that start by this day."),
]  # fmt: skip
EXPAND = [
    _query("expand", {"type": "array", "items": {"type": "string", "enum": ["organisation"]}},
           "Related objects to include.", style="form", explode=False),
]  # fmt: skip

# path: (operationId, summary, parameters, schema of the 200 answer, can it be absent)
PATHS: dict[str, tuple[str, str, list[dict[str, Any]], str, bool]] = {
    "/": ("getService", "This service", [], "Service", False),
    "/organisations": ("listOrganisations", "All organisations", PAGING,
                       "OrganisationCollection", False),
    "/organisations/{organisationId}": ("getOrganisation", "One organisation",
                                        [_path_id("organisationId")], "Organisation", True),
    "/organisations/{organisationId}/courses": (
        "listOrganisationCourses", "Published courses of one organisation",
        [_path_id("organisationId"), *PAGING, *COURSE_FILTERS], "CourseCollection", True),
    "/courses": ("listCourses", "All published courses", [*PAGING, *COURSE_FILTERS],
                 "CourseCollection", False),
    "/courses/{courseId}": ("getCourse", "One published course",
                            [_path_id("courseId"), *EXPAND], "Course", True),
    "/courses/{courseId}/course-offerings": (
        "listCourseOfferings", "Runs of a course", [_path_id("courseId"), *PAGING, *PERIOD],
        "CourseOfferingCollection", True),
    "/course-offerings/{courseOfferingId}": (
        "getCourseOffering", "One run", [_path_id("courseOfferingId")], "CourseOffering", True),
    "/courses/{courseId}/learning-components": (
        "listCourseLearningComponents", "Learning units of a course",
        [_path_id("courseId"), *PAGING], "LearningComponentCollection", True),
    "/learning-components/{learningComponentId}": (
        "getLearningComponent", "One learning unit", [_path_id("learningComponentId")],
        "LearningComponent", True),
}  # fmt: skip

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "parameter": {"type": "string"},
        "requestedVersion": {"type": "string"},
        "supportedVersions": {"type": "array", "items": {"type": "string"}},
    },
}
ERRORS = {
    400: "A query parameter is not valid",
    404: "No such object (or not published)",
    406: "The requested OEAPI major version is not served",
}


def _rewrite(node: Any) -> Any:
    """JSON Schema references into the subset become references into components/schemas."""
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _rewrite(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


def _operation(operation_id, summary, parameters, schema, can_be_absent) -> dict[str, Any]:
    body = {"schema": _ref(schema)}
    problem = {"application/problem+json": {"schema": _ref("Problem")}}
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {"application/json": body, "application/vnd.oeapi+json": body},
        }
    }
    for status, text in ERRORS.items():
        if status != 404 or can_be_absent:
            responses[str(status)] = {"description": text, "content": problem}
    return {
        "operationId": operation_id,
        "summary": summary,
        "parameters": parameters,
        "responses": responses,
    }


@cache
def document_json(server: str) -> str:
    """The whole document, for the /oeapi/ found at `server`, as JSON text."""
    schemas = _rewrite(subset_schema()["$defs"]) | {"Problem": PROBLEM}
    document = {
        "openapi": "3.1.1",
        "info": {
            "title": "Semicon catalogue: OEAPI v6",
            "version": "6.0",
            "description": (
                "The published modules of the semicon catalogue in the Open Education API, "
                "version 6.0, read-only. Send `Accept: application/vnd.oeapi+json;version=6.0` "
                "to have the version confirmed in Content-Type. Schemas: the OEAPI v6 "
                "specification (EUPL-1.2, © SURF), commit 13ccaa57."
            ),
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "servers": [{"url": server}],
        "paths": {path: {"get": _operation(*spec)} for path, spec in PATHS.items()},
        "components": {"schemas": schemas},
    }
    return json.dumps(document, ensure_ascii=False)
