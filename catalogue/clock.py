"""Today's date, in one place: what is "in effect" depends on it, and tests move it."""

from __future__ import annotations

from datetime import date


def today() -> date:
    """The current date (tests replace this function to move "today")."""
    return date.today()
