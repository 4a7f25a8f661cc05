"""One conformance suite for every chat model: the embedded llama.cpp model and
llama-cpp-python's OpenAI-compatible server, both running the bundled Qwen GGUF."""

from __future__ import annotations

import json
import re
import threading

from kefu.llm.base import ChatModel, complete
from kefu.llm.extract import SCHEMA, extract
from kefu.llm.responder import LlmResponder
from kefu.llm.verify import verify
from kefu.nlu.taxonomy import INTENTS
from kefu.respond.base import Delta, Final
from kefu.respond.templates import TemplateResponder
from kefu.types import Action, Decision, Grounding, Passage, State

SAY = [{"role": "system", "content": "You are a helpful assistant."},
       {"role": "user", "content": "Say exactly: Hello there, friend. Nothing else."}]


def test_streams_in_pieces(chat_model: ChatModel) -> None:
    pieces = list(chat_model.stream(SAY, max_tokens=12))
    assert len(pieces) >= 2  # streamed, not one block
    assert "hello" in "".join(pieces).lower()


def test_stops_at_max_tokens(chat_model: ChatModel) -> None:
    long = [{"role": "user", "content": "Count from 1 to 100, separated by commas."}]
    pieces = list(chat_model.stream(long, max_tokens=6))
    assert 1 <= len(pieces) <= 6


def test_cancel_stops_the_stream(chat_model: ChatModel) -> None:
    cancel = threading.Event()
    long = [{"role": "user", "content": "Count from 1 to 100, separated by commas."}]
    got = []
    for piece in chat_model.stream(long, max_tokens=200, cancel=cancel):
        got.append(piece)
        if len(got) == 3:
            cancel.set()
    assert 3 <= len(got) <= 5


def test_answers_chinese_in_chinese(chat_model: ChatModel) -> None:
    answer = complete(chat_model, [
        {"role": "system", "content": "你是网店客服。用简体中文回答，一句话。"},
        {"role": "user", "content": "你们几点上班？"}], max_tokens=24)
    assert re.search(r"[\u4e00-\u9fff]", answer)


def test_json_output_follows_the_schema(chat_model: ChatModel) -> None:
    raw = complete(chat_model, [
        {"role": "system", "content": "Reply with JSON: intent, order_id, email, product."},
        {"role": "user", "content": "Where is my order KF20240001?"}],
        max_tokens=64, json_schema=SCHEMA)
    data = json.loads(raw)
    assert data["intent"] in INTENTS  # the grammar allows nothing else
    found = extract(chat_model, "Where is my order KF20240001? It has not arrived.")
    assert found.intent in INTENTS


def test_grounded_answer_is_verified_and_cited(chat_model: ChatModel) -> None:
    passage = Passage("en/returns.md", "Returns", "Return window",
                      "You can return any item within 30 days of delivery for a full refund.",
                      1.0, "en", "policy")
    responder = LlmResponder(chat_model, TemplateResponder("Shop"), "Demo Shop", max_tokens=60)
    events = list(responder.stream(
        Decision(Action.ANSWER, State()), Grounding(passages=(passage,), answer=passage.text),
        "en", question="How many days do I have to send something back?"))
    final = events[-1]
    assert isinstance(final, Final)
    reply = final.reply
    assert reply.generation is not None and reply.generation["source"] == "llm", reply.generation
    assert sum(isinstance(e, Delta) for e in events) >= 2
    assert "30" in reply.text and reply.citations == ("en/returns.md#Return window",)
    body = reply.text.split("\n\nSource:")[0]
    assert verify(body, [passage.text]).ok
