"""The app's OpenAPI schema against the app itself: schemathesis generates requests for every
/v1 and /console/api operation (valid and invalid ones), sends them in process (ASGI) and
checks that no answer is a 5xx and that every answer is one the schema documents: its status
code, its content type and its body.

The shop is tests.shop's small one on SQLite. To get past the front door, most generated cases
are given real credentials and real ids (the customer's conversation and its token, an
admin's session cookie and CSRF token, a real order, experiment and message); about one case in
five keeps what schemathesis generated, so the refusals are exercised too.

Not fuzzed: the four server-sent-event routes (POST /v1/conversations/{id}/stream,
GET /v1/conversations/{id}/events, GET /console/api/inbox/stream and
GET /console/api/conversations/{id}/stream). Three of them never end by themselves (they poll
until the client hangs up), so each generated case would wait out the transport's timeout,
and the schema cannot describe an event's body anyway. Who may open them is checked by
tests/integration/test_v1_roles.py and test_console_roles.py, their events by test_api.py and
test_console.py.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis is not installed: `make install` (the dev extra)")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kefu.api.app import create_app  # noqa: E402
from kefu.console.inbox import ORDER_ACTIONS  # noqa: E402
from kefu.service import Kefu  # noqa: E402
from kefu.settings import Settings  # noqa: E402
from tests.shop import seed_small_shop  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Bounded: 25 generated cases per operation (plus schemathesis's deterministic boundary
# cases), derandomized so a failure is the same on every run, no example database.
CONFIG = """
[generation]
max-examples = 25
deterministic = true
database = "none"
"""
STREAMS = (r"^/v1/conversations/\{conversation_id\}/(stream|events)$"
           r"|^/console/api/(inbox|conversations/\{conv_id\})/stream$")
PASSWORD = "a fuzzing password, long"
LOGIN_TOKEN = "fuzz-login-token-0123456789"
ORDERS = ("KF00000001", "KF00000002", "KF00000003", "KF00000004")


@dataclass
class Fuzzed:
    """The app under test, with a customer's conversation and a signed-in admin."""

    kefu: Kefu
    app: FastAPI
    conv_id: str
    conv_token: str
    session: str  # the admin's session cookie
    csrf: str
    experiment_id: int
    sign_ins: int = 0

    def fresh_session(self) -> tuple[str, str]:
        """Another session of the admin (for /logout, which ends the one it is sent with)."""
        self.sign_ins += 1
        _, token = self.kefu.console.accounts.sign_in(
            "root", PASSWORD, f"203.0.113.{self.sign_ins % 250 + 1}")
        return token, self.kefu.console.accounts.csrf_token(token)

    def hold(self) -> None:
        """The admin holds the conversation (order actions and replies need it)."""
        staff = self.kefu.console.accounts.resolve(self.session)
        assert staff is not None, "the admin's session ended during the run"
        self.kefu.console.inbox.take(self.conv_id, staff)


@pytest.fixture
def fuzzed(sqlite_url: str, tmp_path: Path) -> Iterator[Fuzzed]:
    # No limit on writes per address or per customer: every generated request comes from the
    # same test client and would otherwise be answered 429 after the first hundred or so.
    # No retention job: its thread would outlive the test (schemathesis ends the app's
    # lifespan only at exit).
    kefu = Kefu.from_settings(Settings(
        database_url=sqlite_url, data_dir=tmp_path, rate_per_ip=0, rate_per_key=0,
        rate_per_customer=100_000, retention_every_s=0))
    with kefu.factory.begin() as session:
        seed_small_shop(session)
    kefu.console.accounts.create("root", "Root", PASSWORD, "admin")
    kefu.console.accounts.create("spare", "Spare", PASSWORD, "agent")
    experiment = kefu.console.experiments.create({
        "name": "fuzzed", "metric": "resolved",
        "variants": [{"name": "control"}, {"name": "bm25", "strategy": {"retrieval": "bm25"}}]})
    app = create_app(kefu=kefu)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            res = client.post("/v1/conversations", json={"channel": "widget"})
            assert res.status_code == 201, res.text
            conv_id, token = res.json()["id"], res.json()["token"]
            res = client.post(f"/v1/conversations/{conv_id}/messages",
                              headers={"X-Conversation-Token": token},
                              json={"text": "Where is my order KF00000002? "
                                            "My email is noah@example.com"})
            assert res.status_code == 200, res.text
        _, staff_token = kefu.console.accounts.sign_in("root", PASSWORD, "198.51.100.1")
        yield Fuzzed(kefu, app, conv_id, token, staff_token,
                     kefu.console.accounts.csrf_token(staff_token), experiment["id"])
    finally:
        from schemathesis.python.asgi import shutdown_lifespans

        shutdown_lifespans()  # the app's lifespan, started by schemathesis's transport
        kefu.close()


# The schema is the app's own /openapi.json; it does not depend on the database, so it is read
# once at collection (one test per operation) and each case is sent to the fixture's app.
schema = (schemathesis.openapi.from_dict(create_app(Settings()).openapi(),
                                         config=schemathesis.Config.from_str(CONFIG))
          .include(path_regex=r"^/(v1|console/api)/")
          .exclude(path_regex=STREAMS))


def keeps_generated(case: Any) -> bool:
    """About one case in five keeps schemathesis's own ids and credentials (deterministic)."""
    seen = repr((case.path_parameters, case.headers, case.query))
    return zlib.crc32(seen.encode()) % 5 == 0


def real_values(fuzzed: Fuzzed, case: Any) -> None:
    """Real ids in the path and the customer's token in place of generated ones."""
    path = case.path_parameters if case.path_parameters is not None else {}
    pick = zlib.crc32(repr(case.body).encode())
    real = {"conversation_id": fuzzed.conv_id, "conv_id": fuzzed.conv_id,
            "order_id": ORDERS[pick % len(ORDERS)],
            "action": ORDER_ACTIONS[pick % len(ORDER_ACTIONS)],
            "experiment_id": fuzzed.experiment_id, "seq": 1 + pick % 2, "username": "spare"}
    for name in path:
        path[name] = real[name]
    if case.operation.path.startswith("/v1/"):
        headers = case.headers if case.headers is not None else {}
        for name in list(headers):
            if name.lower() in ("x-api-key", "authorization"):
                del headers[name]  # a generated key is refused before anything else
        headers["x-conversation-token"] = fuzzed.conv_token
        case.headers = headers


@schema.parametrize()
# One app per operation, shared by its generated cases (that is the point of the fixture).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_every_answer_is_documented_and_none_is_a_server_error(case: Any, fuzzed: Fuzzed) -> None:
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    generated = keeps_generated(case)
    if not generated:
        real_values(fuzzed, case)
    path = case.operation.path
    if path == "/console/api/login":  # the sign-in form's double-submit token
        cookies["kefu_login_csrf"] = headers["X-CSRF-Token"] = LOGIN_TOKEN
    elif path.startswith("/console/api/") and not generated:
        session, csrf = fuzzed.session, fuzzed.csrf
        if path == "/console/api/logout":
            session, csrf = fuzzed.fresh_session()
        cookies["kefu_staff"] = session
        headers["X-CSRF-Token"] = csrf
        if path.startswith("/console/api/conversations/"):
            fuzzed.hold()
    case.call_and_validate(app=fuzzed.app, base_url="http://testserver", headers=headers,
                           cookies=cookies, checks=CHECKS)
