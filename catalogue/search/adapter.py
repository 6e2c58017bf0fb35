"""The whoosh index behind the catalogue's search: the only module that imports whoosh.

What lives here:
- the index schema and the analysis of text (words, accent folding, stop words, Dutch compound
  parts, one Dutch or English stem per word, chosen by the language of the document);
- the index folder: generations that a rebuild builds beside the current one and swaps in with
  an atomic symlink replace, the last outbox entry each generation has applied, and the
  whoosh write lock (taken with a timeout) that makes one writer at a time;
- reading the index into arrays for fast scoring and facet counting. Each segment of a whoosh
  index never changes once written (only its deletions do), so what is read from a segment is
  cached by segment id, and a new generation after a small edit reads only its new segment.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import threading
import time
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import columns, fields, formats, highlight, index
from whoosh.analysis import Token, Tokenizer
from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton
from whoosh.codec.base import FieldWriter, Segment
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.lang.porter import stem as english_stem
from whoosh.lang.snowball.dutch import DutchStemmer
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint

from catalogue.search.text import STOP_WORDS, WORD_RE, fold
from catalogue.search.vocabulary import Thesaurus
from catalogue.vocabularies import (
    Audience,
    Competency,
    DeliveryMode,
    Level,
    Sector,
    TargetGroup,
    TeachingLanguage,
)

LANGUAGES = ("nl", "en")
TEXT_FIELDS = ("title", "body")
# Facets with one value per module, and with several (how they are stored: see below).
SINGLE_FACETS = ("sector", "level", "region", "institution")
MULTI_FACETS = (
    "competency",
    "delivery_mode",
    "language",
    "target_group",
    "audience",
    "recognised_in",
    "flags",
)
# Facets live in numeric columns, not in postings: a column is read for a whole segment at once,
# and costs the indexer nothing per word. Sector and level are stored as their position in the
# vocabulary; region and institution as database ids (the service turns them into codes).
CODED_FACETS = {"sector": Sector.values(), "level": Level.values()}
ID_FACETS = ("region", "institution")
# Several values per module: bits of one 64-bit column, eight bits reserved per facet so that a
# vocabulary can grow without moving the others (a new value still needs a rebuild).
FLAGS = ("open-material", "micro-credential")
TAG_BITS = {
    "competency": (0, Competency.values()),
    "delivery_mode": (8, DeliveryMode.values()),
    "language": (16, TeachingLanguage.values()),
    "target_group": (24, TargetGroup.values()),
    "audience": (32, Audience.values()),
    "flags": (40, FLAGS),
}
# Regions where a module is recognised: bit n for the region with database id n (n < 64).
RECOGNISED_BITS = 64
RUN_STATUS_CODES = {"planned": 0, "open": 1, "full": 2, "completed": 3}
_RUN = struct.Struct("<ifb")  # start day (ordinal), price, status code
_INDEX_NAME = "catalogue"
CURRENT = "current"
# Bumped whenever the schema or the analysis changes: an index in another format is treated as
# missing and rebuilt from the database, never read with the wrong expectations.
INDEX_FORMAT = "4"


# Segments are written as separate files, not assembled into one compound file: whoosh reads a
# compound file's parts by copying each into memory, which costs tens of megabytes per search on
# a large index; separate files are memory-mapped and read in place.
WRITER_OPTIONS = {"compound": False}
# Postings are kept in memory until a segment is written instead of being spilled to sorted
# runs on disk and merged back, which is most of the cost of a large rebuild.
REBUILD_MEMORY_MB = 1536
# Bigger posting blocks: fewer pickled blocks to write and to read for common terms.
CODEC_BLOCK_LIMIT = 512


def _codec() -> W3Codec:
    return W3Codec(blocklimit=CODEC_BLOCK_LIMIT)


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


W3PerDocReader._cached_reader = _remember_missing_columns


def _unique_segment_id(cls, size: int = 16) -> str:
    """A segment id from the operating system's randomness.

    Whoosh draws segment names from the global `random` module; anything that reseeds it
    (test tools do, for repeatable runs) makes whoosh reuse a name, and the new segment's
    files then overwrite a live segment's.
    """
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[b % len(alphabet)] for b in os.urandom(size))


Segment._random_id = classmethod(_unique_segment_id)
_original_add_postings = FieldWriter.add_postings


def _add_postings_without_lengths(self, schema, lengths, items):
    """FieldWriter.add_postings, skipping the length lookup per posting when no field is
    scorable (ours keep no lengths; whoosh would look one up for every posting anyway)."""
    if not any(schema[name].scorable for name in schema.names()):
        lengths = None
    return _original_add_postings(self, schema, lengths, items)


FieldWriter.add_postings = _add_postings_without_lengths


class IndexBusy(Exception):
    """Another process holds the index's write lock for longer than the timeout."""


