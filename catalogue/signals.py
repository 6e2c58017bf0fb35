"""Domain signals: let one domain react to another's changes inside the same transaction."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent after a new version of a module was created, before the transaction commits.
# Receivers get: session, module, version (ModuleVersion), actor.
module_version_published = _signals.signal("module-version-published")
