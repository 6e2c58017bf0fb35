"""Harvesting: OEAPI Course, LearningComponent and CourseOffering objects back into a module's
raw canonical content and its runs' raw data (the harvester validates them through the same
schemas as every other input). A foreign endpoint lacks our consumer: what is missing is inferred
from the institution and noted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogue.modules.translations import TRANSLATION_LANGUAGES, text_language
from catalogue.oeapi.mapping.codes import (
    COMPONENT_TYPE_BACK,
    CONSUMER_KEY,
    LANGUAGE_BACK,
    LEVEL_BACK,
    MODE_OF_DELIVERY_BACK,
    OFFERING_STATE_BACK,
    RIO_SECTOR_BACK,
    SECTOR_OF_KIND,
    STUDY_LOAD_UNIT_BACK,
    local_date,
)


class MappingError(ValueError):
    """An OEAPI object that cannot become catalogue data; `path` is the JSON path of the cause."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class Defaults:
    """What to assume where a foreign course says nothing, and the notes saying so."""

    institution_kind: str
    competencies: list[str] = field(default_factory=lambda: ["technology"])
    notes: list[str] = field(default_factory=list)


def ours(consumer: Any) -> dict[str, Any]:
    """The x-semicon-catalogue consumer of an object; empty when it has another or none."""
    if isinstance(consumer, dict) and consumer.get("consumerKey") == CONSUMER_KEY:
        return consumer
    return {}


def first_text(values: list[dict[str, str]] | None) -> str:
    """The Dutch text of a LanguageTypedString array, else the English one, else the first."""
    if not values:
        return ""
    for prefix in ("nl", "en"):
        for item in values:
            if item["language"].split("-")[0] == prefix:
                return item["value"]
    return values[0]["value"]


def text_in(values: list[dict[str, str]] | None, prefix: str) -> str:
    """The text of a LanguageTypedString array in one language ("nl", "en"); "" when absent."""
    for item in values or []:
        if item["language"].split("-")[0].lower() == prefix:
            return item["value"]
    return ""


