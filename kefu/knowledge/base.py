"""The retrieval seam: one small contract, run by every implementation's conformance suite
(tests/conformance/test_retriever.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from kefu.types import Language, Passage, ProductReply


class Retriever(Protocol):
    """Finds the passages of the shop's knowledge that best answer a question.

    ``language`` keeps passages of that language only; ``None`` searches every language (a
    Chinese question may find an English passage and the reverse). ``doc_types`` keeps only
    those kinds (policy, faq, page, product). At most ``k`` passages, best first, each with its
    score and where it comes from (``doc_id`` and ``section``: the citation).
    """

    def search(self, query: str, language: str | None = None, k: int = 3, *,
               doc_types: Collection[str] | None = None,
               mode: str | None = None) -> list[Passage]:
        """``mode`` ("hybrid" or "bm25"), when given, overrides the retriever's own for this
        search (an experiment comparing retrieval settings); implementations without vectors
        are lexical whatever it says."""
        ...


class ProductAnswerer(Protocol):
    """Answers a question about products from the catalog's structure, or returns None when
    the question names no product it knows (the caller falls back to the documents)."""

    def answer(self, question: str, language: Language, context_product: str | None = None,
               *, context_products: Sequence[str] = ()) -> ProductReply | None: ...
