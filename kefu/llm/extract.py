"""The chat model as a second opinion for the NLU on low-confidence turns.

Below the configured confidence, the model labels the message with JSON constrained by a
schema (a grammar in llama.cpp, ``response_format`` on a server); the JSON is validated with
pydantic and merged with the recognizer's output:

* the model's intent replaces the recognizer's when it is one of kefu's intents and the
  recognizer had no better idea (out of scope, or the model's pick is among its runners-up);
  it takes the confidence of the threshold, and the recognizer's pick stays as runner-up;
* an order number or email the model read is added only if it is written, verbatim, in the
  message and the entity extractor found none of that kind — the model cannot invent one.

Any failure (model unavailable, malformed JSON, an unknown intent) leaves the
recognizer's understanding as it was.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from pydantic import BaseModel, ValidationError

from kefu.llm.base import ChatModel, ModelUnavailable, complete
from kefu.llm.breaker import CircuitBreaker
from kefu.llm.prompts import load
from kefu.llm.redacting import knowing
from kefu.nlu.taxonomy import INTENTS, OUT_OF_SCOPE
from kefu.types import Entity, Intent, Understanding

log = logging.getLogger("kefu.llm")
_LETTER = re.compile(r"[^\W\d_]")


class Extraction(BaseModel):
    intent: str
    order_id: str | None = None
    email: str | None = None
    product: str | None = None


SCHEMA = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": sorted(INTENTS)},
        "order_id": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "product": {"type": ["string", "null"]},
    },
    "required": ["intent", "order_id", "email", "product"],
}


def extract(model: ChatModel, text: str, language: str = "en",
            max_tokens: int = 64) -> Extraction:
    """The model's reading of ``text``; ``ModelUnavailable`` or ``ValueError`` if it fails."""
    prompt = load("extract", language)
    messages = prompt.messages({"intents": ", ".join(sorted(INTENTS))},
                               {"message": text.strip()[:500]})
    raw = complete(model, messages, max_tokens=max_tokens, json_schema=SCHEMA)
    try:
        found = Extraction.model_validate(json.loads(raw))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ValueError(f"the model's JSON does not fit the schema: {raw[:200]!r}") from exc
    if found.intent not in INTENTS:
        raise ValueError(f"the model named an unknown intent {found.intent!r}")
    return found


class LlmRefiner:
    def __init__(self, model: ChatModel, breaker: CircuitBreaker, below: float = 0.5) -> None:
        self.model = model
        self.breaker = breaker
        self.below = below

    def refine(self, text: str, understanding: Understanding,
               known_names: Sequence[str] = ()) -> Understanding:
        """``known_names``: the identified customer's, redacted from the prompt wherever they
        are written when the model is remote (kefu.llm.redacting)."""
        if understanding.intent.confidence >= self.below or not _LETTER.search(text):
            return understanding
        if not self.breaker.allow():
            return understanding
        language = "zh" if understanding.script == "zh" else "en"
        try:
            found = extract(knowing(self.model, known_names), text, language)
        except ModelUnavailable as exc:
            self.breaker.failure()
            log.warning("NLU help unavailable: %s", exc)
            return understanding
        except ValueError as exc:
            self.breaker.success()
            log.info("NLU help ignored: %s", exc)
            return understanding
        self.breaker.success()
        return merge(understanding, found, text, self.below)


def merge(understanding: Understanding, found: Extraction, text: str,
          confidence: float) -> Understanding:
    """The recognizer's understanding with what the model adds (see the module's rules)."""
    seen = understanding.intent
    runners_up = {i.name for i in understanding.alternatives}
    intent, alternatives = seen, understanding.alternatives
    if found.intent != seen.name and (seen.name == OUT_OF_SCOPE or found.intent in runners_up):
        intent = Intent(found.intent, round(confidence, 4))
        alternatives = (seen, *[a for a in understanding.alternatives
                                if a.name != found.intent])
    entities = list(understanding.entities)
    for kind, value in (("order_id", found.order_id), ("email", found.email)):
        if not value or any(e.kind == kind for e in entities):
            continue
        start = text.find(value.strip())
        if start >= 0:
            end = start + len(value.strip())
            entities.append(Entity(kind, text[start:end], start, end, text[start:end]))
    return replace(understanding, intent=intent, alternatives=tuple(alternatives),
                   entities=tuple(entities))