class SegmentGone(Exception):
    """A segment this view was reading has been merged into another by a writer."""


# -- analysis -------------------------------------------------------------------------------


_dutch = DutchStemmer()


@lru_cache(maxsize=500_000)
def stem(word: str, language: str) -> str:
    """The stem of a folded word in Dutch or English."""
    if word.isdigit() or len(word) < 3:
        return word
    return _dutch.stem(word) if language == "nl" else english_stem(word)


class CatalogueTokenizer(Tokenizer):
    """Words → folded → without stop words → plus compound parts → stemmed, in one pass.

    Each distinct word's terms are worked out once and cached, so indexing a large catalogue
    mostly costs one dictionary lookup per word. With `stemming=None` words are only folded
    (for codes, names and places).
    """

    def __init__(self, stemming: str | None, parts: frozenset[str] = frozenset()):
        self.stemming = stemming
        self.parts = parts

    def __eq__(self, other):
        return (
            isinstance(other, CatalogueTokenizer)
            and self.stemming == other.stemming
            and self.parts == other.parts
        )

    def __hash__(self):
        return hash((self.stemming, len(self.parts)))

    def _terms_of(self, raw: str) -> tuple[str, ...]:
        word = fold(raw)
        language = self.stemming
        if language is None:
            return (word,)
        if word in STOP_WORDS or len(word) < 2:
            return ()
        terms = [stem(word, language)]
        if self.parts and len(word) >= 8:
            terms += [stem(part, language) for part in _splitter(self.parts)(word)]
        return tuple(terms)

    def terms(self, value: str) -> list[str]:
        """The terms of a text, in order (a word may give several)."""
        cache = _term_cache(self)
        found: list[str] = []
        for raw in WORD_RE.findall(value):
            terms = cache.get(raw)
            if terms is None:
                terms = cache[raw] = self._terms_of(raw)
            found.extend(terms)
        return found

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        token.boost = 1.0
        for term in self.terms(value):
            token.text = term
            yield token


_term_caches: dict[tuple, dict[str, tuple[str, ...]]] = {}
_TERM_CACHE_WORDS = 300_000


def _term_cache(tokenizer: CatalogueTokenizer) -> dict[str, tuple[str, ...]]:
    key = (tokenizer.stemming, hash(tokenizer.parts))
    cache = _term_caches.setdefault(key, {})
    if len(cache) > _TERM_CACHE_WORDS:
        cache.clear()
    return cache


class TermCounts(formats.Frequency):
    """Term frequencies, counted with Counter from the tokenizer's list of terms.

    The same postings as whoosh's Frequency format, without a Token object per word.
    """

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, CatalogueTokenizer):
            return super().word_values(value, analyzer, **kwargs)
        counts = Counter(analyzer.terms(value))
        boost = self.field_boost
        return ((term, n, n * boost, pack_uint(n)) for term, n in counts.items())


_splitters: dict[int, Callable[[str], list[str]]] = {}


def _splitter(parts: frozenset[str]) -> Callable[[str], list[str]]:
    key = hash(parts)
    if key not in _splitters:
        thesaurus = Thesaurus(parts=parts)
        _splitters[key] = lru_cache(maxsize=200_000)(thesaurus.split_compound)
    return _splitters[key]


