"""Whole turns answered by the real chat model: streamed, grounded and cited, on the demo shop;
the same product switched to an OpenAI-compatible server by settings alone; a customer who
leaves mid-answer still leaves a whole conversation behind; and with the model gone, a
template answer with an offer of a human, never a 5xx."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kefu.demo import seed_demo
from kefu.llm.prompts import load
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import Event
from tests.llm.conftest import LlmServer
from tests.processes import free_port, kefu_serve, must_run_kefu

RETURNS_EN = "How long do I have to return an item?"


def _product(tmp_path: Path, **settings: object) -> Kefu:
    kefu = Kefu.from_settings(Settings(data_dir=tmp_path, **settings))  # type: ignore[arg-type]
    from kefu.storage.db import upgrade

    upgrade(kefu.settings.resolved_database_url)
    with kefu.factory.begin() as session:
        seed_demo(session)
    kefu.warm()
    return kefu


@pytest.fixture
def embedded_kefu(tmp_path: Path, gguf: Path) -> Iterator[Kefu]:
    kefu = _product(tmp_path, llm="embedded", llm_model_path=gguf)
    yield kefu
    kefu.close()


def _generation(kefu: Kefu, conv_id: str) -> list[dict[str, object]]:
    with kefu.factory() as session:
        return [e.payload for e in session.scalars(
            select(Event).where(Event.conversation_id == conv_id, Event.kind == "generation"))]


def test_the_default_is_the_embedded_model() -> None:
    assert Settings.model_fields["llm"].default == "embedded"


def test_a_knowledge_turn_is_generated_streamed_and_cited(embedded_kefu: Kefu) -> None:
    conv = embedded_kefu.conversations.create("api", "en")
    pending = embedded_kefu.conversations.start(conv.id, RETURNS_EN)
    events = list(pending.events())
    names = [name for name, _ in events]
    assert names[0] == "message" and names[-1] == "done"
    assert names.count("delta") >= 2
    reply = pending.outcome.reply if pending.outcome else None
    assert reply is not None and reply.citations and "Source:" in reply.text
    generation = _generation(embedded_kefu, conv.id)
    assert generation and generation[0]["source"] == "llm", generation
    assert generation[0]["prompt"] == load("answer", "en").version
    # an order question is not generated: its template lays out the facts
    turn = embedded_kefu.conversations.post(conv.id, "hello")
    assert turn.reply.text.startswith("Hello")


def test_a_chinese_question_gets_a_chinese_answer(embedded_kefu: Kefu) -> None:
    conv = embedded_kefu.conversations.create("api", "zh")
    turn = embedded_kefu.conversations.post(conv.id, "退货的期限是多久？")
    assert any("\u4e00" <= c <= "\u9fff" for c in turn.reply.text) and turn.reply.citations
    generation = _generation(embedded_kefu, conv.id)[0]
    assert generation["prompt"] == load("answer", "zh").version


def test_settings_switch_to_an_openai_compatible_server(tmp_path: Path,
                                                       llm_server: LlmServer) -> None:
    kefu = _product(tmp_path, llm="openai", llm_base_url=llm_server.base_url,
                    llm_model="qwen-0.5b", llm_first_token_timeout_s=60, llm_timeout_s=120)
    try:
        conv = kefu.conversations.create("api", "en")
        turn = kefu.conversations.post(conv.id, RETURNS_EN)
        assert turn.reply.citations
        generation = _generation(kefu, conv.id)[0]
        assert generation["model"] == "qwen-0.5b" and generation["source"] == "llm", generation
    finally:
        kefu.close()


def test_with_the_model_gone_the_api_answers_with_a_template_and_a_human(
        tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kefu.api.app import create_app

    settings = Settings(data_dir=tmp_path, llm="openai", llm_retries=0,
                        llm_base_url=f"http://127.0.0.1:{free_port()}/v1")
    kefu = _product(tmp_path, **{k: getattr(settings, k) for k in
                                 ("llm", "llm_retries", "llm_base_url")})
    with TestClient(create_app(kefu=kefu)) as client:
        res = client.post("/v1/conversations", json={"language": "en"})
        cid, auth = res.json()["id"], {"X-Conversation-Token": res.json()["token"]}
        res = client.post(f"/v1/conversations/{cid}/messages", headers=auth,
                          json={"text": RETURNS_EN})
        assert res.status_code == 200
        assert "member of our team" in res.json()["reply"]["text"]
        assert res.json()["reply"]["citations"]
    kefu.close()


def test_a_customer_leaving_mid_answer_stops_it_and_keeps_the_history(
        tmp_path: Path, gguf: Path) -> None:
    must_run_kefu("db", "upgrade", data_dir=tmp_path)
    must_run_kefu("demo", "--if-empty", data_dir=tmp_path)
    with kefu_serve(tmp_path, KEFU_LLM="embedded", KEFU_LLM_MODEL_PATH=str(gguf),
                    KEFU_LLM_MAX_TOKENS="200") as server, \
            httpx.Client(base_url=server.base_url, timeout=120, trust_env=False) as http:
        res = http.post("/v1/conversations", json={"language": "en"})
        cid, auth = res.json()["id"], {"X-Conversation-Token": res.json()["token"]}
        frames = []
        with http.stream("POST", f"/v1/conversations/{cid}/stream", headers=auth,
                         json={"text": "Explain your whole return policy in detail."}) as res:
            assert res.status_code == 200
            for line in res.iter_lines():
                if line.startswith("event: "):
                    frames.append(line[7:])
                if frames.count("delta") >= 1:
                    break  # the customer closes the widget
        # the turn is stored (what was shown, or the template answer), and the model is free
        history: list[dict[str, object]] = []
        for _ in range(120):
            history = http.get(f"/v1/conversations/{cid}", headers=auth).json()["messages"]
            if len(history) == 2:
                break
            time.sleep(0.5)
        assert [m["role"] for m in history] == ["user", "assistant"]
        res = http.post(f"/v1/conversations/{cid}/messages", headers=auth,
                        json={"text": RETURNS_EN})
        assert res.status_code == 200 and res.json()["reply"]["citations"]
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def test_sse_frames_from_the_real_model(embedded_kefu: Kefu) -> None:
    from fastapi.testclient import TestClient

    from kefu.api.app import create_app

    with TestClient(create_app(kefu=embedded_kefu)) as client:
        res = client.post("/v1/conversations", json={"language": "en"})
        cid, auth = res.json()["id"], {"X-Conversation-Token": res.json()["token"]}
        with client.stream("POST", f"/v1/conversations/{cid}/stream", headers=auth,
                           json={"text": RETURNS_EN}) as res:
            raw = "".join(res.iter_text())
    frames = [(f.split("\n")[0][7:], json.loads(f.split("\n")[1][6:]))
              for f in raw.strip().split("\n\n")]
    names = [n for n, _ in frames]
    assert names[0] == "message" and names[-1] == "done" and names.count("delta") >= 2
    shown = ""
    for name, data in frames:
        shown = "" if name == "reset" else shown + data["text"] if name == "delta" else shown
    assert shown == frames[-1][1]["text"]  # what streamed (after any reset) is what was stored
