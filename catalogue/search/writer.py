"""Writing to the index: the one writer that applies outbox changes to the current generation,
and the writing of a whole new generation for a rebuild.

Both hold whoosh's write lock of their generation (taken by catalogue.search.store); a change
is applied together with the last outbox entry it covers, and with the new words of the
spelling vocabulary.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage

from catalogue.search.index_schema import field_values
from catalogue.search.spelling import (
    VOCABULARY_FILE,
    read_vocabulary,
    spelling_words,
    vocabulary_text,
)

INDEX_NAME = "catalogue"
SEQ_FILE = "applied_seq"
# Segments are written as separate files, not assembled into one compound file: whoosh reads a
# compound file's parts by copying each into memory, which costs tens of megabytes per search on
# a large index; separate files are memory-mapped and read in place.
WRITER_OPTIONS = {"compound": False}
# Postings are kept in memory until a segment is written instead of being spilled to sorted
# runs on disk and merged back, which is most of the cost of a large rebuild.
REBUILD_MEMORY_MB = 1536
# Bigger posting blocks: fewer pickled blocks to write and to read for common terms.
CODEC_BLOCK_LIMIT = 512


def codec() -> W3Codec:
    """The codec every segment is written with."""
    return W3Codec(blocklimit=CODEC_BLOCK_LIMIT)


def write_atomically(path: Path, text: str) -> None:
    """Replace a small file in one step: a reader sees the old or the new text, never half."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def read_applied_seq(path: Path) -> int:
    """The id of the last outbox entry the generation in folder `path` has applied."""
    try:
        return int((path / SEQ_FILE).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


class IndexWriter:
    """Changes to the current generation, applied at once when the `writing` block ends."""

    def __init__(self, path: Path, writer):
        self.path = path
        self.writer = writer
        self.applied_seq = read_applied_seq(path)
        self._new_seq: int | None = None
        self._words: Counter[str] = Counter()

    def upsert(self, document: dict[str, Any]) -> None:
        """Add or replace the document of one module."""
        self.writer.update_document(**field_values(document))
        self._words.update(spelling_words(document))

    def delete(self, module_id: int) -> None:
        """Remove a module's document if there is one."""
        self.writer.delete_by_term("id", str(module_id))

    def set_applied_seq(self, seq: int) -> None:
        """Record the last outbox entry applied, together with the changes."""
        self._new_seq = seq

    def commit(self) -> None:
        """Write the changes, then the vocabulary's new words, then the outbox position."""
        self.writer.commit()
        if self._words:
            counts = read_vocabulary(self.path)
            counts.update(self._words)
            write_atomically(self.path / VOCABULARY_FILE, vocabulary_text(counts))
        if self._new_seq is not None:
            write_atomically(self.path / SEQ_FILE, str(self._new_seq))

    def cancel(self) -> None:
        """Drop the changes and release the lock."""
        self.writer.cancel()


def open_writer(ix: index.Index, path: Path, timeout: float) -> IndexWriter:
    """The writer of the generation `ix` in folder `path`, waiting up to `timeout` for its lock
    (whoosh's LockError when another process keeps it)."""
    writer = ix.writer(timeout=timeout, codec=codec(), **WRITER_OPTIONS)
    return IndexWriter(path, writer)


def write_generation(
    path: Path,
    schema,
    documents: Iterable[dict[str, Any]],
    *,
    processes: int = 1,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index `documents` into a new index in the empty folder `path`; returns how many.

    The folder is removed when anything fails, so a half-written generation never stays.
    """
    ix = FileStorage(str(path)).create_index(schema, indexname=INDEX_NAME)
    options = {**WRITER_OPTIONS, "limitmb": REBUILD_MEMORY_MB, "codec": codec()}
    if processes > 1:
        writer = ix.writer(procs=processes, multisegment=True, **options)
    else:
        writer = ix.writer(**options)
    count = 0
    vocabulary: Counter[str] = Counter()
    try:
        for document in documents:
            writer.add_document(**field_values(document))
            vocabulary.update(spelling_words(document))
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        writer.commit()
    except BaseException:
        writer.cancel()
        shutil.rmtree(path, ignore_errors=True)
        raise
    if progress:
        progress(count % 1000)
    write_atomically(path / VOCABULARY_FILE, vocabulary_text(vocabulary))
    return count
