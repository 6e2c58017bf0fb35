"""Field types and validators shared by every schema."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from catalogue.routing import MAX_ID
from schemas.messages import Count, Length, _t

# C0 control characters other than tab and newline, and the non-characters; PostgreSQL refuses NUL
# and none of these belong in a course description.
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
SINGLE_LINE_PATTERN = r"^[^\u0000-\u0008\u000a-\u001f\u007f\ufffe\uffff]*$"
MULTILINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]*$"
# What `HttpUrl` accepts, as far as a pattern can say it (marshmallow's URL validator decides):
# http or https, a host name with a top-level domain, an optional port and a path without spaces.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?"
URL_PATTERN = rf"^https?://(?:{_LABEL}\.)+[A-Za-z]{{2,12}}(?::[1-9][0-9]{{0,3}})?(?:/[A-Za-z0-9._~%/?=&+-]*)?$"


class BaseSchema(Schema):
    """Schema that refuses unknown fields, so a typo in a field name is reported, not ignored."""

    class Meta:
        unknown = RAISE


class Pattern(validate.Regexp):
    """A regular expression the whole value must match. Python's `$` also matches before a
    final newline, so `Pattern("^...$")` let "12AB\n" through; this does not. The
    OpenAPI document states the same pattern (ECMA's `$` has no such exception)."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Text(fields.String):
    """A string that is trimmed, has its newlines normalised and may not hold control characters.

    `multiline=False` also refuses line breaks (titles, codes, names).
    """

    def __init__(self, *, max_length: int, min_length: int = 0, multiline: bool = False, **kw):
        validators = list(kw.pop("validate", []) or [])
        validators.append(Length(min=min_length, max=max_length))
        if min_length and "required" not in kw and "load_default" not in kw:
            kw["required"] = True
        # Document what _deserialize refuses, so API clients (and fuzzers) know; a field with a
        # pattern of its own (validate.Regexp) is documented by that stricter pattern instead.
        if not any(isinstance(v, validate.Regexp) for v in validators):
            kw.setdefault("metadata", {}).setdefault(
                "pattern", MULTILINE_PATTERN if multiline else SINGLE_LINE_PATTERN
            )
        super().__init__(validate=validators, **kw)
        self.multiline = multiline
        self.min_length = min_length

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
        if _FORBIDDEN_CHARS.search(text):
            raise ValidationError(_t("Contains control characters that cannot be stored."))
        if not self.multiline and "\n" in text:
            raise ValidationError(_t("Must be a single line."))
        text = text.strip()
        if self.min_length and not text:
            # One clear message for a box left empty, instead of every rule it then breaks.
            raise ValidationError(_t("Fill in this field."))
        return text


class Code(Text):
    """An identifier chosen by a person: letters, digits, dot, dash and underscore."""

    def __init__(self, *, max_length: int = 40, **kw):
        kw.setdefault("required", True)
        kw.setdefault("metadata", {})["pattern"] = CODE_PATTERN
        super().__init__(
            max_length=max_length,
            min_length=1,
            validate=[
                Pattern(
                    CODE_PATTERN,
                    error=_l(
                        "Use letters, digits, '.', '-' and '_' only, starting with a letter "
                        "or digit."
                    ),
                )
            ],
            **kw,
        )


def record_id(**kw) -> fields.Integer:
    """The id of a stored record given in a body: 1 .. 2^31-1, as in paths (a larger number is
    no id, and would not fit the database's integer)."""
    return fields.Integer(strict=False, validate=validate.Range(min=1, max=MAX_ID), **kw)


def one_of(vocabulary) -> validate.OneOf:
    """A validator that keeps a value inside a vocabulary and lists the allowed codes when not."""
    return validate.OneOf(vocabulary.values(), error=_l("Must be one of: {choices}."))


class Choice(fields.String):
    """A single code from a vocabulary; an empty choice is "choose one", not a wrong code."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs)
        if code == "":
            raise ValidationError(_t("Choose one of the options."))
        return code


def vocabulary_field(vocabulary, **kw) -> fields.String:
    """A single code from a vocabulary."""
    return Choice(validate=one_of(vocabulary), **kw)


def unique_items(values: list) -> None:
    """Refuse lists that name the same value twice."""
    seen = set()
    for value in values:
        key = value if isinstance(value, str | int | float) else repr(value)
        if key in seen:
            raise ValidationError(_l("'{value}' is listed twice.").format(value=value))
        seen.add(key)


def vocabulary_list(vocabulary, *, min_items: int = 0, max_items: int | None = None, **kw):
    """A list of distinct codes from a vocabulary."""
    kw.setdefault("metadata", {})["uniqueItems"] = True
    return fields.List(
        fields.String(validate=one_of(vocabulary)),
        validate=[Count(min=min_items, max=max_items), unique_items],
        **kw,
    )


class HttpUrl(fields.String):
    """An absolute http(s) URL without control characters; `allow_blank` accepts "".

    `pattern` documents a narrower set (the OpenAPI document states it; validators enforce it).
    """

    def __init__(self, *, allow_blank: bool = False, pattern: str = URL_PATTERN, **kw):
        metadata = kw.setdefault("metadata", {})
        if allow_blank:
            metadata.setdefault("pattern", f"^$|{pattern}")
        else:
            metadata.setdefault("format", "uri")
            metadata.setdefault("pattern", pattern)
        url = validate.URL(
            schemes={"http", "https"},
            require_tld=True,
            error=_l("Must be a web address starting with http:// or https://."),
        )
        validators = list(kw.pop("validate", []) or [])
        validators[:0] = [Length(max=500), (lambda v: v == "" or url(v)) if allow_blank else url]
        super().__init__(validate=validators, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if _FORBIDDEN_CHARS.search(text):
            raise ValidationError(_t("Contains control characters that cannot be stored."))
        return text


class EmailAddress(fields.String):
    """An e-mail address, stored in lower case."""

    def __init__(self, **kw):
        validators = list(kw.pop("validate", []) or [])
        validators[:0] = [Length(max=200), validate.Email(error=_l("Must be an e-mail address."))]
        super().__init__(validate=validators, **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()
