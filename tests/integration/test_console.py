"""The staff console through the real app: handoff, takeover, live delivery, agent replies,
order actions under the agent's name, assist, feedback, analytics, exports, experiments,
gaps and FAQ entries; on SQLite and PostgreSQL where the database matters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kefu.api.app import create_app
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import AuditEntry, Conversation, Message
from kefu.types import Strategy
from tests.shop import seed_small_shop

PASSWORD = "correct horse battery"


class Desk:
    """The app, a customer's conversation and signed-in staff."""

    def __init__(self, client: TestClient, kefu: Kefu) -> None:
        self.client = client
        self.kefu = kefu

    def open(self, client_ref: str | None = None) -> tuple[str, dict[str, str]]:
        body = {"channel": "widget", **({"client_ref": client_ref} if client_ref else {})}
        res = self.client.post("/v1/conversations", json=body)
        assert res.status_code == 201, res.text
        return res.json()["id"], {"X-Conversation-Token": res.json()["token"]}

    def say(self, cid: str, auth: dict[str, str], text: str) -> dict:
        res = self.client.post(f"/v1/conversations/{cid}/messages", json={"text": text},
                               headers=auth)
        assert res.status_code == 200, res.text
        return res.json()

    def staff(self, username: str, role: str = "agent") -> StaffClient:
        self.kefu.console.accounts.create(username, username.title(), PASSWORD, role)
        client = TestClient(self.client.app)
        client.__enter__()
        token = client.get("/console/api/login-token").json()["csrf"]
        res = client.post("/console/api/login", json={"username": username, "password": PASSWORD},
                          headers={"X-CSRF-Token": token})
        assert res.status_code == 200, res.text
        return StaffClient(client, res.json()["csrf"])


class StaffClient:
    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, path: str, **kw: object):
        return self.client.get("/console/api" + path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, body: dict | None = None):
        return self.client.post("/console/api" + path, json=body or {},
                                headers={"X-CSRF-Token": self.csrf})


def _desk(settings: Settings) -> Iterator[Desk]:
    kefu = Kefu.from_settings(settings)
    with kefu.factory.begin() as session:
        seed_small_shop(session)
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield Desk(client, kefu)
    kefu.close()


@pytest.fixture
def desk(db_url: str, tmp_path: Path) -> Iterator[Desk]:
    yield from _desk(Settings(database_url=db_url, data_dir=tmp_path))


@pytest.fixture
def lite(sqlite_url: str, tmp_path: Path) -> Iterator[Desk]:
    yield from _desk(Settings(database_url=sqlite_url, data_dir=tmp_path))


def _handed_off(desk: Desk) -> tuple[str, dict[str, str]]:
    cid, auth = desk.open()
    desk.say(cid, auth, "Where is my order KF00000002? My email is noah@example.com")
    turn = desk.say(cid, auth, "I want to talk to a human agent please")
    assert turn["status"] == "handoff"
    return cid, auth


def _sse(client: TestClient, path: str, headers: dict[str, str], until: str) -> list[tuple]:
    """The events of a stream up to the first event named ``until``."""
    events, name = [], None
    with client.stream("GET", path, headers=headers) as res:
        assert res.status_code == 200
        for line in res.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
                if name == until:
                    break
    return events


def test_an_agent_takes_over_replies_acts_and_hands_back(desk: Desk) -> None:
    cid, auth = _handed_off(desk)
    alice = desk.staff("alice")
    queue = alice.get("/inbox").json()["conversations"]
    mine = next(c for c in queue if c["id"] == cid)
    assert mine["status"] == "handoff" and mine["customer"]["name"] == "Noah Brown"
    assert mine["waiting_since"] and mine["intent"]

    res = alice.post(f"/conversations/{cid}/take")
    assert res.status_code == 200 and res.json()["status"] == "agent"
    assert res.json()["customer"]["orders"][0]["id"] == "KF00000001"
    bob = desk.staff("bob")
    refused = bob.post(f"/conversations/{cid}/take")
    assert refused.status_code == 409 and "Alice" in refused.json()["error"]["message"]
    assert bob.post(f"/conversations/{cid}/messages", {"text": "hi"}).status_code == 409

    held = desk.say(cid, auth, "Hello? Is anyone there? I am getting annoyed")
    assert held["reply"] is None and held["status"] == "agent"
    seen = alice.get(f"/conversations/{cid}").json()["messages"][-1]
    assert seen["role"] == "user" and seen["intent"] and seen["sentiment"] is not None

    sent = alice.post(f"/conversations/{cid}/messages", {"text": "Hi Noah, Alice here."})
    assert sent.status_code == 201
    history = desk.client.get(f"/v1/conversations/{cid}", headers=auth).json()["messages"]
    assert history[-1]["role"] == "agent" and history[-1]["agent_name"] == "Alice"
    events = _sse(desk.client, f"/v1/conversations/{cid}/events?after={sent.json()['seq'] - 1}",
                  auth, until="status")
    assert events[0][0] == "message" and events[0][1]["agent_name"] == "Alice"
    assert events[0][1]["text"] == "Hi Noah, Alice here."
    assert events[-1][1] == {"status": "agent", "agent_name": "Alice"}

    done = alice.post(f"/conversations/{cid}/orders/KF00000002/cancel",
                      {"reason": "no longer needed"})
    assert done.status_code == 200 and done.json()["order"]["status"] == "cancelled"
    bad = alice.post(f"/conversations/{cid}/orders/KF00000001/cancel",
                     {"reason": "no longer needed"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "refused"
    stranger = alice.post(f"/conversations/{cid}/orders/KF00000003/cancel",
                          {"reason": "no longer needed"})
    assert stranger.status_code == 422  # another customer's order
    with desk.kefu.factory() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.conversation_id == cid)).all()
    assert [a.actor for a in audit] == ["agent:alice"]

    back = alice.post(f"/conversations/{cid}/release")
    assert back.status_code == 200 and back.json()["status"] == "open"
    answered = desk.say(cid, auth, "thanks!")
    assert answered["reply"] is not None and answered["status"] == "open"