def _schema(thesaurus: Thesaurus) -> fields.Schema:
    def text(language: str) -> fields.FieldType:
        # Term frequencies only: no positions, no per-document lengths (we keep our own).
        return fields.FieldType(
            TermCounts(),
            analyzer=CatalogueTokenizer(language, thesaurus.parts),
            scorable=False,
        )

    schema = fields.Schema(
        id=fields.ID(unique=True),
        mid=fields.COLUMN(columns.NumericColumn("i")),
        keys=fields.FieldType(TermCounts(), analyzer=CatalogueTokenizer(None), scorable=False),
        study_hours=fields.COLUMN(columns.NumericColumn("f")),
        published=fields.COLUMN(columns.NumericColumn("q")),
        body_length=fields.COLUMN(columns.NumericColumn("i")),
        runs=fields.COLUMN(columns.VarBytesColumn()),
        fingerprint=fields.COLUMN(columns.VarBytesColumn()),
        display=fields.STORED(),
        sector=fields.COLUMN(columns.NumericColumn("b", default=-1)),
        level=fields.COLUMN(columns.NumericColumn("b", default=-1)),
        region=fields.COLUMN(columns.NumericColumn("i", default=-1)),
        institution=fields.COLUMN(columns.NumericColumn("i", default=-1)),
        tags=fields.COLUMN(columns.NumericColumn("Q")),
        recognised=fields.COLUMN(columns.NumericColumn("Q")),
    )
    for language in LANGUAGES:
        for name in TEXT_FIELDS:
            schema.add(f"{name}_{language}", text(language))
    return schema


def _tag_bits(document: dict[str, Any]) -> int:
    flags = [
        f
        for f, on in zip(
            FLAGS, (document["open_material"], document.get("micro_credential")), strict=True
        )
        if on
    ]
    bits = 0
    for facet, (offset, values) in TAG_BITS.items():
        chosen = flags if facet == "flags" else document[facet]
        for code in chosen:
            if code in values:
                bits |= 1 << (offset + values.index(code))
    return bits


def _whoosh_fields(document: dict[str, Any]) -> dict[str, Any]:
    """A search document (see catalogue.search.documents) as whoosh field values."""
    language = document["lang"]
    values: dict[str, Any] = {
        "id": str(document["id"]),
        "mid": document["id"],
        "keys": document["keys"],
        f"title_{language}": document["title"],
        f"body_{language}": document["body"],
        "study_hours": float(document["study_hours"]),
        "published": int(document["published"]),
        "body_length": len(document["body"].split()),
        "runs": b"".join(
            _RUN.pack(start, price, RUN_STATUS_CODES.get(status, 3))
            for start, price, status in document["runs"]
        ),
        "fingerprint": document["fingerprint"].encode("ascii"),
        "display": json.dumps(document["display"], ensure_ascii=False),
        "sector": CODED_FACETS["sector"].index(document["sector"]),
        "level": CODED_FACETS["level"].index(document["level"]),
        "region": document["region_id"],
        "institution": document["institution_id"],
        "tags": _tag_bits(document),
        "recognised": sum(
            1 << region_id
            for region_id in set(document["recognised_in_ids"])
            if 0 <= region_id < RECOGNISED_BITS
        ),
    }
    return values


# -- the index folder -----------------------------------------------------------------------


