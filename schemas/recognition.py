"""Schemas of recognition agreements: what a person or a system submits, and decisions on it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, pre_load, validates_schema

from catalogue.vocabularies import AgreementKind, PartyRole, StudyLoadUnit
from schemas.common import BaseSchema, Code, Pattern, Text, vocabulary_field
from schemas.messages import Count, Range


class PartyInputSchema(BaseSchema):
    """An institution taking part, by code, and its role."""

    institution = Code()
    role = vocabulary_field(PartyRole, required=True)


class CreditsSchema(BaseSchema):
    value = fields.Float(required=True, allow_nan=False, validate=Range(min=0, max=1000))
    unit = vocabulary_field(StudyLoadUnit, required=True)


class ItemInputSchema(BaseSchema):
    """A provider's module, or one of its learning units, and what recognisers grant for it."""

    provider = Code(metadata={"description": "Code of the providing institution"})
    module = Code(metadata={"description": "The module's code at the provider"})
    unit = Code(
        required=False,
        load_default=None,
        allow_none=True,
        metadata={"description": "A learning unit's code; leave out for the whole module"},
    )
    grant = Text(max_length=1000, multiline=True, load_default="")
    credits = fields.Nested(CreditsSchema, load_default=None, allow_none=True)
    equivalent = Text(
        max_length=500,
        load_default="",
        metadata={"description": "The recogniser's equivalent unit(s) or module"},
    )
    licence_terms = Text(max_length=1000, multiline=True, load_default="")


class AgreementInputSchema(BaseSchema):
    """An agreement as it is created or changed (the whole of it)."""

    code = Code()
    title = Text(max_length=200, min_length=3)
    kind = vocabulary_field(AgreementKind, required=True)
    terms = Text(max_length=20000, multiline=True, load_default="")
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(load_default=None, allow_none=True)
    # Too few parties is said once, by _check ("at least two institutions").
    parties = fields.List(fields.Nested(PartyInputSchema), required=True, validate=Count(max=50))
    items = fields.List(
        fields.Nested(ItemInputSchema),
        required=True,
        validate=Count(
            min=1, max=200, error=_l("Name at least one module or learning unit (at most 200).")
        ),
    )

    @pre_load
    def _blank_end(self, data, **_kwargs):
        if isinstance(data, dict) and data.get("valid_until") == "":
            data = {**data, "valid_until": None}
        return data

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _check(self, data, original, **_kwargs):
        # Runs even when some fields are wrong, so that one answer names every problem.
        errors: dict = {}
        original = original if isinstance(original, dict) else {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            errors["valid_until"] = [_l("The agreement ends before it starts.")]
        parties = data.get("parties") or []
        parties_ok = isinstance(original.get("parties"), list) and len(parties) == len(
            original["parties"]
        )
        # Parties that failed their own validation may be anything: count only named ones.
        codes = [p.get("institution") for p in parties if isinstance(p, dict)]
        codes = [c for c in codes if isinstance(c, str)]
        duplicates = {c for c in codes if codes.count(c) > 1}
        if not parties_ok:
            pass  # the parties' own errors come first
        elif duplicates:
            errors["parties"] = [
                _l(
                    "An institution is listed twice: %(codes)s.",
                    codes=", ".join(sorted(duplicates)),
                )
            ]
        elif len(set(codes)) < 2:
            errors["parties"] = [_l("An agreement needs at least two institutions.")]
        else:
            roles = {p.get("role") for p in parties}
            provides = roles & {PartyRole.PROVIDER, PartyRole.BOTH}
            recognises = roles & {PartyRole.RECOGNISER, PartyRole.BOTH}
            if not provides or not recognises:
                errors["parties"] = [
                    _l("At least one party must provide and at least one must recognise.")
                ]
        providers = {
            p.get("institution")
            for p in parties
            if p.get("role") in (PartyRole.PROVIDER, PartyRole.BOTH)
        }
        item_errors = {}
        seen = set()
        given = original.get("items")
        items = data.get("items") or []
        aligned = isinstance(given, list) and len(items) == len(given)
        for index, item in enumerate(items if aligned and parties_ok else []):
            if "provider" not in item or "module" not in item:
                continue  # the item's own errors come first
            key = (item["provider"], item["module"].lower(), (item.get("unit") or "").lower())
            if item["provider"] not in providers:
                item_errors[index] = {
                    "provider": [_l("This institution is not a providing party.")]
                }
            elif key in seen:
                item_errors[index] = {"module": [_l("This module or unit is listed twice.")]}
            seen.add(key)
        if item_errors:
            errors["items"] = item_errors
        if errors:
            raise ValidationError(errors)


class ApprovalInputSchema(BaseSchema):
    """A party's approval: for which institution, of which content hash."""

    institution = Code(metadata={"description": "The party you approve for (you must edit it)"})
    content_hash = Text(
        max_length=64,
        min_length=64,
        validate=[
            Pattern("^[0-9a-f]{64}$", error=_l("Must be a SHA-256 hash: 64 hexadecimal digits."))
        ],
        metadata={"description": "The SHA-256 content hash you read and approve"},
    )
    comment = Text(max_length=500, load_default="")


class RejectionInputSchema(BaseSchema):
    institution = Code()
    comment = Text(max_length=500, load_default="")


class ReasonInputSchema(BaseSchema):
    reason = Text(max_length=500, load_default="")
