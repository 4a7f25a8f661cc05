"""Unit tests of the code around the chat model: verification, breaker, prompts, the streamed
responder's verify/retry/fallback logic (with a scripted model), NLU merging, the HTTP client's
retry rules. Generation itself is tested on the real model in tests/llm/."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest

from kefu.llm.assist import Turn, suggest_replies, summarize
from kefu.llm.base import ChatMessage, ModelUnavailable
from kefu.llm.breaker import CircuitBreaker
from kefu.llm.extract import Extraction, merge
from kefu.llm.openai_http import OpenAICompatibleModel
from kefu.llm.prompts import load
from kefu.llm.responder import LlmResponder
from kefu.llm.verify import covers, numbers, verify, zh_numeral
from kefu.respond.base import Delta, Final, Reset
from kefu.respond.templates import TemplateResponder
from kefu.types import Action, Decision, Entity, Grounding, Intent, Passage, State, Understanding

RETURNS = Passage("en/returns.md", "Returns", "How long", "You can return items within 30 days "
                  "of delivery. Return shipping is free for defective items.", 1.0, "en",
                  "policy")


# --- verification ---------------------------------------------------------------------------

def test_numbers_read_digits_words_and_chinese_numerals_with_units() -> None:
    assert numbers("Returns within 30 days; shipping $1,299.00 or 4.50") == {"30", "1299", "4.5"}
    assert numbers("three business days, or two weeks") == {"3", "2", "14"}
    assert numbers("三十天内退货，百分之十五，两周") == {"30", "15", "2", "14"}
    assert numbers("一下子就好了，十分方便") == set()  # no unit: everyday words, not numbers
    assert zh_numeral("一百二十") == 120 and zh_numeral("二〇二六") == 2026
    assert zh_numeral("三千五百") == 3500 and zh_numeral("十五") == 15


@pytest.mark.parametrize(("answer", "ok"), [
    ("You can return items within 30 days of delivery.", True),
    ("You have a month: 30 days from delivery.", True),
    ("You can return items within 60 days of delivery.", False),
    ("Return shipping is not free for defective items.", False),  # negation flipped
    ("We also offer free gift wrapping on all orders.", False),  # a policy not in the source
    ("您可以在收货后三十天内退货。", True),  # cross-lingual: numbers only
    ("您可以在收货后四周内退货。", False),
    ("Order KF20240001 can be returned.", False),  # an order number not in the grounding
])
def test_verify_against_the_grounding(answer: str, ok: bool) -> None:
    assert verify(answer, [RETURNS.text]).ok is ok


def test_verify_refuses_unbacked_claims_repetition_and_echoes() -> None:
    facts = [RETURNS.text]
    assert not verify("You have to pay postage to send items back.", facts).ok  # not in facts
    assert verify("Good news!", facts).ok  # no claim
    assert not verify("我们，我们，我们，我们，我们，我们，我们。", ["我们支持30天退货。"]).ok
    assert not verify("How long do I have to return items?", facts,
                      question="How long do I have to return items?").ok


def test_covers_wants_one_of_the_facts_figures() -> None:
    facts = ["Points can pay for up to 50% of an order."]
    assert not covers("You can pay for the whole order with your points.", facts)
    assert covers("Points can cover up to 50% of the order.", facts)
    assert covers("Yes, we do.", ["We ship to Canada."])  # no figures to state


# --- circuit breaker ------------------------------------------------------------------------

def test_breaker_opens_after_failures_and_recovers_with_one_trial() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, reset_after_s=10, clock=lambda: now[0])
    breaker.failure()
    assert breaker.allow() and breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 10.0
    assert breaker.state == "half-open"
    assert breaker.allow() and not breaker.allow()  # one trial only
    breaker.failure()  # the trial failed: open again, for another period
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 20.0
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()


# --- prompts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("task", ["answer", "extract", "summary", "suggest"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_prompts_are_versioned_with_a_fixed_system_part(task: str, language: str) -> None:
    prompt = load(task, language)
    assert prompt.version and {"system", "user"} <= set(prompt.sections)
    fields = {"shop": "S", "intents": "a, b", "facts": "F", "question": "Q", "message": "M",
              "transcript": "T", "previous": "P"}
    one = prompt.messages(fields, fields)
    two = prompt.messages(fields, {**fields, "question": "other", "message": "x", "facts": "y",
                                   "transcript": "z"})
    assert one[0] == two[0] and one[0]["role"] == "system"  # the cacheable prefix


# --- the streamed responder, around a scripted model ------------------------------------------

class Scripted:
    """Answers from a list of scripted answers, one per call, in pieces; or fails."""

    name = "scripted"

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[Sequence[ChatMessage]] = []

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int,
               temperature: float = 0.0, stop: Sequence[str] = (),
               json_schema: dict[str, Any] | None = None,
               cancel: threading.Event | None = None) -> Iterator[str]:
        self.calls.append(messages)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        for i in range(0, len(answer), 5):
            if cancel is not None and cancel.is_set():
                return
            yield answer[i:i + 5]

    def close(self) -> None:
        pass


def _answer(model: Scripted, language: str = "en", question: str = "How long do I have?",
            **kwargs: Any) -> list[Delta | Reset | Final]:
    responder = LlmResponder(model, TemplateResponder("Shop"), "Shop", **kwargs)
    decision = Decision(Action.ANSWER, State())
    grounding = Grounding(passages=(RETURNS,), answer="You can return items within 30 days "
                          "of delivery.")
    return list(responder.stream(decision, grounding, language, question=question))  # type: ignore[arg-type]


def _final(events: list[Delta | Reset | Final]) -> Final:
    final = events[-1]
    assert isinstance(final, Final)
    return final


def test_a_verified_answer_streams_sentence_by_sentence_with_its_source() -> None:
    model = Scripted("Good news! You can return items within 30 days of delivery.")
    events = _answer(model)
    deltas = [e.text for e in events if isinstance(e, Delta)]
    assert deltas[:2] == ["Good news!", " You can return items within 30 days of delivery."]
    final = _final(events).reply
    assert final.text == ("Good news! You can return items within 30 days of delivery."
                          "\n\nSource: Returns › How long")
    assert "".join(deltas) == final.text
    assert final.citations == ("en/returns.md#How long",)
    assert final.generation and final.generation["source"] == "llm"
    assert "How long do I have?" in model.calls[0][1]["content"]
    assert "within 30 days" in model.calls[0][1]["content"]


def test_an_unsupported_number_is_withdrawn_retried_strictly_then_falls_back() -> None:
    model = Scripted("Sure. You have 45 days to return it.", "Sure. Within 90 days.")
    events = _answer(model)
    assert sum(isinstance(e, Reset) for e in events) == 2
    assert "last answer used something" in model.calls[1][1]["content"]  # the strict retry
    final = _final(events).reply
    assert final.generation and final.generation["fallback"] == "verification"
    assert final.text.startswith("You can return items within 30 days")  # the extractive one
    assert "45" not in final.text and "colleague" not in final.text


def test_the_strict_retry_can_succeed() -> None:
    model = Scripted("You have 45 days.", "You can return items within 30 days of delivery.")
    final = _final(_answer(model)).reply
    assert final.generation and final.generation["attempts"] == 2
    assert final.generation["source"] == "llm" and "30 days" in final.text


def test_model_failure_gives_the_template_answer_and_offers_a_human() -> None:
    breaker = CircuitBreaker(failures=1, reset_after_s=3600)
    final = _final(_answer(Scripted(ModelUnavailable("down")), breaker=breaker)).reply
    assert "30 days" in final.text and "member of our team" in final.text
    assert breaker.state == "open"
    # the circuit is open: no call is made at all
    model = Scripted()
    final = _final(_answer(model, breaker=breaker)).reply
    assert model.calls == [] and final.generation and final.generation["fallback"] == "circuit_open"


def test_a_chinese_customer_gets_chinese_or_the_template() -> None:
    final = _final(_answer(Scripted("You can return within 30 days.", "Within 30 days."),
                           language="zh", question="退货期限多久？")).reply
    assert final.generation and final.generation["rejected"][0] == "not in the customer's language"
    assert "来源（英文页面）" in final.text
    final = _final(_answer(Scripted("收货后30天内都可以退货。"), language="zh",
                           question="退货期限多久？")).reply
    assert final.text.startswith("收货后30天内都可以退货。") and "来源" in final.text


def test_other_actions_keep_their_templates_and_never_call_the_model() -> None:
    model = Scripted()
    responder = LlmResponder(model, TemplateResponder("Shop"), "Shop")
    reply = responder.respond(Decision(Action.HANDOFF, State()), Grounding(), "en")
    assert model.calls == [] and "customer service team" in reply.text


# --- NLU help ---------------------------------------------------------------------------------

def test_merge_takes_the_models_intent_only_where_the_recognizer_had_no_better_idea() -> None:
    text = "my parcel KF20240001 never came, write me at ann@example.com"
    unsure = Understanding(Intent("out_of_scope", 0.2), alternatives=(Intent("track_order", 0.1),))
    merged = merge(unsure, Extraction(intent="track_order", order_id="KF20240001",
                                      email="ann@example.com"), text, 0.5)
    assert merged.intent == Intent("track_order", 0.5)
    assert merged.alternatives[0].name == "out_of_scope"
    assert {(e.kind, e.value) for e in merged.entities} == {
        ("order_id", "KF20240001"), ("email", "ann@example.com")}
    # an invented order number is not taken; an intent outside the runners-up is not taken
    leaning = Understanding(Intent("track_order", 0.4), alternatives=(Intent("get_refund", 0.2),))
    merged = merge(leaning, Extraction(intent="cancel_order", order_id="KF99999999"), text, 0.5)
    assert merged.intent.name == "track_order" and merged.entities == ()
    found = Entity("order_id", "KF20240001", 10, 20, "KF20240001")
    kept = merge(Understanding(Intent("out_of_scope", 0.1), entities=(found,)),
                 Extraction(intent="track_order", order_id="KF20240001"), text, 0.5)
    assert kept.entities == (found,)


# --- agent assist without a model -------------------------------------------------------------

def test_assist_falls_back_to_extractive_summary_and_replies() -> None:
    turns = [Turn("user", "Where is my order KF20240001?"), Turn("assistant", "It shipped."),
             Turn("user", "It still has not arrived")]
    summary = summarize(None, turns, "en")
    assert summary.source == "extractive" and "KF20240001" in summary.text
    assert "It still has not arrived" in summary.text
    replies = suggest_replies(None, turns, ["Parcels take 3-5 days."], "en")
    assert replies[0].text == "Parcels take 3-5 days." and len(replies) == 2
    # a generated summary that states a number the conversation lacks is not shown
    model = Scripted("The customer waits for order KF20249999.")
    assert summarize(model, turns, "en").source == "extractive"  # type: ignore[arg-type]


# --- the HTTP client's retry rules (a scripted transport) -------------------------------------

def _sse(*pieces: str) -> bytes:
    events = [json.dumps({"choices": [{"delta": {"content": p}}]}) for p in pieces]
    return "".join(f"data: {e}\n\n" for e in events).encode() + b"data: [DONE]\n\n"


def test_http_client_retries_5xx_before_the_first_piece_then_streams() -> None:
    calls: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        if len(calls) < 3:
            return httpx.Response(503, text="overloaded")
        return httpx.Response(200, content=_sse("Hel", "lo"),
                              headers={"content-type": "text/event-stream"})

    model = OpenAICompatibleModel("http://llm.test/v1", "m", "secret", backoff_s=0.01,
                                  transport=httpx.MockTransport(handler))
    pieces = list(model.stream([{"role": "user", "content": "hi"}], max_tokens=8,
                               json_schema={"type": "object"}))
    assert pieces == ["Hel", "lo"] and len(calls) == 3
    assert calls[0]["response_format"] == {"type": "json_object", "schema": {"type": "object"}}
    assert calls[0]["stream"] is True and calls[0]["max_tokens"] == 8


def test_http_client_gives_up_after_its_retries_and_on_4xx_at_once() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500 if "retry" in str(request.url) else 401, text="no")

    model = OpenAICompatibleModel("http://llm.test/retry", "m", retries=2, backoff_s=0.01,
                                  transport=httpx.MockTransport(handler))
    with pytest.raises(ModelUnavailable, match="HTTP 500"):
        list(model.stream([{"role": "user", "content": "hi"}], max_tokens=8))
    assert len(calls) == 3
    model = OpenAICompatibleModel("http://llm.test/v1", "m", transport=httpx.MockTransport(handler))
    with pytest.raises(ModelUnavailable, match="HTTP 401"):
        list(model.stream([{"role": "user", "content": "hi"}], max_tokens=8))
    assert len(calls) == 4


def test_the_facts_label_is_not_a_fact_and_english_customers_get_english() -> None:
    final = _final(_answer(Scripted("You have 1 day to return items.",
                                    "You have 1 day to return items."))).reply
    assert final.generation and final.generation["fallback"] == "verification"  # "1" is [1]
    final = _final(_answer(Scripted("我们为所有商品提供终身免费退换服务。",
                                    "我们为所有商品提供终身免费退换服务。"))).reply
    assert final.generation and "not in the customer's language" in final.generation[
        "rejected"][0]


def test_any_model_error_is_a_fallback_and_counts_for_the_breaker() -> None:
    breaker = CircuitBreaker(failures=1, reset_after_s=3600)
    final = _final(_answer(Scripted(RuntimeError("llama.cpp exploded")), breaker=breaker)).reply
    assert "member of our team" in final.text and breaker.state == "open"


def test_a_remote_model_never_reads_the_customers_own_name_even_without_a_cue() -> None:
    from kefu.llm.extract import LlmRefiner
    from kefu.llm.redacting import RedactingModel

    inner = Scripted("Hello [PERSON_1]. You can return items within 30 days of delivery.",
                     '{"intent": "return_policy", "entities": []}')
    responder = LlmResponder(RedactingModel(inner), TemplateResponder("Shop"), "Shop")
    decision = Decision(Action.ANSWER, State(customer_id="c1", customer_name="Aisha Khan"))
    grounding = Grounding(passages=(RETURNS,), answer="You can return items within 30 days "
                          "of delivery.")
    events = list(responder.stream(decision, grounding, "en",
                                   question="Aisha again: how long do I have to return?"))
    sent = " ".join(m["content"] for m in inner.calls[0])
    assert "Aisha" not in sent and "Khan" not in sent and "[PERSON_1]" in sent
    assert _final(events).reply.text.startswith("Hello Aisha.")  # restored for the customer
    refiner = LlmRefiner(RedactingModel(inner), CircuitBreaker(), below=0.9)
    seen = Understanding(Intent("out_of_scope", 0.1), (), None, "en")
    refiner.refine("Khan, Aisha writing: returns?", seen, known_names=("Aisha Khan",))
    asked = " ".join(m["content"] for m in inner.calls[1])
    assert "Aisha" not in asked and "Khan" not in asked and "[PERSON_1]" in asked
