"""The retrieval seam."""

from __future__ import annotations

from typing import Protocol

from kefu.types import Language, Passage


class Retriever(Protocol):
    """Finds the passages of the shop's knowledge that best answer a question."""

    def search(self, query: str, language: Language, k: int = 3) -> list[Passage]: ...
