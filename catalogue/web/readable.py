"""Module content, its differences and audit events as people read them, in the page's language.

The stored content keeps codes and raw values (the API returns those); version pages, diffs,
conflict tables and audit trails show the forms' labels instead: vocabulary labels, "80 SBU
(≈ 2.9 EC)", "Yes"/"No", a run's code and date, a module's title.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalogue import vocabularies as vocab
from catalogue.modules.content import CONTENT_KEYS
from catalogue.modules.translations import MODULE_TRANSLATED_FIELDS
from catalogue.web.labels import FIELD_LABELS, change_label, translated_label

# Content fields whose values are codes of a vocabulary, by the field's own name.
_VOCABULARY_FIELDS: dict[str, type[vocab.Vocabulary]] = {
    "sector": vocab.Sector,
    "level": vocab.Level,
    "component_type": vocab.ComponentType,
    "material_type": vocab.MaterialType,
    "language": vocab.TeachingLanguage,
    "licence": vocab.Licence,
    "delivery_mode": vocab.DeliveryMode,
    "status": vocab.OfferingStatus,
    **vocab.TAG_VOCABULARIES,
}
NOTHING = "—"


def number(value: float | int) -> str:
    """A number in the page's language, without a trailing ".0"."""
    return format_decimal(value, format="#,##0.##")


def study_load(load: dict[str, Any]) -> str:
    """{"value": 80.0, "unit": "sbu"} → "80 SBU (≈ 2.9 EC)"."""
    value, unit = load.get("value"), load.get("unit")
    if value is None:
        return NOTHING
    text = f"{number(value)} {vocab.StudyLoadUnit.label(unit)}"
    ec = vocab.study_load_in_ec(value, unit)
    if ec is not None and unit != vocab.StudyLoadUnit.ECTS:
        text += f" (≈ {number(ec)} {_('EC')})"
    return text


def _unit(unit: dict[str, Any]) -> str:
    load = unit.get("study_load")
    return f"{unit.get('code')} {unit.get('title')}" + (f", {study_load(load)}" if load else "")


def show(field: str, value: Any) -> str:
    """One value of content field `field` (its last name: "title", "study_load") as text."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    vocabulary = _VOCABULARY_FIELDS.get(field)
    if vocabulary is not None:
        codes = value if isinstance(value, list) else [value]
        return ", ".join(str(vocabulary.label(code)) for code in codes)
    if isinstance(value, dict):
        if "unit" in value and "value" in value:
            return study_load(value)
        if "study_load" in value:
            return _unit(value)
        return str(value.get("title") or value.get("code") or NOTHING)
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, float | int):
        return number(value)
    if isinstance(value, date):
        return format_date(value, "medium")
    return str(value)


def show_change(path: str, value: Any) -> str:
    """A value at a diff path ("units[CRT-2].study_load", "materials[1]", "sector")."""
    field = re.split(r"[.\]]", path)[-1] or path
    if path == "units.order":
        return ", ".join(value or []) or NOTHING
    if re.match(r"^(units|materials)\[[^\]]+\]$", path):
        field = "unit" if path.startswith("units") else "material"
    return show(field, value)


def content_facts(content: dict[str, Any]) -> list[tuple[str, str]]:
    """A version's fields as (label, text) pairs, in the form's order (units and material apart),
    then its translated fields: "Title (English)"."""
    facts = [
        (str(FIELD_LABELS.get(key, key)), show(key, content.get(key)))
        for key in CONTENT_KEYS
        if key not in ("units", "materials")
    ]
    for language, texts in (content.get("translations") or {}).items():
        facts += [
            (translated_label(name, language), show(name, texts[name]))
            for name in MODULE_TRANSLATED_FIELDS
            if texts.get(name)
        ]
    return facts


def unit_line(unit: dict[str, Any]) -> str:
    """A learning unit of a version in one line: code, title, study load and kind, then its
    translated titles."""
    line = f"{_unit(unit)} · {show('component_type', unit.get('component_type'))}"
    for language, texts in (unit.get("translations") or {}).items():
        if texts.get("title"):
            line += f" · {translated_label('title', language)}: {texts['title']}"
    return line


_ENTITIES = {
    "module": _l("module"),
    "offering": _l("run"),
    "agreement": _l("agreement"),
    "institution": _l("institution"),
    "user": _l("account"),
    "api_token": _l("API token"),
}


def _run_name(event) -> str:
    details = event.details or {}
    code = details.get("code") or (event.summary.split(" ", 1)[0] if event.summary else "")
    start = details.get("start_date")
    if start:
        return _(
            "run %(code)s (%(start)s)", code=code, start=format_date(date.fromisoformat(start))
        )
    return _("run %(code)s", code=code) if code else str(_ENTITIES["offering"])


def audit_subject(event, titles: dict[int, str]) -> str:
    """What an audit event is about: a module's title, a run's code and date, or the kind."""
    if event.entity_type == "offering":
        return _run_name(event)
    if event.entity_type == "module":
        title = titles.get(event.entity_id) or (event.details or {}).get("title")
        return title or f"{_ENTITIES['module']} {event.entity_id}"
    return str(_ENTITIES.get(event.entity_type, event.entity_type))


def audit_summary(event) -> str:
    """An audit event's summary with field paths as the forms' labels."""
    if event.action == "module.published" and "version" in (event.details or {}):
        return _("version %(n)s", n=event.details["version"])
    if event.action == "module.updated" or event.action == "offering.updated":
        paths = [p for p in re.split(r", (?![^\[]*\])", event.summary or "") if p]
        extra = ""
        if paths and re.fullmatch(r"\(\+\d+\)", paths[-1].split(" ")[-1]):
            last, extra = paths[-1].rsplit(" ", 1)
            paths[-1], extra = last, " " + extra
        return ", ".join(change_label(p) for p in paths) + extra
    if event.entity_type in ("offering", "module"):
        return ""
    return event.summary or ""
