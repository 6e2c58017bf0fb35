"""The group information request form: who asks, for how many, and what."""

from __future__ import annotations

from marshmallow import EXCLUDE, fields

from schemas.common import BaseSchema, EmailAddress, Text
from schemas.messages import Length, Range


class GroupRequestSchema(BaseSchema):
    """A request for information about a run for a group. `website` is a trap for robots: the
    field is hidden from people, so a request with a value in it is dropped (the view says
    thank you all the same)."""

    class Meta:
        unknown = EXCLUDE

    name = Text(max_length=120, min_length=1)
    employer = Text(max_length=200, min_length=1)
    email = EmailAddress(required=True)
    participants = fields.Integer(required=True, validate=Range(min=1, max=1000))
    question = Text(max_length=2000, min_length=1, multiline=True)
    website = fields.String(load_default="", validate=Length(max=500))
