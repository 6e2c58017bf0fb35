"""Schemas of a module's content (module, learning units, material) and of its offerings.

`ModuleContentSchema` defines the canonical content form of a module: the web editor's drafts,
published versions and their hashes, the API and the seed files all use it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import (
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_load,
    validates_schema,
)

from catalogue.modules.translations import (
    MODULE_TRANSLATED_FIELDS,
    TRANSLATION_LANGUAGES,
    UNIT_TRANSLATED_FIELDS,
    cleaned,
    text_language,
)
from catalogue.vocabularies import (
    SECTOR_LEVELS,
    TAG_VOCABULARIES,
    Audience,
    Competency,
    ComponentType,
    DeliveryMode,
    Level,
    Licence,
    MaterialType,
    OfferingStatus,
    Sector,
    StudyLoadUnit,
    TargetGroup,
    TeachingLanguage,
)
from schemas.common import (
    BaseSchema,
    Code,
    EmailAddress,
    HttpUrl,
    Pattern,
    Text,
    unique_items,
    vocabulary_field,
)
from schemas.common import vocabulary_list as vocab_list
from schemas.messages import Count, Length, Range, _t

ESCO_PREFIX = "http://data.europa.eu/esco/"


class StudyLoadSchema(BaseSchema):
    """Study load as OOAPI gives it: a value and its unit, kept as entered."""

    value = fields.Float(
        metadata={"exclusiveMinimum": True},
        required=True,
        allow_nan=False,
        validate=Range(min=0, min_inclusive=False, max=6000),
    )
    unit = vocabulary_field(StudyLoadUnit, required=True)


def outcome_list(**kw) -> fields.List:
    """Learning outcomes: short statements, one per item."""
    return fields.List(
        Text(max_length=500, min_length=3),
        validate=[Count(max=30), unique_items],
        load_default=list,
        metadata={"uniqueItems": True},
        **kw,
    )


def _at_least(count: int):
    """A minimum length for an optional text: empty is fine, a few letters are not."""

    def check(value: str) -> None:
        if value and len(value) < count:
            raise ValidationError(_t("Must be at least {min} characters long.").format(min=count))

    return check


def _optional_title() -> Text:
    return Text(max_length=200, load_default="", validate=[_at_least(3)])


class _TranslationsSchema(BaseSchema):
    """Translations per language ("nl", "en"); an unknown language is named in the error."""

    # The fields a translation of this kind gives, without empty ones, in a fixed order.
    translated: tuple[str, ...] = ()

    @pre_load
    def _known_languages(self, data, **_kwargs):
        if isinstance(data, dict):
            unknown = [key for key in data if key not in TRANSLATION_LANGUAGES]
            if unknown:
                message = _l("Translations can be given in Dutch (nl) or English (en) only.")
                raise ValidationError({key: [message] for key in unknown})
        return data

    @post_load
    def _without_empty_load(self, data, **_kwargs):
        return cleaned(data, self.translated)

    @post_dump
    def _without_empty_dump(self, data, **_kwargs):
        return cleaned(data, self.translated)


class UnitTranslationSchema(BaseSchema):
    """A learning unit's texts in another language."""

    title = _optional_title()


class UnitTranslationsSchema(_TranslationsSchema):
    """A learning unit's translations, per language."""

    translated = UNIT_TRANSLATED_FIELDS
    nl = fields.Nested(UnitTranslationSchema)
    en = fields.Nested(UnitTranslationSchema)


class ModuleTranslationSchema(BaseSchema):
    """A module's texts in another language; a field left out is shown in the original."""

    title = _optional_title()
    summary = Text(max_length=600, multiline=True, load_default="")
    description = Text(max_length=20000, multiline=True, load_default="")
    learning_outcomes = outcome_list()


class ModuleTranslationsSchema(_TranslationsSchema):
    """A module's translations, per language."""

    translated = MODULE_TRANSLATED_FIELDS
    nl = fields.Nested(ModuleTranslationSchema)
    en = fields.Nested(ModuleTranslationSchema)