class SearchIndex:
    """The index folder of one node: its generations, its writer, its readers."""

    def __init__(self, root: Path | str, thesaurus: Thesaurus, *, lock_timeout: float = 5.0):
        self.root = Path(root)
        self.thesaurus = thesaurus
        self.lock_timeout = lock_timeout
        self._cache = SegmentCache()
        self._local = threading.local()
        self._known_good: str | None = None

    # where things are
    @property
    def current_path(self) -> Path:
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
        good = found == INDEX_FORMAT and any(self.current_path.glob(f"_{_INDEX_NAME}_*.toc"))
        if good and target is not None:
            self._known_good = target
        return good

    def _open(self, path: Path | None = None, attempts: int = 20) -> index.Index:
        # A writer that commits while the index opens may remove the table of contents about
        # to be read; a newer one is there, so try again.
        for attempt in range(attempts):
            try:
                return FileStorage(str(path or self.current_path)).open_index(indexname=_INDEX_NAME)
            except FileNotFoundError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    @staticmethod
    def _seq_file(path: Path) -> Path:
        return path / "applied_seq"

    def applied_seq(self) -> int:
        """The id of the last outbox entry the current generation has applied."""
        try:
            return int(self._seq_file(self.current_path).read_text())
        except (FileNotFoundError, ValueError):
            return 0

    @staticmethod
    def _write_atomically(path: Path, text: str) -> None:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text)
        os.replace(temporary, path)

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

    # writing
    @contextmanager
    def writing(self) -> Iterator[IndexWriter]:
        """Hold the write lock of the current generation (waiting up to lock_timeout)."""
        ix = self._open()
        try:
            writer = ix.writer(timeout=self.lock_timeout, codec=_codec(), **WRITER_OPTIONS)
        except LockError as exc:
            raise IndexBusy(f"the search index is locked by another writer: {exc}") from exc
        handle = IndexWriter(self, self.current_path.resolve(), writer)
        try:
            yield handle
        except BaseException:
            writer.cancel()
            raise
        else:
            handle._commit()

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
        storage = FileStorage(str(path))
        ix = storage.create_index(_schema(self.thesaurus), indexname=_INDEX_NAME)
        options = {**WRITER_OPTIONS, "limitmb": REBUILD_MEMORY_MB, "codec": _codec()}
        if processes > 1:
            writer = ix.writer(procs=processes, multisegment=True, **options)
        else:
            writer = ix.writer(**options)
        count = 0
        vocabulary: Counter[str] = Counter()
        try:
            for document in documents:
                writer.add_document(**_whoosh_fields(document))
                vocabulary.update(_spelling_words(document))
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
        self._write_vocabulary(path, vocabulary)
        self._write_atomically(path / "format", INDEX_FORMAT)
        self._write_atomically(self._seq_file(path), str(applied_seq))
        if self.current_path.is_dir() and not self.current_path.is_symlink():
            # An index folder copied without its symlink: keep it aside as a generation.
            os.rename(self.current_path, self.root / f"gen-{time.time_ns()}-copied")
        link = self.root / f"{CURRENT}.{name}.tmp"
        os.symlink(name, link)
        os.replace(link, self.current_path)
        self._remove_old_generations(keep={name})
        return count

    def _remove_old_generations(self, keep: set[str]) -> None:
        # Keep the generation before the new one: a search that opened it just before the swap
        # may still read from it. Older ones go.
        generations = sorted(p for p in self.root.glob("gen-*") if p.is_dir())
        previous = [p for p in generations if p.name not in keep][-1:]
        for path in generations:
            if path.name not in keep and path not in previous:
                shutil.rmtree(path, ignore_errors=True)

    # vocabulary for "did you mean"
    @staticmethod
    def _write_vocabulary(path: Path, counts: Counter[str]) -> None:
        lines = "".join(f"{word}\t{count}\n" for word, count in sorted(counts.items()))
        SearchIndex._write_atomically(path / "vocabulary.tsv", lines)

    def _read_vocabulary(self, path: Path) -> Counter[str]:
        counts: Counter[str] = Counter()
        try:
            for line in (path / "vocabulary.tsv").read_text().splitlines():
                word, _sep, count = line.partition("\t")
                counts[word] = int(count or 0)
        except FileNotFoundError:
            pass
        return counts

    # reading
    @contextmanager
    def reading(self) -> Iterator[IndexView]:
        """A consistent view of the current generation for one search.

        A thread keeps its reader while the index has not changed (opening one costs more
        than the search itself on a large index); readers are never shared between threads.
        """
        path, reader = self._thread_reader()
        yield IndexView(self, path, reader)

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
    prefix, suffix = f"_{_INDEX_NAME}_", ".toc"
    numbers = [
        int(name[len(prefix) : -len(suffix)])
        for name in os.listdir(path)
        if name.startswith(prefix)
        and name.endswith(suffix)
        and name[len(prefix) : -len(suffix)].isdigit()
    ]
    return max(numbers, default=-1)


