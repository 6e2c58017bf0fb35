"""Canonical JSON and the content hash made from it: the one way the catalogue hashes content.

Published module versions, their learning units and recognition agreements are all identified by
the SHA-256 of the same canonical form (sorted keys, no insignificant whitespace, UTF-8, no NaN),
so that a hash a party approved stays comparable with what is stored.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(content: Any) -> bytes:
    """The byte form that is hashed: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(content: Any) -> str:
    """SHA-256 of the canonical JSON form, as lower-case hex."""
    return hashlib.sha256(canonical_json(content)).hexdigest()
