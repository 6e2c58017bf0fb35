"""Domain signals: let one domain react to another's changes inside the same transaction."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent after a new version of a module was created, before the transaction commits.
# Receivers get: session, module, version (ModuleVersion), actor.
module_version_published = _signals.signal("module-version-published")

# Sent while search documents are built, to let other domains add values to them.
# Receivers get: session (the sender), module_ids; they return {module_id: {field: value}}.
search_document_extras = _signals.signal("search-document-extras")
