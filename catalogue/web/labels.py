"""Names people read for the things the code calls by field paths and action codes."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "code": _l("Code"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "sector": _l("Sector"),
    "level": _l("Level"),
    "study_load": _l("Study load"),
    "study_load_value": _l("Study load"),
    "study_load_unit": _l("Unit of study load"),
    "competencies": _l("Competencies"),
    "languages": _l("Teaching languages"),
    "delivery_modes": _l("Modes of delivery"),
    "target_groups": _l("Target groups"),
    "audiences": _l("Audiences"),
    "learning_outcomes": _l("Learning outcomes"),
    "prerequisites": _l("Prerequisites"),
    "assessment": _l("Assessment"),
    "participation": _l("Form of participation"),
    "quality_assurance": _l("Quality assurance"),
    "micro_credential": _l("Micro-credential"),
    "esco_uris": _l("ESCO skills"),
    "component_type": _l("Kind of unit"),
    "url": _l("Web address"),
    "material_type": _l("Type"),
    "format": _l("Format"),
    "language": _l("Language"),
    "licence": _l("Licence"),
    "authors": _l("Authors"),
    "unit_code": _l("Belongs to learning unit (code)"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "enrol_from": _l("Enrolment opens"),
    "enrol_until": _l("Enrolment closes"),
    "city": _l("Place"),
    "delivery_mode": _l("Mode of delivery"),
    "price_eur": _l("Price in euros"),
    "price_note": _l("Note on the price"),
    "seats": _l("Seats"),
    "seats_left": _l("Places left"),
    "enrol_url": _l("Web address to enrol"),
    "enrol_email": _l("E-mail address to enrol"),
    "enrol_phone": _l("Telephone number to enrol"),
    "guaranteed": _l("Certain to run"),
    "confirm": _l("Confirmation"),
    "near": _l("Near"),
    "km": _l("Within (km)"),
    "seats_min": _l("Places needed"),
    "status": _l("Status"),
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "password": _l("Password"),
    "kind": _l("Kind"),
    "region": _l("Region"),
    "short_name": _l("Short name"),
    "brin": _l("BRIN code"),
    "kvk": _l("KvK number"),
    "website": _l("Website"),
    "description_nl": _l("Description (Dutch)"),
    "description_en": _l("Description (English)"),
    "terms": _l("Terms"),
    "valid_from": _l("Valid from"),
    "valid_until": _l("Valid until"),
    "parties": _l("Parties"),
    "items": _l("What is recognised"),
    "institution": _l("Institution"),
    "role": _l("Role"),
    "provider": _l("Providing institution"),
    "module": _l("Module code"),
    "unit": _l("Learning unit code"),
    "grant": _l("What the recognisers grant"),
    "credits_value": _l("Credits"),
    "credits_unit": _l("Unit of credits"),
    "equivalent": _l("Equivalent at the recogniser"),
    "licence_terms": _l("Licence terms"),
    "hours_min": _l("Study load from (hours)"),
    "hours_max": _l("up to (hours)"),
    "price_min": _l("Price from (€)"),
    "price_max": _l("up to (€)"),
    "start_from": _l("Starts on or after"),
    "start_until": _l("Starts on or before"),
    "sort": _l("Sort by"),
    "page": _l("Page"),
    "page_size": _l("Results per page"),
    "token_name": _l("Name of a new token"),
    "current_password": _l("Current password"),
    "new_password": _l("New password"),
}

_GROUP_NAMES = {
    "units": _l("Learning unit %(n)s"),
    "materials": _l("Material %(n)s"),
    "parties": _l("Party %(n)s"),
    "items": _l("Item %(n)s"),
}


LANGUAGE_NAMES = {"nl": _l("Dutch"), "en": _l("English"), "de": _l("German")}


def translated_label(name: str, language: str) -> str:
    """A field's label with the language of its translation: "Title (English)"."""
    return f"{FIELD_LABELS.get(name, name)} ({LANGUAGE_NAMES.get(language, language)})"


