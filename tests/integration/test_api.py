"""The HTTP API through the real app: the /v1 routes, streaming, health and every bad input."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.api.app import create_app
from kefu.apikeys import create_api_key
from kefu.conversations import Conversations
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade
from tests.shop import MeetingRetriever, seed_small_shop


def _client(settings: Settings, seed: bool = True) -> Iterator[tuple[TestClient, Kefu]]:
    kefu = Kefu.from_settings(settings)
    if seed:
        with kefu.factory.begin() as session:
            seed_small_shop(session)
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield client, kefu
    kefu.close()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """On SQLite and on PostgreSQL (db_url is migrated and empty)."""
    return Settings(database_url=db_url, data_dir=tmp_path, max_message_chars=500)


@pytest.fixture
def api(settings: Settings) -> Iterator[tuple[TestClient, Kefu]]:
    yield from _client(settings)


@pytest.fixture
def client(api: tuple[TestClient, Kefu]) -> TestClient:
    return api[0]


def open_conversation(client: TestClient, **body: str) -> tuple[str, dict[str, str]]:
    res = client.post("/v1/conversations", json=body or {"channel": "widget"})
    assert res.status_code == 201, res.text
    data = res.json()
    return data["id"], {"X-Conversation-Token": data["token"]}


def test_a_conversation_from_start_to_order_status(client: TestClient) -> None:
    cid, auth = open_conversation(client)
    res = client.post(f"/v1/conversations/{cid}/messages", headers=auth,
                      json={"text": "Where is my order KF00000001? My email is noah@example.com"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["message"]["role"] == "user" and body["message"]["intent"] == "track_order"
    assert "KF00000001 is shipped" in body["reply"]["text"]
    assert body["reply"]["language"] == "en"
    history = client.get(f"/v1/conversations/{cid}", headers=auth).json()
    assert [m["seq"] for m in history["messages"]] == [1, 2]
    assert "token" not in history or history["token"] is None


def test_streamed_reply_as_server_sent_events(client: TestClient) -> None:
    cid, auth = open_conversation(client, language="zh")
    with client.stream("POST", f"/v1/conversations/{cid}/stream", headers=auth,
                       json={"text": "我叫王芳，邮编200031，订单到哪了"}) as res:
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/event-stream")
        raw = "".join(res.iter_text())
    events = [
        (f.split("\n")[0].removeprefix("event: "), json.loads(f.split("\n")[1][6:]))
        for f in raw.strip().split("\n\n")
    ]
    kinds = [k for k, _ in events]
    assert kinds[0] == "message" and kinds[-1] == "done" and kinds.count("delta") >= 2
    streamed = "".join(d["text"] for k, d in events if k == "delta")
    assert streamed == events[-1][1]["text"]
    assert "KF00000003" in streamed and "已发货" in streamed


def test_openapi_health_and_readiness(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/conversations", "/v1/conversations/{conversation_id}",
                 "/v1/conversations/{conversation_id}/messages",
                 "/v1/conversations/{conversation_id}/stream"):
        assert path in paths
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ok"


def test_storefront_and_widget_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "widget.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text and "<style>" not in page.text
    assert client.get("/static/widget.js").status_code == 200
    products = client.get("/v1/catalog/products?limit=5").json()["products"]
    assert products[0]["name"] == "Mechanical Keyboard" and products[0]["name_zh"] == "机械键盘"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 400, "invalid_input"),
        ({"text": " \n\t "}, 400, "invalid_input"),
        ({"text": "x" * 501}, 413, "message_too_long"),
        ({}, 422, "invalid_input"),
        ({"text": 5}, 422, "invalid_input"),
        ({"text": "hi", "extra": 1}, 422, "invalid_input"),
    ],
)
def test_bad_messages_get_clear_errors_and_write_nothing(
    client: TestClient, body: dict[str, object], status: int, code: str
) -> None:
    cid, auth = open_conversation(client)
    res = client.post(f"/v1/conversations/{cid}/messages", headers=auth, json=body)
    assert res.status_code == status
    assert res.json()["error"]["code"] == code
    assert client.get(f"/v1/conversations/{cid}", headers=auth).json()["messages"] == []


def test_malformed_json_invalid_utf8_and_oversized_bodies(client: TestClient) -> None:
    cid, auth = open_conversation(client)
    url = f"/v1/conversations/{cid}/messages"
    headers = {**auth, "Content-Type": "application/json"}
    res = client.post(url, headers=headers, content=b'{"text": "hi"')
    assert res.status_code == 400 and res.json()["error"]["code"] == "malformed_json"
    res = client.post(url, headers=headers, content=b'{"text": "\xff\xfe"}')
    assert res.status_code == 400 and "error" in res.json()
    res = client.post(url, headers=headers, content=b"x" * 300_000)
    assert res.status_code == 413 and res.json()["error"]["code"] == "too_large"
    assert "Traceback" not in res.text
    chunked = client.post(url, headers=headers, content=iter([b"x" * 100_000] * 4))
    assert chunked.status_code == 413 and chunked.json()["error"]["code"] == "too_large"


def test_unknown_conversation_and_wrong_tokens(client: TestClient) -> None:
    res = client.get("/v1/conversations/nope", headers={"X-Conversation-Token": "x"})
    assert res.status_code == 404 and res.json()["error"]["code"] == "not_found"
    cid, _ = open_conversation(client)
    assert client.get(f"/v1/conversations/{cid}").status_code == 401
    res = client.post(f"/v1/conversations/{cid}/messages", json={"text": "hi"},
                      headers={"X-Conversation-Token": "stolen"})
    assert res.status_code == 401 and res.json()["error"]["code"] == "unauthorized"


def test_api_keys_for_server_clients(api: tuple[TestClient, Kefu]) -> None:
    client, kefu = api
    key = create_api_key(kefu.factory, kefu.settings.secret_key, "crm")
    cid, _ = open_conversation(client)
    res = client.post(f"/v1/conversations/{cid}/messages", json={"text": "hello"},
                      headers={"Authorization": f"Bearer {key}"})
    assert res.status_code == 200
    assert client.get(f"/v1/conversations/{cid}", headers={"X-API-Key": key}).status_code == 200
    res = client.get(f"/v1/conversations/{cid}", headers={"X-API-Key": "kefu_wrong"})
    assert res.status_code == 401


def test_private_mode_needs_an_api_key(settings: Settings) -> None:
    for client, kefu in _client(settings.model_copy(update={"public_widget": False})):
        assert client.post("/v1/conversations", json={}).status_code == 401
        key = create_api_key(kefu.factory, kefu.settings.secret_key, "shop-backend")
        assert client.post("/v1/conversations", json={},
                           headers={"X-API-Key": key}).status_code == 201


def test_database_down_is_503_with_a_message(tmp_path: Path) -> None:
    down = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/test",
                    data_dir=tmp_path, db_busy_timeout_s=1)
    for client, _ in _client(down, seed=False):
        res = client.post("/v1/conversations", json={})
        assert res.status_code == 503
        assert res.json()["error"]["code"] == "storage_unavailable"
        assert res.headers["Retry-After"] == "1"
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200


def test_a_locked_database_is_503_and_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.sqlite3'}"
    upgrade(url)
    locked = Settings(database_url=url, data_dir=tmp_path, db_busy_timeout_s=0.2)
    for client, _ in _client(locked):
        cid, auth = open_conversation(client)
        holder = sqlite3.connect(tmp_path / "locked.sqlite3", timeout=0.1)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            res = client.post(f"/v1/conversations/{cid}/messages", headers=auth,
                              json={"text": "hello"})
            assert res.status_code == 503
            assert res.json()["error"]["code"] == "storage_unavailable"
        finally:
            holder.rollback()
            holder.close()
        assert client.get(f"/v1/conversations/{cid}", headers=auth).json()["messages"] == []
        res = client.post(f"/v1/conversations/{cid}/messages", headers=auth, json={"text": "hi"})
        assert res.status_code == 200  # once the lock is gone, the same message goes through


def test_missing_schema_is_not_ready(tmp_path: Path) -> None:
    bare = Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}", data_dir=tmp_path)
    for client, _ in _client(bare, seed=False):
        res = client.get("/readyz")
        assert res.status_code == 503 and "kefu db upgrade" in res.json()["error"]["message"]


def test_customer_text_is_kept_as_written(client: TestClient) -> None:
    cid, auth = open_conversation(client)
    client.post(f"/v1/conversations/{cid}/messages", headers=auth, json={"text": " 到哪了？ＫＦ "})
    stored = client.get(f"/v1/conversations/{cid}", headers=auth).json()["messages"][0]
    assert stored["text"] == "到哪了？ＫＦ"


def test_cors_for_shops_that_embed_the_widget(settings: Settings) -> None:
    shop = "https://shop.example"
    for client, _ in _client(settings.model_copy(update={"cors_origins": [shop]})):
        res = client.options("/v1/conversations", headers={
            "Origin": shop, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-conversation-token"})
        assert res.status_code == 200
        assert res.headers["access-control-allow-origin"] == shop
        res = client.options("/v1/conversations", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in res.headers


def test_two_messages_at_once_one_gets_409_and_retries(api: tuple[TestClient, Kefu]) -> None:
    client, kefu = api
    pipeline = replace(kefu.pipeline, retriever=MeetingRetriever(kefu.knowledge))
    kefu.conversations = Conversations(kefu.factory, pipeline, kefu.settings.secret_key)
    cid, auth = open_conversation(client)
    url = f"/v1/conversations/{cid}/messages"
    questions = ["How long does delivery take?", "Is shipping free?"]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(
            lambda q: client.post(url, headers=auth, json={"text": q}), questions))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409]
    refused = next(r for r in results if r.status_code == 409)
    assert refused.json()["error"]["code"] == "conflict"
    assert refused.headers["Retry-After"] == "1"
    assert [m["seq"] for m in client.get(f"/v1/conversations/{cid}",
                                         headers=auth).json()["messages"]] == [1, 2]
