"""Where the data folders shipped with the application live.

In a source checkout `templates/`, `seed/` and `migrations/` sit at the top of the repository;
in an installed wheel they sit inside the `catalogue` package (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `name` (templates, seed, migrations), wherever this installation keeps it."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the catalogue's {name}/ folder is missing from this installation")
