"""The index folder of one node: its generations, the atomic swap, the locks, and its readers.

A rebuild writes a new generation (`gen-<time>`) beside the current one and swaps it in by
replacing the `current` symlink in one rename; searches keep reading the old generation until
then. Each generation records its format and the last outbox entry it has applied. One writer at
a time: whoosh's write lock of the current generation (taken with a timeout, `IndexBusy` when
another process keeps it) and a rebuild lock on the folder. Each thread keeps one reader per
generation (see `reading`).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from catalogue.search.arrays import SegmentCache
from catalogue.search.index_schema import INDEX_FORMAT, whoosh_schema
from catalogue.search.reader import IndexView, SegmentGone
from catalogue.search.vocabulary import Thesaurus
from catalogue.search.writer import (
    INDEX_NAME,
    SEQ_FILE,
    IndexWriter,
    open_writer,
    read_applied_seq,
    write_atomically,
    write_generation,
)

CURRENT = "current"


class IndexBusy(Exception):
    """Another process holds the index's write lock for longer than the timeout."""


class SearchIndex:
    """The index folder of one node: its generations, its writer, its readers."""

    def __init__(self, root: Path | str, thesaurus: Thesaurus, *, lock_timeout: float = 5.0):
        self.root = Path(root)
        self.thesaurus = thesaurus
        self.lock_timeout = lock_timeout
        self._cache = SegmentCache()
        self._local = threading.local()
        self._known_good: str | None = None

    @property
    def current_path(self) -> Path:
        """The `current` symlink to the generation searches read."""
        return self.root / CURRENT

    def exists(self) -> bool:
        """Whether an index of the current format is in place (remembered per generation)."""
        try:
            target = os.readlink(self.current_path)
        except OSError:
            target = None
        if target is not None and target == self._known_good:
            return True
        try:
            found = (self.current_path / "format").read_text().strip()
        except (FileNotFoundError, NotADirectoryError):
            return False
        # Listing, not reading, the table of contents: a writer may replace it at any moment.
        good = found == INDEX_FORMAT and any(self.current_path.glob(f"_{INDEX_NAME}_*.toc"))
        if good and target is not None:
            self._known_good = target
        return good

    def _open(self, path: Path | None = None, attempts: int = 20) -> index.Index:
        # A writer that commits while the index opens may remove the table of contents about
        # to be read; a newer one is there, so try again.
        for attempt in range(attempts):
            try:
                return FileStorage(str(path or self.current_path)).open_index(indexname=INDEX_NAME)
            except FileNotFoundError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def applied_seq(self) -> int:
        """The id of the last outbox entry the current generation has applied."""
        return read_applied_seq(self.current_path)

    @contextmanager
    def rebuilding(self, timeout: float = 600.0) -> Iterator[None]:
        """Hold the folder's rebuild lock: one rebuild at a time, across processes."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.root)).lock("rebuild")
        deadline = time.monotonic() + timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexBusy("another process has been rebuilding the index for too long")
            time.sleep(0.1)
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def writing(self) -> Iterator[IndexWriter]:
        """Hold the write lock of the current generation (waiting up to lock_timeout)."""
        ix = self._open()
        try:
            writer = open_writer(ix, self.current_path.resolve(), self.lock_timeout)
        except LockError as exc:
            raise IndexBusy(f"the search index is locked by another writer: {exc}") from exc
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        else:
            writer.commit()

    def rebuild(
        self,
        documents: Iterable[dict[str, Any]],
        *,
        applied_seq: int,
        processes: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Build a new generation from `documents` beside the current one and swap it in.

        Searches keep using the old generation until the swap, which is one atomic rename.
        Returns the number of documents indexed.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns()}"
        path = self.root / name
        path.mkdir()
        count = write_generation(
            path,
            whoosh_schema(self.thesaurus),
            documents,
            processes=processes,
            progress=progress,
        )
        write_atomically(path / "format", INDEX_FORMAT)
        write_atomically(path / SEQ_FILE, str(applied_seq))
        self._swap_in(name)
        return count

    def _swap_in(self, name: str) -> None:
        """Point `current` at generation `name` in one rename, then remove old generations."""
        if self.current_path.is_dir() and not self.current_path.is_symlink():
            # An index folder copied without its symlink: keep it aside as a generation.
            os.rename(self.current_path, self.root / f"gen-{time.time_ns()}-copied")
        link = self.root / f"{CURRENT}.{name}.tmp"
        os.symlink(name, link)
        os.replace(link, self.current_path)
        self._remove_old_generations(keep={name})

    def _remove_old_generations(self, keep: set[str]) -> None:
        # Keep the generation before the new one: a search that opened it just before the swap
        # may still read from it. Older ones go.
        generations = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        previous = [p for p in generations if p.name not in keep][-1:]
        for path in generations:
            if path.name not in keep and path not in previous:
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def reading(self) -> Iterator[IndexView]:
        """A consistent view of the current generation for one search.

        A thread keeps its reader while the index has not changed (opening one costs more
        than the search itself on a large index); readers are never shared between threads.
        A writer may merge away a segment file this view was about to read (whoosh then
        raises FileNotFoundError): that is raised as `SegmentGone`, and the thread's reader is
        dropped, so that searching again reads the new generation, which has the same documents.
        """
        try:
            path, reader = self._thread_reader()
            yield IndexView(self._cache, path, reader)
        except (SegmentGone, FileNotFoundError) as exc:
            self.forget_reader()
            if isinstance(exc, SegmentGone):
                raise
            raise SegmentGone("a segment of this view was merged away; search again") from exc

    def forget_reader(self) -> None:
        """Drop this thread's reader (after it met a segment that is gone)."""
        cached = getattr(self._local, "reader", None)
        self._local.reader = None
        if cached is not None:
            cached[1].close()

    def _thread_reader(self):
        cached = getattr(self._local, "reader", None)
        path = self.current_path.resolve()
        generation = (path, _latest_toc(path))
        if cached is not None and cached[0] == generation:
            return path, cached[1]
        if cached is not None:
            cached[1].close()
        path, reader = self._open_reader()
        self._local.reader = ((path, reader.generation()), reader)
        return path, reader

    def _open_reader(self, attempts: int = 20):
        for attempt in range(attempts):
            try:
                path = self.current_path.resolve()
                return path, self._open(path).reader()
            except FileNotFoundError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")


def _latest_toc(path: Path) -> int:
    """The newest generation number among a folder's tables of contents (-1 if none)."""
    prefix, suffix = f"_{INDEX_NAME}_", ".toc"
    numbers = [
        int(name[len(prefix) : -len(suffix)])
        for name in os.listdir(path)
        if name.startswith(prefix)
        and name.endswith(suffix)
        and name[len(prefix) : -len(suffix)].isdigit()
    ]
    return max(numbers, default=-1)