@dataclass(frozen=True)
class Texts:
    """How to read a course's LanguageTypedStrings: the original in the language of its first
    teaching language, the other of Dutch and English as a translation."""

    own: str

    def original(self, values: list[dict[str, str]] | None) -> str:
        return text_in(values, self.own) or first_text(values)

    def translated(self, fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """{language: {name: text}} for translations found in `fields` ({name: values})."""
        found: dict[str, dict[str, Any]] = {}
        for language in TRANSLATION_LANGUAGES:
            if language == self.own:
                continue
            texts = {
                name: text_in(values, language)
                for name, values in fields.items()
                if text_in(values, self.own)
            }
            texts = {name: text for name, text in texts.items() if text}
            if texts:
                found[language] = texts
        return found


def language_back(code: str, path: str) -> str:
    """One of our teaching languages for an OEAPI language code or tag."""
    ours_code = LANGUAGE_BACK.get(code.split("-")[0].lower())
    if ours_code is None:
        raise MappingError(path, f"language {code!r} is not one the catalogue knows")
    return ours_code


def _languages(course: dict[str, Any], defaults: Defaults) -> list[str]:
    given = course.get("teachingLanguages") or []
    if not given:
        defaults.notes.append("no teachingLanguages: taken as Dutch (nld)")
        return ["nld"]
    found = [language_back(c, f"teachingLanguages[{i}]") for i, c in enumerate(given)]
    return list(dict.fromkeys(found))


def _level_and_sector(course: dict[str, Any], defaults: Defaults) -> tuple[str, str]:
    level_code = course.get("level")
    level = LEVEL_BACK.get(level_code or "undefined")
    if level is None:
        defaults.notes.append(f"level {level_code!r} has no catalogue level: taken as undefined")
        level = "undefined"
    sector = ours(course.get("consumer")).get("sector")
    rio = course.get("consumer") or {}
    if not sector and rio.get("consumerKey") == "rio":
        sector = RIO_SECTOR_BACK.get(rio.get("sector") or "")
    if not sector:
        sector = _infer_sector(level, defaults)
    return level, sector


def _infer_sector(level: str, defaults: Defaults) -> str:
    if level.startswith("mbo-"):
        sector = "mbo"
    elif level == "associate-degree":
        sector = "hbo"
    elif level == "doctoral":
        sector = "wo"
    else:
        fallback = "hbo" if level in ("bachelor", "master") else "mbo"
        sector = SECTOR_OF_KIND.get(defaults.institution_kind, fallback)
    defaults.notes.append(f"sector not given: {sector} inferred from level and institution")
    return sector


def _study_load(loads: list[dict[str, Any]] | None, path: str) -> dict[str, Any]:
    for index, load in enumerate(loads or []):
        unit = STUDY_LOAD_UNIT_BACK.get(load["studyLoadUnit"])
        if unit is not None:
            return {"value": load["value"], "unit": unit}
        if index == len(loads) - 1:
            raise MappingError(f"{path}[{index}].studyLoadUnit", "unit the catalogue cannot hold")
    raise MappingError(path, "a course needs a study load")


def _modes(course: dict[str, Any], defaults: Defaults) -> list[str]:
    given = ours(course.get("consumer")).get("deliveryModes")
    if given:
        return list(given)
    modes = [MODE_OF_DELIVERY_BACK.get(m) for m in course.get("modesOfDelivery") or []]
    modes = [m for m in modes if m]
    if not modes:
        defaults.notes.append("no known modesOfDelivery: taken as on campus")
        return ["on-campus"]
    return list(dict.fromkeys(modes))


def module_content(
    course: dict[str, Any], components: list[dict[str, Any]], defaults: Defaults
) -> dict[str, Any]:
    """A Course and its LearningComponents as raw module content (validated by the caller)."""
    extra = ours(course.get("consumer"))
    level, sector = _level_and_sector(course, defaults)
    competencies = extra.get("competencies")
    if not competencies:
        competencies = list(defaults.competencies)
        defaults.notes.append(f"no competencies given: {', '.join(competencies)} assumed")
    languages = _languages(course, defaults)
    read = Texts(text_language(languages))
    translations = extra.get("translations")
    if not isinstance(translations, dict):
        translations = read.translated(
            {"title": course["name"], "description": course.get("description")}
        )
    return {
        "code": course["primaryCode"]["code"],
        "title": read.original(course["name"]),
        "summary": extra.get("summary", ""),
        "description": read.original(course.get("description")),
        "sector": sector,
        "level": level,
        "study_load": _study_load(course.get("studyLoad"), "studyLoad"),
        "competencies": competencies,
        "languages": languages,
        "delivery_modes": _modes(course, defaults),
        "target_groups": extra.get("targetGroups", []),
        "audiences": extra.get("audiences", []),
        "learning_outcomes": extra.get("learningOutcomes", []),
        "prerequisites": read.original(course.get("admissionRequirements")),
        "assessment": read.original(course.get("assessment")),
        "participation": extra.get("participation", ""),
        "quality_assurance": extra.get("qualityAssurance", ""),
        "micro_credential": bool(extra.get("microCredential", False)),
        "esco_uris": extra.get("escoUris", []),
        "units": [_unit(c, course, len(components), defaults, read) for c in components],
        "materials": [_material_back(m) for m in extra.get("materials", [])],
        "translations": translations,
    }


def _unit(
    component: dict[str, Any],
    course: dict[str, Any],
    count: int,
    defaults: Defaults,
    read: Texts,
) -> dict[str, Any]:
    extra = ours(component.get("consumer"))
    load = extra.get("studyLoad")
    if not load:
        whole = _study_load(course.get("studyLoad"), "studyLoad")
        load = {"value": round(whole["value"] / max(count, 1), 2), "unit": whole["unit"]}
        code = component["primaryCode"]["code"]
        defaults.notes.append(f"unit {code}: study load taken as an equal share of the course")
    kind = extra.get("componentType") or COMPONENT_TYPE_BACK.get(component["componentType"])
    if kind is None:
        raise MappingError("componentType", f"{component['componentType']!r} has no unit type")
    return {
        "code": component["primaryCode"]["code"],
        "title": read.original(component["name"]),
        "description": read.original(component.get("description")),
        "learning_outcomes": extra.get("learningOutcomes", []),
        "study_load": load,
        "assessment": read.original(component.get("assessment")),
        "component_type": kind,
        "translations": read.translated({"title": component["name"]}),
    }


def _material_back(material: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": material.get("title"),
        "url": material.get("url"),
        "material_type": material.get("materialType"),
        "format": material.get("format", ""),
        "language": material.get("language"),
        "licence": material.get("licence"),
        "authors": material.get("authors", ""),
        "description": material.get("description", ""),
        "unit_code": material.get("unitCode"),
    }


def _price(offering: dict[str, Any]) -> str:
    costs = offering.get("priceInformation") or []
    for cost in costs:
        if cost["costType"] == "total_costs" and cost.get("amount") is not None:
            if cost.get("currency") not in (None, "EUR"):
                raise MappingError("priceInformation", "only prices in euros can be kept")
            return cost["amount"]
    raise MappingError("priceInformation", "no total_costs amount: the run has no price")


def offering_data(
    offering: dict[str, Any], content: dict[str, Any], defaults: Defaults
) -> dict[str, Any]:
    """A CourseOffering as raw run data of the module with `content` (validated by the caller)."""
    extra = ours(offering.get("consumer"))
    code = offering["primaryCode"]["code"]
    if not offering.get("startDateTime") or not offering.get("endDateTime"):
        raise MappingError("startDateTime", "a run needs a start and an end")
    languages = offering.get("teachingLanguages") or []
    language = language_back(languages[0], "teachingLanguages[0]") if languages else None
    modes = [MODE_OF_DELIVERY_BACK.get(m) for m in offering.get("modesOfDelivery") or []]
    periods = offering.get("enrolmentPeriods") or [{}]
    city = next((a.get("city") for a in offering.get("addresses") or [] if a.get("city")), "")
    seats = offering.get("maxNumberStudents")
    if seats is None:
        defaults.notes.append(f"run {code}: no maxNumberStudents, seats taken as 0")
    enrol_from = periods[0].get("startDateTime")
    enrol_until = periods[0].get("endDateTime")
    return {
        "uuid": offering["courseOfferingId"],
        "code": code,
        "start_date": local_date(offering["startDateTime"]).isoformat(),
        "end_date": local_date(offering["endDateTime"]).isoformat(),
        "enrol_from": extra.get("enrolFrom", enrol_from and local_date(enrol_from).isoformat()),
        "enrol_until": extra.get("enrolUntil", enrol_until and local_date(enrol_until).isoformat()),
        "city": city or "",
        "delivery_mode": extra.get("deliveryMode")
        or next((m for m in modes if m), content["delivery_modes"][0]),
        "language": language or content["languages"][0],
        "price_eur": _price(offering),
        "price_note": extra.get("priceNote", ""),
        "seats": int(seats or 0),
        "seats_left": extra.get("placesLeft", _places_left(seats, offering)),
        "status": extra.get("status")
        or OFFERING_STATE_BACK.get(offering.get("state") or "", "planned"),
        "enrol_url": offering.get("link") or "",
        "enrol_email": extra.get("enrolEmail") or "",
        "enrol_phone": extra.get("enrolPhone") or "",
        "guaranteed": bool(extra.get("guaranteed", False)),
    }


def _places_left(seats, offering: dict[str, Any]) -> int | None:
    """Places left from the seats and the students enrolled, when the source says both."""
    enrolled = offering.get("enrolledNumberStudents")
    if seats is None or enrolled is None:
        return None
    return max(int(seats) - int(enrolled), 0)
