"""The material index of a node: a whoosh index beside the module index (`<index dir>/materials`),
with the same analysis (Dutch and English stems, compound parts) and the same outbox position
bookkeeping, and a reader that turns it into numpy masks for facet counting.

Material documents are few per module and their facets are small vocabularies, so the index is
one whoosh index (no generations): a change rewrites the documents of the changed modules, a
rebuild replaces every segment in one commit (readers keep the files they opened).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import fields, writing
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from catalogue.search.analysis import CatalogueTokenizer
from catalogue.search.index_schema import LANGUAGES, TEXT_FIELDS, word_terms
from catalogue.search.reader import _postings as read_postings
from catalogue.search.store import IndexBusy
from catalogue.search.vocabulary import Thesaurus
from catalogue.search.writer import read_applied_seq, write_atomically

MATERIAL_INDEX_FORMAT = "m2"
INDEX_NAME = "materials"
SEQ_FILE = "applied_seq"
KEYWORD_FACETS = (
    "licence",
    "material_type",
    "format",
    "language",
    "sector",
    "level",
    "competency",
    "region",
    "institution",
)
FLAG_FACETS = ("open_licence", "reused")
MULTI_VALUED = {"competency"}
FIELD_WEIGHTS = {"title": 3.0, "body": 1.0, "keys": 2.0}
K1 = 1.2


def material_schema(thesaurus: Thesaurus) -> fields.Schema:
    """Fields of a material document: text per language, codes and names, facets, sort keys."""
    schema = fields.Schema(
        id=fields.ID(unique=True, stored=True),
        module=fields.ID(),
        keys=fields.TEXT(analyzer=CatalogueTokenizer(None), phrase=False),
        published=fields.NUMERIC(bits=64, sortable=True),
        reused_by=fields.NUMERIC(sortable=True),
        fingerprint=fields.STORED(),
        display=fields.STORED(),
    )
    for language in LANGUAGES:
        for name in TEXT_FIELDS:
            analyzer = CatalogueTokenizer(language, thesaurus.parts)
            schema.add(f"{name}_{language}", fields.TEXT(analyzer=analyzer, phrase=False))
    for name in (*KEYWORD_FACETS, *FLAG_FACETS):
        schema.add(name, fields.KEYWORD(commas=True))
    return schema


def _field_values(document: dict[str, Any]) -> dict[str, Any]:
    language = document["lang"]
    values = {
        "id": str(document["id"]),
        "module": str(document["module_id"]),
        "keys": document["keys"],
        f"title_{language}": document["title"],
        f"body_{language}": document["body"],
        "published": document["published"],
        "reused_by": document["reused_by"],
        "fingerprint": document["fingerprint"],
        "display": json.dumps(document["display"], ensure_ascii=False),
        "open_licence": "yes" if document["open_licence"] else "no",
        "reused": "yes" if document["reused_by"] else "no",
    }
    for name in KEYWORD_FACETS:
        value = document[name]
        values[name] = ",".join(value) if isinstance(value, list) else (value or "")
    return values


class MaterialWriter:
    """Changes to the material index, applied with the outbox position when the block ends."""

    def __init__(self, writer, path: Path):
        self.writer = writer
        self.path = path
        self.applied_seq = read_applied_seq(path)
        self.new_seq: int | None = None

    def add(self, document: dict[str, Any]) -> None:
        """Add one material document (a rebuild writes every document this way)."""
        self.writer.add_document(**_field_values(document))

    def set_applied_seq(self, seq: int) -> None:
        """Record the last outbox entry applied, together with the changes."""
        self.new_seq = seq

    def replace_module(self, module_id: int, documents: Iterable[dict[str, Any]]) -> None:
        """Replace every material document of one module by `documents`."""
        self.writer.delete_by_term("module", str(module_id))
        for document in documents:
            self.add(document)


class MaterialIndex:
    """The material index folder of a node."""

    def __init__(self, root: Path | str, thesaurus: Thesaurus, *, lock_timeout: float = 5.0):
        self.path = Path(root) / INDEX_NAME
        self.thesaurus = thesaurus
        self.lock_timeout = lock_timeout
        self._views: dict[int, MaterialView] = {}
        self._lock = threading.Lock()

    def exists(self) -> bool:
        """Whether a material index of the current format is here."""
        try:
            found = (self.path / "format").read_text().strip()
        except FileNotFoundError:
            return False
        return found == MATERIAL_INDEX_FORMAT and FileStorage(str(self.path)).index_exists(
            INDEX_NAME
        )

    def applied_seq(self) -> int:
        """The last outbox entry the material index has applied."""
        return read_applied_seq(self.path)

    def _index(self):
        storage = FileStorage(str(self.path))
        if not storage.index_exists(INDEX_NAME):
            self.path.mkdir(parents=True, exist_ok=True)
            return storage.create_index(material_schema(self.thesaurus), indexname=INDEX_NAME)
        return storage.open_index(INDEX_NAME)

    @contextmanager
    def writing(self, *, rebuild: bool = False) -> Iterator[MaterialWriter]:
        """A writer holding the index's lock (IndexBusy after the timeout); a rebuild writer
        replaces every document at commit."""
        self.path.mkdir(parents=True, exist_ok=True)
        if rebuild and not self.exists():
            FileStorage(str(self.path)).create_index(
                material_schema(self.thesaurus), indexname=INDEX_NAME
            )
        # A rebuild keeps its postings in memory until the one segment is written.
        options = {"limitmb": 512} if rebuild else {}
        try:
            writer = self._index().writer(timeout=self.lock_timeout, **options)
        except LockError as exc:
            raise IndexBusy(str(self.path)) from exc
        wrapped = MaterialWriter(writer, self.path)
        try:
            yield wrapped
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=writing.CLEAR if rebuild else None)
        write_atomically(self.path / "format", MATERIAL_INDEX_FORMAT)
        if wrapped.new_seq is not None:
            write_atomically(self.path / SEQ_FILE, str(wrapped.new_seq))

    def view(self) -> MaterialView:
        """A view of the latest committed state (cached per whoosh generation)."""
        ix = self._index()
        generation = ix.latest_generation()
        with self._lock:
            view = self._views.get(generation)
        if view is None:
            view = MaterialView(ix.reader())
            with self._lock:
                self._views = {generation: view}
        return view


@dataclass
class MaterialHits:
    """Doc numbers matching a query, with their scores (None for an empty query)."""

    mask: np.ndarray
    scores: np.ndarray | None


class MaterialView:
    """One state of the material index as arrays: live documents, facet masks, sort keys."""

    def __init__(self, reader):
        self.reader = reader
        size = reader.doc_count_all()
        self.live = np.zeros(size, dtype=bool)
        self.live[list(reader.all_doc_ids())] = True
        self.facets: dict[str, dict[str, np.ndarray]] = {}
        for name in (*KEYWORD_FACETS, *FLAG_FACETS):
            masks = {}
            for term in reader.lexicon(name):
                value = term.decode("utf-8") if isinstance(term, bytes) else term
                mask = np.zeros(size, dtype=bool)
                mask[list(reader.postings(name, term).all_ids())] = True
                masks[value] = mask & self.live
            self.facets[name] = masks
        # Facets with one value per material, as value codes: counted with one bincount.
        self.codes: dict[str, tuple[np.ndarray, list[str]]] = {}
        for name, masks in self.facets.items():
            if name in MULTI_VALUED:
                continue
            codes = np.full(size, -1, dtype=np.int32)
            for position, mask in enumerate(masks.values()):
                codes[mask] = position
            self.codes[name] = (codes, list(masks))
        self.published = np.array(list(reader.column_reader("published")), dtype=np.int64)
        self.reused_by = np.array(list(reader.column_reader("reused_by")), dtype=np.int64)
        self._lock = threading.Lock()
        self._scores: dict[str, np.ndarray] = {}

    def match(self, concepts: list[list[tuple[str, ...]]], excluded: list[str]) -> MaterialHits:
        """Documents matching every concept: some alternative of it with all its words."""
        if not concepts:
            return MaterialHits(self.live.copy(), None)
        mask = self.live.copy()
        total = np.zeros(len(self.live), dtype=np.float32)
        for alternatives in concepts:
            best = np.zeros(len(self.live), dtype=np.float32)
            for alternative in alternatives:
                scores = None
                for word in alternative:
                    found = self._word_scores(word)
                    scores = found if scores is None else np.where(found > 0, scores + found, 0)
                best = np.maximum(best, scores)
            mask &= best > 0
            total += best
        for word in excluded:
            mask &= self._word_scores(word) == 0
        return MaterialHits(mask, total)

    def _word_scores(self, word: str) -> np.ndarray:
        """BM25-like scores of one folded word over the text fields of both languages and the
        names (no length normalisation: material texts are short), cached per state."""
        with self._lock:
            cached = self._scores.get(word)
        if cached is not None:
            return cached
        size = len(self.live)
        scores = np.zeros(size, dtype=np.float32)
        for kind, fieldname, term in word_terms(word):
            ids, frequencies = self._postings(fieldname, term)
            if not len(ids):
                continue
            idf = math.log(1 + (size - len(ids) + 0.5) / (len(ids) + 0.5))
            weight = FIELD_WEIGHTS[kind] * idf * frequencies * (K1 + 1) / (frequencies + K1)
            np.add.at(scores, ids, weight.astype(np.float32))
        with self._lock:
            if len(self._scores) > 4096:
                self._scores.clear()
            self._scores[word] = scores
        return scores

    def _postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Doc numbers and frequencies of a term over every segment (whole blocks at a time)."""
        ids, frequencies = [], []
        with self._lock:
            for leaf, offset in self.reader.leaf_readers():
                leaf_ids, leaf_frequencies = read_postings(leaf, fieldname, term)
                ids.append(leaf_ids + offset)
                frequencies.append(leaf_frequencies)
        if not ids:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        return np.concatenate(ids), np.concatenate(frequencies)

    def counts(self, name: str, mask: np.ndarray) -> list[tuple[str, int]]:
        """(value, count) of one facet over the documents in `mask`, most frequent first."""
        if name in self.codes:
            codes, values = self.codes[name]
            chosen = codes[mask]
            counted = np.bincount(chosen[chosen >= 0], minlength=len(values))
            pairs = [(values[i], int(c)) for i, c in enumerate(counted) if c]
        else:
            pairs = [(v, int(np.count_nonzero(m & mask))) for v, m in self.facets[name].items()]
        return sorted(((v, c) for v, c in pairs if c), key=lambda p: (-p[1], p[0]))

    def stored(self, docnum: int) -> dict[str, Any]:
        """What a result shows, and its material id."""
        fields_ = self.reader.stored_fields(docnum)
        return {"id": int(fields_["id"]), **json.loads(fields_["display"])}

    def fingerprints(self) -> dict[int, str]:
        """Material id → fingerprint of every live document."""
        return {
            int(f["id"]): f["fingerprint"]
            for docnum, f in self.reader.iter_docs()
            if self.live[docnum]
        }
