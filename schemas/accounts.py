"""Schemas of accounts: the demo accounts file."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates_schema

from catalogue.vocabularies import Role
from schemas.common import BaseSchema, Code, EmailAddress, Text, vocabulary_field
from schemas.messages import Length


class RoleSchema(BaseSchema):
    """One role: administrator, editor of an institution, coordinator of a region."""

    role = vocabulary_field(Role, required=True)
    institution = Code(required=False, load_default=None)
    region = Code(required=False, load_default=None)

    @validates_schema
    def _scope(self, data, **_kwargs):
        if data["role"] == Role.EDITOR and not data.get("institution"):
            raise ValidationError({"institution": ["An editor needs an institution."]})
        if data["role"] == Role.COORDINATOR and not data.get("region"):
            raise ValidationError({"region": ["A coordinator needs a region."]})


class DemoAccountSchema(BaseSchema):
    """A demo account with its password in plain text (demo only)."""

    email = EmailAddress(required=True)
    name = Text(max_length=120, min_length=2)
    password = fields.String(required=True, validate=Length(min=10, max=200))
    roles = fields.List(fields.Nested(RoleSchema), load_default=list)


class DemoAccountsFileSchema(BaseSchema):
    """seed/demo_accounts.yaml"""

    accounts = fields.List(fields.Nested(DemoAccountSchema), required=True)
