"""The pgvector retriever on a real PostgreSQL with pgvector (pgserver, started by the tests):
its table and indexes, keeping documents current, filters, both languages, the HNSW plan."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from kefu.errors import RuntimeFailure
from kefu.knowledge import pgvector_sql
from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.pgvector import PgVectorRetriever, sqlalchemy_url, vector_literal
from kefu.nlu.encoder import TextEncoder, load_encoder
from kefu.settings import Settings
from tests.shop import SHIPPING_EN, SHIPPING_ZH

pytestmark = pytest.mark.pgvector

RETURNS_EN = """# Returns

## Return window
You can return an unused item within 30 days of delivery for a full refund.
"""
RETURNS_ZH = """# 退货

## 退货期限
未使用的商品可在签收后30天内退货并全额退款。
"""
KETTLE_EN = """# Electric kettle

## Capacity
The kettle holds 1.7 litres and boils water in about four minutes.
"""
DOCS = [
    SourceDocument("en/shipping.md", "en", SHIPPING_EN, "policy"),
    SourceDocument("zh/shipping.md", "zh", SHIPPING_ZH, "policy"),
    SourceDocument("en/faq/returns.md", "en", RETURNS_EN, "faq"),
    SourceDocument("zh/faq/returns.md", "zh", RETURNS_ZH, "faq"),
    SourceDocument("en/products/kettle.md", "en", KETTLE_EN, "product"),
]


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    settings = Settings()
    return load_encoder("onnx", settings.cache_dir, settings.encoder_threads)


@pytest.fixture
def retriever(pgvector_url: str, encoder: TextEncoder) -> Iterator[PgVectorRetriever]:
    r = PgVectorRetriever(pgvector_url, encoder)
    assert r.sync(DOCS) == len(DOCS)
    yield r
    r.close()


def _rows(r: PgVectorRetriever, where: str = "true") -> list[tuple[str, str, str]]:
    with r.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(  # type: ignore[misc]
            text(f"SELECT doc_id, doc_type, section FROM {r.table} WHERE {where} "
                 "ORDER BY doc_id, chunk_no"))]


def test_owns_a_table_with_an_hnsw_and_a_full_text_index(retriever: PgVectorRetriever) -> None:
    with retriever.engine.connect() as conn:
        indexes = dict(conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'kefu_kb_chunks'")).all())
        assert conn.execute(text("SELECT extname FROM pg_extension WHERE extname = 'vector'")).all()
    assert "USING hnsw (embedding vector_cosine_ops)" in indexes["kefu_kb_chunks_embedding_hnsw"]
    assert "USING gin (lexemes)" in indexes["kefu_kb_chunks_lexemes_gin"]


def test_a_second_process_shares_the_table(
    retriever: PgVectorRetriever, pgvector_url: str, encoder: TextEncoder
) -> None:
    other = PgVectorRetriever(pgvector_url, encoder)  # the schema exists: nothing to create
    try:
        assert other.search("how long does delivery take", "en")[0].section == "Delivery times"
        assert other.sync(DOCS) == 0  # unchanged documents are not encoded again
    finally:
        other.close()


def test_sync_replaces_a_changed_document(retriever: PgVectorRetriever) -> None:
    changed = SHIPPING_EN.replace("## Shipping costs", "## Postage and fees")
    assert retriever.sync([SourceDocument("en/shipping.md", "en", changed, "policy")]) == 1
    sections = [s for doc, _, s in _rows(retriever) if doc == "en/shipping.md"]
    assert sections == ["Delivery times", "Postage and fees"]
    assert retriever.search("postage fees", "en")[0].section == "Postage and fees"
    assert len(_rows(retriever)) == 7  # the other documents' passages are untouched


def test_a_new_type_is_a_change(retriever: PgVectorRetriever) -> None:
    assert retriever.sync([SourceDocument("en/shipping.md", "en", SHIPPING_EN, "faq")]) == 1
    found = retriever.search("shipping costs", "en", doc_types={"faq"})
    assert found and {p.doc_type for p in found} == {"faq"}
    assert found[0].doc_id == "en/shipping.md"


def test_remove_and_prune(retriever: PgVectorRetriever) -> None:
    assert retriever.remove(["en/shipping.md", "nowhere.md"]) == 2
    assert all(p.doc_id != "en/shipping.md"
               for p in retriever.search("how long does delivery take shipping", k=10))
    assert retriever.sync(DOCS[1:2], prune=True) == 0
    assert {doc for doc, _, _ in _rows(retriever)} == {"zh/shipping.md"}
    assert retriever.sync([], prune=True) == 0
    assert _rows(retriever) == [] and retriever.search("运费") == []


def test_filters_by_language_and_type(retriever: PgVectorRetriever) -> None:
    found = retriever.search("return refund", "en", k=10, doc_types={"faq"})
    assert found and {(p.language, p.doc_type) for p in found} == {("en", "faq")}
    assert found[0].citation == "en/faq/returns.md#Return window"
    products = retriever.search("how much water does the kettle hold", None, doc_types={"product"})
    assert [p.citation for p in products] == ["en/products/kettle.md#Capacity"]
    assert retriever.search("kettle", "zh", doc_types={"product"}) == []
    assert retriever.search("kettle", None, doc_types=set()) == []


def test_both_languages(retriever: PgVectorRetriever) -> None:
    zh = retriever.search("退货要在多少天内", "zh", k=2)
    assert zh[0].citation == "zh/faq/returns.md#退货期限"
    assert zh[0].lexical > 0 and zh[0].semantic > 0.8  # a shared term (jieba) and the vector
    en = retriever.search("how many days do I have to send something back", "en", k=2)
    assert en[0].citation == "en/faq/returns.md#Return window"
    both = retriever.search("退货期限", None, k=5)
    assert both[0].language == "zh"
    assert "en/faq/returns.md" in {p.doc_id for p in both}  # the English page, by meaning


def test_the_vector_search_uses_the_hnsw_index(retriever: PgVectorRetriever) -> None:
    """On a table this small the planner prefers to read it all; with sequential scans off it
    shows that the statement the retriever runs can be answered from the index."""
    vec = vector_literal(np.ones(retriever.encoder.dim, dtype=np.float32) / 20)
    statement = pgvector_sql.semantic(retriever.table, pgvector_sql.filters(None, None))
    with retriever.engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(conn.execute(text("EXPLAIN " + statement), {
            "vec": vec, "tsq": "'refund'", "n": 10}).scalars())
    assert "Index Scan using kefu_kb_chunks_embedding_hnsw" in plan, plan
    assert "Order By: (embedding <=> " in plan, plan


def test_a_large_table_is_searched_through_the_index(
    retriever: PgVectorRetriever, pgvector_url: str
) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(1000, retriever.encoder.dim)).astype(np.float32)
    rows = [{"doc_id": f"noise/{i}", "chunk_no": 0, "language": "en", "doc_type": "page",
             "title": "Noise", "section": str(i), "text": "noise", "hash": "x",
             "lexemes": "'noise'", "embedding": vector_literal(v / np.linalg.norm(v))}
            for i, v in enumerate(vectors)]
    with retriever.engine.begin() as conn:  # a bulk load, then the index built at once
        conn.execute(text("DROP INDEX kefu_kb_chunks_embedding_hnsw"))
        conn.execute(text(pgvector_sql.INSERT.format(t=retriever.table)), rows)
        for statement in pgvector_sql.schema(retriever.table, retriever.encoder.dim):
            conn.execute(text(statement))
        conn.execute(text(f"ANALYZE {retriever.table}"))
        plan = "\n".join(conn.execute(text("EXPLAIN " + pgvector_sql.semantic(
            retriever.table, pgvector_sql.filters("en", {"page"}))),
            {"vec": rows[0]["embedding"], "tsq": "'noise'", "n": 40, "language": "en",
             "doc_types": ["page"]}).scalars())
    assert "Index Scan using kefu_kb_chunks_embedding_hnsw" in plan, plan
    found = retriever.search("how long does delivery take", "en", k=2)
    assert found[0].citation == "en/shipping.md#Delivery times"  # not drowned by the noise
    # A selective filter (2 rows in 1,007) is read through the B-tree, not starved by HNSW.
    found = retriever.search("配送需要多长时间", "zh", k=2, doc_types={"policy"})
    assert [p.citation for p in found] == ["zh/shipping.md#配送时间", "zh/shipping.md#运费"]


def test_a_libpq_url_is_accepted(pgvector_url: str, encoder: TextEncoder) -> None:
    libpq = pgvector_url.replace("postgresql+psycopg://", "postgresql://", 1)
    assert sqlalchemy_url(libpq) == pgvector_url
    r = PgVectorRetriever(libpq, encoder, table="other_chunks")
    try:
        assert r.search("anything at all") == []  # an empty table
        engine = create_engine(pgvector_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM other_chunks")).scalar() == 0
        engine.dispose()
    finally:
        r.close()


def test_a_table_name_is_checked(pgvector_url: str, encoder: TextEncoder) -> None:
    with pytest.raises(ValueError, match="table name"):
        PgVectorRetriever(pgvector_url, encoder, table="chunks; DROP TABLE x")


@pytest.mark.postgres
def test_a_postgresql_without_pgvector_is_named(pg_url: str, encoder: TextEncoder) -> None:
    """The PostgreSQL of the development and CI machines (127.0.0.1:5432) has no pgvector."""
    with pytest.raises(RuntimeFailure, match="is pgvector installed"):
        PgVectorRetriever(pg_url, encoder)
