"""When the model fails, the customer still gets an answer: the real server killed
mid-answer, stalled (SIGSTOP), gone; the model file missing. The circuit breaker opens and
recovers, without a restart, once the server answers again."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kefu.llm.breaker import CircuitBreaker
from kefu.llm.embedded import LlamaCppModel
from kefu.llm.openai_http import OpenAICompatibleModel
from kefu.llm.responder import LlmResponder
from kefu.respond.base import Delta, Final, Reset
from kefu.respond.templates import TemplateResponder
from kefu.types import Action, Decision, Grounding, Passage, Reply, State
from tests.llm.conftest import start_server
from tests.processes import free_port

PASSAGE = Passage("en/shipping.md", "Shipping", "Delivery times",
                  "Standard delivery takes 3 to 5 business days. Express delivery takes 1 to 2 "
                  "business days.", 1.0, "en", "policy")
GROUNDING = Grounding(passages=(PASSAGE,), answer=PASSAGE.text)
QUESTION = "Tell me everything about delivery times, in detail, with examples."


def _responder(model: object, breaker: CircuitBreaker) -> LlmResponder:
    return LlmResponder(model, TemplateResponder("Shop"), "Demo Shop",  # type: ignore[arg-type]
                        breaker=breaker, max_tokens=120)


def _final(events: list[object]) -> Reply:
    final = events[-1]
    assert isinstance(final, Final)
    return final.reply


def _is_fallback(reply: Reply) -> bool:
    return (reply.text.startswith("Standard delivery takes 3 to 5 business days")
            and "member of our team" in reply.text)


def test_killing_the_server_mid_answer_still_answers(gguf: Path, tmp_path: Path) -> None:
    server = start_server(gguf, tmp_path / "server.log")
    try:
        model = OpenAICompatibleModel(server.base_url, "qwen-0.5b", timeout_s=60,
                                      first_token_timeout_s=60, retries=1, backoff_s=0.1)
        responder = _responder(model, CircuitBreaker(failures=3))
        # the server is reading the prompt (seconds on 2 cores) when it dies
        killer = threading.Timer(0.3, server.kill)
        killer.start()
        started = time.monotonic()
        events = list(responder.stream(Decision(Action.ANSWER, State()), GROUNDING, "en",
                                       question=QUESTION))
        killer.join()
        reply = _final(events)
        assert _is_fallback(reply), reply.text
        assert reply.generation and reply.generation["fallback"] == "model_unavailable"
        assert time.monotonic() - started < 30
        if any(isinstance(e, Delta) for e in events[:-2]):  # something was shown first
            assert any(isinstance(e, Reset) for e in events)  # …and withdrawn
        model.close()
    finally:
        server.stop()


def test_a_stalled_server_times_out_and_the_breaker_recovers(gguf: Path, tmp_path: Path) -> None:
    server = start_server(gguf, tmp_path / "server.log")
    try:
        model = OpenAICompatibleModel(server.base_url, "qwen-0.5b", timeout_s=60,
                                      first_token_timeout_s=2, retries=0)
        breaker = CircuitBreaker(failures=1, reset_after_s=1.0)
        responder = _responder(model, breaker)
        decision = Decision(Action.ANSWER, State())
        server.pause()
        started = time.monotonic()
        reply = _final(list(responder.stream(decision, GROUNDING, "en", question="Delivery?")))
        assert time.monotonic() - started < 15
        assert _is_fallback(reply) and breaker.state == "open"
        # while open, no call waits on the stalled server
        started = time.monotonic()
        reply = _final(list(responder.stream(decision, GROUNDING, "en", question="Delivery?")))
        assert time.monotonic() - started < 1 and reply.generation
        assert reply.generation["fallback"] == "circuit_open"
        server.resume()
        # The server first finishes the abandoned request, so an early trial may time out
        # again; every reset period lets one trial through until one succeeds.
        deadline = time.monotonic() + 90
        while breaker.state != "closed" and time.monotonic() < deadline:
            time.sleep(1.1)
            reply = _final(list(responder.stream(
                decision, GROUNDING, "en", question="How long does standard delivery take?")))
        assert breaker.state == "closed", reply.generation
        assert reply.generation and reply.generation.get("fallback") is None
        assert reply.generation["source"] == "llm"
        model.close()
    finally:
        server.stop()


def test_no_server_at_all_is_a_fallback_after_retries() -> None:
    model = OpenAICompatibleModel(f"http://127.0.0.1:{free_port()}/v1", "m", retries=2,
                                  backoff_s=0.05)
    reply = _final(list(_responder(model, CircuitBreaker()).stream(
        Decision(Action.ANSWER, State()), GROUNDING, "en", question="Delivery?")))
    assert _is_fallback(reply)
    assert reply.generation and "failed" in str(reply.generation["error"])


def test_a_missing_model_file_is_a_fallback(tmp_path: Path) -> None:
    model = LlamaCppModel(tmp_path / "nowhere.gguf")
    reply = _final(list(_responder(model, CircuitBreaker()).stream(
        Decision(Action.ANSWER, State()), GROUNDING, "zh", question="多久能送到？")))
    assert "如果需要，我也可以为您转接人工客服" in reply.text
    assert reply.generation and "no model file" in str(reply.generation["error"])


def test_a_corrupt_model_file_is_a_fallback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 1000)
    model = LlamaCppModel(bad)
    reply = _final(list(_responder(model, CircuitBreaker()).stream(
        Decision(Action.ANSWER, State()), GROUNDING, "en", question="Delivery?")))
    assert _is_fallback(reply)
    assert reply.generation and "failed to load" in str(reply.generation["error"])


@pytest.mark.parametrize("digest", ["0" * 64])
def test_parts_that_do_not_add_up_are_refused(tmp_path: Path, digest: str) -> None:
    from kefu.llm.base import ModelUnavailable
    from kefu.llm.model_files import BUNDLED_NAME, bundled_model

    with pytest.raises(ModelUnavailable, match="do not add up"):
        bundled_model(tmp_path, expected_sha256=digest)
    assert not (tmp_path / "models" / BUNDLED_NAME).exists()  # nothing half-written left
    assert list((tmp_path / "models").iterdir()) == []
