"""Schemas of regions (with the plan's budgets and targets) and institutions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from catalogue.vocabularies import InstitutionKind, Sector, TargetGroup
from schemas.common import BaseSchema, Code, EmailAddress, HttpUrl, Pattern, Text, vocabulary_field
from schemas.messages import Length, Range

euros = dict(
    places=2,
    as_string=False,
    allow_nan=False,
    allow_none=True,
    load_default=None,
    validate=Range(min=0),
)


class RegionTargetSchema(BaseSchema):
    """One LLO target of a region."""

    period = Text(max_length=20, min_length=4)
    people = fields.Integer(required=True, strict=True, validate=Range(min=0, max=10**6))
    target_group = vocabulary_field(TargetGroup, load_default=None, allow_none=True)
    sector = vocabulary_field(Sector, load_default=None, allow_none=True)
    note_nl = Text(max_length=300, load_default="")
    note_en = Text(max_length=300, load_default="")


class RegionSchema(BaseSchema):
    """A region of the plan as the seed file and the API give it."""

    code = Code()
    name = Text(max_length=120, min_length=2)
    partner_of = fields.String(load_default=None, allow_none=True, validate=Length(max=40))
    description_nl = Text(max_length=5000, multiline=True, load_default="")
    description_en = Text(max_length=5000, multiline=True, load_default="")
    budget_reserved_eur = fields.Decimal(**euros)
    budget_initial_intake_eur = fields.Decimal(**euros)
    llo_advice_eur = fields.Decimal(**euros)
    llo_people_target = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=Range(min=0, max=10**7)
    )
    llo_target_note_nl = Text(max_length=500, load_default="")
    llo_target_note_en = Text(max_length=500, load_default="")
    targets = fields.List(fields.Nested(RegionTargetSchema), load_default=list)


class InstitutionSchema(BaseSchema):
    """An institution as the seed file and the API give it."""

    code = Code()
    name = Text(max_length=200, min_length=2)
    short_name = Text(max_length=60, load_default="")
    kind = vocabulary_field(InstitutionKind, required=True)
    region = Code()
    city = Text(max_length=100, load_default="")
    brin = fields.String(
        load_default=None,
        allow_none=True,
        validate=Pattern(
            r"^[0-9]{2}[A-Z]{2}$", error=_l("A BRIN code is two digits and two capital letters.")
        ),
    )
    kvk = fields.String(
        load_default=None,
        allow_none=True,
        validate=Pattern(r"^[0-9]{8}$", error=_l("A KvK number has eight digits.")),
    )
    website = HttpUrl(load_default="", allow_blank=True)
    email = EmailAddress(load_default="")
    description_nl = Text(max_length=5000, multiline=True, load_default="")
    description_en = Text(max_length=5000, multiline=True, load_default="")
