"""The module editor's form: flat HTML form fields to content and back, and errors to fields.

The editor works without JavaScript: units and material are numbered groups of fields
(`units-0-title`), "add a unit" re-renders the form with one more empty group, and a failed save
re-renders exactly what the person typed with the errors beside the fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal
from werkzeug.datastructures import MultiDict

from catalogue.errors import flatten_errors
from catalogue.modules.content import LIST_FIELDS, MATERIAL_FIELDS, SCALAR_FIELDS, UNIT_FIELDS
from catalogue.modules.translations import (
    MODULE_TRANSLATED_FIELDS,
    TRANSLATION_LANGUAGES,
    text_language,
)
from catalogue.vocabularies import TAG_VOCABULARIES
from catalogue.web.forms import FormState, number_input

# The content's own field lists (catalogue.modules.content), less those the form shows
# differently: a checkbox, and lists typed one item per line.
TEXT_FIELDS = tuple(name for name in SCALAR_FIELDS if name != "micro_credential")
LINE_LIST_FIELDS = LIST_FIELDS
UNIT_TEXT_FIELDS = tuple(name for name in UNIT_FIELDS if name != "learning_outcomes")
MATERIAL_TEXT_FIELDS = MATERIAL_FIELDS
_GROUP_RE = re.compile(r"^(units|materials)-(\d{1,3})-([a-z_]+)$")
MAX_GROUPS = 120
# Translated texts are form fields named tr_<language>_<field>: "tr_en_title", and per unit
# "units-0-tr_en_title"; outcomes are typed one per line, like the originals.
TRANSLATED_FORM_FIELDS = tuple(
    f"tr_{language}_{name}"
    for language in TRANSLATION_LANGUAGES
    for name in MODULE_TRANSLATED_FIELDS
)
UNIT_TRANSLATED_FORM_FIELDS = tuple(f"tr_{language}_title" for language in TRANSLATION_LANGUAGES)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass
class ModuleForm(FormState):
    """What the editor form shows: raw values as typed, and errors per form field."""

    units: list[dict[str, str]] = field(default_factory=list)
    materials: list[dict[str, str]] = field(default_factory=list)
    # For each unit/material in the content, the index of its group on the form.
    unit_slots: list[int] = field(default_factory=list)
    material_slots: list[int] = field(default_factory=list)
    # The page's language: numbers are read in its notation.
    locale: str = "nl"

    # -- building --------------------------------------------------------------------------
    @classmethod
    def from_content(cls, content: dict[str, Any], locale: str = "nl") -> ModuleForm:
        """The form filled from stored content."""
        values: dict[str, Any] = {name: content.get(name) or "" for name in TEXT_FIELDS}
        values["study_load_value"] = _format_number(content["study_load"]["value"], locale)
        values["study_load_unit"] = content["study_load"]["unit"]
        for vocabulary in TAG_VOCABULARIES:
            values[vocabulary] = list(content.get(vocabulary) or [])
        for name in LINE_LIST_FIELDS:
            values[name] = "\n".join(content.get(name) or [])
        values["micro_credential"] = bool(content.get("micro_credential"))
        values.update(_translation_values(content.get("translations") or {}))
        units = [
            {
                **{name: unit.get(name) or "" for name in UNIT_TEXT_FIELDS},
                **_unit_translation_values(unit.get("translations") or {}),
                "learning_outcomes": "\n".join(unit.get("learning_outcomes") or []),
                "study_load_value": _format_number(unit["study_load"]["value"], locale),
                "study_load_unit": unit["study_load"]["unit"],
            }
            for unit in content.get("units", [])
        ]
        materials = [
            {name: material.get(name) or "" for name in MATERIAL_TEXT_FIELDS}
            for material in content.get("materials", [])
        ]
        return cls(values=values, units=units, materials=materials, locale=locale)

    @classmethod
    def blank(cls, unit: str = "ects") -> ModuleForm:
        """An empty form for a new module, with one empty unit; study load counted in `unit`."""
        values: dict[str, Any] = {name: "" for name in TEXT_FIELDS}
        values.update(study_load_value="", study_load_unit=unit, micro_credential=False)
        for vocabulary in TAG_VOCABULARIES:
            values[vocabulary] = []
        for name in LINE_LIST_FIELDS + TRANSLATED_FORM_FIELDS:
            values[name] = ""
        return cls(values=values, units=[_blank_unit(unit)], materials=[])

    @classmethod
    def from_request(cls, form: MultiDict, locale: str = "nl") -> ModuleForm:
        """The form as submitted: every value kept as typed."""
        values: dict[str, Any] = {name: form.get(name, "") for name in TEXT_FIELDS}
        values["study_load_value"] = form.get("study_load_value", "")
        values["study_load_unit"] = form.get("study_load_unit", "")
        for vocabulary in TAG_VOCABULARIES:
            values[vocabulary] = form.getlist(vocabulary)
        for name in LINE_LIST_FIELDS:
            values[name] = form.get(name, "")
        values["micro_credential"] = form.get("micro_credential") == "y"
        values.update({name: form.get(name, "") for name in TRANSLATED_FORM_FIELDS})
        groups: dict[str, dict[int, dict[str, str]]] = {"units": {}, "materials": {}}
        for key in form:
            match = _GROUP_RE.match(key)
            if match and int(match.group(2)) < MAX_GROUPS:
                kind, index, name = match.group(1), int(match.group(2)), match.group(3)
                groups[kind].setdefault(index, {})[name] = form.get(key, "")
        units = [groups["units"][i] for i in sorted(groups["units"])]
        materials = [groups["materials"][i] for i in sorted(groups["materials"])]
        return cls(values=values, units=units, materials=materials, locale=locale)

    def add_unit(self) -> None:
        """One more empty unit group."""
        self.units.append(_blank_unit(self.values.get("study_load_unit") or "ects"))

    def add_material(self) -> None:
        """One more empty material group."""
        self.materials.append({name: "" for name in MATERIAL_TEXT_FIELDS})

    # -- to content ------------------------------------------------------------------------
    def to_raw_content(self) -> dict[str, Any]:
        """The submitted form as input for ModuleContentSchema (not yet validated)."""
        values = self.values
        raw: dict[str, Any] = {name: values.get(name, "") for name in TEXT_FIELDS}
        raw["study_load"] = {
            "value": number_input(values.get("study_load_value", ""), self.locale),
            "unit": values.get("study_load_unit", ""),
        }
        for vocabulary in TAG_VOCABULARIES:
            raw[vocabulary] = values.get(vocabulary, [])
        for name in LINE_LIST_FIELDS:
            raw[name] = _lines(values.get(name, ""))
        raw["micro_credential"] = bool(values.get("micro_credential"))
        raw["translations"] = _translations_from(values)
        raw["units"], self.unit_slots = [], []
        for slot, unit in enumerate(self.units):
            if unit.get("remove") == "y" or _is_blank(unit, UNIT_TEXT_FIELDS, "component_type"):
                continue
            self.unit_slots.append(slot)
            raw["units"].append(
                {
                    **{name: unit.get(name, "") for name in UNIT_TEXT_FIELDS},
                    "learning_outcomes": _lines(unit.get("learning_outcomes", "")),
                    "study_load": {
                        "value": number_input(unit.get("study_load_value", ""), self.locale),
                        "unit": unit.get("study_load_unit", ""),
                    },
                    "translations": {
                        language: {"title": unit.get(f"tr_{language}_title", "")}
                        for language in TRANSLATION_LANGUAGES
                        if unit.get(f"tr_{language}_title", "").strip()
                    },
                }
            )
        raw["materials"], self.material_slots = [], []
        for slot, material in enumerate(self.materials):
            if material.get("remove") == "y" or _is_blank(
                material, MATERIAL_TEXT_FIELDS, "material_type", "language", "licence"
            ):
                continue
            self.material_slots.append(slot)
            item = {name: material.get(name, "") for name in MATERIAL_TEXT_FIELDS}
            item["unit_code"] = item["unit_code"] or None
            raw["materials"].append(item)
        return raw

    def set_errors(self, messages: dict[str, Any]) -> None:
        """Place marshmallow's (or a service's) errors beside the form fields they concern."""
        for path, message in flatten_errors(messages):
            self.errors.setdefault(self._form_field(path), []).append(message)

    def translation_languages(self) -> list[str]:
        """The languages the form offers translations in: those other than the module's."""
        own = text_language(self.values.get("languages") or [])
        return [language for language in TRANSLATION_LANGUAGES if language != own]

    def _form_field(self, path: str) -> str:
        translated = re.match(r"^(?:units\[(\d+)\]\.)?translations\.(\w+)\.?([a-z_]*)", path)
        if translated:
            index, language, name = translated.groups()
            name = f"tr_{language}_{name or 'title'}"
            if index is None:
                return name
            slot = self.unit_slots[int(index)] if int(index) < len(self.unit_slots) else int(index)
            return f"units-{slot}-{name}"
        match = re.match(r"^(units|materials)\[(\d+)\]\.?([a-z_]*)\.?([a-z_]*)", path)
        if match:
            kind, index, name, sub = match.groups()
            slots = self.unit_slots if kind == "units" else self.material_slots
            slot = slots[int(index)] if int(index) < len(slots) else int(index)
            if name == "study_load":
                name = f"study_load_{sub or 'value'}"
            return f"{kind}-{slot}-{name or 'code'}"
        head = re.split(r"[.\[]", path, maxsplit=1)[0]
        if head == "study_load":
            return "study_load_unit" if path.endswith("unit") else "study_load_value"
        return head or "_schema"

    def error_list(self) -> list[tuple[str, str]]:
        """(form field, message) pairs for the summary at the top of the form."""
        return [(name, message) for name, messages in self.errors.items() for message in messages]


