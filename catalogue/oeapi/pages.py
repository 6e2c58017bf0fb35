"""The page where an institution's editors harvest its own OEAPI endpoint (dry run, confirm)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the harvest page."""