def translations_field(schema) -> fields.Nested:
    """Optional translations; left out of the content when there are none."""
    return fields.Nested(
        schema,
        metadata={
            "description": "Texts in another language than the module's own (that of its "
            "first teaching language), per language: nl or en. Left out when there are none."
        },
    )


class LearningUnitSchema(BaseSchema):
    """A learning unit of a module."""

    code = Code()
    title = Text(max_length=200, min_length=3)
    description = Text(max_length=5000, multiline=True, load_default="")
    learning_outcomes = outcome_list()
    study_load = fields.Nested(StudyLoadSchema, required=True)
    assessment = Text(max_length=2000, multiline=True, load_default="")
    component_type = vocabulary_field(ComponentType, required=True)
    translations = translations_field(UnitTranslationsSchema)

    @post_load
    def _without_empty_translations_load(self, data, **_kwargs):
        return _drop_empty_translations(data)

    @post_dump
    def _without_empty_translations_dump(self, data, **_kwargs):
        return _drop_empty_translations(data)


def _drop_empty_translations(data: dict[str, Any]) -> dict[str, Any]:
    # Content without translations keeps the form (and the hash) it had before they existed.
    if "translations" in data and not data["translations"]:
        del data["translations"]
    return data


class MaterialSchema(BaseSchema):
    """Digital learning material with its NL-LOM licence."""

    title = Text(max_length=200, min_length=3)
    url = HttpUrl(required=True)
    material_type = vocabulary_field(MaterialType, required=True)
    format = Text(
        max_length=100,
        load_default="",
        validate=[
            Pattern(
                r"^$|^[a-z]+/[A-Za-z0-9.+-]+$",
                error=_l("Use a media type such as application/pdf."),
            )
        ],
    )
    language = vocabulary_field(TeachingLanguage, required=True)
    licence = vocabulary_field(Licence, required=True)
    authors = Text(max_length=300, load_default="")
    description = Text(max_length=1000, multiline=True, load_default="")
    unit_code = fields.String(load_default=None, allow_none=True, validate=Length(max=40))


