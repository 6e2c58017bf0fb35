"""The one mapping between the catalogue and OEAPI v6, read in both directions.

Serving: institution → Organisation, module → Course, learning unit → LearningComponent, run →
CourseOffering. Harvesting: the same objects back into a module's canonical content and its runs'
data (raw: the harvester validates them through the same schemas as every other input).
What base v6 has no field for travels in a `consumer` object with key `x-semicon-catalogue`;
docs/oeapi.md documents every field. A foreign endpoint lacks that consumer, so missing facts
are inferred from the institution and reported as notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from catalogue.institutions.models import Institution
from catalogue.modules.models import LearningUnit, Module, Offering
from catalogue.recognition.services import recognised_by
from catalogue.vocabularies import NLQF_LEVEL

CONSUMER_KEY = "x-semicon-catalogue"
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")

# -- vocabularies: ours → OEAPI v6 (reverse maps below add what other endpoints may send) ----

LEVEL = {
    "mbo-1": "secondary_vocational_education_1",
    "mbo-2": "secondary_vocational_education_2",
    "mbo-3": "secondary_vocational_education_3",
    "mbo-4": "secondary_vocational_education_4",
    "associate-degree": "associate_degree",
    "bachelor": "bachelor",
    "master": "master",
    "doctoral": "doctoral",
    "undefined": "undefined",
}
STUDY_LOAD_UNIT = {"ects": "ects", "sbu": "sbu", "hour": "hour", "contacttime": "contact_time"}
MODE_OF_DELIVERY = {
    "on-campus": "presential",
    "online": "online",
    "hybrid": "hybrid",
    "distance-learning": "online",
    "situated": "work_based",
}
COMPONENT_TYPE = {
    "lecture": "lecture",
    "practical": "practical",
    "lab": "practical",
    "tutorial": "tutorial",
    "project": "project",
    "workshop": "workshop",
    "e-learning": "independent_study",
    "workplace": "external",
    "test": "x-test",
}
OFFERING_STATE = {
    "planned": "active",
    "open": "active",
    "full": "active",
    "cancelled": "cancelled",
    "completed": "inactive",
}
ORGANISATION_TYPE = {
    "mbo-college": "school",
    "hogeschool": "institute",
    "university": "institute",
    "company-school": "academy",
    "private-provider": "academy",
    "partnership": "institute",
}
TEXT_LANGUAGE = {"nld": "nl-NL", "eng": "en-GB", "deu": "de-DE"}

LEVEL_BACK = {v: k for k, v in LEVEL.items()} | {"post_doctoral": "doctoral"}
STUDY_LOAD_UNIT_BACK = {v: k for k, v in STUDY_LOAD_UNIT.items()} | {"sp": "ects"}
MODE_OF_DELIVERY_BACK = {
    "presential": "on-campus",
    "online": "online",
    "hybrid": "hybrid",
    "blended": "hybrid",
    "work_based": "situated",
    "coil": "online",
    "joint_delivery": "on-campus",
    "project_based": "on-campus",
    "research_lab_based": "on-campus",
}
COMPONENT_TYPE_BACK = {
    "lecture": "lecture",
    "practical": "practical",
    "tutorial": "tutorial",
    "project": "project",
    "workshop": "workshop",
    "independent_study": "e-learning",
    "external": "workplace",
    "excursion": "workplace",
    "consultation": "tutorial",
    "learning_community": "workshop",
    "skills_training": "practical",
    "x-test": "test",
}
OFFERING_STATE_BACK = {
    "concept": "planned",
    "active": "open",
    "cancelled": "cancelled",
    "inactive": "completed",
}
LANGUAGE_BACK = {
    "nld": "nld", "nl": "nld", "dut": "nld",
    "eng": "eng", "en": "eng",
    "deu": "deu", "de": "deu", "ger": "deu",
}  # fmt: skip
# RIO's consumer names the sector of higher education that base v6 leaves out.
RIO_SECTOR_BACK = {
    "secondary_vocational_education": "mbo",
    "higher_professional_education": "hbo",
    "university_education": "wo",
}
SECTOR_OF_KIND = {"mbo-college": "mbo", "hogeschool": "hbo", "university": "wo"}


# -- small shapes -------------------------------------------------------------------------------


def texts(value: str, language: str) -> list[dict[str, str]] | None:
    """A LanguageTypedString array holding one text; None for an empty text."""
    return [{"language": language, "value": value}] if value else None


def text_language(languages: list[str]) -> str:
    """The language tag of a module's texts: that of its first teaching language."""
    return TEXT_LANGUAGE.get(languages[0] if languages else "nld", "nl-NL")


def local_datetime(day: date, *, end_of_day: bool = False) -> str:
    """A date as an RFC 3339 date-time in Dutch time: its start, or its last second."""
    moment = datetime.combine(day, time(23, 59, 59) if end_of_day else time(0, 0), LOCAL_TIME)
    return moment.isoformat()


