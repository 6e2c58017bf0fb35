"""The vocabularies and small shapes both directions of the OEAPI mapping share.

Our codes → OEAPI v6 strings, and the reverse maps that also take what other endpoints send.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from catalogue.vocabularies import (
    ComponentType,
    DeliveryMode,
    InstitutionKind,
    Level,
    OfferingStatus,
    StudyLoadUnit,
    TeachingLanguage,
)

CONSUMER_KEY = "x-semicon-catalogue"
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")

# -- vocabularies: ours → OEAPI v6 and back, as catalogue/vocabularies.toml declares them --------

LEVEL = Level.mapping("oeapi")
STUDY_LOAD_UNIT = StudyLoadUnit.mapping("oeapi")
MODE_OF_DELIVERY = DeliveryMode.mapping("oeapi")
COMPONENT_TYPE = ComponentType.mapping("oeapi")
OFFERING_STATE = OfferingStatus.mapping("oeapi")
ORGANISATION_TYPE = InstitutionKind.mapping("oeapi")
TEXT_LANGUAGE = TeachingLanguage.mapping("oeapi")
# The language tag of a translation (catalogue.modules.translations) in LanguageTypedStrings.
TRANSLATION_TAG = {"nl": "nl-NL", "en": "en-GB"}

# What other endpoints send, read back into our codes.
LEVEL_BACK = Level.reverse("oeapi")
STUDY_LOAD_UNIT_BACK = StudyLoadUnit.reverse("oeapi")
MODE_OF_DELIVERY_BACK = DeliveryMode.reverse("oeapi")
COMPONENT_TYPE_BACK = ComponentType.reverse("oeapi")
OFFERING_STATE_BACK = OfferingStatus.reverse("oeapi")
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
SECTOR_OF_KIND = InstitutionKind.mapping("sector")


# -- small shapes -------------------------------------------------------------------------------


def texts(value: str, language: str) -> list[dict[str, str]] | None:
    """A LanguageTypedString array holding one text; None for an empty text."""
    return [{"language": language, "value": value}] if value else None


def texts_with(
    value: str, language: str, translations: dict[str, Any], name: str, fallback: str = ""
) -> list[dict[str, str]] | None:
    """A LanguageTypedString array: the original text, then its translations (a translation's
    `fallback` field stands in where `name` is not translated, as the original's does)."""
    found = texts(value, language) or []
    for code, tag in TRANSLATION_TAG.items():
        given = translations.get(code) or {}
        translated = given.get(name) or (given.get(fallback) if fallback else "")
        if translated and tag != language:
            found.append({"language": tag, "value": translated})
    return found or None


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


def addresses_of(kind: str, city: str) -> list[dict[str, Any]] | None:
    """An address list holding the one city we know, in the Netherlands; None without a city."""
    if not city:
        return None
    return [{"addressType": kind, "city": city, "countryCode": {"iso3166-1-alpha2": "NL"}}]


def without_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out fields without a value (OEAPI prefers an absent field to an empty one)."""
    return {k: v for k, v in data.items() if v is not None and v != []}
