"""Translatable validation messages.

Marshmallow's built-in messages are English strings; the catalogue shows field errors in Dutch
and English. Field classes read `default_error_messages` when a field is constructed, so the
translatable (lazy) versions are installed here, before any schema is defined, and resolve to the
visitor's language when a message is shown. `Length` and `Range` are the validators to use in
our schemas: their messages are formatted in the visitor's language at validation time.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

_FIELD_MESSAGES = {
    fields.Field: {
        "required": _l("This field is required."),
        "null": _l("This field may not be empty."),
        "validator_failed": _l("Invalid value."),
    },
    fields.String: {"invalid": _l("Must be text."), "invalid_utf8": _l("Not valid UTF-8 text.")},
    fields.Number: {
        "invalid": _l("Must be a number."),
        "too_large": _l("The number is too large."),
    },
    fields.Integer: {"invalid": _l("Must be a whole number.")},
    fields.Float: {"special": _l("Must be a finite number.")},
    fields.Decimal: {"special": _l("Must be a finite number.")},
    fields.Boolean: {"invalid": _l("Must be true or false.")},
    fields.Date: {
        "invalid": _l("Must be a date (YYYY-MM-DD)."),
        "format": _l("Cannot be written as a date."),
    },
    fields.List: {"invalid": _l("Must be a list.")},
    fields.Nested: {"type": _l("Must be an object.")},
    fields.Dict: {"invalid": _l("Must be an object.")},
}

for field_class, messages in _FIELD_MESSAGES.items():
    field_class.default_error_messages = {**field_class.default_error_messages, **messages}

Schema._default_error_messages = {
    **Schema._default_error_messages,
    "type": _l("Must be an object."),
    "unknown": _l("Unknown field."),
}


class Length(validate.Length):
    """Length validator with translatable messages."""

    message_min = _l("Must be at least {min} long.")
    message_max = _l("Must be at most {max} long.")
    message_all = _l("Must be between {min} and {max} long.")
    message_equal = _l("Must be exactly {equal} long.")


class Range(validate.Range):
    """Range validator with translatable messages."""

    def __init__(self, min=None, max=None, *, min_inclusive=True, max_inclusive=True, error=None):
        super().__init__(
            min, max, min_inclusive=min_inclusive, max_inclusive=max_inclusive, error=error
        )
        self.message_min = (
            _l("Must be at least {min}.") if min_inclusive else _l("Must be greater than {min}.")
        )
        self.message_max = (
            _l("Must be at most {max}.") if max_inclusive else _l("Must be less than {max}.")
        )
        self.message_all = (
            _l("Must be between {min} and {max}.")
            if min_inclusive
            else _l("Must be greater than {min} and at most {max}.")
        )
