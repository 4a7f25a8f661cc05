"""Hybrid retrieval in process: BM25 (bm25s, jieba for Chinese) and dense vectors (the
multilingual encoder) over the same chunks, fused by tuned weights.

One lexical index and one vector index hold every language; filters (language, doc type) are
masks applied inside both searches, so a filtered search still ranks the whole index. Dense
search is what finds a paraphrase with no shared word, and a Chinese question's English passage.

The vector index is taken through the VectorIndex seam (kefu/knowledge/vector_index.py):
``ExactIndex`` (float32, every row) below ``HNSW_FROM`` chunks, ``HnswIndex`` (usearch HNSW over
int8) at and above it; ``hnsw_from`` overrides the threshold. The filter mask is the index's
``allowed`` argument (none when it lets every chunk through, so HNSW walks its graph alone).
Below the threshold the cosines are the plain dot products of the cached unit vectors, exactly
the numbers the relevance floors were calibrated on; exact search costs about 8 ms a filtered
query at 100k chunks on 2 cores (BENCHMARKS.md): ≈ 16 ms and 293 MiB at 200k, extrapolated. HNSW
is sub-linear and about half the memory but approximate: recall@10 0.94 at 100k and 0.75 at 1M
on synthetic vectors, and its cosines are those of int8 vectors (within 0.0011 of the exact ones
on the demo pages), so a passage whose cosine sits at a floor, or two passages within about
0.002 of each other, may come out differently. Forced onto the demo pages (``hnsw_from=1``), it
changed the top passage in 18 of 1530 searches (the 153 evaluation questions, 5 filters, hybrid
and dense) and hybrid recall@1 from 0.588 to 0.582. The lexical half is bm25s's own index at
every size, which holds every token as a Python string (1.09 GiB peak indexing 100k chunks):
this retriever as a whole has not been measured at a million chunks, only its parts
(bench/retrieval_scale.py).

Nothing relevant gives nothing: a candidate stays only with evidence that it is about the
question (kefu/knowledge/relevance.py, the rule the PostgreSQL retriever applies too): a shared
term, or a cosine at the floor of its (question language, passage language) pair. Whether a
found passage is good enough to answer with is the turn's decision (kefu/dialogue/act.py),
which also knows whether the NLU found an intent.

Fusion by tuned weights: a passage's score is its cosine plus ``LEXICAL_WEIGHT`` times its BM25
score relative to the question's best (a lexical-only hit takes the lowest candidate cosine).
Reciprocal-rank fusion was tried first and lost to dense alone on the project's retrieval
evaluation (`kefu eval retrieval`): a shared everyday word ("parcel", 退) ranked a wrong
passage first. The weight was chosen on the even-numbered questions of that set (0, 0.01,
0.02, 0.04, 0.08 tried) and BENCHMARKS.md reports the odd-numbered ones too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

import bm25s
import numpy as np

from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.chunking import Chunk, split_markdown
from kefu.knowledge.relevance import encoder_text, is_evidence, query_language
from kefu.knowledge.tokenize import tokenize
from kefu.knowledge.vector_cache import VectorCache
from kefu.knowledge.vector_index import ExactIndex, HnswIndex, VectorIndex
from kefu.types import Passage

Mode = Literal["hybrid", "bm25", "dense"]
CANDIDATES = 50
LEXICAL_WEIGHT = 0.01
HNSW_FROM = 200_000  # chunks: below, the exact index; at and above, HNSW
_MASKS_KEPT = 64


@dataclass(frozen=True)
class IndexedChunk:
    chunk: Chunk
    language: str
    doc_type: str


class HybridRetriever:
    def __init__(self, documents: Iterable[SourceDocument], vectors: VectorCache | None,
                 mode: Mode = "hybrid", *, hnsw_from: int | None = None) -> None:
        """``hnsw_from``: the number of chunks from which the dense index is ``HnswIndex``
        rather than ``ExactIndex`` (default ``HNSW_FROM``)."""
        self.mode: Mode = mode if vectors is not None else "bm25"
        self.hnsw_from = HNSW_FROM if hnsw_from is None else hnsw_from
        self.chunks = [
            IndexedChunk(c, d.language, getattr(d, "doc_type", "page"))
            for d in documents for c in split_markdown(d.doc_id, d.content)
        ]
        self._languages = np.array([c.language for c in self.chunks])
        self._types = np.array([c.doc_type for c in self.chunks])
        texts = [_indexed_text(c.chunk) for c in self.chunks]
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index([tokenize(t) or ["\u2205"] for t in texts], show_progress=False)
        texts = [encoder_text(c.chunk) for c in self.chunks]  # the form the floors fit
        self._vocab = set(self._bm25.vocab_dict) if texts else set()
        self._vectors = vectors
        self._masks: dict[tuple[str | None, frozenset[str] | None], np.ndarray] = {}
        self.vector_index: VectorIndex | None = None  # none in bm25 mode
        if vectors is not None and self.mode != "bm25":
            matrix = vectors.passages(texts)
            dim = matrix.shape[1]
            self.vector_index = (HnswIndex(dim) if len(texts) >= self.hnsw_from
                                 else ExactIndex(dim))
            self.vector_index.add(np.arange(len(texts), dtype=np.int64), matrix)

    def search(self, query: str, language: str | None = None, k: int = 3, *,
               doc_types: Collection[str] | None = None,
               mode: str | None = None) -> list[Passage]:
        if not query.strip() or not self.chunks or k <= 0:
            return []
        mode = self.mode if mode is None or self.vector_index is None else mode
        mask = self._mask(language, doc_types)
        if not mask.any():
            return []
        lexical = self._lexical(query, mask) if mode != "dense" else {}
        semantic = self._semantic(query, mask) if mode != "bm25" else {}
        asked = query_language(query)
        keep = {i for i, s in lexical.items() if s > 0} | {
            i for i, s in semantic.items()
            if is_evidence(False, s, asked, self.chunks[i].language)}
        fused = _fuse(keep, lexical, semantic) if semantic else lexical
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [self._passage(i, fused[i], lexical.get(i, 0.0), semantic.get(i, 0.0))
                for i in best]

    def _mask(self, language: str | None, doc_types: Collection[str] | None) -> np.ndarray:
        """Which chunks the filters let through (kept per filter: read-only, shared)."""
        key = (language, None if doc_types is None else frozenset(doc_types))
        mask = self._masks.get(key)
        if mask is None:
            mask = np.ones(len(self.chunks), dtype=bool)
            if language is not None:
                mask &= self._languages == language
            if doc_types is not None:
                mask &= np.isin(self._types, list(doc_types))
            mask.flags.writeable = False
            if len(self._masks) >= _MASKS_KEPT:
                self._masks.clear()
            self._masks[key] = mask
        return mask

    def _lexical(self, query: str, mask: np.ndarray) -> dict[int, float]:
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens:
            return {}
        n = min(CANDIDATES, int(mask.sum()))
        ids, scores = self._bm25.retrieve([tokens], k=n, show_progress=False, n_threads=0,
                                          weight_mask=mask.astype(np.float32))
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if s > 0}

    def _semantic(self, query: str, mask: np.ndarray) -> dict[int, float]:
        assert self._vectors is not None and self.vector_index is not None
        q = self._vectors.encoder.encode([query], "query")[0]
        n = min(CANDIDATES, int(mask.sum()))
        allowed = None if mask.all() else mask  # unfiltered: HNSW walks its graph alone
        ids, scores = self.vector_index.search(q, n, allowed)
        return {int(i): float(s) for i, s in zip(ids, scores, strict=True) if np.isfinite(s)}

    def _passage(self, i: int, score: float, lexical: float, semantic: float) -> Passage:
        c = self.chunks[i]
        return Passage(c.chunk.doc_id, c.chunk.title, c.chunk.section, c.chunk.text,
                       round(score, 6), c.language, c.doc_type, round(lexical, 4),
                       round(semantic, 4))


def _indexed_text(chunk: Chunk) -> str:
    """Title, section (twice: it names what the passage answers) and text; a page's opening
    section, named after the page, does not repeat the title's words again."""
    if chunk.section == chunk.title:
        return f"{chunk.title}\n{chunk.text}"
    return f"{chunk.title}\n{chunk.section}\n{chunk.section}\n{chunk.text}"


def _fuse(keep: set[int], lexical: dict[int, float],
          semantic: dict[int, float]) -> dict[int, float]:
    top = max(lexical.values(), default=1.0) or 1.0
    floor = min(semantic.values())
    return {i: semantic.get(i, floor) + LEXICAL_WEIGHT * lexical.get(i, 0.0) / top for i in keep}