def test_the_inbox_stream_shows_a_new_handoff(lite: Desk) -> None:
    alice = lite.staff("alice")
    first = _sse(alice.client, "/console/api/inbox/stream", {}, until="inbox")
    assert first[0][1] == {"conversations": []}
    cid, _ = _handed_off(lite)
    again = _sse(alice.client, "/console/api/inbox/stream", {}, until="inbox")
    assert [c["id"] for c in again[0][1]["conversations"]] == [cid]
    shown = _sse(alice.client, f"/console/api/conversations/{cid}/stream?after=0", {},
                 until="status")
    assert [e[1]["seq"] for e in shown if e[0] == "message"] == [1, 2, 3, 4]
    assert shown[-1] == ("status", {"status": "handoff", "assigned_to": None,
                                    "assigned_name": None})


def test_assist_and_knowledge_search(lite: Desk) -> None:
    cid, auth = lite.open()
    lite.say(cid, auth, "How much does express shipping cost?")
    alice = lite.staff("alice")
    assist = alice.get(f"/conversations/{cid}/assist").json()
    assert "express shipping" in assist["summary"]["text"]
    assert any("$12" in s["text"] for s in assist["suggestions"])
    found = alice.get("/knowledge", params={"q": "free shipping"}).json()["passages"]
    assert found and found[0]["doc_id"].endswith("shipping.md")


def test_assist_keeps_the_customers_name_from_a_remote_model(lite: Desk) -> None:
    from kefu.llm.redacting import RedactingModel

    class Remote:  # stands for a model server outside the shop: records what it is sent
        name = "remote"

        def __init__(self) -> None:
            self.sent: list[str] = []

        def stream(self, messages: Any, **_: Any) -> Iterator[str]:
            self.sent.append(" ".join(m["content"] for m in messages))
            yield "{}"

        def close(self) -> None:
            pass

    remote = Remote()
    lite.kefu.console.inbox._model = lambda: RedactingModel(remote)
    cid, auth = lite.open()
    lite.say(cid, auth, "Noah here. Where is my order KF00000002? My email is noah@example.com")
    lite.say(cid, auth, "Thanks Brown family says hi")
    lite.staff("alice").get(f"/conversations/{cid}/assist")
    assert remote.sent and all("Noah" not in s and "Brown" not in s for s in remote.sent)
    assert any("[PERSON_1]" in s for s in remote.sent)


