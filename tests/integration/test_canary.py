"""The canary: unique personal data planted in one customer of a real `kefu serve` (demo shop)
appears nowhere it should not (other customers' conversations, the dashboard, the CSV exports,
the gaps, another customer's data export, the server's log), and after the customer's erasure
nowhere at all (every table, decrypted)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, select, text

from kefu.privacy.crypto import KEYRING
from kefu.storage.db import make_engine, make_sessionmaker
from kefu.storage.models import Customer
from tests.processes import kefu_serve, must_run_kefu

PASSWORD = "a long enough secret"
CANARY_PHONE = "+86 139 1234 5678"
CANARY_SECRET = "Zq7-canary-password"


@pytest.mark.integration
def test_a_canary_stays_where_it_belongs_and_leaves_with_erasure(tmp_path: Path) -> None:
    must_run_kefu("demo", "--no-history", data_dir=tmp_path)
    must_run_kefu("admin", "create", "root", "--password", PASSWORD, data_dir=tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path / 'kefu.sqlite3'}")
    factory = make_sessionmaker(engine)
    with factory.begin() as session:
        people = session.scalars(select(Customer).where(Customer.language == "en")
                                 .order_by(Customer.id).limit(3)).all()
        canary, others = people[0], people[1:]
        canary.phone = CANARY_PHONE
        canary_id, canary_email = canary.id, canary.email
        other_emails = [o.email for o in others]
        other_ids = [o.id for o in others]

    with kefu_serve(tmp_path) as server, httpx.Client(base_url=server.base_url,
                                                     timeout=60) as http:
        def talk(*lines: str) -> list[str]:
            made = http.post("/v1/conversations", json={"channel": "widget"}).json()
            auth = {"X-Conversation-Token": made["token"]}
            return [http.post(f"/v1/conversations/{made['id']}/messages", json={"text": t},
                              headers=auth).json()["reply"]["text"] for t in lines]

        talk(f"My email is {canary_email}",
             f"my password is {CANARY_SECRET} and my phone {CANARY_PHONE}, can you check it?")
        replies = []
        for email in other_emails:
            replies += talk(f"My email is {email}", "Where are my orders?",
                            "what is my phone number on file?")
        token = http.get("/console/api/login-token").json()["csrf"]
        signed = http.post("/console/api/login", json={"username": "root",
                                                       "password": PASSWORD},
                           headers={"X-CSRF-Token": token}).json()
        csrf = {"X-CSRF-Token": signed["csrf"]}
        outputs = [
            *replies,
            http.get("/console/api/analytics").text,
            http.get("/console/api/gaps").text,
            http.get("/console/api/inbox", params={"all": 1}).text,
            *[http.get("/console/api/analytics/export.csv", params={"kind": k}).text
              for k in ("conversations", "messages", "daily")],
            http.post("/console/api/privacy/export", json={"customer_id": other_ids[0]},
                      headers=csrf).text,
        ]
        for output in outputs:
            for canary_value in (CANARY_PHONE, CANARY_SECRET, canary_email):
                assert canary_value not in output, (canary_value, output[:300])
        own = http.post("/console/api/privacy/export", json={"customer_id": canary_id},
                        headers=csrf).json()
        assert own["customer"]["phone"] == CANARY_PHONE  # the customer's own data: all there
        assert CANARY_SECRET in json.dumps(own)
        erased = http.post("/console/api/privacy/erase", json={"customer_id": canary_id},
                           headers=csrf)
        assert erased.status_code == 200, erased.text
    log = (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace")
    for canary_value in (CANARY_PHONE, CANARY_SECRET, canary_email):
        assert canary_value not in log

    with engine.connect() as conn:
        dump = "\n".join(
            " ".join(KEYRING.decrypt(v) if isinstance(v, str) else str(v) for v in row)
            for table in inspect(engine).get_table_names()
            for row in conn.execute(text(f'SELECT * FROM "{table}"')))
    engine.dispose()
    for canary_value in (CANARY_PHONE, CANARY_SECRET, canary_email):
        assert canary_value not in dump
