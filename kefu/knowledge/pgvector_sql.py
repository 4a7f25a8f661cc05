"""The SQL of kefu.knowledge.pgvector, one statement per name. ``{t}`` is the retriever's table
(checked to be a plain name); everything else is a bound parameter."""

from __future__ import annotations

from collections.abc import Collection


def schema(t: str, dim: int) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS vector",
        f"""CREATE TABLE IF NOT EXISTS {t} (
            id bigserial PRIMARY KEY,
            doc_id text NOT NULL,
            chunk_no integer NOT NULL,
            language text NOT NULL,
            doc_type text NOT NULL,
            title text NOT NULL,
            section text NOT NULL,
            text text NOT NULL,
            content_hash text NOT NULL,
            lexemes tsvector NOT NULL,
            embedding vector({int(dim)}) NOT NULL,
            UNIQUE (doc_id, chunk_no))""",
        f"CREATE INDEX IF NOT EXISTS {t}_embedding_hnsw ON {t} "
        "USING hnsw (embedding vector_cosine_ops)",
        f"CREATE INDEX IF NOT EXISTS {t}_lexemes_gin ON {t} USING gin (lexemes)",
        f"CREATE INDEX IF NOT EXISTS {t}_language_type ON {t} (language, doc_type)",
    ]


# How many graph neighbours an HNSW scan keeps (pgvector's default, 40, caps what one scan
# returns before the filters apply). Local to the search's transaction.
EF_SEARCH = "SELECT set_config('hnsw.ef_search', :ef, true)"

_COLUMNS = "id, doc_id, title, section, text, language, doc_type"
_COSINE = "1 - (embedding <=> CAST(:vec AS vector)) AS cosine"


def filters(language: str | None, doc_types: Collection[str] | None) -> str:
    out = " AND language = :language" if language is not None else ""
    if doc_types is not None:
        out += " AND doc_type = ANY(CAST(:doc_types AS text[]))"
    return out


def lexical(t: str, where: str) -> str:
    """The passages sharing a term with the question, best ``ts_rank`` first."""
    return f"""SELECT {_COLUMNS}, ts_rank(lexemes, q, 1) AS lexical, true AS hit, {_COSINE}
        FROM {t}, CAST(:tsq AS tsquery) AS q
        WHERE lexemes @@ q{where}
        ORDER BY lexical DESC, id LIMIT :n"""


def semantic(t: str, where: str) -> str:
    """The passages nearest the question's vector (the HNSW index's order)."""
    return f"""SELECT {_COLUMNS},
            CASE WHEN lexemes @@ CAST(:tsq AS tsquery)
                 THEN ts_rank(lexemes, CAST(:tsq AS tsquery), 1) ELSE 0 END AS lexical,
            lexemes @@ CAST(:tsq AS tsquery) AS hit, {_COSINE}
        FROM {t}
        WHERE true{where}
        ORDER BY embedding <=> CAST(:vec AS vector) LIMIT :n"""


HASHES = "SELECT doc_id, min(content_hash) FROM {t} GROUP BY doc_id"
DELETE = "DELETE FROM {t} WHERE doc_id = ANY(CAST(:ids AS text[]))"
INSERT = """INSERT INTO {t} (doc_id, chunk_no, language, doc_type, title, section, text,
        content_hash, lexemes, embedding)
    VALUES (:doc_id, :chunk_no, :language, :doc_type, :title, :section, :text, :hash,
        CAST(:lexemes AS tsvector), CAST(:embedding AS vector))"""