def test_feedback_csat_corrections_and_the_dashboard(desk: Desk) -> None:
    cid, auth = desk.open()
    turn = desk.say(cid, auth, "How much does express shipping cost?")
    seq = turn["reply"]["seq"]
    rate = desk.client.post(f"/v1/conversations/{cid}/messages/{seq}/feedback",
                            json={"rating": "up"}, headers=auth)
    assert rate.status_code == 200
    own = desk.client.post(f"/v1/conversations/{cid}/messages/{seq - 1}/feedback",
                           json={"rating": "down"}, headers=auth)
    assert own.status_code == 400
    other, other_auth = desk.open()
    assert desk.client.post(f"/v1/conversations/{cid}/csat", json={"score": 5},
                            headers=other_auth).status_code == 401
    assert desk.client.post(f"/v1/conversations/{cid}/csat", json={"score": 9},
                            headers=auth).status_code == 422
    assert desk.client.post(f"/v1/conversations/{cid}/csat", json={"score": 5, "comment": "ok"},
                            headers=auth).status_code == 200
    desk.say(other, other_auth, "Do you sell gift wrapping for birthday presents?")
    _handed_off(desk)

    alice = desk.staff("alice")
    fixed = alice.post(f"/conversations/{cid}/messages/{seq - 1}/intent",
                       {"intent": "delivery_options"})
    assert fixed.json()["corrected_intent"] == "delivery_options"
    assert alice.post(f"/conversations/{cid}/messages/{seq}/intent",
                      {"intent": "delivery_options"}).status_code == 400
    detail = alice.get(f"/conversations/{cid}").json()
    assert detail["csat"] == {"score": 5, "comment": "ok"}
    assert [m["feedback"] for m in detail["messages"]] == [None, "up"]

    figures = alice.get("/analytics").json()
    totals = figures["totals"]
    assert totals["conversations"] == 3
    assert totals["handed_off"] == 1 and totals["resolved"] + totals["abandoned"] == 2
    assert totals["containment"] == pytest.approx(2 / 3, abs=1e-3)
    assert (totals["csat_avg"], totals["csat_count"], totals["thumbs_up"]) == (5.0, 1, 1)
    assert {"intent": "delivery_options", "count": 1} in figures["intents"]
    assert figures["latency"]["turn_ms"]["n"] == 4 and figures["latency"]["turn_ms"]["p50"] > 0
    today = datetime.now(UTC).date().isoformat()
    assert figures["per_day"][-1]["day"] == today and figures["per_day"][-1]["conversations"] == 3
    assert figures["sentiment"][-1]["messages"] == 4

    empty = alice.get("/analytics", params={"from": "2020-01-01", "to": "2020-01-31"}).json()
    assert empty["totals"]["conversations"] == 0 and len(empty["per_day"]) == 31
    assert alice.get("/analytics", params={"from": "2020-02-01", "to": "2020-01-01"}
                     ).status_code == 400
    assert alice.get("/analytics/export.csv", params={"kind": "messages"}).status_code == 403
    admin = desk.staff("root", "admin")
    exported = admin.get("/analytics/export.csv", params={"kind": "conversations"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(r["outcome"] for r in rows).count("handed_off") == 1 and len(rows) == 3
    lines = list(csv.DictReader(io.StringIO(
        admin.get("/analytics/export.csv", params={"kind": "messages"}).text)))
    assert any(r["corrected_intent"] == "delivery_options" for r in lines)


def test_exports_cannot_smuggle_formulas_into_a_spreadsheet(lite: Desk) -> None:
    cid, auth = lite.open()
    lite.say(cid, auth, "=HYPERLINK(\"http://evil.example\")")
    admin = lite.staff("root", "admin")
    rows = list(csv.DictReader(io.StringIO(
        admin.get("/analytics/export.csv", params={"kind": "messages"}).text)))
    assert rows[0]["text"].startswith("'=")


def test_experiments_assign_sticky_variants_and_report_results(desk: Desk) -> None:
    admin = desk.staff("root", "admin")
    body = {"name": "fewer passages", "description": "", "metric": "resolved",
            "variants": [{"name": "control", "weight": 1, "strategy": {}},
                         {"name": "one passage", "weight": 1,
                          "strategy": {"top_k": 1, "retrieval": "bm25"}}]}
    made = admin.post("/experiments", body)
    assert made.status_code == 201 and made.json()["min_samples_per_variant"] == 388
    eid = made.json()["id"]
    bad = dict(body, name="x", variants=[{"name": "a", "strategy": {"prompt_version": "nope"}},
                                         {"name": "b"}])
    assert admin.post("/experiments", bad).status_code == 400
    assert admin.post(f"/experiments/{eid}/start").status_code == 200
    second = admin.post("/experiments", dict(body, name="another"))
    assert admin.post(f"/experiments/{second.json()['id']}/start").status_code == 409

    variants = {}
    for i in range(24):
        ref = f"browser-{i:04d}"
        cid, auth = desk.open(ref)
        again, _ = desk.open(ref)
        with desk.kefu.factory() as session:
            first = session.get(Conversation, cid).experiment
            later = session.get(Conversation, again).experiment
        assert first["variant"] == later["variant"]  # sticky per browser
        variants[ref] = first["variant"]
        desk.say(cid, auth, "How much does express shipping cost?")
    assert set(variants.values()) == {"control", "one passage"}

    shown = admin.get(f"/experiments/{eid}").json()["results"]
    counts = {v["name"]: v["n"] for v in shown["variants"]}
    expected = {name: list(variants.values()).count(name) for name in counts}
    assert counts == expected
    assert shown["comparison"]["enough_data"] is False
    assert "Keep running" in shown["comparison"]["advice"]
    assert admin.post(f"/experiments/{eid}/stop").json()["status"] == "stopped"
    cid, _ = desk.open("browser-0000")
    with desk.kefu.factory() as session:
        assert session.get(Conversation, cid).experiment is None


def test_a_customer_keeps_their_variant_on_a_new_browser(lite: Desk) -> None:
    admin = lite.staff("root", "admin")
    eid = admin.post("/experiments", {
        "name": "llm", "metric": "resolved",
        "variants": [{"name": "a", "strategy": {"llm": False}},
                     {"name": "b", "strategy": {"llm": False, "top_k": 2}}]}).json()["id"]
    admin.post(f"/experiments/{eid}/start")
    first, auth = lite.open("browser-one-0001")
    lite.say(first, auth, "Where is my order KF00000001? My email is noah@example.com")
    with lite.kefu.factory() as session:
        kept = session.get(Conversation, first).experiment["variant"]
    for n in range(12):  # new browsers, whatever their own hash says
        cid, auth = lite.open(f"browser-new-{n:04d}")
        lite.say(cid, auth, "Where is my order KF00000001? My email is noah@example.com")
        with lite.kefu.factory() as session:
            assert session.get(Conversation, cid).experiment["variant"] == kept


def test_a_strategy_changes_how_many_passages_ground_the_answer(lite: Desk) -> None:
    from kefu.types import State

    pipeline = lite.kefu.pipeline
    with lite.kefu.factory() as session:
        from kefu.store.database import DatabaseStore

        store = DatabaseStore(session)
        wide = pipeline.prepare("shipping delivery times and costs", State(), store)
        narrow = pipeline.prepare("shipping delivery times and costs", State(), store,
                                  strategy=Strategy(top_k=1))
    assert len(wide.grounding.passages) > 1 and len(narrow.grounding.passages) == 1


def _seed_unanswered(desk: Desk, texts: list[tuple[str, str]]) -> None:
    now = datetime.now(UTC) - timedelta(minutes=5)
    with desk.kefu.factory.begin() as session:
        for i, (text, language) in enumerate(texts):
            conv = Conversation(id=f"00000000-0000-0000-0000-{i:012d}", token_hash="x",
                                channel="widget", language=language, created_at=now,
                                updated_at=now)
            session.add(conv)
            session.add_all([
                Message(conversation_id=conv.id, seq=1, role="user", text=text,
                        language=language, intent="out_of_scope", confidence=0.3,
                        created_at=now),
                Message(conversation_id=conv.id, seq=2, role="assistant", text="Sorry?",
                        language=language, created_at=now, meta={"action": "clarify"})])


def test_gaps_group_unanswered_questions_and_become_faq_entries(lite: Desk) -> None:
    _seed_unanswered(lite, [
        ("Do you offer gift wrapping?", "en"),
        ("Can you gift wrap my order?", "en"),
        ("Is gift wrapping available for presents?", "en"),
        ("可以提供礼品包装吗？", "zh"),
        ("Do you have a physical store in Paris?", "en"),
        ("Is there a shop in Paris I can visit?", "en"),
    ])
    alice = lite.staff("alice")
    clusters = alice.get("/gaps").json()["clusters"]
    biggest = clusters[0]
    texts = {e["text"] for e in biggest["examples"]}
    assert "Can you gift wrap my order?" in texts and biggest["size"] >= 3
    assert not any("Paris" in t for t in texts)
    assert "可以提供礼品包装吗？" in texts and biggest["language"] == "mixed"  # across languages
    paris = next(c for c in clusters if any("Paris" in e["text"] for e in c["examples"]))
    assert paris["size"] == 2

    assert alice.post("/faq", {"question": "x", "answer": "y"}).status_code == 403
    admin = lite.staff("root", "admin")
    made = admin.post("/faq", {"question": "Do you offer gift wrapping?",
                               "answer": "Yes: gift wrapping costs $4 per order; choose it at "
                                         "checkout.", "language": "en",
                               "gap_id": biggest["id"]})
    assert made.status_code == 201
    after = alice.get("/gaps").json()["clusters"]
    assert next(c for c in after if c["id"] == biggest["id"])["faq_doc_id"] == \
        made.json()["doc_id"]
    cid, auth = lite.open()
    turn = lite.say(cid, auth, "Do you offer gift wrapping?")
    assert "$4" in turn["reply"]["text"] and made.json()["doc_id"] in " ".join(
        turn["reply"]["citations"])


def test_exports_mask_the_customers_own_name_without_a_cue(lite: Desk) -> None:
    cid, auth = lite.open()
    lite.say(cid, auth, "Where is my order KF00000001? My email is noah@example.com")
    lite.say(cid, auth, "ok great, thanks a lot from Noah and the Brown family")
    admin = lite.staff("root", "admin")
    text = admin.get("/analytics/export.csv", params={"kind": "messages"}).text
    assert "Noah" not in text and "Brown" not in text and "[PERSON_" in text