class ModuleContentSchema(BaseSchema):
    """The content of a module that is versioned: module fields, learning units and material."""

    code = Code()
    title = Text(max_length=200, min_length=3)
    summary = Text(max_length=600, multiline=True, load_default="")
    description = Text(max_length=20000, multiline=True, load_default="")
    sector = vocabulary_field(Sector, required=True)
    level = vocabulary_field(Level, required=True)
    study_load = fields.Nested(StudyLoadSchema, required=True)
    competencies = vocab_list(Competency, min_items=1, required=True)
    languages = vocab_list(TeachingLanguage, min_items=1, required=True)
    delivery_modes = vocab_list(DeliveryMode, min_items=1, required=True)
    target_groups = vocab_list(TargetGroup, load_default=list)
    audiences = vocab_list(Audience, load_default=list)
    learning_outcomes = outcome_list()
    prerequisites = Text(max_length=3000, multiline=True, load_default="")
    assessment = Text(max_length=3000, multiline=True, load_default="")
    participation = Text(max_length=300, load_default="")
    quality_assurance = Text(max_length=500, multiline=True, load_default="")
    micro_credential = fields.Boolean(load_default=False)
    esco_uris = fields.List(
        HttpUrl(
            pattern="^" + re.escape(ESCO_PREFIX) + "[A-Za-z0-9._~/-]*$",
            validate=[
                Pattern(
                    "^" + re.escape(ESCO_PREFIX) + ".*",
                    error=_l("Must be an ESCO URI starting with http://data.europa.eu/esco/."),
                )
            ],
        ),
        validate=[Count(max=20), unique_items],
        load_default=list,
        metadata={"uniqueItems": True},
    )
    units = fields.List(
        fields.Nested(LearningUnitSchema), validate=Count(max=50), load_default=list
    )
    materials = fields.List(
        fields.Nested(MaterialSchema), validate=Count(max=100), load_default=list
    )
    translations = translations_field(ModuleTranslationsSchema)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check_consistency(self, data: dict[str, Any], original, **_kwargs) -> None:
        # Runs even when some fields are wrong, so that one answer names every problem. A list
        # with a wrong item comes back without it; per-item checks then wait for the next try.
        errors: dict[str, Any] = {}
        original = original if isinstance(original, dict) else {}

        def aligned(name: str) -> bool:
            given = original.get(name)
            return isinstance(given, list) and len(data.get(name) or []) == len(given)

        sector, level = data.get("sector"), data.get("level")
        if sector and level and level not in SECTOR_LEVELS[sector]:
            errors["level"] = [_l("This level does not belong to the chosen sector.")]
        unit_errors: dict[int, dict[str, list]] = {}
        seen: set[str] = set()
        for index, unit in enumerate(data.get("units") or [] if aligned("units") else []):
            code = unit.get("code", "").lower()
            if code in seen:
                unit_errors[index] = {"code": [_l("Another unit of this module has this code.")]}
            seen.add(code)
        if unit_errors:
            errors["units"] = unit_errors
        material_errors: dict[int, dict[str, list]] = {}
        units_known = aligned("units") or not original.get("units")
        for index, material in enumerate(data.get("materials") or []):
            unit_code = material.get("unit_code")
            if not (units_known and aligned("materials")):
                break
            if unit_code and unit_code.lower() not in seen:
                material_errors[index] = {
                    "unit_code": [_l("No learning unit of this module has this code.")]
                }
        if material_errors:
            errors["materials"] = material_errors
        own = text_language(data.get("languages") or [])
        if own in (data.get("translations") or {}):
            errors["translations"] = {
                own: [_l("The module's own texts are in this language: give another language.")]
            }
        if errors:
            raise ValidationError(errors)

    @post_load
    def _tags_in_vocabulary_order(self, data: dict[str, Any], **_kwargs) -> dict[str, Any]:
        # The same tags in another order are the same content (and the same hash).
        for name, vocabulary in TAG_VOCABULARIES.items():
            if name in data:
                chosen = set(data[name])
                data[name] = [code for code in vocabulary.values() if code in chosen]
        return _drop_empty_translations(data)

    @post_dump
    def _canonical(self, data: dict[str, Any], **_kwargs) -> dict[str, Any]:
        # Floats that hold whole numbers are written the same way however they were entered.
        for holder in [data, *data.get("units", [])]:
            load = holder.get("study_load")
            if load and load.get("value") is not None:
                load["value"] = float(load["value"])
        return _drop_empty_translations(data)