def _spelling_words(document: dict[str, Any]) -> set[str]:
    """Words offered as spelling corrections: those of titles, codes, names and places."""
    text = f"{document['title']} {document['keys']}"
    return {w for w in (fold(x) for x in WORD_RE.findall(text)) if len(w) > 2 and w.isalpha()}


class IndexWriter:
    """Changes to the current generation, applied at once when the `writing` block ends."""

    def __init__(self, index_: SearchIndex, path: Path, writer):
        self.index = index_
        self.path = path
        self.writer = writer
        self.applied_seq = (
            int(SearchIndex._seq_file(path).read_text() or 0)
            if (SearchIndex._seq_file(path).exists())
            else 0
        )
        self._new_seq: int | None = None
        self._words: Counter[str] = Counter()

    def upsert(self, document: dict[str, Any]) -> None:
        """Add or replace the document of one module."""
        self.writer.update_document(**_whoosh_fields(document))
        self._words.update(_spelling_words(document))

    def delete(self, module_id: int) -> None:
        """Remove a module's document if there is one."""
        self.writer.delete_by_term("id", str(module_id))

    def set_applied_seq(self, seq: int) -> None:
        """Record the last outbox entry applied, together with the changes."""
        self._new_seq = seq

    def _commit(self) -> None:
        self.writer.commit()
        if self._words:
            counts = self.index._read_vocabulary(self.path)
            counts.update(self._words)
            SearchIndex._write_vocabulary(self.path, counts)
        if self._new_seq is not None:
            SearchIndex._write_atomically(SearchIndex._seq_file(self.path), str(self._new_seq))


# -- reading into arrays ------------------------------------------------------------------


@dataclass
class SegmentData:
    """What search needs from one whoosh segment, as arrays indexed by segment doc number."""

    doc_count: int
    module_ids: np.ndarray
    study_hours: np.ndarray
    published: np.ndarray
    body_length: np.ndarray
    sector: np.ndarray
    level: np.ndarray
    region: np.ndarray
    institution: np.ndarray
    tags: np.ndarray
    recognised: np.ndarray
    run_docs: np.ndarray
    run_starts: np.ndarray
    run_prices: np.ndarray
    run_status: np.ndarray

    def arrays(self) -> list[np.ndarray]:
        return [v for v in vars(self).values() if isinstance(v, np.ndarray)]


class SegmentCache:
    """Segment data and term postings, by segment id; bounded by bytes, least recently used."""

    def __init__(self, max_bytes: int = 512 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], tuple[Any, int]]) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
        value, size = build()
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self._bytes += size
                while self._bytes > self.max_bytes and len(self._items) > 1:
                    _old, (_value, old_size) = self._items.popitem(last=False)
                    self._bytes -= old_size
        return value


def _array_bytes(*arrays: np.ndarray) -> int:
    return int(sum(a.nbytes for a in arrays))


def _numeric_column(reader, name: str, count: int, dtype) -> np.ndarray:
    """A whole numeric column of a segment as an array, read in one piece.

    Whoosh's NumericColumn stores big-endian values back to back, leaving off trailing
    documents that have the default value; the fallback reads value by value.
    """
    if count == 0:
        return np.zeros(0, dtype=dtype)
    column = reader.column_reader(name, translate=False)
    raw = getattr(column, "_dbfile", None)
    if raw is not None and hasattr(column, "_typecode") and hasattr(column, "_count"):
        stored = np.frombuffer(
            raw.get(column._basepos, column._count * column._fixedlen),
            dtype=np.dtype(column._typecode).newbyteorder(">"),
        )
        values = np.full(count, column._default, dtype=dtype)
        values[: len(stored)] = stored[:count]
        return values
    return np.fromiter(column, dtype=dtype, count=count)  # pragma: no cover - other codecs


