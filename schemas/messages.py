"""Translatable validation messages.

Marshmallow's built-in messages are English strings; the catalogue shows field errors in Dutch
and English. Field classes read `default_error_messages` when a field is constructed, so the
translatable (lazy) versions are installed here, before any schema is defined, and resolve to the
visitor's language when a message is shown. `Length`, `Count` and `Range` are the validators
to use in our schemas: their messages are formatted in the visitor's language at validation time.
"""

from __future__ import annotations

from flask_babel import gettext
from marshmallow import Schema, fields, validate


class Translatable(str):
    """An English message that translates itself when marshmallow formats it.

    Marshmallow formats every message of its fields and validators with `str.format` at the
    moment it reports the error, and keeps a `str` result as a one-message list. Translating in
    `format` gives a plain string in the visitor's language at exactly that moment.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return gettext(str.__str__(self))

    def format(self, *args, **kwargs) -> str:
        return str(self).format(*args, **kwargs)


_t = Translatable

_DATETIME_MESSAGES = {
    "invalid": _t("Must be a date and time (ISO 8601, e.g. 2026-09-01T09:00:00+02:00)."),
    "format": _t("Must be a date and time (ISO 8601, e.g. 2026-09-01T09:00:00+02:00)."),
}

_FIELD_MESSAGES = {
    fields.Field: {
        "required": _t("This field is required."),
        "null": _t("This field may not be empty."),
        "validator_failed": _t("Invalid value."),
    },
    fields.String: {"invalid": _t("Must be text."), "invalid_utf8": _t("Not valid UTF-8 text.")},
    fields.Number: {
        "invalid": _t("Must be a number."),
        "too_large": _t("The number is too large."),
    },
    fields.Integer: {"invalid": _t("Must be a whole number.")},
    fields.Float: {"special": _t("Must be a finite number.")},
    fields.Decimal: {"special": _t("Must be a finite number.")},
    fields.Boolean: {"invalid": _t("Must be true or false.")},
    fields.Date: {
        "invalid": _t("Must be a date (YYYY-MM-DD)."),
        "format": _t("Must be a date (YYYY-MM-DD)."),
    },
    fields.DateTime: _DATETIME_MESSAGES,
    fields.AwareDateTime: {
        **_DATETIME_MESSAGES,
        "invalid_awareness": _t("Give a time zone, e.g. +02:00 or Z."),
    },
    fields.List: {"invalid": _t("Must be a list.")},
    fields.Nested: {"type": _t("Must be an object.")},
    fields.Dict: {"invalid": _t("Must be an object.")},
}

for field_class, messages in _FIELD_MESSAGES.items():
    field_class.default_error_messages = {**field_class.default_error_messages, **messages}

Schema._default_error_messages = {
    **Schema._default_error_messages,
    "type": _t("Must be an object."),
    "unknown": _t("Unknown field."),
}


class Length(validate.Length):
    """Length of a text, with translatable messages."""

    message_min = _t("Must be at least {min} characters long.")
    message_max = _t("Must be at most {max} characters long.")
    message_all = _t("Must be between {min} and {max} characters long.")
    message_equal = _t("Must be exactly {equal} characters long.")


class Count(validate.Length):
    """Number of items in a list, with translatable messages."""

    message_min = _t("Choose or give at least {min}.")
    message_max = _t("Give at most {max}.")
    message_all = _t("Give between {min} and {max}.")
    message_equal = _t("Give exactly {equal}.")


class Range(validate.Range):
    """Range validator with translatable messages."""

    def __init__(self, min=None, max=None, *, min_inclusive=True, max_inclusive=True, error=None):
        super().__init__(
            min, max, min_inclusive=min_inclusive, max_inclusive=max_inclusive, error=error
        )
        self.message_min = (
            _t("Must be at least {min}.") if min_inclusive else _t("Must be greater than {min}.")
        )
        self.message_max = (
            _t("Must be at most {max}.") if max_inclusive else _t("Must be less than {max}.")
        )
        self.message_all = (
            _t("Must be between {min} and {max}.")
            if min_inclusive
            else _t("Must be greater than {min} and at most {max}.")
        )
