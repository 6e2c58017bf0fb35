"""Error types shared by services, views and the API, and the helper that flattens field errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class CatalogueError(Exception):
    """Base of the errors a service raises for a person to read."""

    status_code = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(CatalogueError):
    """The thing asked for does not exist, or the user may not know it exists."""

    status_code = 404


class PermissionDenied(CatalogueError):
    """The user is known but may not do this."""

    status_code = 403


class NotAuthenticated(PermissionDenied):
    """Nobody is logged in (or the API token is missing, unknown or revoked)."""

    status_code = 401


class InvalidInput(CatalogueError):
    """Input failed validation; `fields` maps field paths to messages."""

    status_code = 422

    def __init__(self, message: str, *, fields: dict[str, Any]):
        super().__init__(message, details={"fields": fields})
        self.fields = fields


class Conflict(CatalogueError):
    """The change clashes with the current state (duplicate code, invalid transition, ...).

    `fields` names the fields involved, when there are any (a duplicate code, say).
    """

    status_code = 409

    def __init__(self, message: str, *, fields: dict[str, Any] | None = None):
        super().__init__(message, details={"fields": fields} if fields else None)
        self.fields = fields or {}


class StaleEdit(CatalogueError):
    """The edit was based on an outdated copy; `current` describes what is stored now."""

    status_code = 412

    def __init__(self, message: str, *, current_version: int, changes: list[dict] | None = None):
        super().__init__(message, details={"current_version": current_version})
        self.current_version = current_version
        self.changes = changes or []


def flatten_errors(errors: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (dotted.path, message) pairs."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            yield from flatten_errors(value, path)
    elif isinstance(errors, list | tuple):
        for item in errors:
            if isinstance(item, dict | list | tuple):
                yield from flatten_errors(item, prefix)
            else:
                yield prefix, str(item)
    else:
        yield prefix, str(errors)
