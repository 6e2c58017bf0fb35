"""Keyed pseudonyms: the one place where a national identifier is seen and turned into a pseudonym.

A BSN (citizen service number) or an education number ("onderwijsnummer") is validated,
normalised and fed to HMAC-SHA256 with this installation's secret key. Only the hex digest leaves
`pseudonym_for`; the raw number exists only in that function's arguments and is never stored,
logged or put into an error message. Without the key nobody can go from number to pseudonym, so a
stolen database reveals no one; a lost key breaks linkage (see docs/monitoring.md).

The key comes from CATALOGUE_PSEUDONYM_KEY (several nodes must share it) or, by default, from the
file `pseudonym_key` in the instance folder, created with 32 random bytes on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from enum import StrEnum
from pathlib import Path

from flask import current_app

KEY_FILE = "pseudonym_key"
MIN_KEY_LENGTH = 32
_SEPARATORS = str.maketrans("", "", " .-\t")


class IdentifierKind(StrEnum):
    """The kinds of national identifier a provider may report."""

    BSN = "bsn"
    EDUCATION_NUMBER = "education-number"


class InvalidIdentifier(ValueError):
    """The identifier fails its check; the message never contains the identifier."""


def _digits(identifier: str, kind: str) -> str:
    """The identifier's nine digits after its checks, or InvalidIdentifier."""
    cleaned = str(identifier).translate(_SEPARATORS)
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) not in (8, 9):
        raise InvalidIdentifier("not eight or nine digits")
    cleaned = cleaned.zfill(9)
    weights = (9, 8, 7, 6, 5, 4, 3, 2)
    total = sum(int(d) * w for d, w in zip(cleaned[:8], weights, strict=True))
    last = int(cleaned[8])
    if kind == IdentifierKind.BSN:
        # The eleven-test: the last digit weighs -1 and the sum is a multiple of 11.
        if cleaned == "000000000" or (total - last) % 11:
            raise InvalidIdentifier("fails the eleven-test")
    elif kind == IdentifierKind.EDUCATION_NUMBER:
        # Education numbers start with 10 and their weighted sum (last digit +1) leaves 5.
        if not cleaned.startswith("10") or (total + last) % 11 != 5:
            raise InvalidIdentifier("is not a valid education number")
    else:
        raise InvalidIdentifier("unknown kind of identifier")
    return cleaned


def pseudonym_key() -> bytes:
    """The installation's pseudonym key: configured, or read (created once) in the instance."""
    configured = current_app.config.get("PSEUDONYM_KEY")
    if configured:
        key = str(configured).encode()
    else:
        key_file = Path(current_app.instance_path) / KEY_FILE
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it a moment ago
                pass
            else:
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(secrets.token_hex(32))
        key = key_file.read_text().strip().encode()
    if len(key) < MIN_KEY_LENGTH:
        raise RuntimeError(f"the pseudonym key must be at least {MIN_KEY_LENGTH} characters long")
    return key


def pseudonym_for(identifier: str, kind: str = IdentifierKind.BSN, *, key: bytes) -> str:
    """The keyed pseudonym (64 hex digits) of a validated, normalised national identifier."""
    digits = _digits(identifier, kind)
    message = f"{kind}:{digits}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
