"""Reading an OEAPI v6 endpoint for a harvest: one organisation's courses, their learning
components and runs, every page validated against the standard's schema.

Objects that break the schema are collected as culprits (object id and JSON path), so that one
report names all of them; a network failure stops the reading at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from catalogue.institutions.models import Institution
from catalogue.oeapi.client import FetchError, Limits, check_url, pages
from catalogue.oeapi.report import Culprit
from catalogue.oeapi.validation import violations

# The id field of the objects of each kind of list, to name a culprit by.
ID_FIELDS = {
    "CourseCollection": "courseId",
    "CourseOfferingCollection": "courseOfferingId",
    "LearningComponentCollection": "componentId",
    "OrganisationCollection": "organisationId",
}

Progress = Callable[[int, int], None]


@dataclass
class HarvestedCourse:
    """A valid Course as read, with its valid learning components and runs."""

    course: dict[str, Any]
    url: str
    components: list[dict[str, Any]] = field(default_factory=list)
    offerings: list[dict[str, Any]] = field(default_factory=list)


def _object_id(item: Any, collection: str, fallback: str) -> str:
    if isinstance(item, dict) and isinstance(item.get(ID_FIELDS[collection]), str):
        return item[ID_FIELDS[collection]]
    return fallback


def valid_items(url: str, page: Any, collection: str, culprits: list[Culprit]) -> list[dict]:
    """The items of a page that the schema accepts; every violation becomes a culprit."""
    items = page.get("items") if isinstance(page, dict) else None
    items = items if isinstance(items, list) else []
    bad: set[int] = set()
    for violation in violations(page, collection):
        head, _sep, rest = violation.path.partition("]")
        if head.startswith("$.items[") and head[8:].isdigit():
            index = int(head[8:])
            bad.add(index)
            object_id = _object_id(items[index], collection, f"{url} item {index}")
            culprits.append(Culprit(object_id, "$" + rest, violation.message, url))
        else:
            culprits.append(Culprit(url, violation.path, violation.message, url))
    return [item for index, item in enumerate(items) if index not in bad]


def _read_list(base: str, path: str, collection: str, limits: Limits, culprits, **params):
    found: list[dict[str, Any]] = []
    for url, page in pages(base, path, limits, **params):
        found.extend(valid_items(url, page, collection, culprits))
    return found


def _matches(organisation: dict[str, Any], institution: Institution) -> bool:
    if organisation["primaryCode"]["code"].lower() == institution.code.lower():
        return True
    return bool(institution.brin) and any(
        c["codeType"] == "institution_code" and c["code"] == institution.brin
        for c in organisation.get("otherCodes") or []
    )


def find_organisation(
    base: str, institution: Institution, limits: Limits, culprits: list[Culprit]
) -> str:
    """The id of the endpoint's organisation for the institution (by code or BRIN, else the
    only organisation that is not the root)."""
    organisations = _read_list(base, "/organisations", "OrganisationCollection", limits, culprits)
    matching = [o for o in organisations if _matches(o, institution)]
    if not matching:
        matching = [o for o in organisations if o["organisationType"] != "root"]
    if len(matching) == 1:
        return matching[0]["organisationId"]
    codes = ", ".join(o["primaryCode"]["code"] for o in organisations[:20]) or "none"
    raise FetchError(
        base + "/organisations",
        f"no single organisation matches institution {institution.code}; "
        f"name one with its organisationId (organisations found: {codes})",
    )


def read_endpoint(
    base: str,
    institution: Institution,
    *,
    organisation_id: str | None,
    limits: Limits,
    culprits: list[Culprit],
    progress: Progress | None = None,
) -> list[HarvestedCourse]:
    """Every valid course of the organisation, with its components and runs, as read."""
    check_url(base, limits)
    organisation_id = organisation_id or find_organisation(base, institution, limits, culprits)
    courses: list[HarvestedCourse] = []
    for url, page in pages(base, f"/organisations/{organisation_id}/courses", limits):
        for course in valid_items(url, page, "CourseCollection", culprits):
            courses.append(HarvestedCourse(course=course, url=url))
    for done, harvested in enumerate(courses, start=1):
        course_path = f"/courses/{harvested.course['courseId']}"
        harvested.components = _read_list(
            base, f"{course_path}/learning-components", "LearningComponentCollection",
            limits, culprits,
        )  # fmt: skip
        harvested.offerings = _read_list(
            base, f"{course_path}/course-offerings", "CourseOfferingCollection", limits, culprits
        )
        if progress:
            progress(done, len(courses))
    return courses
