"""The search index as the rest of the search package sees it: one small facade.

whoosh is used only by the store modules behind it, one concern each:
- whoosh_patches: the changes made to whoosh's own code, applied once at start-up;
- analysis: words, folding, stop words, compound parts, Dutch or English stems;
- index_schema: the fields of a search document and how facets and runs are coded;
- store: the index folder, its generations, the atomic swap, the locks, the readers;
- writer: the one writer that applies outbox changes, and the writing of a new generation;
- reader: one generation read for a search (segment arrays, term postings, stored values);
- arrays: per-segment and per-generation arrays, and their cache (no whoosh);
- spelling: the vocabulary offered as corrections and the words near a typo;
- highlighting: snippets with the searched words marked.

The engine, the indexer and the service import what they need from here.
"""

from __future__ import annotations

# Indexes written before the split name these two classes by this module in their pickled
# schema; they stay importable from here so that such an index opens without a rebuild.
from catalogue.search.analysis import CatalogueTokenizer, TermCounts
from catalogue.search.arrays import GenerationArrays
from catalogue.search.highlighting import highlight_snippet
from catalogue.search.reader import IndexView, SegmentGone
from catalogue.search.run_columns import RUN_STATUS_CODES
from catalogue.search.store import IndexBusy, SearchIndex
from catalogue.search.whoosh_patches import apply as apply_whoosh_patches
from catalogue.search.writer import IndexWriter

__all__ = [
    "RUN_STATUS_CODES",
    "CatalogueTokenizer",
    "GenerationArrays",
    "IndexBusy",
    "IndexView",
    "IndexWriter",
    "SearchIndex",
    "SegmentGone",
    "TermCounts",
    "apply_whoosh_patches",
    "highlight_snippet",
]
