"""What a shortlist holds and shows: run ids in, one row per published run out.

The list itself lives in the visitor's session (catalogue.web.shortlist keeps it); this module
turns ids into rows, adds and removes ids within the limits, and signs and reads share tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from catalogue.errors import NotFound
from catalogue.modules.models import Module, Offering
from catalogue.modules.runs import offering_availability
from catalogue.modules.translations import text_language
from catalogue.recognition.queries import recognised_by
from catalogue.vocabularies import ModuleStatus, study_load_in_ec

MAX_ITEMS = 50
MAX_COMPARED = 5
SHARE_SALT = "catalogue.shortlist.share"
HOURS_PER_UNIT = {"ects": 28.0, "sbu": 1.0, "hour": 1.0, "contacttime": 1.0}


@dataclass
class ShortlistRow:
    """One run on a shortlist, with what an employer compares."""

    offering_id: int
    offering_uuid: str
    module_id: int
    module_code: str
    title: str
    institution: str
    level: str
    study_hours: float
    ec: float | None
    run_code: str
    start: date
    end: date
    enrol_until: date | None
    city: str
    delivery_mode: str
    language: str
    price: float
    seats: int
    seats_left: int | None
    availability: str
    guaranteed: bool
    enrol_url: str
    enrol_email: str
    enrol_phone: str
    recognised_by: list[str]
    # The module's title in other languages, and the language of its own texts (for the page).
    translations: dict[str, Any] = field(default_factory=dict)
    text_lang: str = "nl"


def added(items: list[int], offering_id: int) -> list[int]:
    """The list with a run added at the end (a run already on it stays where it is; the
    oldest is dropped past the limit)."""
    if offering_id in items:
        return list(items)
    return [*items, offering_id][-MAX_ITEMS:]


def removed(items: list[int], offering_id: int) -> list[int]:
    return [i for i in items if i != offering_id]


def clean_ids(values: Iterable) -> list[int]:
    """Ids as integers, in order, once each; anything else is dropped."""
    seen: list[int] = []
    for value in values:
        text = str(value)
        if text.isdigit() and int(text) not in seen and len(seen) < MAX_ITEMS:
            seen.append(int(text))
    return seen


def shortlist_rows(session: Session, ids: list[int], today: date) -> list[ShortlistRow]:
    """Rows of the runs with these ids that belong to published modules, in the given order
    (a run that was removed or whose module was withdrawn is left out)."""
    if not ids:
        return []
    offerings = session.scalars(
        select(Offering)
        .join(Module, Module.id == Offering.module_id)
        .where(Offering.id.in_(ids), Module.status == ModuleStatus.PUBLISHED)
        .options(selectinload(Offering.module).selectinload(Module.institution))
    ).all()
    by_id = {o.id: o for o in offerings}
    recognitions: dict[int, list[str]] = {}
    rows = []
    for offering_id in ids:
        offering = by_id.get(offering_id)
        if offering is None:
            continue
        module = offering.module
        if module.id not in recognitions:
            names = [
                r.institution.name for r in recognised_by(session=session, module_id=module.id)
            ]
            recognitions[module.id] = sorted(set(names))
        rows.append(_row(offering, module, recognitions[module.id], today))
    return rows


def _row(offering: Offering, module: Module, recognised: list[str], today: date) -> ShortlistRow:
    return ShortlistRow(
        offering_id=offering.id,
        offering_uuid=offering.uuid,
        module_id=module.id,
        module_code=module.code,
        title=module.title,
        institution=module.institution.name,
        level=module.level,
        study_hours=round(module.study_load_value * HOURS_PER_UNIT[module.study_load_unit], 1),
        ec=study_load_in_ec(module.study_load_value, module.study_load_unit),
        run_code=offering.code,
        start=offering.start_date,
        end=offering.end_date,
        enrol_until=offering.enrol_until,
        city=offering.city,
        delivery_mode=offering.delivery_mode,
        language=offering.language,
        price=float(offering.price_eur),
        seats=offering.seats,
        seats_left=offering.seats_left,
        availability=offering_availability(offering, today),
        guaranteed=offering.guaranteed,
        enrol_url=offering.enrol_url,
        enrol_email=offering.enrol_email,
        enrol_phone=offering.enrol_phone,
        recognised_by=recognised,
        translations={
            language: {"title": texts["title"]}
            for language, texts in (module.translations or {}).items()
            if texts.get("title")
        },
        text_lang=text_language(module.languages),
    )


def share_token(secret_key: str, ids: list[int]) -> str:
    """A signed token of the list: whoever has it can read the list, not change it."""
    return URLSafeSerializer(secret_key, salt=SHARE_SALT).dumps(clean_ids(ids))


def shared_ids(secret_key: str, token: str) -> list[int]:
    """The ids a share token holds; NotFound for a token that was not made here or was
    changed."""
    try:
        values = URLSafeSerializer(secret_key, salt=SHARE_SALT).loads(token)
    except BadSignature as exc:
        raise NotFound(_("This shortlist link is not valid: it was cut off or changed.")) from exc
    if not isinstance(values, list):
        raise NotFound(_("This shortlist link is not valid: it was cut off or changed."))
    return clean_ids(values)
