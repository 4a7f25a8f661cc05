"""The responder seam: templates now; an LLM (embedded or OpenAI-compatible) behind it later."""

from __future__ import annotations

from typing import Protocol

from kefu.types import Decision, Grounding, Language, Reply


class Responder(Protocol):
    def respond(self, decision: Decision, grounding: Grounding, language: Language) -> Reply: ...