def _postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Doc numbers and term frequencies of one term in one segment, read block by block."""
    try:
        matcher = reader.postings(fieldname, text)
    except (KeyError, TermNotFound):
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    # Deleted documents are masked out per generation, so the raw postings (cacheable for the
    # segment's whole life) are read from under whoosh's deletion filter.
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids: list[int] = []
    weights: list[float] = []
    # Whole posting blocks at a time: far fewer Python calls than one per posting. This uses the
    # W3 codec's block reader, which the pinned whoosh-reloaded 2.7.5 provides.
    if hasattr(matcher, "_read_ids"):
        while True:
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    else:  # pragma: no cover - other codecs
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


def _load_segment(reader) -> tuple[SegmentData, int]:
    count = reader.doc_count_all()
    runs = list(reader.column_reader("runs")) if count else []
    lengths = np.fromiter((len(r) // _RUN.size for r in runs), dtype=np.int32, count=count)
    packed = np.frombuffer(
        b"".join(runs), dtype=np.dtype([("start", "<i4"), ("price", "<f4"), ("status", "i1")])
    )
    data = SegmentData(
        doc_count=count,
        module_ids=_numeric_column(reader, "mid", count, np.int64),
        study_hours=_numeric_column(reader, "study_hours", count, np.float32),
        published=_numeric_column(reader, "published", count, np.int64),
        body_length=_numeric_column(reader, "body_length", count, np.float32),
        sector=_numeric_column(reader, "sector", count, np.int32),
        level=_numeric_column(reader, "level", count, np.int32),
        region=_numeric_column(reader, "region", count, np.int32),
        institution=_numeric_column(reader, "institution", count, np.int32),
        tags=_numeric_column(reader, "tags", count, np.uint64),
        recognised=_numeric_column(reader, "recognised", count, np.uint64),
        run_docs=np.repeat(np.arange(count, dtype=np.int32), lengths),
        run_starts=packed["start"].astype(np.int32),
        run_prices=packed["price"].astype(np.float32),
        run_status=packed["status"].astype(np.int8),
    )
    return data, _array_bytes(*data.arrays())


class IndexView:
    """One generation of the index as arrays over global doc numbers, plus term lookups."""

    def __init__(self, index_: SearchIndex, path: Path, reader):
        self.index = index_
        self.path = path
        self.reader = reader
        self._leaves = []
        if hasattr(reader, "leaf_readers"):
            self._leaves = list(reader.leaf_readers())
        base = 0
        self.segments: list[tuple[Any, int, str, SegmentData]] = []
        for leaf, _offset in self._leaves:
            segid = _segment_id(leaf, path)
            data = index_._cache.get(("segment", segid), lambda leaf=leaf: _load_segment(leaf))
            self.segments.append((leaf, base, segid, data))
            base += data.doc_count
        self.doc_count = base
        self.generation = (str(path), tuple((s[2], s[0].doc_count()) for s in self.segments))

    # -- per generation arrays (built once per generation, cached) ---------------------------
    def arrays(self) -> GenerationArrays:
        """Concatenated per-document arrays of this generation."""
        return self.index._cache.get(("generation", self.generation), self._build_arrays)

    def _build_arrays(self) -> tuple[GenerationArrays, int]:
        parts = [s[3] for s in self.segments]
        offsets = [s[1] for s in self.segments]
        live = np.ones(self.doc_count, dtype=bool)
        for leaf, base, _segid, _data in self.segments:
            if leaf.has_deletions():
                deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
                live[base + deleted] = False

        def cat(name, dtype):
            if not parts:
                return np.zeros(0, dtype=dtype)
            return np.concatenate([getattr(p, name) for p in parts]).astype(dtype, copy=False)

        single: dict[str, tuple[np.ndarray, list[str]]] = {}
        for name, values in CODED_FACETS.items():
            single[name] = (cat(name, np.int32), list(values))
        for name in ID_FACETS:
            ids = cat(name, np.int32)
            known, codes = np.unique(ids, return_inverse=True)
            codes = codes.astype(np.int32)
            if len(known) and known[0] < 0:  # documents without a value
                codes -= 1
                known = known[1:]
            single[name] = (codes, [str(int(i)) for i in known])
        multi: dict[str, dict[str, np.ndarray]] = {}
        tags = cat("tags", np.uint64)
        for name, (offset, values) in TAG_BITS.items():
            masks = {}
            for position, value in enumerate(values):
                mask = (tags & np.uint64(1 << (offset + position))) != 0
                if mask.any():
                    masks[value] = mask
            multi[name] = masks
        recognised = cat("recognised", np.uint64)
        multi["recognised_in"] = {}
        for bit in range(RECOGNISED_BITS):
            mask = (recognised & np.uint64(1 << bit)) != 0
            if mask.any():
                multi["recognised_in"][str(bit)] = mask
        run_docs = (
            np.concatenate([p.run_docs + base for p, base in zip(parts, offsets, strict=True)])
            if parts
            else np.zeros(0, np.int32)
        )
        body_length = cat("body_length", np.float32)
        arrays = GenerationArrays(
            live=live,
            module_ids=cat("module_ids", np.int64),
            study_hours=cat("study_hours", np.float32),
            published=cat("published", np.int64),
            body_length=body_length,
            average_body_length=float(body_length[live].mean()) if live.any() else 1.0,
            single=single,
            multi=multi,
            run_docs=run_docs,
            run_starts=cat("run_starts", np.int32),
            run_prices=cat("run_prices", np.float32),
            run_status=cat("run_status", np.int8),
        )
        size = _array_bytes(
            live, arrays.module_ids, arrays.study_hours, body_length, arrays.published
        ) + sum(m.nbytes for masks in multi.values() for m in masks.values())
        return arrays, size

    # -- terms -----------------------------------------------------------------------------
    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Global doc numbers and term frequencies of a term (deleted docs included)."""
        chunks_ids, chunks_tf = [], []
        for leaf, base, segid, _data in self.segments:
            ids, tf = self.index._cache.get(
                ("postings", segid, fieldname, term),
                lambda leaf=leaf: _sized(_postings(leaf, fieldname, term)),
            )
            if len(ids):
                chunks_ids.append(ids + base)
                chunks_tf.append(tf)
        if not chunks_ids:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        if len(chunks_ids) == 1:
            return chunks_ids[0], chunks_tf[0]
        return np.concatenate(chunks_ids), np.concatenate(chunks_tf)

    def document_frequency(self, fieldname: str, term: str) -> int:
        """In how many documents a term occurs (deleted ones may still count)."""
        return int(self.reader.doc_frequency(fieldname, term))

    def stored(self, docnum: int) -> dict[str, Any]:
        """The display values of a document."""
        try:
            return json.loads(self.reader.stored_fields(int(docnum))["display"])
        except (FileNotFoundError, TypeError) as exc:
            # Whoosh opens a segment's stored values on first use; a writer may have merged
            # that segment away since this view opened (whoosh then finds no file).
            raise SegmentGone("a segment of this view was merged away; search again") from exc

    def fingerprints(self) -> dict[int, str]:
        """Module id → fingerprint of every live document."""
        arrays = self.arrays()
        result: dict[int, str] = {}
        for leaf, base, _segid, data in self.segments:
            values = list(leaf.column_reader("fingerprint")) if data.doc_count else []
            for local, value in enumerate(values):
                if arrays.live[base + local]:
                    result[int(data.module_ids[local])] = value.decode("ascii")
        return result

    # -- spelling --------------------------------------------------------------------------
    def vocabulary(self) -> tuple[list[str], dict[str, int]]:
        """Words that may be offered as corrections, sorted, with their counts."""
        counts = self.index._cache.get(
            ("vocabulary", str(self.path), _mtime(self.path / "vocabulary.tsv")),
            lambda: _sized_vocabulary(self.index._read_vocabulary(self.path)),
        )
        return counts

    def corrections(
        self, word: str, *, max_distance: int = 2, extra_words: Sequence[str] = ()
    ) -> list[tuple[int, int, str]]:
        """(distance, -count, word) of known words within `max_distance` edits, best first.

        Known words are those of the index's spelling vocabulary and `extra_words` (sorted; the
        field's own terms, which count as rarer than any indexed word at the same distance).
        """
        words_sorted, counts = self.vocabulary()
        word_lists = [w for w in (words_sorted, extra_words) if w]
        if not word_lists:
            return []
        found: dict[str, int] = {}
        for distance in range(1, max_distance + 1):
            automaton = levenshtein_automaton(word, distance, prefix=1).to_dfa()
            for sorted_words in word_lists:
                for match in find_all_matches(automaton, _successor_in(sorted_words)):
                    found.setdefault(match, distance)
            if found:
                break
        return sorted((d, -counts.get(w, 0), w) for w, d in found.items() if w != word)