def _translation_values(translations: dict[str, Any]) -> dict[str, str]:
    """Stored translations as the form's tr_<language>_<field> values."""
    values = {}
    for language in TRANSLATION_LANGUAGES:
        given = translations.get(language) or {}
        for name in MODULE_TRANSLATED_FIELDS:
            value = given.get(name) or ""
            values[f"tr_{language}_{name}"] = "\n".join(value) if isinstance(value, list) else value
    return values


def _unit_translation_values(translations: dict[str, Any]) -> dict[str, str]:
    return {
        f"tr_{language}_title": (translations.get(language) or {}).get("title", "")
        for language in TRANSLATION_LANGUAGES
    }


def _translations_from(values: dict[str, Any]) -> dict[str, Any]:
    """The typed translations as content (empty ones are left out when validated)."""
    translations = {}
    for language in TRANSLATION_LANGUAGES:
        given = {name: values.get(f"tr_{language}_{name}", "") for name in MODULE_TRANSLATED_FIELDS}
        given["learning_outcomes"] = _lines(given["learning_outcomes"])
        if any(v.strip() if isinstance(v, str) else v for v in given.values()):
            translations[language] = given
    return translations


def _blank_unit(study_load_unit: str) -> dict[str, str]:
    unit = {name: "" for name in UNIT_TEXT_FIELDS + UNIT_TRANSLATED_FORM_FIELDS}
    unit.update(learning_outcomes="", study_load_value="", study_load_unit=study_load_unit)
    return unit


def _is_blank(group: dict[str, str], names, *ignored: str) -> bool:
    """A group the person left empty (choices with a default value do not count)."""
    keys = [n for n in names if n not in ignored] + ["learning_outcomes", "study_load_value"]
    return not any((group.get(k) or "").strip() for k in keys)


def _format_number(value: float | None, locale: str) -> str:
    """A stored number as the page's language writes it (2,5 in Dutch), read back by the form."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.###", locale=locale)