def local_date(value: str) -> date:
    """The Dutch calendar day of an RFC 3339 date-time (or of a plain date)."""
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LOCAL_TIME).date()


def amount(value: Decimal) -> str:
    """A euro amount as OEAPI writes it: digits, a dot, two decimals."""
    return f"{Decimal(value):.2f}"


def _addresses(kind: str, city: str) -> list[dict[str, Any]] | None:
    """An address list holding the one city we know, in the Netherlands; None without a city."""
    if not city:
        return None
    return [{"addressType": kind, "city": city, "countryCode": {"iso3166-1-alpha2": "NL"}}]


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out fields without a value (OEAPI prefers an absent field to an empty one)."""
    return {k: v for k, v in data.items() if v is not None and v != []}


# -- serving: catalogue → OEAPI ----------------------------------------------------------------


@dataclass(frozen=True)
class Root:
    """The catalogue itself, served as the root organisation."""

    organisation_id: str
    name_nl: str = "Semicon-catalogus"
    name_en: str = "Semicon catalogue"
    link: str | None = None


def root_organisation(root: Root, child_ids: list[str] | None = None) -> dict[str, Any]:
    """The root Organisation: the national catalogue all institutions belong to."""
    return _clean(
        {
            "organisationId": root.organisation_id,
            "primaryCode": {"codeType": "identifier", "code": "semicon-catalogue"},
            "organisationType": "root",
            "name": [
                {"language": "nl-NL", "value": root.name_nl},
                {"language": "en-GB", "value": root.name_en},
            ],
            "link": root.link,
            "childIds": child_ids,
        }
    )


def organisation(institution: Institution, root: Root) -> dict[str, Any]:
    """An institution as an Organisation under the root, its region in the consumer."""
    other_codes = []
    if institution.brin:
        other_codes.append({"codeType": "institution_code", "code": institution.brin})
    if institution.kvk:
        other_codes.append({"codeType": "kvk_organisation_id", "code": institution.kvk})
    description = (texts(institution.description_nl, "nl-NL") or []) + (
        texts(institution.description_en, "en-GB") or []
    )
    return _clean(
        {
            "organisationId": institution.uuid,
            "primaryCode": {"codeType": "organisation_id", "code": institution.code},
            "organisationType": ORGANISATION_TYPE[institution.kind],
            "name": [{"language": "nl-NL", "value": institution.name}],
            "shortName": institution.short_name or None,
            "description": description,
            "addresses": _addresses("visit", institution.city),
            "link": institution.website or None,
            "otherCodes": other_codes,
            "rootId": root.organisation_id,
            "parentId": root.organisation_id,
            "consumer": {
                "consumerKey": CONSUMER_KEY,
                "kind": institution.kind,
                "region": institution.region.code,
                "regionName": institution.region.name,
            },
        }
    )


def recognitions(session: Session, module: Module) -> list[dict[str, Any]]:
    """Who recognises the module or one of its units, as the consumer lists them."""
    return [
        _clean(
            {
                "organisationId": r.institution.uuid,
                "institution": r.institution.code,
                "institutionName": r.institution.name,
                "region": r.institution.region.code,
                "agreement": r.agreement.code,
                "kind": r.agreement.kind,
                "unitCode": r.unit_code,
            }
        )
        for r in recognised_by(session=session, module_id=module.id)
    ]


def _material(material) -> dict[str, Any]:
    return {
        "title": material.title,
        "url": material.url,
        "materialType": material.material_type,
        "format": material.format,
        "language": material.language,
        "licence": material.licence,
        "authors": material.authors,
        "description": material.description,
        "unitCode": material.unit_code,
    }


def _course_consumer(module: Module, recognised: list[dict[str, Any]]) -> dict[str, Any]:
    nlqf = NLQF_LEVEL[module.level]
    return {
        "consumerKey": CONSUMER_KEY,
        "sector": module.sector,
        "summary": module.summary,
        "competencies": module.codes("competencies"),
        "deliveryModes": module.codes("delivery_modes"),
        "targetGroups": module.codes("target_groups"),
        "audiences": module.codes("audiences"),
        "learningOutcomes": list(module.learning_outcomes),
        "escoUris": list(module.esco_uris),
        "participation": module.participation,
        "qualityAssurance": module.quality_assurance,
        "microCredential": module.micro_credential,
        "nlqfLevel": nlqf,
        "eqfLevel": nlqf,
        "materials": [_material(m) for m in module.materials],
        "recognisedBy": recognised,
        "version": module.current_version,
    }


def course(
    module: Module, *, recognised: list[dict[str, Any]], link: str | None = None
) -> dict[str, Any]:
    """A published module as a Course (its organisation unexpanded)."""
    languages = module.codes("languages")
    lang = text_language(languages)
    modes = module.codes("delivery_modes")
    return _clean(
        {
            "courseId": module.uuid,
            "primaryCode": {"codeType": "identifier", "code": module.code},
            "name": [{"language": lang, "value": module.title}],
            "description": texts(module.description or module.summary, lang),
            "studyLoad": [
                {
                    "studyLoadUnit": STUDY_LOAD_UNIT[module.study_load_unit],
                    "value": module.study_load_value,
                }
            ],
            "modesOfDelivery": list(dict.fromkeys(MODE_OF_DELIVERY[m] for m in modes)),
            "teachingLanguages": languages,
            "level": LEVEL[module.level],
            "admissionRequirements": texts(module.prerequisites, lang),
            "assessment": texts(module.assessment, lang),
            "resources": [m.url for m in module.materials],
            "link": link,
            "organisationId": module.institution.uuid,
            "consumer": _course_consumer(module, recognised),
        }
    )


def learning_component(unit: LearningUnit, module: Module) -> dict[str, Any]:
    """A learning unit as a LearningComponent of its module's course."""
    languages = module.codes("languages")
    lang = text_language(languages)
    modes = module.codes("delivery_modes")
    return _clean(
        {
            "componentId": unit.uuid,
            "primaryCode": {"codeType": "component_code", "code": unit.code},
            "componentType": COMPONENT_TYPE[unit.component_type],
            "name": [{"language": lang, "value": unit.title}],
            "description": texts(unit.description, lang),
            "modesOfDelivery": list(dict.fromkeys(MODE_OF_DELIVERY[m] for m in modes)),
            "teachingLanguages": languages,
            "assessment": texts(unit.assessment, lang),
            "courseId": module.uuid,
            "organisationId": module.institution.uuid,
            "consumer": {
                "consumerKey": CONSUMER_KEY,
                "componentType": unit.component_type,
                "learningOutcomes": list(unit.learning_outcomes),
                "studyLoad": {"value": unit.study_load_value, "unit": unit.study_load_unit},
            },
        }
    )