def _successor_in(sorted_words: Sequence[str]) -> Callable[[str], str | None]:
    """The first word at or after a key in a sorted list (what whoosh's automata walk)."""

    def lookup(key: str) -> str | None:
        i = bisect_left(sorted_words, key)
        return sorted_words[i] if i < len(sorted_words) else None

    return lookup


def _sized(pair: tuple[np.ndarray, np.ndarray]) -> tuple[tuple[np.ndarray, np.ndarray], int]:
    return pair, _array_bytes(*pair) + 200


def _sized_vocabulary(counts: Counter[str]) -> tuple[tuple[list[str], dict[str, int]], int]:
    words_sorted = sorted(counts)
    return (words_sorted, dict(counts)), 80 * len(words_sorted) + 1000


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0.0


def _segment_id(leaf, path: Path) -> str:
    segment = leaf.segment() if callable(getattr(leaf, "segment", None)) else None
    segid = segment.segment_id() if segment is not None else id(leaf)
    return f"{path.name}/{segid}"


@dataclass
class GenerationArrays:
    """Per-document arrays of one index generation, over global doc numbers."""

    live: np.ndarray
    module_ids: np.ndarray
    study_hours: np.ndarray
    published: np.ndarray
    body_length: np.ndarray
    average_body_length: float
    single: dict[str, tuple[np.ndarray, list[str]]]
    multi: dict[str, dict[str, np.ndarray]]
    run_docs: np.ndarray
    run_starts: np.ndarray
    run_prices: np.ndarray
    run_status: np.ndarray
    derived: dict[Any, Any] = field(default_factory=dict)


