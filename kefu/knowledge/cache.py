"""The retrieval index, rebuilt from the database when the shop's documents change.

The index is derived state: every server process builds its own from ``kb_documents`` and
rebuilds it when the documents' fingerprint changes, so processes never contradict each other
for longer than ``check_every_s``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.knowledge.bm25 import BM25Retriever, SourceDocument
from kefu.storage.models import KnowledgeDocument
from kefu.types import Language, Passage


class KnowledgeCache:
    """A Retriever that stays current with the database's documents."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        check_every_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self._every = check_every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._fingerprint: tuple[object, ...] | None = None
        self._checked_at = float("-inf")
        self._retriever = BM25Retriever([])

    def search(self, query: str, language: Language, k: int = 3) -> list[Passage]:
        self.refresh()
        return self._retriever.search(query, language, k)

    def refresh(self, force: bool = False) -> None:
        now = self._clock()
        if not force and now - self._checked_at < self._every:
            return
        with self._lock, self._factory() as session:
            if not force and now - self._checked_at < self._every:
                return  # another thread refreshed while this one waited for the lock
            self._checked_at = now
            fingerprint = tuple(session.execute(
                select(func.count(), func.max(KnowledgeDocument.updated_at),
                       func.max(KnowledgeDocument.content_hash))
            ).one())
            if fingerprint == self._fingerprint:
                return
            docs = [
                SourceDocument(d.id, d.language, d.content)
                for d in session.scalars(select(KnowledgeDocument).order_by(KnowledgeDocument.id))
            ]
            self._retriever = BM25Retriever(docs)
            self._fingerprint = fingerprint
