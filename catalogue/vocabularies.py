"""The catalogue's controlled vocabularies, their labels, and their mapping to the standards.

Every enumerated value the catalogue stores is declared once, in vocabularies.toml beside this
module, with its translatable label and what OOAPI v5, OEAPI v6 and the NLQF call it. This module
turns each table of that file into a `Vocabulary` of the same name. The database check
constraints, the marshmallow validators, the form choices, the search facets and both exports all
read these classes and the maps derived from them below.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

from flask_babel import lazy_gettext as _l

DATA_FILE = "vocabularies.toml"


class Vocabulary(StrEnum):
    """A StrEnum whose members carry a translatable label and what the standards call them."""

    def __new__(cls, value: str, label: object = None, data: dict[str, Any] | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = value if label is None else label
        member._data = data or {}
        return member

    @classmethod
    def values(cls) -> list[str]:
        """All codes, in declaration order."""
        return [member.value for member in cls]

    @classmethod
    def labels(cls) -> dict[str, object]:
        """Codes mapped to their (lazy, translatable) labels."""
        return {member.value: member._label for member in cls}

    @classmethod
    def label(cls, code: str) -> object:
        """The translatable label of one code; the code itself when unknown."""
        member = cls._value2member_map_.get(code)
        return code if member is None else member._label

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(code, label) pairs for form choices."""
        return list(cls.labels().items())

    @classmethod
    def mapping(cls, attribute: str) -> dict[str, Any]:
        """Codes mapped to one attribute of vocabularies.toml, for the members that have it."""
        return {m.value: m._data[attribute] for m in cls if attribute in m._data}

    @classmethod
    def reverse(cls, attribute: str) -> dict[str, str]:
        """An attribute's values mapped back to codes: each value to the first member that has
        it, and each of a member's `<attribute>_read` values to that member."""
        back: dict[str, str] = {}
        for code, value in cls.mapping(attribute).items():
            back.setdefault(value, code)
        for code, values in cls.mapping(f"{attribute}_read").items():
            back.update(dict.fromkeys(values, code))
        return back

    @classmethod
    @cache
    def having(cls, attribute: str) -> frozenset[str]:
        """The codes whose members have a true value for a flag of vocabularies.toml."""
        return frozenset(code for code, value in cls.mapping(attribute).items() if value)


def read_declarations() -> dict[str, dict[str, dict[str, Any]]]:
    """The tables of vocabularies.toml: vocabulary name → member name → attributes."""
    return tomllib.loads(files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8"))


_DECLARED = read_declarations()


def _declare(name: str) -> type[Vocabulary]:
    members = []
    for member, attributes in _DECLARED[name].items():
        data = dict(attributes)
        code, label = data.pop("code"), data.pop("label")
        members.append((member, (code, _l(label), data)))
    return Vocabulary(name, members, module=__name__, qualname=name)


InstitutionKind = _declare("InstitutionKind")
Sector = _declare("Sector")
Level = _declare("Level")
Competency = _declare("Competency")
StudyLoadUnit = _declare("StudyLoadUnit")
DeliveryMode = _declare("DeliveryMode")
TeachingLanguage = _declare("TeachingLanguage")
TargetGroup = _declare("TargetGroup")
Audience = _declare("Audience")
ModuleStatus = _declare("ModuleStatus")
ComponentType = _declare("ComponentType")
Licence = _declare("Licence")
MaterialType = _declare("MaterialType")
OfferingStatus = _declare("OfferingStatus")
AgreementKind = _declare("AgreementKind")
AgreementStatus = _declare("AgreementStatus")
PartyRole = _declare("PartyRole")
ReuseStatus = _declare("ReuseStatus")
ParticipationStatus = _declare("ParticipationStatus")
Role = _declare("Role")


# The multi-valued vocabularies a module is tagged with, by the name its content form uses.
TAG_VOCABULARIES: dict[str, type[Vocabulary]] = {
    "competencies": Competency,
    "languages": TeachingLanguage,
    "delivery_modes": DeliveryMode,
    "target_groups": TargetGroup,
    "audiences": Audience,
}

# OOAPI v5: the one place where our codes become the standard's strings.
OOAPI_LEVEL = Level.mapping("ooapi")
OOAPI_SECTOR = Sector.mapping("ooapi")
OOAPI_MODE_OF_DELIVERY = DeliveryMode.mapping("ooapi")
OOAPI_STUDY_LOAD_UNIT = StudyLoadUnit.mapping("ooapi")

# Every level's NLQF (= EQF) level; None for a module without a formal level.
NLQF_LEVEL: dict[str, int | None] = {code: None for code in Level} | Level.mapping("nlqf")

# Levels a sector can carry; a module whose level does not fit its sector is refused.
SECTOR_LEVELS = {
    sector: {level for level, sectors in Level.mapping("sectors").items() if sector in sectors}
    for sector in Sector
}

HOURS_PER_EC = 28

KIND_STUDY_LOAD_UNIT = InstitutionKind.mapping("study_load_unit")


def default_study_load_unit(institution_kind: str | None) -> str:
    """The study-load unit a new module of this kind of institution starts with."""
    return KIND_STUDY_LOAD_UNIT.get(institution_kind or "", "ects")


def to_ooapi(vocabulary: dict[str, str], code: str | None) -> str | None:
    """Translate one of our codes through one of the OOAPI maps above."""
    return None if code is None else vocabulary[code]


def study_load_in_ec(value: float, unit: str) -> float | None:
    """Derive EC from a study load for display (1 EC = 28 hours); None for contact time."""
    if unit == StudyLoadUnit.ECTS:
        return value
    if unit in (StudyLoadUnit.SBU, StudyLoadUnit.HOUR):
        return round(value / HOURS_PER_EC, 1)
    return None
