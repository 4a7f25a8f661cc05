"""The console's commands as an operator runs them: `kefu admin create|list|disable|password`
and `kefu train nlu --from-feedback` (the agents' corrections retrain the intent head, with the
accuracy before and after on held-out corrections)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kefu.storage.db import make_engine, make_sessionmaker
from kefu.storage.models import Conversation, IntentCorrection, Message, StaffUser
from tests.processes import must_run_kefu, run_kefu

# A product nickname the shipped model has never seen: its messages fall out of scope.
TAUGHT = ["my zorblat never showed up", "the zorblat still hasn't come",
          "where's the zorblat I bought", "zorblat hasn't arrived yet", "any news on my zorblat",
          "zorblat tracking please", "is my zorblat on its way", "when does the zorblat get here",
          "I'm waiting for my zorblat", "my zorblat is late", "what happened to my zorblat",
          "can you locate my zorblat", "zorblat still not here", "my zorblat parcel",
          "how far is my zorblat", "zorblat ETA?", "我的zorblat还没到", "zorblat到哪了",
          "did my zorblat ship yet", "zorblat delivery is taking forever"]


def _factory(data_dir: Path):
    return make_sessionmaker(make_engine(f"sqlite:///{(data_dir / 'kefu.sqlite3').resolve()}"))


def test_admin_accounts_from_the_command_line(tmp_path: Path) -> None:
    must_run_kefu("db", "upgrade", data_dir=tmp_path)
    out = must_run_kefu("admin", "create", "boss", "--role", "admin", "--name", "The Boss",
                        data_dir=tmp_path, stdin="a long enough secret\n")
    assert "created admin boss" in out
    short = run_kefu("admin", "create", "shorty", data_dir=tmp_path, stdin="short\n")
    assert short.returncode == 2 and "at least 10" in short.stderr
    twice = run_kefu("admin", "create", "boss", data_dir=tmp_path, stdin="a long enough secret\n")
    assert twice.returncode == 2 and "already" in twice.stderr
    assert "boss\tadmin\tThe Boss" in must_run_kefu("admin", "list", data_dir=tmp_path)
    with _factory(tmp_path)() as session:
        stored = session.scalar(select(StaffUser.password_hash))
    assert stored is not None and stored.startswith("$argon2id$") and "secret" not in stored
    must_run_kefu("admin", "disable", "boss", data_dir=tmp_path)
    assert "disabled" in must_run_kefu("admin", "list", data_dir=tmp_path)


def test_too_few_corrections_are_refused_clearly(tmp_path: Path) -> None:
    must_run_kefu("db", "upgrade", data_dir=tmp_path)
    done = run_kefu("train", "nlu", "--from-feedback", data_dir=tmp_path)
    assert done.returncode == 2 and "at least 10" in done.stderr


@pytest.mark.slow
def test_training_from_the_agents_corrections_improves_them(tmp_path: Path) -> None:
    must_run_kefu("db", "upgrade", data_dir=tmp_path)
    with _factory(tmp_path).begin() as session:
        session.add(Conversation(id="c-zorblat", token_hash="x", channel="widget"))
        for seq, text in enumerate(TAUGHT, start=1):
            session.add(Message(conversation_id="c-zorblat", seq=seq, role="user", text=text,
                                intent="out_of_scope", confidence=0.5))
            session.add(IntentCorrection(conversation_id="c-zorblat", seq=seq, text=text,
                                         detected="out_of_scope", intent="track_order"))
    report = json.loads(must_run_kefu("train", "nlu", "--from-feedback", data_dir=tmp_path))
    feedback = report["feedback"]
    assert feedback["corrections"] == len(TAUGHT)
    assert feedback["held_out"] >= 3 and feedback["train"] + feedback["held_out"] == len(TAUGHT)
    assert feedback["accuracy_before"] <= 0.5
    assert feedback["accuracy_after"] > feedback["accuracy_before"]
    assert Path(report["path"]).is_dir()
    parsed = json.loads(must_run_kefu("nlu", "parse", "is my zorblat coming today", "--json",
                                      data_dir=tmp_path))
    assert parsed["intent"]["name"] == "track_order"
