"""Schemas of the spreadsheet import through the API: the uploaded file in, the report out."""

from __future__ import annotations

import base64
import binascii

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load

from schemas.common import BaseSchema, Text

MAX_FILE_CHARS = 70_000_000  # base64 of a 50 MB file


class ImportRequestSchema(BaseSchema):
    """A spreadsheet (XLSX, CSV or zip of CSV files) sent as base64 inside JSON."""

    filename = Text(
        max_length=200,
        min_length=1,
        metadata={"description": "The file's name; its ending says CSV, XLSX or zip"},
    )
    content = fields.String(
        required=True,
        metadata={"description": "The file's bytes, base64-encoded", "format": "byte"},
    )
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Only check and report; write nothing"}
    )
    publish = fields.Boolean(
        load_default=False, metadata={"description": "Publish every created or changed module"}
    )

    @post_load
    def _decode(self, data, **_kwargs):
        text = data["content"]
        if len(text) > MAX_FILE_CHARS:
            raise ValidationError({"content": [_l("The file is larger than 50 MB.")]})
        try:
            data["content"] = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError({"content": [_l("Must be base64-encoded.")]}) from exc
        return data


class ImportRowSchema(BaseSchema):
    """What the import does with one module or run of the file."""

    kind = fields.String(metadata={"description": "module or run"})
    sheet = fields.String(metadata={"description": "The sheet it stands on"})
    row = fields.Integer(metadata={"description": "Its row number on that sheet"})
    code = fields.String()
    action = fields.String(metadata={"description": "create, update or unchanged"})
    changes = fields.List(fields.String(), metadata={"description": "The fields that change"})


class ImportCountsSchema(BaseSchema):
    """How many records an import created, updated and left unchanged (with dry_run: would)."""

    dry_run = fields.Boolean(
        metadata={"description": "True: nothing was written; the counts say what would be"}
    )
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class ImportReportSchema(ImportCountsSchema):
    """The outcome of an import (or, with dry_run, what it would do)."""

    published = fields.Integer()
    rows = fields.List(fields.Nested(ImportRowSchema))
