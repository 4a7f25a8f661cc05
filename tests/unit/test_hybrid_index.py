"""HybridRetriever's dense half through the VectorIndex seam: exact below ``HNSW_FROM`` chunks,
HNSW at and above it, with the same passages on a small bilingual corpus (real encoder vectors).

The corpus is four of the demo shop's pages in English and Chinese (60 chunks, policy and FAQ).
The questions were chosen where the exact ranking's neighbours are at least 0.003 apart, well
above the int8 error of HNSW's cosines (about 0.001), so that a swap means a fault, not rounding.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pytest

from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.evaluate import demo_sources
from kefu.knowledge.hybrid import HNSW_FROM, HybridRetriever
from kefu.knowledge.relevance import encoder_text
from kefu.knowledge.vector_cache import VectorCache
from kefu.knowledge.vector_index import ExactIndex, HnswIndex
from kefu.nlu.encoder import load_encoder
from kefu.settings import Settings

PAGES = ("shipping.md", "warranty.md", "faq.md", "returns.md")

# question, language filter, doc_types filter, the exact top two (citations)
CASES: list[tuple[str, str | None, Collection[str] | None, list[str]]] = [
    ("how much does express shipping cost", None, None,
     ["en/faq.md#How much is shipping?", "en/shipping.md#Shipping costs"]),
    ("运费多少钱", "zh", None, ["zh/faq.md#运费是多少？", "zh/shipping.md#运费"]),
    ("配送需要多长时间？", "en", None,  # a Chinese question, English pages
     ["en/faq.md#How long does delivery take?", "en/shipping.md#Delivery times"]),
    ("my parcel says delivered but it's not here", None, {"faq"},
     ["en/faq.md#My parcel says delivered but I cannot find it. What should I do?",
      "en/faq.md#An item arrived damaged or faulty. What now?"]),
    ("does the warranty cover accidental damage", "en", ["policy"],
     ["en/warranty.md#What is covered", "en/warranty.md#How to make a claim"]),
    ("保修期多久", None, ("policy",), ["zh/warranty.md#质保期限", "zh/warranty.md#如何申请质保"]),
]


@pytest.fixture(scope="module")
def vectors() -> VectorCache:
    settings = Settings()
    encoder = load_encoder("onnx", settings.cache_dir, settings.encoder_threads)
    return VectorCache(encoder, None, "test-hybrid-index")


@pytest.fixture(scope="module")
def corpus() -> list[SourceDocument]:
    docs = [d for d in demo_sources() if d.doc_id.split("/", 1)[1] in PAGES]
    assert {d.language for d in docs} == {"en", "zh"} and len(docs) == 2 * len(PAGES)
    return docs


@pytest.fixture(scope="module")
def exact(corpus: list[SourceDocument], vectors: VectorCache) -> HybridRetriever:
    return HybridRetriever(corpus, vectors)


@pytest.fixture(scope="module")
def hnsw(corpus: list[SourceDocument], vectors: VectorCache) -> HybridRetriever:
    return HybridRetriever(corpus, vectors, hnsw_from=1)


def test_the_index_kind_follows_the_chunk_count(corpus: list[SourceDocument],
                                                vectors: VectorCache,
                                                exact: HybridRetriever,
                                                hnsw: HybridRetriever) -> None:
    n = len(exact.chunks)
    assert n == 60 and HNSW_FROM == 200_000
    assert isinstance(exact.vector_index, ExactIndex) and len(exact.vector_index) == n
    assert isinstance(hnsw.vector_index, HnswIndex) and len(hnsw.vector_index) == n
    at = HybridRetriever(corpus, vectors, hnsw_from=n).vector_index
    below = HybridRetriever(corpus, vectors, hnsw_from=n + 1).vector_index
    assert isinstance(at, HnswIndex) and isinstance(below, ExactIndex)
    assert HybridRetriever(corpus, vectors, "bm25", hnsw_from=1).vector_index is None
    assert HybridRetriever(corpus, None, hnsw_from=1).vector_index is None


@pytest.mark.parametrize(("question", "language", "doc_types", "top"), CASES)
def test_hnsw_finds_the_same_passages_as_exact_search(
    exact: HybridRetriever, hnsw: HybridRetriever, question: str, language: str | None,
    doc_types: Collection[str] | None, top: list[str],
) -> None:
    want = exact.search(question, language, k=2, doc_types=doc_types)
    got = hnsw.search(question, language, k=2, doc_types=doc_types)
    assert [p.citation for p in want] == top
    assert [p.citation for p in got] == top
    for p in got:
        assert (language is None or p.language == language)
        assert (doc_types is None or p.doc_type in doc_types)
    for a, b in zip(want, got, strict=True):
        assert (a.lexical, a.language, a.doc_type) == (b.lexical, b.language, b.doc_type)
        assert b.semantic == pytest.approx(a.semantic, abs=0.002)  # int8 cosines


def test_hnsw_cosines_are_its_own(exact: HybridRetriever, hnsw: HybridRetriever) -> None:
    """The HNSW retriever really searched int8 vectors: its cosines differ from the exact ones
    in the last digits (unfiltered: the graph; filtered to a few ids: its exhaustive scan)."""
    for language in (None, "en"):
        want = exact.search("how much does express shipping cost", language, k=3)
        got = hnsw.search("how much does express shipping cost", language, k=3)
        assert [p.citation for p in got] == [p.citation for p in want]
        assert any(a.semantic != b.semantic for a, b in zip(want, got, strict=True))


def test_nothing_relevant_and_empty_filters_give_nothing_in_both(
    exact: HybridRetriever, hnsw: HybridRetriever
) -> None:
    for retriever in (exact, hnsw):
        assert retriever.search("quantum chromodynamics", "en") == []
        assert retriever.search("运费多少钱", None, doc_types={"product"}) == []
        assert retriever.search("运费多少钱", "fr") == []


def test_exact_scores_are_the_plain_cosines_of_the_unit_vectors(
    corpus: list[SourceDocument], vectors: VectorCache
) -> None:
    """Below HNSW_FROM a dense score is the dot product of the cached unit vectors, bit for bit
    (as before the seam): the relevance floors were calibrated on these numbers."""
    dense = HybridRetriever(corpus, vectors, "dense")
    assert isinstance(dense.vector_index, ExactIndex)
    matrix = vectors.passages([encoder_text(c.chunk) for c in dense.chunks])
    row = {f"{c.chunk.doc_id}#{c.chunk.section}": i for i, c in enumerate(dense.chunks)}
    for question, language, doc_types, _ in CASES:
        q = vectors.encoder.encode([question], "query")[0]
        found = dense.search(question, language, k=5, doc_types=doc_types)
        assert found
        for p in found:
            assert p.score == round(float((matrix @ q)[row[p.citation]]), 6)


def test_exact_index_keeps_unit_vectors_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    rows = rng.standard_normal((300, 384)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    q = rng.standard_normal(384).astype(np.float32)
    q /= np.linalg.norm(q)
    index = ExactIndex(384)
    index.add(np.arange(300), rows)
    full = rows @ q
    ids, scores = index.search(q, 300)
    assert np.array_equal(scores, full[ids])
    allowed = rng.random(300) < 0.3
    ids, scores = index.search(q, 50, allowed)
    assert allowed[ids].all() and np.array_equal(scores, full[ids])
    # a vector that is not of unit length is still scored by its cosine
    scaled = ExactIndex(384)
    scaled.add(np.arange(300), rows * 3.0)
    ids, scores = scaled.search(q * 0.5, 5)
    assert np.allclose(scores, full[ids], atol=1e-6)