class OfferingSchema(BaseSchema):
    """A run of a module (not versioned: seats and dates change without a new version)."""

    code = Code()
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    enrol_from = fields.Date(load_default=None, allow_none=True)
    enrol_until = fields.Date(load_default=None, allow_none=True)
    city = Text(max_length=100, load_default="")
    delivery_mode = vocabulary_field(DeliveryMode, required=True)
    language = vocabulary_field(TeachingLanguage, required=True)
    price_eur = fields.Decimal(
        required=True,
        places=2,
        as_string=False,
        allow_nan=False,
        validate=Range(min=0, max=1_000_000),
    )
    price_note = Text(max_length=300, load_default="")
    seats = fields.Integer(required=True, strict=True, validate=Range(min=0, max=100_000))
    seats_left = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=Range(min=0, max=100_000),
        metadata={"description": "Places still free (leave out when not kept up to date)"},
    )
    status = vocabulary_field(OfferingStatus, load_default=OfferingStatus.PLANNED)
    enrol_url = HttpUrl(
        allow_blank=True, load_default="", metadata={"description": "Where to enrol"}
    )
    enrol_email = EmailAddress(load_default="", metadata={"description": "Whom to write to enrol"})
    enrol_phone = Text(
        max_length=40,
        load_default="",
        validate=[
            Pattern(
                r"^$|^\+?[0-9][0-9 ()-]{5,38}$",
                error=_l("Must be a telephone number, e.g. 040 123 4567."),
            )
        ],
        metadata={"description": "Whom to call to enrol"},
    )
    guaranteed = fields.Boolean(load_default=False, metadata={"description": "Certain to run"})
    confirm = fields.Boolean(
        load_default=False,
        load_only=True,
        metadata={
            "description": "Save values that look wrong (a start more than a year ago, a price "
            "above € 50,000, more than 1,000 seats) after checking them"
        },
    )

    @pre_load
    def _blank_dates_are_none(self, data, **_kwargs):
        if isinstance(data, dict):
            data = dict(data)
            for key in ("enrol_from", "enrol_until", "seats_left"):
                if data.get(key) == "":
                    data[key] = None
            for key in ("enrol_url", "enrol_email", "enrol_phone"):
                if isinstance(data.get(key), str) and not data[key].strip():
                    data.pop(key)
        return data

    @post_load
    def _drop_confirmation(self, data, **_kwargs):
        data.pop("confirm", None)
        return data

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check_dates(self, data: dict[str, Any], original, **_kwargs) -> None:
        errors: dict[str, list] = {}
        original = original if isinstance(original, dict) else {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            errors["end_date"] = [_l("The end date lies before the start date.")]
        enrol_from, enrol_until = data.get("enrol_from"), data.get("enrol_until")
        if enrol_from and enrol_until and enrol_until < enrol_from:
            errors["enrol_until"] = [_l("Enrolment closes before it opens.")]
        if enrol_until and end and enrol_until > end:
            errors["enrol_until"] = [_l("Enrolment closes after the offering has ended.")]
        city_given = bool(str(original.get("city") or "").strip())
        if data.get("delivery_mode") in ("on-campus", "hybrid", "situated") and not city_given:
            errors["city"] = [_l("Give the place for an offering that is not fully online.")]
        seats, left = data.get("seats"), data.get("seats_left")
        if seats is not None and left is not None and left > seats:
            errors["seats_left"] = [_l("More places left than the run has seats.")]
        if not data.get("confirm"):
            for name, message in run_sanity_problems(data, date.today()).items():
                errors.setdefault(name, []).append(message)
        if errors:
            raise ValidationError(errors)


# Values of a run that are possible but most likely a typing error: saved only when confirmed.
PRICE_CEILING = 50_000
SEATS_CEILING = 1_000
# Field → its ceiling, and what to say above it (the ceiling written as people read it).
_CEILINGS = {
    "price_eur": (
        PRICE_CEILING,
        _l(
            "A price above € %(ceiling)s is unusual for a run: check the amount (cents?), or "
            "tick “These values are right” to save it.",
            ceiling="50.000",
        ),
    ),
    "seats": (
        SEATS_CEILING,
        _l(
            "More than %(ceiling)s seats is unusual for a run: check the number, or tick "
            "“These values are right” to save it.",
            ceiling="1.000",
        ),
    ),
}


def run_sanity_problems(data: dict[str, Any], today: date) -> dict[str, str]:
    """Field → why its value looks wrong (and how to save it anyway)."""
    problems = {}
    start = data.get("start_date")
    still_to_come = data.get("status") in ("planned", "open", "full")
    if start and still_to_come and start < today - timedelta(days=365):
        problems["start_date"] = _l(
            "The run starts more than a year ago but is still %(status)s: check the date, "
            "or tick “These values are right” to save it.",
            status=data.get("status"),
        )
    for name, (ceiling, message) in _CEILINGS.items():
        value = data.get(name)
        if value is not None and value > ceiling:
            problems[name] = message
    return problems
