"""Every change the catalogue makes to whoosh's own code, in one place, applied at start-up.

They replace private methods of whoosh-reloaded and read its private attributes, so they hold
only for the version they were written for: `apply()` refuses to start on any other, and a
newer whoosh means reading these three again before raising `SUPPORTED_VERSION`. `apply()` is
called once by the app's start-up (catalogue.search.service.init_app); calling it again does
nothing. Without it the index works the same, only slower, and a test tool that reseeds Python's
`random` could make whoosh reuse a segment name.
"""

from __future__ import annotations

import os
import threading
from importlib import metadata

from whoosh.codec.base import FieldWriter, Segment
from whoosh.codec.whoosh3 import W3PerDocReader

DISTRIBUTION = "whoosh-reloaded"
SUPPORTED_VERSION = "2.7.5"

_applied = False
_lock = threading.Lock()


def check_version(version: str | None) -> None:
    """Raise RuntimeError unless `version` is the whoosh-reloaded these patches were written for."""
    if version != SUPPORTED_VERSION:
        raise RuntimeError(
            f"catalogue.search.whoosh_patches was written for {DISTRIBUTION} {SUPPORTED_VERSION}, "
            f"but {DISTRIBUTION} {version or '(not installed)'} is installed; install "
            f"{SUPPORTED_VERSION} or check the patches against the new version first"
        )


def installed_version() -> str | None:
    """The installed whoosh-reloaded version, from the package metadata (None if missing)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def apply() -> None:
    """Patch whoosh once per process, after checking its version (later calls do nothing)."""
    global _applied
    with _lock:
        if _applied:
            return
        check_version(installed_version())
        W3PerDocReader._cached_reader = _remember_missing_columns
        Segment._random_id = classmethod(_unique_segment_id)
        FieldWriter.add_postings = _add_postings_without_lengths
        _applied = True


def applied() -> bool:
    """Whether `apply()` has patched whoosh in this process."""
    return _applied


def _remember_missing_columns(self, fieldname, column):
    """W3PerDocReader._cached_reader, but remembering that a column does not exist.

    Whoosh asks for the length column of every posting it writes; our text fields keep no
    lengths, and the original looks for the file on disk (one stat call) every time.
    """
    if fieldname in self._readers:
        return self._readers[fieldname]
    if not self.has_column(fieldname):
        if fieldname.endswith("_L"):  # a lengths column: it will not appear later
            self._readers[fieldname] = None
        return None
    self._readers[fieldname] = self.column_reader(fieldname, column)
    return self._readers[fieldname]


def _unique_segment_id(cls, size: int = 16) -> str:
    """A segment id from the operating system's randomness.

    Whoosh draws segment names from the global `random` module; anything that reseeds it
    (test tools do, for repeatable runs) makes whoosh reuse a name, and the new segment's
    files then overwrite a live segment's.
    """
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[b % len(alphabet)] for b in os.urandom(size))


_original_add_postings = FieldWriter.add_postings


def _add_postings_without_lengths(self, schema, lengths, items):
    """FieldWriter.add_postings, skipping the length lookup per posting when no field is
    scorable (ours keep no lengths; whoosh would look one up for every posting anyway)."""
    if not any(schema[name].scorable for name in schema.names()):
        lengths = None
    return _original_add_postings(self, schema, lengths, items)
