"""The retrieval index, rebuilt from the database when the shop's documents change.

The index is derived state: every server process builds its own from ``kb_documents`` and
rebuilds it when the documents' fingerprint changes, so processes never contradict each other
for longer than ``check_every_s``. The fingerprint covers every row's id, language, content hash
and update time, so any added, changed or removed document is seen, whatever the clocks of the
machines that wrote it. While one search rebuilds the index, the others keep using the previous
one until the new one is complete, so `kefu kb add` and `kefu kb remove` need no restart.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kefu.knowledge.base import Retriever
from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.hybrid import HybridRetriever
from kefu.knowledge.vector_cache import VectorCache
from kefu.storage.models import KnowledgeDocument
from kefu.types import Passage

Indexer = Callable[[list[SourceDocument]], Retriever]


class KnowledgeCache:
    """A Retriever that stays current with the database's documents."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        check_every_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        vectors: VectorCache | None = None,
        index: Indexer | None = None,
    ) -> None:
        """Without ``vectors`` the in-process index is lexical only (BM25). ``index`` replaces
        the in-process index: it is given every document whenever they change and returns
        the Retriever to search (e.g. PostgreSQL with pgvector, kept in sync)."""
        self._factory = factory
        self._vectors = vectors
        self._index: Indexer = index or (lambda docs: HybridRetriever(docs, vectors))
        self._every = check_every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._fingerprint: tuple[object, ...] | None = None
        self._checked_at = float("-inf")
        self._retriever: Retriever = HybridRetriever([], None)

    def search(self, query: str, language: str | None = None, k: int = 3, *,
               doc_types: Collection[str] | None = None,
               mode: str | None = None) -> list[Passage]:
        self.refresh()
        if mode is None:
            return self._retriever.search(query, language, k, doc_types=doc_types)
        return self._retriever.search(query, language, k, doc_types=doc_types, mode=mode)

    def refresh(self, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._checked_at < self._every:
            return
        with self._lock, self._factory() as session:
            if not force and now - self._checked_at < self._every:
                return  # another thread refreshed while this one waited for the lock
            self._checked_at = now
            fingerprint = _fingerprint(session)
            if fingerprint == self._fingerprint:
                return
            docs = [
                SourceDocument(d.id, d.language, d.content, d.doc_type or "page")
                for d in session.scalars(select(KnowledgeDocument).order_by(KnowledgeDocument.id))
            ]
            self._retriever = self._index(docs)
            self._fingerprint = fingerprint


def _fingerprint(session: Session) -> tuple[object, ...]:
    """What the index is built from, short of the content itself (a few short columns a row)."""
    rows = session.execute(
        select(KnowledgeDocument.id, KnowledgeDocument.language, KnowledgeDocument.content_hash,
               KnowledgeDocument.updated_at).order_by(KnowledgeDocument.id)
    )
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        digest.update(repr(tuple(row)).encode("utf-8"))
        count += 1
    return count, digest.hexdigest()
