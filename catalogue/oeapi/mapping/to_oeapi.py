"""Serving: institution → Organisation, module → Course, learning unit → LearningComponent, run
→ CourseOffering. What base v6 has no field for goes in the `x-semicon-catalogue` consumer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from catalogue.institutions.models import Institution
from catalogue.modules.models import LearningUnit, Module, Offering
from catalogue.oeapi.mapping.codes import (
    COMPONENT_TYPE,
    CONSUMER_KEY,
    LEVEL,
    MODE_OF_DELIVERY,
    OFFERING_STATE,
    ORGANISATION_TYPE,
    STUDY_LOAD_UNIT,
    TEXT_LANGUAGE,
    addresses_of,
    amount,
    local_datetime,
    text_language,
    texts,
    texts_with,
    without_empty,
)
from catalogue.recognition.queries import recognised_by
from catalogue.vocabularies import NLQF_LEVEL


@dataclass(frozen=True)
class Root:
    """The catalogue itself, served as the root organisation."""

    organisation_id: str
    name_nl: str = "Semicon-catalogus"
    name_en: str = "Semicon catalogue"
    link: str | None = None


def root_organisation(root: Root, child_ids: list[str] | None = None) -> dict[str, Any]:
    """The root Organisation: the national catalogue all institutions belong to."""
    return without_empty(
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
    return without_empty(
        {
            "organisationId": institution.uuid,
            "primaryCode": {"codeType": "organisation_id", "code": institution.code},
            "organisationType": ORGANISATION_TYPE[institution.kind],
            "name": [{"language": "nl-NL", "value": institution.name}],
            "shortName": institution.short_name or None,
            "description": description,
            "addresses": addresses_of("visit", institution.city),
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
        without_empty(
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
    consumer = {
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
    if module.translations:
        # The translated texts exactly, also those (summary, outcomes) v6 has no field for.
        consumer["translations"] = module.translations
    return consumer


def _teaching(module: Module) -> tuple[list[str], str, list[str]]:
    """A module's teaching languages, the tag of its texts' language, and its v6 modes."""
    languages = module.codes("languages")
    modes = [MODE_OF_DELIVERY[m] for m in module.codes("delivery_modes")]
    return languages, text_language(languages), list(dict.fromkeys(modes))


def course(
    module: Module, *, recognised: list[dict[str, Any]], link: str | None = None
) -> dict[str, Any]:
    """A published module as a Course (its organisation unexpanded)."""
    languages, lang, modes = _teaching(module)
    return without_empty(
        {
            "courseId": module.uuid,
            "primaryCode": {"codeType": "identifier", "code": module.code},
            "name": texts_with(module.title, lang, module.translations, "title"),
            "description": texts_with(
                module.description or module.summary,
                lang,
                module.translations,
                "description",
                fallback="summary",
            ),
            "studyLoad": [
                {
                    "studyLoadUnit": STUDY_LOAD_UNIT[module.study_load_unit],
                    "value": module.study_load_value,
                }
            ],
            "modesOfDelivery": modes,
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
    languages, lang, modes = _teaching(module)
    return without_empty(
        {
            "componentId": unit.uuid,
            "primaryCode": {"codeType": "component_code", "code": unit.code},
            "componentType": COMPONENT_TYPE[unit.component_type],
            "name": texts_with(unit.title, lang, unit.translations, "title"),
            "description": texts(unit.description, lang),
            "modesOfDelivery": modes,
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


def _taken(offering: Offering) -> int | None:
    """Places taken, when the provider keeps the places left up to date."""
    if offering.seats_left is None:
        return None
    return max(offering.seats - offering.seats_left, 0)


def course_offering(offering: Offering, module: Module) -> dict[str, Any]:
    """A run as a CourseOffering: dates in Dutch time, place, price and seats."""
    enrolment = None
    if offering.enrol_from:
        enrolment = {"startDateTime": local_datetime(offering.enrol_from)}
        if offering.enrol_until:
            enrolment["endDateTime"] = local_datetime(offering.enrol_until, end_of_day=True)
    price = {"costType": "total_costs", "amount": amount(offering.price_eur), "currency": "EUR"}
    return without_empty(
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
            "enrolledNumberStudents": _taken(offering),
            "enrolmentPeriods": [enrolment] if enrolment else None,
            "link": offering.enrol_url or None,
            "priceInformation": [price],
            "addresses": addresses_of("teaching", offering.city),
            "courseId": module.uuid,
            "consumer": {
                "consumerKey": CONSUMER_KEY,
                "status": offering.status,
                "deliveryMode": offering.delivery_mode,
                "priceNote": offering.price_note,
                "enrolFrom": offering.enrol_from.isoformat() if offering.enrol_from else None,
                "enrolUntil": offering.enrol_until.isoformat() if offering.enrol_until else None,
                "placesLeft": offering.seats_left,
                "enrolEmail": offering.enrol_email or None,
                "enrolPhone": offering.enrol_phone or None,
                "guaranteed": offering.guaranteed,
            },
        }
    )