# -- snippets -------------------------------------------------------------------------------


def highlight_snippet(
    text: str, words_to_mark: set[str], *, language: str, limit: int = 240
) -> str:
    """An HTML-escaped fragment of `text` with the searched words in <mark>; plain start of the
    text when none of them occurs."""
    tokenizer = CatalogueTokenizer(language)
    terms = {stem(w, language) for w in words_to_mark} | set(words_to_mark)
    fragmenter = highlight.ContextFragmenter(maxchars=limit, surround=60)
    formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    analyzer = _HighlightAnalyzer(tokenizer)
    marked = highlight.highlight(text, frozenset(terms), analyzer, fragmenter, formatter, top=2)
    if marked:
        return marked
    return highlight.htmlescape(text[:limit].rsplit(" ", 1)[0] + ("…" if len(text) > limit else ""))


class _HighlightAnalyzer:
    """Yields tokens with character positions, as whoosh's highlighter needs."""

    def __init__(self, tokenizer: CatalogueTokenizer):
        self.language = tokenizer.stemming

    def __call__(self, text, chars=True, mode="query", removestops=False, **kwargs):
        token = Token(positions=False, chars=True, removestops=False, mode=mode)
        for match in WORD_RE.finditer(text):
            word = fold(match.group(0))
            token.text = stem(word, self.language) if self.language else word
            token.original = match.group(0)
            token.startchar, token.endchar = match.start(), match.end()
            token.stopped = False
            token.boost = 1.0
            yield token
