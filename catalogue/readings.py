"""Readings: a stored object together with what a response shows beside its stored values.

A reading holds the stored row and the values computed for it (a count, a licence's terms); an
output schema reads everything else from the row through the reading, so that a handler returns
one object and the schema dumps it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reading:
    """A stored object as a response reads it: what the reading does not hold itself, it reads
    from the stored object."""

    stored: Any

    def __getattr__(self, name: str) -> Any:
        if name == "stored":  # not set yet (a copy being made): nothing to read through
            raise AttributeError(name)
        return getattr(self.stored, name)