def _translation_change_label(path: str) -> str | None:
    """ "translations.en.title" → "Title (English)"; a unit's with the unit in front."""
    match = re.match(r"^(?:units\[([^\]]+)\]\.)?translations\.(\w+)\.(\w+)$", path)
    if not match:
        return None
    unit, language, field = match.groups()
    label = translated_label(field, language)
    return f"{str(_GROUP_NAMES['units']) % {'n': unit}}: {label}" if unit else label


def _form_label(name: str) -> str:
    """A form field's own label; a translated text's (tr_en_title) with its language."""
    translated = re.match(r"^tr_([a-z]{2})_(\w+)$", name)
    if translated:
        return translated_label(translated.group(2), translated.group(1))
    return str(FIELD_LABELS.get(name, name))


def field_label(name: str) -> str:
    """A form field's name as people read it: "units-0-title" → "Learning unit 1: Title"."""
    if name == "_schema":
        return ""
    match = re.match(r"^(units|materials|parties|items)-(\d+)-(\w+)$", name)
    if match:
        group, index, field = match.groups()
        prefix = str(_GROUP_NAMES[group]) % {"n": int(index) + 1}
        return f"{prefix}: {_form_label(field)}"
    return _form_label(name)


def change_label(path: str) -> str:
    """A diff path as people read it: "units[CRT-2].title" → "Learning unit CRT-2: Title"."""
    if path == "units.order":
        return _("Order of the learning units")
    translated = _translation_change_label(path)
    if translated:
        return translated
    match = re.match(r"^(units|materials)\[([^\]]+)\](?:\.(\w+))?$", path)
    if match:
        group, key, field = match.groups()
        prefix = str(_GROUP_NAMES[group]) % {"n": key}
        return f"{prefix}: {FIELD_LABELS.get(field, field)}" if field else prefix
    return str(FIELD_LABELS.get(path, path))


AUDIT_ACTIONS = {
    "module.created": _l("created the module"),
    "oeapi.harvested": _l("harvested modules from an OEAPI endpoint"),
    "module.updated": _l("changed the module"),
    "module.published": _l("published the module"),
    "module.archived": _l("archived the module"),
    "module.draft_discarded": _l("discarded unpublished changes"),
    "reuse.registered": _l("registered reuse of material"),
    "reuse.ended": _l("ended reuse of material"),
    "offering.created": _l("added a run"),
    "offering.updated": _l("changed a run"),
    "offering.deleted": _l("removed a run"),
    "institution.created": _l("created the institution"),
    "institution.updated": _l("changed the institution"),
    "user.created": _l("created an account"),
    "user.role_granted": _l("gave a role"),
    "user.role_revoked": _l("took a role away"),
    "user.blocked": _l("blocked an account"),
    "user.activated": _l("unblocked an account"),
    "user.password_changed": _l("changed their password"),
    "user.password_reset_requested": _l("asked for a password-reset link"),
    "user.password_reset_issued": _l("made a password-reset link"),
    "user.password_reset": _l("set a new password with a reset link"),
    "token.created": _l("created an API token"),
    "token.revoked": _l("revoked an API token"),
    "agreement.created": _l("drafted an agreement"),
    "agreement.changed": _l("changed an agreement"),
    "agreement.proposed": _l("proposed an agreement"),
    "agreement.approved": _l("approved an agreement"),
    "agreement.rejected": _l("rejected an agreement"),
    "agreement.activated": _l("agreement came into force"),
    "agreement.withdrawn": _l("withdrew an agreement"),
    "agreement.terminated": _l("terminated an agreement"),
    "agreement.expired": _l("agreement expired"),
    "agreement.repinned": _l("re-pinned an agreement to new versions"),
    "agreement.review_needed": _l("agreement needs review"),
    "agreement.commented": _l("commented on an agreement"),
}


def audit_action(code: str) -> str:
    """An audit event's action as people read it."""
    return str(AUDIT_ACTIONS.get(code, code))


REVISION_REASONS = {
    "created": _l("drafted"),
    "changed": _l("changed"),
    "repinned": _l("re-pinned to new versions"),
}


def revision_reason(code: str) -> str:
    """Why an agreement revision was made, as people read it."""
    return str(REVISION_REASONS.get(code, code))
