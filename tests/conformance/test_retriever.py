"""The Retriever contract, written once and run on every implementation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kefu.knowledge.base import Retriever
from kefu.knowledge.bm25 import BM25Retriever, SourceDocument
from kefu.knowledge.cache import KnowledgeCache
from tests.shop import SHIPPING_EN, SHIPPING_ZH, seed_small_shop

DOCS = [SourceDocument("en/shipping.md", "en", SHIPPING_EN),
        SourceDocument("zh/shipping.md", "zh", SHIPPING_ZH)]


class RetrieverContract:
    """Every Retriever: ranked passages of the asked language, cited, at most k."""

    def test_finds_the_answering_section(self, retriever: Retriever) -> None:
        found = retriever.search("how long does delivery take", "en", k=2)
        assert found and found[0].section == "Delivery times"
        assert found[0].doc_id == "en/shipping.md" and found[0].title == "Shipping policy"
        assert "3 to 5 business days" in found[0].text

    def test_ranked_and_at_most_k(self, retriever: Retriever) -> None:
        found = retriever.search("shipping delivery costs express", "en", k=1)
        assert len(found) == 1
        both = retriever.search("shipping delivery costs express", "en", k=5)
        assert [p.score for p in both] == sorted((p.score for p in both), reverse=True)

    def test_language_is_respected(self, retriever: Retriever) -> None:
        found = retriever.search("运费 包邮", "zh", k=3)
        assert found and all(p.doc_id.startswith("zh/") for p in found)
        assert found[0].section == "运费"

    def test_nothing_relevant_gives_nothing(self, retriever: Retriever) -> None:
        assert retriever.search("quantum chromodynamics", "en") == []
        assert retriever.search("shipping", "fr") == []  # type: ignore[arg-type]


class TestBM25Retriever(RetrieverContract):
    @pytest.fixture
    def retriever(self) -> Retriever:
        return BM25Retriever(DOCS)


class TestKnowledgeCache(RetrieverContract):
    @pytest.fixture
    def retriever(self, session_factory: sessionmaker[Session]) -> Iterator[Retriever]:
        with session_factory.begin() as session:
            seed_small_shop(session)
        yield KnowledgeCache(session_factory)
