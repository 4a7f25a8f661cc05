"""Hybrid retrieval on PostgreSQL: pgvector (HNSW, cosine) and full-text search, fused by rank.

The shop points kefu at its own PostgreSQL with the ``vector`` extension by URL. The retriever
owns one table (``kefu_kb_chunks`` unless told otherwise), created on first use with its
indexes: HNSW on the passage vectors, GIN on the lexemes. Lexemes are kefu's own tokens
(jieba for Chinese, kefu.knowledge.tokenize) written as tsvector and tsquery literals, so
Chinese matches as well as English and no text-search configuration of the server matters.
A search runs both rankings, filtered in SQL, and keeps what kefu.knowledge.relevance allows.

An HNSW scan filters after it walks the graph (pgvector 0.6 has no iterative scan), so a filter
that keeps few rows could starve it: the B-tree on (language, doc_type) lets the planner read
just those rows and sort them exactly instead, which it does when the filter is selective.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from kefu.errors import RuntimeFailure, StorageUnavailable
from kefu.knowledge import pgvector_sql as sql
from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.chunking import Chunk, split_markdown
from kefu.knowledge.relevance import (
    SEMANTIC_FLOORS,
    encoder_text,
    is_evidence,
    lexical_text,
    query_language,
    rrf,
)
from kefu.knowledge.tokenize import tokenize
from kefu.nlu.encoder.base import TextEncoder
from kefu.types import Passage

ENCODE_BATCH = 32
FORMAT = 1  # of the rows: raise it when splitting, lexemes or encoder texts change
_TABLE = re.compile(r"[a-z_][a-z0-9_]{0,40}")


@dataclass
class _Candidate:
    row: Any
    score: float = 0.0


class PgVectorRetriever:
    """A Retriever over the passages stored in PostgreSQL; ``sync`` keeps them current."""

    def __init__(self, url: str, encoder: TextEncoder, *, table: str = "kefu_kb_chunks",
                 candidates: int = 40,
                 floors: Mapping[tuple[str, str], float] = SEMANTIC_FLOORS) -> None:
        if not _TABLE.fullmatch(table):
            raise ValueError(f"not a plain table name: {table!r}")
        self.table = table
        self.encoder = encoder
        self.candidates = candidates
        self.floors = floors
        # Rows written by another encoder or another splitting are rewritten on the next sync.
        self._format = f"{type(encoder).__name__}/{encoder.dim}/{FORMAT}"
        self.engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True)
        try:
            self._create_schema()
        except Exception:
            self.engine.dispose()
            raise

    def _create_schema(self) -> None:
        try:
            with self.engine.begin() as conn:
                _lock(conn, self.table)
                for statement in sql.schema(self.table, self.encoder.dim):
                    conn.execute(text(statement))
        except OperationalError as exc:
            raise StorageUnavailable(f"PostgreSQL is not reachable: {exc.orig}") from exc
        except DBAPIError as exc:
            raise RuntimeFailure(
                f"PostgreSQL cannot hold kefu's passages (is pgvector installed?): {exc.orig}"
            ) from exc

    def close(self) -> None:
        self.engine.dispose()

    def search(self, query: str, language: str | None = None, k: int = 3, *,
               doc_types: Collection[str] | None = None,
               mode: str | None = None) -> list[Passage]:
        words = list(dict.fromkeys(tokenize(query)))
        if not words or k <= 0 or (doc_types is not None and not doc_types):
            return []
        n = max(self.candidates, 4 * k)
        params: dict[str, object] = {
            "tsq": tsquery_literal(words), "vec": vector_literal(self._query_vector(query)),
            "n": n, "language": language, "doc_types": sorted(doc_types or ()),
        }
        filters = sql.filters(language, doc_types)
        with self.engine.begin() as conn:
            conn.execute(text(sql.EF_SEARCH), {"ef": str(min(1000, max(100, 2 * n)))})
            lexical = conn.execute(text(sql.lexical(self.table, filters)), params).all()
            semantic = (conn.execute(text(sql.semantic(self.table, filters)), params).all()
                        if mode != "bm25" else [])
        return self._fuse(query_language(query), [lexical, semantic], k)

    def _query_vector(self, query: str) -> np.ndarray:
        return np.asarray(self.encoder.encode([query], "query")[0])

    def _fuse(self, query_lang: str, rankings: Sequence[Sequence[Any]], k: int) -> list[Passage]:
        fused: dict[int, _Candidate] = {}
        for ranking in rankings:
            for rank, row in enumerate(ranking):
                fused.setdefault(row.id, _Candidate(row)).score += rrf(rank)
        kept = [c for c in fused.values()
                if is_evidence(c.row.hit, c.row.cosine, query_lang, c.row.language, self.floors)]
        kept.sort(key=lambda c: (-c.score, c.row.id))
        return [_passage(c) for c in kept[:k]]

    def sync(self, documents: Iterable[SourceDocument], *, prune: bool = False) -> int:
        """Stores the documents' passages, replacing what each had; with ``prune``, removes
        every other document. A document whose content, language and type are unchanged keeps
        its rows (no encoding). Returns how many documents were (re)written."""
        docs = {d.doc_id: d for d in documents}
        with self.engine.connect() as conn:
            hashes = conn.execute(text(sql.HASHES.format(t=self.table))).all()
        stored = {str(doc_id): str(digest) for doc_id, digest in hashes}
        changed = [d for d in docs.values() if stored.get(d.doc_id) != self._fingerprint(d)]
        rows = self._rows(changed)
        with self.engine.begin() as conn:
            _lock(conn, self.table)
            present = conn.execute(text(sql.HASHES.format(t=self.table))).scalars() if prune else ()
            gone = [str(i) for i in present if i not in docs]
            ids = [d.doc_id for d in changed] + gone
            if ids:
                conn.execute(text(sql.DELETE.format(t=self.table)), {"ids": ids})
            if rows:
                conn.execute(text(sql.INSERT.format(t=self.table)), rows)
        return len(changed)

    def remove(self, doc_ids: Iterable[str]) -> int:
        """Removes the documents' passages; returns how many passages went."""
        with self.engine.begin() as conn:
            _lock(conn, self.table)
            result = conn.execute(text(sql.DELETE.format(t=self.table)), {"ids": list(doc_ids)})
        return int(result.rowcount)

    def _rows(self, docs: Sequence[SourceDocument]) -> list[dict[str, object]]:
        pieces = [(d, i, c) for d in docs
                  for i, c in enumerate(split_markdown(d.doc_id, d.content))]
        vectors = self._passage_vectors([c for _, _, c in pieces])
        return [
            {"doc_id": d.doc_id, "chunk_no": i, "language": d.language, "doc_type": d.doc_type,
             "title": c.title, "section": c.section, "text": c.text, "hash": self._fingerprint(d),
             "lexemes": tsvector_literal(tokenize(lexical_text(c))),
             "embedding": vector_literal(v)}
            for (d, i, c), v in zip(pieces, vectors, strict=True)
        ]

    def _fingerprint(self, doc: SourceDocument) -> str:
        key = "\x00".join((self._format, doc.language, doc.doc_type, doc.content))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def _passage_vectors(self, chunks: Sequence[Chunk]) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        for start in range(0, len(chunks), ENCODE_BATCH):
            batch = [encoder_text(c) for c in chunks[start:start + ENCODE_BATCH]]
            out.extend(self.encoder.encode(batch, "passage"))
        return out


def _passage(c: _Candidate) -> Passage:
    r = c.row
    return Passage(doc_id=r.doc_id, title=r.title, section=r.section, text=r.text,
                   score=round(c.score, 6), language=r.language, doc_type=r.doc_type,
                   lexical=round(float(r.lexical), 4), semantic=round(float(r.cosine), 4))


def _lock(conn: Connection, table: str) -> None:
    """One writer of the table at a time (schema creation included), across processes."""
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": table})


def sqlalchemy_url(url: str) -> str:
    """A libpq URL (``postgresql://…``) as SQLAlchemy's psycopg 3 URL; others as they are."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: Sequence[str]) -> str:
    """The tokens as a tsvector with their positions (the server's parser never sees them)."""
    positions: dict[str, list[str]] = {}
    for pos, token in enumerate(tokens[:16383], start=1):
        if len(token.encode("utf-8")) < 2048:
            positions.setdefault(token, []).append(str(pos))
    return " ".join(f"{_quote(t)}:{','.join(p[:256])}" for t, p in positions.items())


def tsquery_literal(words: Sequence[str]) -> str:
    """Any of the words: ``'a' | 'b'``."""
    return " | ".join(_quote(w) for w in words)
