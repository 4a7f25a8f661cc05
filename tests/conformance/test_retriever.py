"""The Retriever contract (kefu.knowledge.base), written once and run on every implementation.

``RetrieverContract`` is what every retriever does. Two kinds add their own part:
``LexicalContract`` (BM25 and what is built on it) matches words, so it never bridges two
languages; ``HybridContract`` (lexical and dense, fused) does: a Chinese question finds the
English passage, and the reverse. Either way, nothing relevant gives nothing: a hybrid retriever
keeps a passage only with a shared term or a cosine above its language pair's floor
(kefu.knowledge.relevance).

Each implementation provides ``make_retriever``: the retriever over the given documents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kefu.knowledge.base import Retriever
from kefu.knowledge.bm25 import SourceDocument
from kefu.knowledge.cache import KnowledgeCache
from kefu.nlu.encoder import TextEncoder, load_encoder
from kefu.settings import Settings
from kefu.storage.models import KnowledgeDocument
from tests.shop import SHIPPING_EN, SHIPPING_ZH

EN = SourceDocument("en/shipping.md", "en", SHIPPING_EN, "policy")
ZH = SourceDocument("zh/shipping.md", "zh", SHIPPING_ZH, "policy")
DOCS = [EN, ZH]

MakeRetriever = Callable[[Sequence[SourceDocument]], Retriever]


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    settings = Settings()
    return load_encoder("onnx", settings.cache_dir, settings.encoder_threads)


class RetrieverContract:
    """Every Retriever: ranked passages, cited, at most k, within the asked language and types."""

    @pytest.fixture
    def retriever(self, make_retriever: MakeRetriever) -> Retriever:
        return make_retriever(DOCS)

    def test_finds_the_answering_section(self, retriever: Retriever) -> None:
        found = retriever.search("how long does delivery take", "en", k=2)
        assert found and found[0].section == "Delivery times"
        assert found[0].doc_id == "en/shipping.md" and found[0].title == "Shipping policy"
        assert "3 to 5 business days" in found[0].text

    def test_passages_carry_their_origin(self, retriever: Retriever) -> None:
        best = retriever.search("how long does delivery take", "en")[0]
        assert (best.language, best.doc_type) == ("en", "policy")
        assert best.citation == "en/shipping.md#Delivery times"
        best = retriever.search("运费 包邮", "zh")[0]
        assert (best.language, best.doc_type) == ("zh", "policy")
        assert best.citation == "zh/shipping.md#运费"

    def test_ranked_and_at_most_k(self, retriever: Retriever) -> None:
        found = retriever.search("shipping delivery costs express", "en", k=1)
        assert len(found) == 1
        both = retriever.search("shipping delivery costs express", "en", k=5)
        assert 1 <= len(both) <= 5
        assert [p.score for p in both] == sorted((p.score for p in both), reverse=True)

    def test_language_is_respected(self, retriever: Retriever) -> None:
        found = retriever.search("运费 包邮", "zh", k=3)
        assert found and all(p.language == "zh" and p.doc_id.startswith("zh/") for p in found)
        assert found[0].section == "运费"
        assert all(p.language == "en" for p in retriever.search("shipping costs", "en", k=5))

    def test_no_language_searches_every_language(self, retriever: Retriever) -> None:
        assert retriever.search("运费 包邮", None, k=3)[0].citation == "zh/shipping.md#运费"
        found = retriever.search("how much does express shipping cost")
        assert found[0].citation == "en/shipping.md#Shipping costs"

    def test_doc_types_are_respected(self, retriever: Retriever) -> None:
        assert retriever.search("shipping costs", "en", doc_types={"policy"})
        assert retriever.search("shipping costs", "en", doc_types={"faq", "policy"})
        assert retriever.search("shipping costs", "en", doc_types={"faq"}) == []
        assert retriever.search("运费", None, doc_types=["product"]) == []

    def test_nothing_relevant_gives_nothing(self, retriever: Retriever) -> None:
        assert retriever.search("quantum chromodynamics", "en") == []
        assert retriever.search("quantum chromodynamics") == []
        assert retriever.search("量子色动力学", "zh") == []
        assert retriever.search("量子色动力学") == []
        assert retriever.search("shipping", "fr") == []

    def test_a_question_without_words_gives_nothing(self, retriever: Retriever) -> None:
        for query in ("", "   \n", "？？？", "..."):
            assert retriever.search(query) == [], query
            assert retriever.search(query, "en") == [], query

    def test_no_documents_give_nothing(self, make_retriever: MakeRetriever) -> None:
        assert make_retriever([]).search("how long does delivery take") == []


class LexicalContract(RetrieverContract):
    """A lexical retriever matches words: a question finds nothing in another language."""

    def test_no_bridge_between_languages(self, make_retriever: MakeRetriever) -> None:
        assert make_retriever([EN]).search("配送需要多长时间？", None) == []
        assert make_retriever([ZH]).search("how long does delivery take", None) == []


class HybridContract(RetrieverContract):
    """A hybrid retriever also matches meaning, across languages, but not weak meaning."""

    def test_a_chinese_question_finds_the_english_passage(
        self, make_retriever: MakeRetriever
    ) -> None:
        english_only = make_retriever([EN])
        found = english_only.search("配送需要多长时间？", None, k=2)
        assert found and found[0].citation == "en/shipping.md#Delivery times"
        assert found[0].language == "en"
        assert english_only.search("配送需要多长时间？", "zh") == []

    def test_an_english_question_finds_the_chinese_passage(
        self, make_retriever: MakeRetriever
    ) -> None:
        chinese_only = make_retriever([ZH])
        found = chinese_only.search("how long does delivery take", None, k=2)
        assert found and found[0].citation == "zh/shipping.md#配送时间"
        assert chinese_only.search("how long does delivery take", "en") == []

    def test_nothing_relevant_across_languages(self, make_retriever: MakeRetriever) -> None:
        assert make_retriever([EN]).search("量子色动力学") == []
        assert make_retriever([ZH]).search("quantum chromodynamics") == []
        assert make_retriever([EN]).search("明天天气怎么样") == []
        assert make_retriever([ZH]).search("who won the world cup") == []


class TestKnowledgeCache(LexicalContract):
    @pytest.fixture
    def make_retriever(self, session_factory: sessionmaker[Session]) -> MakeRetriever:
        def make(docs: Sequence[SourceDocument]) -> Retriever:
            with session_factory.begin() as session:
                session.query(KnowledgeDocument).delete()
                session.add_all(_rows(docs))
            return KnowledgeCache(session_factory)

        return make


def _rows(docs: Sequence[SourceDocument]) -> list[KnowledgeDocument]:
    return [KnowledgeDocument(id=d.doc_id, title=d.content.splitlines()[0][2:],
                              language=d.language, doc_type=d.doc_type, content=d.content,
                              content_hash=hashlib.sha256(d.content.encode()).hexdigest())
            for d in docs]


@pytest.mark.pgvector
class TestPgVectorRetriever(HybridContract):
    @pytest.fixture
    def make_retriever(self, pgvector_url: str, encoder: TextEncoder) -> Iterator[MakeRetriever]:
        from kefu.knowledge.pgvector import PgVectorRetriever

        made: list[PgVectorRetriever] = []

        def make(docs: Sequence[SourceDocument]) -> Retriever:
            retriever = PgVectorRetriever(pgvector_url, encoder, table=f"chunks_{len(made)}")
            retriever.sync(docs)
            made.append(retriever)
            return retriever

        yield make
        for retriever in made:
            retriever.close()


class TestHybridRetriever(HybridContract):
    @pytest.fixture
    def make_retriever(self, encoder: TextEncoder) -> MakeRetriever:
        from kefu.knowledge.hybrid import HybridRetriever
        from kefu.knowledge.vector_cache import VectorCache

        vectors = VectorCache(encoder, None, "conformance")
        return lambda docs: HybridRetriever(docs, vectors)


class TestKnowledgeCacheWithVectors(HybridContract):
    @pytest.fixture
    def make_retriever(self, session_factory: sessionmaker[Session],
                       encoder: TextEncoder) -> MakeRetriever:
        from kefu.knowledge.vector_cache import VectorCache

        vectors = VectorCache(encoder, None, "conformance")

        def make(docs: Sequence[SourceDocument]) -> Retriever:
            with session_factory.begin() as session:
                session.query(KnowledgeDocument).delete()
                session.add_all(_rows(docs))
            return KnowledgeCache(session_factory, vectors=vectors)

        return make
