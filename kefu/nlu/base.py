"""The understanding seams: one small contract each."""

from __future__ import annotations

from typing import Protocol

from kefu.types import Entity, Language, Recognition


class IntentRecognizer(Protocol):
    """Names what the customer wants, with a confidence in [0, 1], and how they feel."""

    def recognize(self, text: str, language: Language) -> Recognition: ...


class EntityExtractor(Protocol):
    """Finds spans (order ids, emails, zips…) with normalised values."""

    def extract(self, text: str) -> tuple[Entity, ...]: ...
