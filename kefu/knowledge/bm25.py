"""Lexical retrieval over the shop's documents with bm25s, one index per language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import bm25s

from kefu.knowledge.chunking import Chunk, split_markdown
from kefu.knowledge.tokenize import tokenize
from kefu.types import Language, Passage


@dataclass(frozen=True)
class SourceDocument:
    doc_id: str
    language: str
    content: str


class _LanguageIndex:
    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.bm25 = bm25s.BM25()
        corpus = [tokenize(f"{c.title}\n{c.section}\n{c.section}\n{c.text}") or ["\u2205"]
                  for c in chunks]
        self.bm25.index(corpus, show_progress=False)
        self.vocab = set(self.bm25.vocab_dict)

    def search(self, query: str, k: int) -> list[Passage]:
        tokens = [t for t in tokenize(query) if t in self.vocab]
        if not tokens or not self.chunks:
            return []
        ids, scores = self.bm25.retrieve(
            [tokens], k=min(k, len(self.chunks)), show_progress=False, n_threads=0
        )
        return [
            _passage(self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True)
            if s > 0
        ]


def _passage(chunk: Chunk, score: float) -> Passage:
    return Passage(chunk.doc_id, chunk.title, chunk.section, chunk.text, round(score, 4))


class BM25Retriever:
    """Searches the passages of the documents in the customer's language."""

    def __init__(self, documents: Iterable[SourceDocument]) -> None:
        by_lang: dict[str, list[Chunk]] = {}
        for doc in documents:
            by_lang.setdefault(doc.language, []).extend(split_markdown(doc.doc_id, doc.content))
        self._indexes = {lang: _LanguageIndex(chunks) for lang, chunks in by_lang.items() if chunks}

    def search(self, query: str, language: Language, k: int = 3) -> list[Passage]:
        index = self._indexes.get(language)
        return index.search(query, k) if index else []
