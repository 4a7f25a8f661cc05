"""Hybrid retrieval in process: BM25 (bm25s, jieba for Chinese) and dense vectors (the
multilingual encoder) over the same chunks, fused by tuned weights.

One lexical index and one vector matrix hold every language; filters (language, doc type) are
masks applied inside both searches, so a filtered search still ranks the whole index. Dense
search is what finds a paraphrase with no shared word, and a Chinese question's English passage.

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
from kefu.types import Passage

Mode = Literal["hybrid", "bm25", "dense"]
CANDIDATES = 50
LEXICAL_WEIGHT = 0.01


@dataclass(frozen=True)
class IndexedChunk:
    chunk: Chunk
    language: str
    doc_type: str


class HybridRetriever:
    def __init__(self, documents: Iterable[SourceDocument], vectors: VectorCache | None,
                 mode: Mode = "hybrid") -> None:
        self.mode: Mode = mode if vectors is not None else "bm25"
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
        self._matrix = (vectors.passages(texts) if vectors is not None and self.mode != "bm25"
                        else np.zeros((len(texts), 0), dtype=np.float32))

    def search(self, query: str, language: str | None = None, k: int = 3, *,
               doc_types: Collection[str] | None = None) -> list[Passage]:
        if not query.strip() or not self.chunks or k <= 0:
            return []
        mask = self._mask(language, doc_types)
        if not mask.any():
            return []
        lexical = self._lexical(query, mask) if self.mode != "dense" else {}
        semantic = self._semantic(query, mask) if self.mode != "bm25" else {}
        asked = query_language(query)
        keep = {i for i, s in lexical.items() if s > 0} | {
            i for i, s in semantic.items()
            if is_evidence(False, s, asked, self.chunks[i].language)}
        fused = _fuse(keep, lexical, semantic) if semantic else lexical
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [self._passage(i, fused[i], lexical.get(i, 0.0), semantic.get(i, 0.0))
                for i in best]

    def _mask(self, language: str | None, doc_types: Collection[str] | None) -> np.ndarray:
        mask = np.ones(len(self.chunks), dtype=bool)
        if language is not None:
            mask &= self._languages == language
        if doc_types is not None:
            mask &= np.isin(self._types, list(doc_types))
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
        assert self._vectors is not None
        q = self._vectors.encoder.encode([query], "query")[0]
        scores = np.where(mask, self._matrix @ q, -np.inf)
        n = min(CANDIDATES, int(mask.sum()))
        top = np.argpartition(-scores, n - 1)[:n]
        return {int(i): float(scores[i]) for i in top if np.isfinite(scores[i])}

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
