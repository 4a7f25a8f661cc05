"""Grounded generation: the chat model words the answer, the grounding decides what it says.

Only answers from the shop's knowledge are generated (``Action.ANSWER`` with passages or a
product fact); every other action (order status, asking who the customer is, handoff…) keeps
its template, because those replies are facts laid out, and a model must never decide or
describe an action it did not take. The prompt is a short fixed system prompt (read once,
then served from llama.cpp's prefix cache) and a user message with the facts — the sentences
of the best passage that answer the question, or the product's facts — and the question.

The answer streams sentence by sentence: each sentence is verified (kefu.llm.verify) before
it is shown. A sentence with an unsupported number or policy statement, or an answer in the
wrong language, stops the generation; the shown part is reset and one stricter retry runs;
if that fails too, the extractive template answer is given. When the model is unavailable
(missing, failed, timed out, circuit open) the template answer comes with an offer of a human.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from kefu.llm.base import ChatModel
from kefu.llm.breaker import CircuitBreaker
from kefu.llm.prompts import load
from kefu.llm.redacting import knowing
from kefu.llm.verify import covers, verify
from kefu.respond.base import Delta, Final, ReplyEvent, Reset
from kefu.respond.phrases import PHRASES
from kefu.respond.templates import TemplateResponder, extract
from kefu.types import Action, Decision, Grounding, Language, Reply

MAX_FACT_CHARS = 420
_SENTENCE_END = re.compile(r"[。！？!?](?:[”」』）)]*)|[.](?=\s)|\n")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LABEL = re.compile(r"^\[\d+\] (?:[^\n:]* › [^\n:]*: )?")
_EMPHASIS = re.compile(r"\*\*|__")  # Markdown bold: shown as typed in the widget
_SMALL_TALK = frozenset({Action.GREET, Action.THANKS, Action.GOODBYE, Action.ACKNOWLEDGE,
                         Action.HANDOFF})


class LlmResponder:
    def __init__(self, model: ChatModel, templates: TemplateResponder, shop_name: str, *,
                 breaker: CircuitBreaker | None = None, max_tokens: int = 160) -> None:
        self.model = model
        self.templates = templates
        self.shop_name = shop_name
        self.breaker = breaker or CircuitBreaker()
        self.max_tokens = max_tokens

    def respond(self, decision: Decision, grounding: Grounding, language: Language, *,
                question: str = "") -> Reply:
        final = None
        for event in self.stream(decision, grounding, language, question=question):
            if isinstance(event, Final):
                final = event.reply
        assert final is not None
        return final

    def stream(self, decision: Decision, grounding: Grounding, language: Language, *,
               question: str = "", cancel: threading.Event | None = None,
               prompt_version: str | None = None) -> Iterator[ReplyEvent]:
        """``prompt_version`` names an alternative answer prompt (an experiment's variant)."""
        if not _generated(decision, grounding):
            yield from self.templates.stream(decision, grounding, language, question=question)
            return
        yield from self._generate(decision, grounding, language, question, cancel,
                                  prompt_version)

    def _generate(self, decision: Decision, grounding: Grounding, language: Language,
                  question: str, cancel: threading.Event | None,
                  prompt_version: str | None = None) -> Iterator[ReplyEvent]:
        facts, citations, source = _facts(grounding, language)
        prompt = load("answer", language, prompt_version)
        started = time.monotonic()
        info: dict[str, Any] = {"model": self.model.name, "prompt": prompt.version,
                                "attempts": 0, "rejected": [], "estimated_tokens": 0}
        prefix = (PHRASES[language]["sorry"] if decision.empathy else "")
        model = knowing(self.model, [decision.state.customer_name])  # redacted where it shows
        for attempt in range(2):
            if not self.breaker.allow():
                info["fallback"] = "circuit_open"
                break
            info["attempts"] = attempt + 1
            messages = prompt.messages(
                {"shop": self.shop_name},
                {"facts": "\n".join(facts), "question": question.strip() or "-"},
                strict={} if attempt else None)
            # what the model reads and writes, in tokens at about 3 characters each (a
            # conservative estimate for English; a Han character is about one token)
            info["estimated_tokens"] += sum(len(m["content"]) for m in messages) // 3 + \
                self.max_tokens
            shown: list[str] = []
            rejected: str | None = None
            try:
                if prefix:
                    yield Delta(prefix)
                for sentence in _sentences(model.stream(
                        messages, max_tokens=self.max_tokens, cancel=cancel)):
                    problem = _problem(sentence, _fact_texts(facts), question, language)
                    if problem:
                        rejected = problem
                        break
                    if "first_piece_s" not in info:
                        info["first_piece_s"] = round(time.monotonic() - started, 3)
                    shown.append(sentence)
                    yield Delta(sentence)
            except Exception as exc:  # ModelUnavailable, or anything a model library throws
                self.breaker.failure()
                info["fallback"] = "model_unavailable"
                info["error"] = str(exc)[:300]
                if shown or prefix:
                    yield Reset()
                break
            self.breaker.success()
            if cancel is not None and cancel.is_set():
                info["cancelled"] = True
                if not shown:
                    info["fallback"] = "cancelled"
                    break
            if rejected is None and not shown:
                rejected = "empty answer"
            if rejected is None and language == "zh" and not _HAN.search("".join(shown)):
                rejected = "not in the customer's language"
            if rejected is None and not covers("".join(shown), _fact_texts(facts)):
                rejected = "leaves out every figure of the facts"
            if rejected is None:
                tail = "\n\n" + source if source else ""
                if tail:
                    yield Delta(tail)
                info["seconds"] = round(time.monotonic() - started, 3)
                text = prefix + "".join(shown).strip() + tail
                yield Final(Reply(text, language, citations, {**info, "source": "llm"}))
                return
            info["rejected"].append(rejected)
            if shown or prefix:
                yield Reset()
            info["fallback"] = "verification"
        reply = self.templates.respond(decision, grounding, language, question=question)
        if info.get("fallback") in ("model_unavailable", "circuit_open"):
            reply = replace(reply, text=reply.text + PHRASES[language]["offer_human"])
        info["seconds"] = round(time.monotonic() - started, 3)
        yield Delta(reply.text)
        yield Final(replace(reply, generation={**info, "source": "template"}))


def _generated(decision: Decision, grounding: Grounding) -> bool:
    return decision.action is Action.ANSWER and bool(grounding.passages or grounding.product)


def _facts(grounding: Grounding, language: Language) -> tuple[list[str], tuple[str, ...], str]:
    """The facts the prompt carries, the citations and the source line."""
    p = PHRASES[language]
    if grounding.product is not None:
        product = grounding.product
        return [f"[1] {product.text}"], product.citations, ""
    best = grounding.passages[0]
    said = _EMPHASIS.sub("", grounding.answer or extract(best))
    if len(said) > MAX_FACT_CHARS:
        said = said[:MAX_FACT_CHARS]
    other = bool(best.language) and best.language != language
    line = p["answer_other" if other else "answer"].format(
        text="", source=f"{best.title} › {best.section}").strip()
    return [f"[1] {best.title} › {best.section}: {said}"], (best.citation,), line


def _fact_texts(facts: list[str]) -> list[str]:
    """The facts without their "[1] Title › Section:" labels (their numbers are not facts)."""
    return [_LABEL.sub("", f) for f in facts]


def _problem(sentence: str, facts: list[str], question: str,
             language: Language) -> str | None:
    if language == "en" and len(_HAN.findall(sentence)) >= 2:
        return f"not in the customer's language: {sentence!r}"
    verdict = verify(sentence, facts, question)
    if verdict.unsupported_numbers:
        return f"unsupported numbers {list(verdict.unsupported_numbers)} in {sentence!r}"
    if verdict.unsupported_sentences:
        return f"unsupported statement {sentence!r}"
    return None


def _sentences(pieces: Iterator[str]) -> Iterator[str]:
    """Whole sentences out of a stream of pieces (the rest at the end)."""
    buffer = ""
    for piece in pieces:
        buffer = _EMPHASIS.sub("", buffer + piece)
        while (m := _SENTENCE_END.search(buffer)) is not None:
            yield buffer[:m.end()]
            buffer = buffer[m.end():]
    if buffer.strip():
        yield buffer
