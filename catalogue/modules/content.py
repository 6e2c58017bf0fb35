"""The canonical content form of a module: read it from rows, write it to rows, hash it, diff it.

A module's content (its fields, learning units and material) is one dict in the form that
`schemas.modules.ModuleContentSchema` loads and dumps (the boundary validates it there; a test keeps
both forms equal). Drafts, published versions, content hashes and version diffs all work on this
form, so that they agree with each other and with the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogue.hashing import canonical_json, content_hash  # noqa: F401 - the module's hash
from catalogue.modules.models import LearningUnit, Material, Module
from catalogue.modules.translations import MODULE_TRANSLATED_FIELDS, TRANSLATION_LANGUAGES
from catalogue.vocabularies import TAG_VOCABULARIES

# Fields of the module itself, in the order a person reads them on the form.
SCALAR_FIELDS = (
    "code",
    "title",
    "summary",
    "description",
    "sector",
    "level",
    "prerequisites",
    "assessment",
    "participation",
    "quality_assurance",
    "micro_credential",
)
LIST_FIELDS = ("learning_outcomes", "esco_uris")
UNIT_FIELDS = (
    "code",
    "title",
    "description",
    "learning_outcomes",
    "assessment",
    "component_type",
)
MATERIAL_FIELDS = (
    "title",
    "url",
    "material_type",
    "format",
    "language",
    "licence",
    "authors",
    "description",
    "unit_code",
)


# The order of the content's keys, as the content schema declares its fields.
CONTENT_KEYS = (
    *SCALAR_FIELDS[:6],
    "study_load",
    *TAG_VOCABULARIES,
    "learning_outcomes",
    *SCALAR_FIELDS[6:],
    "esco_uris",
    "units",
    "materials",
)
UNIT_KEYS = (*UNIT_FIELDS[:4], "study_load", *UNIT_FIELDS[4:])
# Last in content and unit alike, and only there when not empty: content without translations
# keeps the canonical form, and so the hash, it had before translations existed.
TRANSLATIONS = "translations"


def _with_translations(content: dict[str, Any], row) -> dict[str, Any]:
    if row.translations:
        content[TRANSLATIONS] = row.translations
    return content


def content_of(module: Module) -> dict[str, Any]:
    """The module's content as stored in its rows, in canonical form."""
    content: dict[str, Any] = {name: getattr(module, name) for name in CONTENT_KEYS[:-2]}
    content["units"] = [
        _with_translations({name: getattr(unit, name) for name in UNIT_KEYS}, unit)
        for unit in module.units
    ]
    content["materials"] = [
        {name: getattr(material, name) for name in MATERIAL_FIELDS} for material in module.materials
    ]
    return _with_translations(content, module)


def working_content(module: Module) -> dict[str, Any]:
    """What an editor works on: the pending draft if there is one, else the stored content."""
    return module.draft_content if module.draft_content is not None else content_of(module)


def apply_content(module: Module, content: dict[str, Any]) -> None:
    """Write validated canonical content into the module's rows.

    Learning units are matched by code and material by URL, so that each keeps its identity
    (and what refers to it) across edits.
    """
    for name in SCALAR_FIELDS + LIST_FIELDS:
        setattr(module, name, content[name])
    module.study_load_value = content["study_load"]["value"]
    module.study_load_unit = content["study_load"]["unit"]
    module.translations = content.get(TRANSLATIONS) or {}
    for vocabulary in TAG_VOCABULARIES:
        module.set_codes(vocabulary, content[vocabulary])

    existing = {unit.code.lower(): unit for unit in module.units}
    units = []
    for position, unit_content in enumerate(content["units"]):
        unit = existing.pop(unit_content["code"].lower(), None) or LearningUnit()
        for name in UNIT_FIELDS:
            setattr(unit, name, unit_content[name])
        unit.study_load_value = unit_content["study_load"]["value"]
        unit.study_load_unit = unit_content["study_load"]["unit"]
        unit.translations = unit_content.get(TRANSLATIONS) or {}
        unit.position = position
        units.append(unit)
    module.units = units

    # Material is matched by its URL, so that it keeps its identity (its page, its reuse
    # registrations, its OAI-PMH identifier) across edits and publications.
    existing_materials = {material.url: material for material in module.materials}
    materials = []
    for position, material_content in enumerate(content["materials"]):
        material = existing_materials.pop(material_content["url"], None) or Material()
        for name in MATERIAL_FIELDS:
            setattr(material, name, material_content[name])
        material.position = position
        materials.append(material)
    module.materials = materials


def unit_hash(content: dict[str, Any], unit_code: str) -> str | None:
    """SHA-256 of one learning unit within a module's content; None when the unit is absent."""
    for unit in content.get("units", []):
        if unit["code"].lower() == unit_code.lower():
            return content_hash(unit)
    return None


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two contents: its path and both values."""

    path: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        """added, removed or changed."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


def diff_content(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ between two contents, field by field.

    Units are compared by code (so reordering shows as a change of position only); material by
    position. Paths read like `units[PLC-1].title` or `materials[2].licence`.
    """
    changes: list[FieldChange] = []
    for name in (*SCALAR_FIELDS, "study_load", *TAG_VOCABULARIES, *LIST_FIELDS):
        if before.get(name) != after.get(name):
            changes.append(FieldChange(name, before.get(name), after.get(name)))
    changes += _translation_changes("translations", before, after)

    before_units = {u["code"]: u for u in before.get("units", [])}
    after_units = {u["code"]: u for u in after.get("units", [])}
    for code in [*before_units, *(c for c in after_units if c not in before_units)]:
        old, new = before_units.get(code), after_units.get(code)
        if old is None or new is None:
            changes.append(FieldChange(f"units[{code}]", old, new))
            continue
        for name in (*UNIT_FIELDS, "study_load"):
            if old.get(name) != new.get(name):
                changes.append(FieldChange(f"units[{code}].{name}", old.get(name), new.get(name)))
        changes += _translation_changes(f"units[{code}].translations", old, new)
    same_units = set(before_units) == set(after_units)
    if same_units and list(before_units) != list(after_units):
        changes.append(
            FieldChange(
                "units.order",
                [u["code"] for u in before.get("units", [])],
                [u["code"] for u in after.get("units", [])],
            )
        )

    old_materials, new_materials = before.get("materials", []), after.get("materials", [])
    for index in range(max(len(old_materials), len(new_materials))):
        old = old_materials[index] if index < len(old_materials) else None
        new = new_materials[index] if index < len(new_materials) else None
        if old is None or new is None:
            changes.append(FieldChange(f"materials[{index + 1}]", old, new))
            continue
        for name in MATERIAL_FIELDS:
            if old.get(name) != new.get(name):
                changes.append(
                    FieldChange(f"materials[{index + 1}].{name}", old.get(name), new.get(name))
                )
    return changes


def _translation_changes(prefix: str, before: dict[str, Any], after: dict[str, Any]):
    """Translated fields that differ, with paths like `translations.en.title`."""
    old, new = before.get(TRANSLATIONS) or {}, after.get(TRANSLATIONS) or {}
    changes = []
    for language in TRANSLATION_LANGUAGES:
        old_fields, new_fields = old.get(language) or {}, new.get(language) or {}
        for name in MODULE_TRANSLATED_FIELDS:
            if old_fields.get(name) != new_fields.get(name):
                changes.append(
                    FieldChange(
                        f"{prefix}.{language}.{name}", old_fields.get(name), new_fields.get(name)
                    )
                )
    return changes
