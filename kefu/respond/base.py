"""The responder seam: a decision and its grounding in, the reply out.

``TemplateResponder`` (kefu.respond.templates) needs no model; ``LlmResponder``
(kefu.llm.responder) generates grounded answers with a chat model and falls back to the
templates. ``stream`` yields the reply as it is made: ``Delta`` pieces, a ``Reset`` when what
was shown must be discarded (a generated sentence failed verification), and the ``Final``
reply last, which is what is stored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from kefu.types import Decision, Grounding, Language, Reply


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Reset:
    """Discard what was streamed so far; what follows replaces it."""


@dataclass(frozen=True)
class Final:
    reply: Reply


ReplyEvent = Delta | Reset | Final


class Responder(Protocol):
    def respond(self, decision: Decision, grounding: Grounding, language: Language, *,
                question: str = "") -> Reply: ...

    def stream(self, decision: Decision, grounding: Grounding, language: Language, *,
               question: str = "", cancel: threading.Event | None = None,
               prompt_version: str | None = None) -> Iterator[ReplyEvent]:
        """``prompt_version``: an alternative prompt, for responders that use one."""
        ...


def pieces(text: str, size: int = 16) -> Iterator[str]:
    """``text`` in small pieces, cut after spaces where possible (whole CJK characters)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        space = text.rfind(" ", start + 1, end + 1) if end < len(text) else -1
        end = space + 1 if space > start else end
        yield text[start:end]
        start = end