def course_offering(offering: Offering, module: Module) -> dict[str, Any]:
    """A run as a CourseOffering: dates in Dutch time, place, price and seats."""
    enrolment = None
    if offering.enrol_from:
        enrolment = {"startDateTime": local_datetime(offering.enrol_from)}
        if offering.enrol_until:
            enrolment["endDateTime"] = local_datetime(offering.enrol_until, end_of_day=True)
    price = {"costType": "total_costs", "amount": amount(offering.price_eur), "currency": "EUR"}
    return _clean(
        {
            "courseOfferingId": offering.uuid,
            "primaryCode": {"codeType": "offering_code", "code": offering.code},
            "name": [{"language": TEXT_LANGUAGE[offering.language], "value": module.title}],
            "state": OFFERING_STATE[offering.status],
            "startDateTime": local_datetime(offering.start_date),
            "endDateTime": local_datetime(offering.end_date, end_of_day=True),
            "teachingLanguages": [offering.language],
            "modesOfDelivery": [MODE_OF_DELIVERY[offering.delivery_mode]],
            "maxNumberStudents": offering.seats,
            "enrolmentPeriods": [enrolment] if enrolment else None,
            "priceInformation": [price],
            "addresses": _addresses("teaching", offering.city),
            "courseId": module.uuid,
            "consumer": {
                "consumerKey": CONSUMER_KEY,
                "status": offering.status,
                "deliveryMode": offering.delivery_mode,
                "priceNote": offering.price_note,
                "enrolFrom": offering.enrol_from.isoformat() if offering.enrol_from else None,
                "enrolUntil": offering.enrol_until.isoformat() if offering.enrol_until else None,
            },
        }
    )


# -- harvesting: OEAPI → catalogue ---------------------------------------------------------------


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
    description = first_text(course.get("description"))
    return {
        "code": course["primaryCode"]["code"],
        "title": first_text(course["name"]),
        "summary": extra.get("summary", ""),
        "description": description,
        "sector": sector,
        "level": level,
        "study_load": _study_load(course.get("studyLoad"), "studyLoad"),
        "competencies": competencies,
        "languages": _languages(course, defaults),
        "delivery_modes": _modes(course, defaults),
        "target_groups": extra.get("targetGroups", []),
        "audiences": extra.get("audiences", []),
        "learning_outcomes": extra.get("learningOutcomes", []),
        "prerequisites": first_text(course.get("admissionRequirements")),
        "assessment": first_text(course.get("assessment")),
        "participation": extra.get("participation", ""),
        "quality_assurance": extra.get("qualityAssurance", ""),
        "micro_credential": bool(extra.get("microCredential", False)),
        "esco_uris": extra.get("escoUris", []),
        "units": [_unit(c, course, len(components), defaults) for c in components],
        "materials": [_material_back(m) for m in extra.get("materials", [])],
    }


def _unit(
    component: dict[str, Any], course: dict[str, Any], count: int, defaults: Defaults
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
        "title": first_text(component["name"]),
        "description": first_text(component.get("description")),
        "learning_outcomes": extra.get("learningOutcomes", []),
        "study_load": load,
        "assessment": first_text(component.get("assessment")),
        "component_type": kind,
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
        "status": extra.get("status")
        or OFFERING_STATE_BACK.get(offering.get("state") or "", "planned"),
    }
