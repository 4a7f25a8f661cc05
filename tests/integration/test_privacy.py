"""A customer's data: export, erasure (a canary planted in one customer is gone from every
table afterwards), retention, and the abuse limits (rate limits per address, API key and
customer; turns per conversation; the chat model's tokens per conversation)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text, update

from kefu.api.app import create_app
from kefu.apikeys import create_api_key
from kefu.privacy.crypto import KEYRING
from kefu.privacy.erasure import ERASED
from kefu.privacy.retention import Periods, apply_retention
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import Conversation, Event, PrivacyRequest, utcnow
from tests.integration.test_console import PASSWORD
from tests.shop import seed_small_shop

CANARY_PHONE = "+1 415 555 0199"
CANARY_TEXT = "my secret word is periwinkle-7731"


def _app(settings: Settings) -> Iterator[tuple[TestClient, Kefu]]:
    kefu = Kefu.from_settings(settings)
    with kefu.factory.begin() as session:
        seed_small_shop(session)
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield client, kefu
    kefu.close()


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Kefu]]:
    yield from _app(Settings(database_url=db_url, data_dir=tmp_path))


def _talk(client: TestClient, *texts: str) -> tuple[str, dict[str, str]]:
    res = client.post("/v1/conversations", json={"channel": "widget"})
    cid, auth = res.json()["id"], {"X-Conversation-Token": res.json()["token"]}
    for t in texts:
        assert client.post(f"/v1/conversations/{cid}/messages", json={"text": t},
                           headers=auth).status_code == 200
    return cid, auth


def _admin(client: TestClient, kefu: Kefu) -> dict[str, str]:
    kefu.console.accounts.create("root", "Root", PASSWORD, "admin")
    token = client.get("/console/api/login-token").json()["csrf"]
    res = client.post("/console/api/login", json={"username": "root", "password": PASSWORD},
                      headers={"X-CSRF-Token": token})
    return {"X-CSRF-Token": res.json()["csrf"]}


def _everything(engine: Engine) -> str:
    """Every value of every table, decrypted, as one string."""
    out = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                out.append(" ".join(KEYRING.decrypt(v) if isinstance(v, str) else str(v)
                                    for v in row))
    return "\n".join(out)


def test_sensitive_columns_are_encrypted_at_rest(app: tuple[TestClient, Kefu]) -> None:
    client, kefu = app
    _talk(client, f"{CANARY_TEXT}, my phone is {CANARY_PHONE}")
    with kefu.engine.connect() as conn:
        raw = " ".join(str(v) for row in conn.execute(text("SELECT * FROM messages"))
                       for v in row)
        addresses = conn.execute(text("SELECT address1 FROM addresses")).scalars().all()
        shipping = conn.execute(text("SELECT shipping_address FROM orders")).scalars().all()
    assert CANARY_TEXT not in raw and "periwinkle" not in raw and "enc1:" in raw
    assert all(a.startswith("enc1:") for a in addresses)
    assert all(s.startswith("enc1:") and "Main" not in s for s in shipping)
    assert CANARY_TEXT in _everything(kefu.engine)  # readable with the key


def test_a_tampered_value_is_refused_not_misread(app: tuple[TestClient, Kefu]) -> None:
    from kefu.privacy.crypto import DecryptionFailed

    client, kefu = app
    cid, auth = _talk(client, "hello there")
    with kefu.engine.begin() as conn:
        stored = conn.execute(text("SELECT text FROM messages WHERE seq = 1")).scalar_one()
        flipped = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
        conn.execute(text("UPDATE messages SET text = :t WHERE seq = 1"), {"t": flipped})
    with pytest.raises(DecryptionFailed):
        KEYRING.decrypt(flipped)
    assert client.get(f"/v1/conversations/{cid}", headers=auth).status_code == 500


def test_key_rotation_rewrites_every_value(sqlite_url: str, tmp_path: Path) -> None:
    import base64
    import os

    from kefu.privacy.rotate import rotate

    old_key = base64.b64encode(os.urandom(32)).decode()
    new_key = base64.b64encode(os.urandom(32)).decode()
    for client, kefu in _app(Settings(database_url=sqlite_url, data_dir=tmp_path,
                                      data_keys=old_key)):
        cid, auth = _talk(client, CANARY_TEXT)
        old_id = KEYRING.current
        Settings(database_url=sqlite_url, data_dir=tmp_path, data_keys=f"{new_key},{old_key}")
        assert KEYRING.current != old_id
        done = rotate(kefu.factory)
        assert done["messages"] == 2 and done["addresses"] == 3 and done["orders"] == 4
        with kefu.engine.connect() as conn:
            stored = conn.execute(text("SELECT text FROM messages")).scalars().all()
        assert all(s.startswith(f"enc1:{KEYRING.current}:") for s in stored)
        assert rotate(kefu.factory)["messages"] == 0  # nothing left to rewrite
        history = client.get(f"/v1/conversations/{cid}", headers=auth).json()
        assert history["messages"][0]["text"] == CANARY_TEXT


def test_erasure_leaves_no_trace_of_the_customer(app: tuple[TestClient, Kefu]) -> None:
    client, kefu = app
    with kefu.factory.begin() as session:
        session.execute(text("UPDATE customers SET phone = :p WHERE id = 'noah_brown'"),
                        {"p": CANARY_PHONE})
    mine, auth = _talk(client, "Where is my order KF00000002? My email is noah@example.com",
                       f"{CANARY_TEXT}, call me on {CANARY_PHONE}")
    client.post(f"/v1/conversations/{mine}/csat", json={"score": 2, "comment": CANARY_TEXT},
                headers=auth)
    # an unidentified conversation that carries the customer's email is theirs too
    loose, _ = _talk(client, "hello, noah@example.com here, any news?")
    other, _ = _talk(client, "Where is my order KF00000004? My email is ivan@example.com")
    headers = _admin(client, kefu)
    alice_cancels = client.post(f"/console/api/conversations/{mine}/take", headers=headers)
    assert alice_cancels.status_code == 200
    assert client.post(f"/console/api/conversations/{mine}/orders/KF00000002/cancel",
                       json={"reason": "no longer needed"}, headers=headers).status_code == 200

    exported = client.post("/console/api/privacy/export", json={"customer_id": "noah_brown"},
                           headers=headers)
    assert exported.status_code == 200
    data = exported.json()
    assert data["customer"]["email"] == "noah@example.com"
    assert {c["id"] for c in data["conversations"]} == {mine, loose}
    assert CANARY_TEXT in json.dumps(data) and data["order_actions"][0]["tool"] == \
        "cancel_pending_order"
    ivan = client.post("/console/api/privacy/export", json={"customer_id": "ivan_li"},
                       headers=headers).json()
    assert CANARY_TEXT not in json.dumps(ivan) and "noah" not in json.dumps(ivan).lower()

    assert "noah@example.com" in _everything(kefu.engine)
    erased = client.post("/console/api/privacy/erase", json={"customer_id": "noah_brown"},
                         headers=headers)
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["conversations"] == 2 and report["audit_entries"] == 1
    dump = _everything(kefu.engine)
    for canary in (CANARY_TEXT, CANARY_PHONE, "noah@example.com", "Noah", "Brown",
                   ):
        assert canary not in dump, canary
    assert "noah_brown" in dump  # the id stays on orders, for the books
    history = client.get(f"/v1/conversations/{mine}", headers=auth)
    assert history.status_code == 401  # the old token opens nothing
    with kefu.factory() as session:
        kept = session.get(Conversation, other)
        assert kept is not None and kept.customer_id == "ivan_li"
        record = session.scalar(select(PrivacyRequest).where(PrivacyRequest.kind == "erase"))
        assert record is not None and "noah" not in record.subject
        texts = session.execute(text("SELECT text FROM messages WHERE conversation_id = :c"),
                                {"c": mine}).scalars().all()
    assert {KEYRING.decrypt(t) for t in texts} == {ERASED}
    again = client.post("/console/api/privacy/export", json={"customer_id": "noah_brown"},
                        headers=headers).json()
    assert again["conversations"] == [] and again["addresses"] == []


def test_the_command_line_exports_and_erases(tmp_path: Path) -> None:
    from tests.processes import must_run_kefu, run_kefu

    must_run_kefu("demo", "--no-history", data_dir=tmp_path)
    missing = run_kefu("privacy", "export", "--customer", "nobody", data_dir=tmp_path)
    assert missing.returncode == 2 and "no customer" in missing.stderr
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'kefu.sqlite3'}")
    with engine.connect() as conn:
        cid, email = conn.execute(text("SELECT id, email FROM customers LIMIT 1")).one()
    engine.dispose()
    data = json.loads(must_run_kefu("privacy", "export", "--customer", cid, data_dir=tmp_path))
    assert data["customer"]["email"] == email and data["orders"]
    report = json.loads(must_run_kefu("privacy", "erase", "--customer", cid, "--yes",
                                      data_dir=tmp_path))
    assert report["orders"] == len(data["orders"])
    after = json.loads(must_run_kefu("privacy", "export", "--customer", cid, data_dir=tmp_path))
    assert after["customer"]["email"].endswith("@erased.invalid")


def test_retention_deletes_what_is_past_its_period(app: tuple[TestClient, Kefu]) -> None:
    client, kefu = app
    old, _ = _talk(client, "hello")
    new, _ = _talk(client, "hello")
    long_ago = utcnow() - timedelta(days=400)
    with kefu.factory.begin() as session:
        session.execute(update(Conversation).where(Conversation.id == old)
                        .values(updated_at=long_ago))
        session.execute(update(Event).where(Event.conversation_id == old)
                        .values(created_at=long_ago))
    report = apply_retention(kefu.factory, Periods(365, 180, 7 * 365))
    assert report.conversations == 1 and report.events >= 3
    with kefu.factory() as session:
        assert session.get(Conversation, old) is None
        assert session.get(Conversation, new) is not None
        assert session.scalar(select(PrivacyRequest.kind)) == "retention"
    assert apply_retention(kefu.factory, Periods(365, 180, 7 * 365)).conversations == 0


def test_rate_limits_per_address_and_api_key(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path, rate_per_ip=5,
                        rate_per_key=8)
    for client, kefu in _app(settings):
        codes = [client.post("/v1/conversations", json={}).status_code for _ in range(7)]
        assert codes == [201] * 5 + [429] * 2
        refused = client.post("/v1/conversations", json={})
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert client.get("/healthz").status_code == 200  # reads are not counted
        key = create_api_key(kefu.factory, settings.secret_key, "shop-backend")
        bearer = {"Authorization": f"Bearer {key}"}
        keyed = [client.post("/v1/conversations", json={}, headers=bearer).status_code
                 for _ in range(9)]
        assert keyed == [201] * 8 + [429]


def test_caps_per_conversation_and_per_customer(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path, max_turns=3,
                        rate_per_customer=4, rate_per_ip=0)
    for client, _ in _app(settings):
        cid, auth = _talk(client, "hi", "how long does shipping take?", "thanks")
        capped = client.post(f"/v1/conversations/{cid}/messages", json={"text": "one more"},
                             headers=auth)
        assert capped.status_code == 429 and capped.json()["error"]["code"] == "limit_reached"
        first, first_auth = _talk(client, "Where is my order KF00000001? My email is "
                                  "noah@example.com", "and KF00000002?")
        second, second_auth = _talk(client, "My email is noah@example.com")
        codes = [client.post(f"/v1/conversations/{c}/messages", json={"text": "status?"},
                             headers=h).status_code
                 for c, h in ((first, first_auth), (second, second_auth), (first, first_auth))]
        assert codes[-1] == 429  # the customer's fifth message in a minute, over two chats


def test_the_chat_model_budget_of_a_conversation(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path, max_llm_tokens=100)
    for client, kefu in _app(settings):
        cid, _ = _talk(client, "hello")
        with kefu.factory.begin() as session:
            conv = session.get(Conversation, cid)
            assert conv is not None
            conv.state = {**conv.state, "llm_tokens": 150}
        turn = kefu.conversations.start(cid, "How much is express shipping?")
        assert turn.prepared.strategy is not None  # type: ignore[union-attr]
        assert turn.prepared.strategy.llm is False  # type: ignore[union-attr]


def test_a_turn_in_flight_during_erasure_cannot_write_the_data_back(
        app: tuple[TestClient, Kefu]) -> None:
    from kefu.errors import Conflict
    from kefu.privacy.erasure import erase_customer

    client, kefu = app
    cid, _ = _talk(client, "Where is my order KF00000001? My email is noah@example.com")
    pending = kefu.conversations.start(cid, "I love blue and my phone is 415 555 0199")
    erase_customer(kefu.factory, kefu.settings.secret_key, "noah_brown", "test")
    with pytest.raises(Conflict):
        for _ in pending.events():
            pass
    assert "415 555 0199" not in _everything(kefu.engine)
    with kefu.factory() as session:
        assert session.get(Conversation, cid).customer_id is None  # type: ignore[union-attr]
