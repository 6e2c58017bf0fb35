"""Marshmallow schemas: the one place where input is validated and output is shaped.

The web editor, the JSON API and the seed loader all validate through these schemas, so a module
that one of them accepts is accepted by the others.
"""

from schemas import messages as _messages  # noqa: F401  - installs translatable messages first
