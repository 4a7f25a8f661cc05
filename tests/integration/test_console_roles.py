"""Who may call the staff console's API (docs/console-api.md), through the real app.

The role matrix calls every ``/console/api`` route and ``/metrics`` (found in ``app.routes``, so
a route added without an entry in ROUTES fails here) as four callers: anonymous, a customer with
a real conversation token (as X-Conversation-Token, as the session cookie, as a Bearer token),
an agent and an admin signed in through the real sign-in flow. Then: CSRF, the sign-in rate
limit, disabled accounts, sign-out, the session cookie's flags, password storage, /metrics with
an API key, and (PostgreSQL) two agents racing to take one conversation.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import text

from kefu.api.app import create_app
from kefu.apikeys import create_api_key
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade
from tests.shop import seed_small_shop

C = "/console/api"
OPEN, AGENT, ADMIN = "open", "agent", "admin"
PASSWORDS = {"alice": "alice's long password", "bob": "bob's long password!",
             "root": "root's long password", "spare": "spare's long password"}
WRONG = "not the password at all"


@dataclass(frozen=True)
class Call:
    """How the matrix calls a route: who may (OPEN, AGENT or ADMIN), with which query and body,
    and what a caller who is not staff gets (401, but the sign-in routes are open)."""

    access: str
    query: dict[str, str] | None = None
    body: dict[str, Any] | None = None
    stream: bool = False
    outsider: int = 401


CONV = f"{C}/conversations/{{conv_id}}"
EXP = f"{C}/experiments/{{experiment_id}}"
NEW_EXPERIMENT = {"name": "matrix", "metric": "resolved",
                  "variants": [{"name": "control"}, {"name": "bm25",
                                                     "strategy": {"retrieval": "bm25"}}]}
ROUTES: dict[tuple[str, str], Call] = {
    ("GET", f"{C}/login-token"): Call(OPEN, outsider=200),
    ("POST", f"{C}/login"): Call(OPEN),  # outsiders: a wrong password (401); staff: their own
    ("POST", f"{C}/logout"): Call(AGENT),
    ("GET", f"{C}/me"): Call(AGENT),
    ("GET", f"{C}/inbox"): Call(AGENT, query={"all": "1"}),
    ("GET", f"{C}/inbox/stream"): Call(AGENT, stream=True),
    ("GET", CONV): Call(AGENT),
    ("GET", f"{CONV}/stream"): Call(AGENT, query={"after": "0"}, stream=True),
    ("POST", f"{CONV}/take"): Call(AGENT),
    ("POST", f"{CONV}/release"): Call(AGENT),
    ("POST", f"{CONV}/messages"): Call(AGENT, body={"text": "Hello, this is the shop's team."}),
    ("GET", f"{CONV}/assist"): Call(AGENT),
    ("POST", f"{CONV}/orders/{{order_id}}/{{action}}"):
        Call(AGENT, body={"reason": "ordered by mistake"}),
    ("POST", f"{CONV}/messages/{{seq}}/intent"): Call(AGENT, body={"intent": "track_order"}),
    ("GET", f"{C}/intents"): Call(AGENT),
    ("GET", f"{C}/knowledge"): Call(AGENT, query={"q": "shipping", "language": "en"}),
    ("GET", f"{C}/analytics"): Call(AGENT, query={"from": "2026-01-01", "to": "2026-12-31"}),
    ("GET", f"{C}/analytics/export.csv"): Call(ADMIN, query={"kind": "conversations"}),
    ("GET", f"{C}/gaps"): Call(AGENT),
    ("POST", f"{C}/faq"): Call(ADMIN, body={
        "question": "Do you ship to Canada?", "answer": "Yes, in 7 to 10 days.",
        "language": "en"}),
    ("GET", f"{C}/experiments"): Call(ADMIN),
    ("POST", f"{C}/experiments"): Call(ADMIN, body=NEW_EXPERIMENT),
    ("GET", EXP): Call(ADMIN),
    ("POST", f"{EXP}/start"): Call(ADMIN),
    ("POST", f"{EXP}/stop"): Call(ADMIN),
    ("GET", f"{C}/staff"): Call(ADMIN),
    ("POST", f"{C}/staff"): Call(ADMIN, body={
        "username": "new.agent", "display_name": "New Agent",
        "password": "a brand new password", "role": "agent"}),
    ("POST", f"{C}/staff/{{username}}/disable"): Call(ADMIN),
    ("POST", f"{C}/privacy/export"): Call(ADMIN, body={"customer_id": "ivan_li"}),
    ("POST", f"{C}/privacy/erase"): Call(ADMIN, body={"customer_id": "wang_fang"}),
    ("GET", "/metrics"): Call(ADMIN),
}
LOGIN, LOGOUT = ("POST", f"{C}/login"), ("POST", f"{C}/logout")


# ---------------------------------------------------------------------------- the world
@dataclass
class World:
    kefu: Kefu
    app: FastAPI
    client: TestClient  # anonymous; the one that ran the app's start-up
    conv_id: str
    conv_token: str
    experiment_id: int

    def new_client(self, ip: str = "testclient", scheme: str = "http") -> TestClient:
        """Another browser (its own cookies) on the same app, from address ``ip``."""
        return TestClient(self.app, base_url=f"{scheme}://testserver",
                          raise_server_exceptions=False, client=(ip, 50000))

    def path_values(self) -> dict[str, str]:
        return {"conv_id": self.conv_id, "order_id": "KF00000002", "action": "cancel",
                "seq": "1", "experiment_id": str(self.experiment_id), "username": "spare"}


@contextmanager
def build_world(url: str, data_dir: Path, **settings: Any) -> Iterator[World]:
    """The seeded shop, four staff accounts, a draft experiment and a customer's conversation
    (its first message asks about order KF00000002), served by the real app."""
    kefu = Kefu.from_settings(Settings(database_url=url, data_dir=data_dir, **settings))
    with kefu.factory.begin() as session:
        seed_small_shop(session)
    for name, role in (("alice", "agent"), ("bob", "agent"), ("root", "admin"),
                       ("spare", "agent")):
        kefu.console.accounts.create(name, name.title(), PASSWORDS[name], role)
    experiment = kefu.console.experiments.create({**NEW_EXPERIMENT, "name": "draft"})
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
            yield World(kefu, app, client, conv_id, token, experiment["id"])
    finally:
        kefu.close()


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[World]:
    with build_world(sqlite_url, tmp_path) as built:
        yield built


def login(client: TestClient, username: str, password: str) -> httpx.Response:
    """The console's sign-in: a login token, then the form with it as X-CSRF-Token."""
    res = client.get(f"{C}/login-token")
    assert res.status_code == 200, res.text
    return client.post(f"{C}/login", headers={"X-CSRF-Token": res.json()["csrf"]},
                       json={"username": username, "password": password})


def sign_in(client: TestClient, username: str) -> str:
    """Signs ``client`` in as ``username``; the session's CSRF token."""
    res = login(client, username, PASSWORDS[username])
    assert res.status_code == 200, res.text
    return str(res.json()["csrf"])


def error_code(res: httpx.Response) -> str | None:
    try:
        return str(res.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def staff_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every API route under /console/api, and /metrics.

    FastAPI 0.165 keeps an included router as one entry of ``app.routes``;
    ``iter_route_contexts`` walks into them and gives each route's full path.
    """
    return [(method, str(ctx.path)) for ctx in iter_route_contexts(app.routes)
            if isinstance(ctx.original_route, APIRoute)
            and (str(ctx.path).startswith(f"{C}/") or ctx.path == "/metrics")
            for method in sorted(ctx.methods or ())]


# ---------------------------------------------------------------------------- the matrix
@dataclass
class Caller:
    name: str
    client: TestClient
    role: str | None = None  # agent or admin once signed in
    username: str | None = None
    csrf: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def make_caller(world: World, name: str) -> Caller:
    client = world.new_client()
    token = world.conv_token
    if name == "anonymous":
        return Caller(name, client)
    if name == "customer-header":
        return Caller(name, client, headers={"X-Conversation-Token": token})
    if name == "customer-cookie":
        client.cookies.set("kefu_staff", token)
        return Caller(name, client)
    if name == "customer-bearer":
        return Caller(name, client, headers={"Authorization": f"Bearer {token}"})
    username = {"agent": "alice", "admin": "root"}[name]
    return Caller(name, client, role=name, username=username, csrf=sign_in(client, username))


def fill(template: str, values: dict[str, str]) -> str:
    names = re.findall(r"{(\w+)}", template)
    missing = [n for n in names if n not in values]
    assert not missing, f"no test value for {missing} in {template}: add it to path_values"
    return template.format(**{n: values[n] for n in names})


def call(world: World, caller: Caller, method: str, template: str,
         entry: Call) -> tuple[int, str | None, str]:
    """Calls one route as ``caller``: the status, the error code and a bit of the body."""
    url = fill(template, world.path_values())
    headers = dict(caller.headers)
    if (method, template) == LOGIN:
        username = caller.username or "alice"
        res = login(caller.client, username, PASSWORDS[username] if caller.role else WRONG)
        if res.status_code == 200:
            caller.csrf = res.json()["csrf"]  # the new session replaces the old in the jar
        return res.status_code, error_code(res), res.text[:200]
    if method != "GET" and caller.csrf:
        headers["X-CSRF-Token"] = caller.csrf
    if entry.stream:  # long-lived: the status and the first line, then hang up
        with caller.client.stream(method, url, params=entry.query, headers=headers) as res:
            if res.status_code != 200:
                res.read()
                return res.status_code, error_code(res), res.text[:200]
            assert res.headers["content-type"].startswith("text/event-stream")
            first = next(res.iter_lines())
            return res.status_code, None, first
    res = caller.client.request(method, url, params=entry.query, headers=headers,
                                json=entry.body)
    return res.status_code, error_code(res), res.text[:200]


def wrong(caller: Caller, entry: Call, status: int, code: str | None) -> str | None:
    """What is wrong with the answer to ``caller``, or None."""
    if status >= 500:
        return "a server error"
    if caller.role is None:
        if status != entry.outsider:
            return f"expected {entry.outsider}"
        if status == 401 and code != "unauthorized":
            return "expected the error code unauthorized"
        return None
    if caller.role == "agent" and entry.access == ADMIN:
        return None if (status, code) == (403, "forbidden") else "expected 403 forbidden"
    return f"{caller.role} refused" if status in (401, 403) else None


@pytest.mark.parametrize("name", ["anonymous", "customer-header", "customer-cookie",
                                  "customer-bearer", "agent", "admin"])
def test_role_matrix(world: World, name: str) -> None:
    caller = make_caller(world, name)
    found = sorted(staff_routes(world.app), key=lambda r: r == LOGOUT)  # logout ends it: last
    assert set(found) == set(ROUTES), "the routes changed: see test_the_matrix_covers_..."
    problems, seen = [], []
    for method, template in found:
        entry = ROUTES[(method, template)]
        status, code, body = call(world, caller, method, template, entry)
        seen.append(f"{status} {method} {template}")
        problem = wrong(caller, entry, status, code)
        if problem:
            problems.append(f"{method} {template} -> {status} {body!r}: {problem}")
    print(f"\n{name}:\n  " + "\n  ".join(seen))
    assert not problems, "\n".join(problems)


def test_the_matrix_covers_exactly_the_staff_routes(world: World) -> None:
    found = set(staff_routes(world.app))
    assert found == set(ROUTES), (f"not in ROUTES: {sorted(found - set(ROUTES))}; "
                                  f"no such route: {sorted(set(ROUTES) - found)}")
    assert all(entry.access in (OPEN, AGENT, ADMIN) for entry in ROUTES.values())


# ---------------------------------------------------------------------------- CSRF
def test_a_write_needs_the_sessions_csrf_token(world: World) -> None:
    agent, admin = world.new_client(), world.new_client()
    csrf = sign_in(agent, "alice")
    other = sign_in(admin, "root")
    take = f"{C}/conversations/{world.conv_id}/take"
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": ""},
                    {"X-CSRF-Token": other}):  # another session's token is wrong here too
        res = agent.post(take, headers=headers)
        assert (res.status_code, error_code(res)) == (403, "csrf"), (headers, res.text)
    assert world.kefu.console.inbox.detail(world.conv_id)["assigned_to"] is None
    res = agent.post(take, headers={"X-CSRF-Token": csrf})
    assert res.status_code == 200, res.text
    assert res.json()["assigned_to"] == "alice"


def test_sign_in_needs_the_login_token(world: World) -> None:
    form = {"username": "alice", "password": PASSWORDS["alice"]}
    bare = world.new_client()
    res = bare.post(f"{C}/login", json=form)  # neither cookie nor header
    assert (res.status_code, error_code(res)) == (403, "csrf"), res.text
    res = bare.post(f"{C}/login", json=form, headers={"X-CSRF-Token": "made-up"})  # no cookie
    assert (res.status_code, error_code(res)) == (403, "csrf"), res.text
    token = bare.get(f"{C}/login-token").json()["csrf"]
    res = bare.post(f"{C}/login", json=form)  # the cookie without the header
    assert (res.status_code, error_code(res)) == (403, "csrf"), res.text
    res = bare.post(f"{C}/login", json=form, headers={"X-CSRF-Token": token + "x"})
    assert (res.status_code, error_code(res)) == (403, "csrf"), res.text
    assert "kefu_staff" not in bare.cookies
    assert bare.get(f"{C}/me").status_code == 401
    res = bare.post(f"{C}/login", json=form, headers={"X-CSRF-Token": token})
    assert res.status_code == 200, res.text


# ---------------------------------------------------------------------------- sign-in
def test_five_wrong_passwords_for_a_name_lock_it_even_from_other_addresses(
        world: World) -> None:
    for i in range(5):  # each from its own address: the count is per user name
        res = login(world.new_client(f"198.51.100.{i + 1}"), "alice", WRONG)
        assert (res.status_code, error_code(res)) == (401, "unauthorized"), res.text
    res = login(world.new_client("198.51.100.99"), "alice", PASSWORDS["alice"])
    assert (res.status_code, error_code(res)) == (429, "rate_limited"), res.text
    assert 1 <= int(res.headers["Retry-After"]) <= 15 * 60
    assert "set-cookie" not in res.headers or "kefu_staff" not in res.headers["set-cookie"]
    sign_in(world.new_client("198.51.100.99"), "root")  # other names are not locked


def test_five_failures_from_one_address_lock_that_address(world: World) -> None:
    client = world.new_client("192.0.2.7")
    for name in ("alice", "bob", "root", "spare", "nobody"):
        assert login(client, name, WRONG).status_code == 401
    res = login(client, "root", PASSWORDS["root"])
    assert (res.status_code, error_code(res)) == (429, "rate_limited"), res.text
    assert int(res.headers["Retry-After"]) >= 1
    sign_in(world.new_client("192.0.2.8"), "root")  # from elsewhere, root still gets in


def test_a_disabled_accounts_session_stops_working(world: World) -> None:
    agent, admin = world.new_client(), world.new_client()
    csrf = sign_in(agent, "alice")
    admin_csrf = sign_in(admin, "root")
    assert agent.get(f"{C}/me").status_code == 200
    res = admin.post(f"{C}/staff/alice/disable", headers={"X-CSRF-Token": admin_csrf})
    assert res.status_code == 200 and res.json()["disabled"] is True, res.text
    for res in (agent.get(f"{C}/me"), agent.get(f"{C}/inbox"),
                agent.post(f"{C}/conversations/{world.conv_id}/take",
                           headers={"X-CSRF-Token": csrf})):
        assert (res.status_code, error_code(res)) == (401, "unauthorized"), res.text
    with agent.stream("GET", f"{C}/inbox/stream") as res:
        assert res.status_code == 401
    res = login(world.new_client(), "alice", PASSWORDS["alice"])
    assert (res.status_code, error_code(res)) == (401, "unauthorized"), res.text
    res = admin.post(f"{C}/staff/root/disable", headers={"X-CSRF-Token": admin_csrf})
    assert (res.status_code, error_code(res)) == (403, "forbidden"), res.text


def next_event(lines: Iterator[str]) -> tuple[str, str]:
    """The next server-sent event (name, data) from a stream's lines, skipping heartbeats."""
    name = ""
    for line in lines:
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: ") and name:
            return name, line.removeprefix("data: ")
    raise AssertionError("the stream ended")


def test_an_open_inbox_stream_ends_when_the_account_is_disabled(world: World) -> None:
    agent = world.new_client()
    sign_in(agent, "alice")
    with agent.stream("GET", f"{C}/inbox/stream") as res:
        assert res.status_code == 200
        lines = res.iter_lines()
        assert next_event(lines)[0] == "inbox"
        world.kefu.console.accounts.disable("alice")
        name, data = next_event(lines)
    assert name == "error" and '"unauthorized"' in data


def test_an_open_conversation_stream_ends_when_the_account_is_disabled(world: World) -> None:
    agent = world.new_client()
    sign_in(agent, "alice")
    url = f"{C}/conversations/{world.conv_id}/stream"
    with agent.stream("GET", url, params={"after": "0"}) as res:
        assert res.status_code == 200
        lines = res.iter_lines()
        while next_event(lines)[0] != "status":  # the two messages so far, then the status
            pass
        world.kefu.console.accounts.disable("alice")
        said = world.client.post(f"/v1/conversations/{world.conv_id}/messages",
                                 headers={"X-Conversation-Token": world.conv_token},
                                 json={"text": "My new address is 9 Secret Lane"})
        assert said.status_code == 200, said.text
        name, data = next_event(lines)
    assert name == "error" and '"unauthorized"' in data, (name, data)


def test_sign_out_ends_the_session_on_the_server(world: World) -> None:
    agent = world.new_client()
    csrf = sign_in(agent, "alice")
    token = agent.cookies["kefu_staff"]
    copy = world.new_client()  # the same session token, carried by another browser
    copy.cookies.set("kefu_staff", token)
    assert copy.get(f"{C}/me").json()["user"]["username"] == "alice"
    res = agent.post(f"{C}/logout")
    assert (res.status_code, error_code(res)) == (403, "csrf"), res.text  # a write like others
    res = agent.post(f"{C}/logout", headers={"X-CSRF-Token": csrf})
    assert res.status_code == 200 and res.json() == {}, res.text
    assert 'kefu_staff=""' in res.headers["set-cookie"] or "Max-Age=0" in res.headers[
        "set-cookie"]
    assert agent.get(f"{C}/me").status_code == 401
    res = copy.get(f"{C}/me")
    assert (res.status_code, error_code(res)) == (401, "unauthorized"), res.text


def cookie_named(res: httpx.Response, name: str) -> str:
    found = [c for c in res.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, res.headers.get_list("set-cookie")
    return found[0]


def test_the_session_cookie_is_httponly_and_samesite_strict(
        world: World, tmp_path: Path) -> None:
    client = world.new_client()
    token = client.get(f"{C}/login-token")
    login_cookie = cookie_named(token, "kefu_login_csrf").lower()
    assert "httponly" in login_cookie and "samesite=strict" in login_cookie
    res = client.post(f"{C}/login", headers={"X-CSRF-Token": token.json()["csrf"]},
                      json={"username": "alice", "password": PASSWORDS["alice"]})
    assert res.status_code == 200, res.text
    session = cookie_named(res, "kefu_staff")
    flags = [f.strip().lower() for f in session.split(";")[1:]]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert f"max-age={12 * 3600}" in flags
    assert "secure" not in flags  # KEFU_ENV=dev serves plain HTTP
    assert session.split(";")[0] != "kefu_staff=" + world.conv_token
    assert res.json()["csrf"] not in session  # the CSRF token is not the session token
    secure_url = f"sqlite:///{tmp_path / 'secure.sqlite3'}"
    upgrade(secure_url)
    with build_world(secure_url, tmp_path, cookie_secure=True) as secure:
        res = login(secure.new_client(scheme="https"), "alice", PASSWORDS["alice"])
        assert res.status_code == 200, res.text
        assert "secure" in [f.strip().lower() for f in
                            cookie_named(res, "kefu_staff").split(";")[1:]]


def test_passwords_are_stored_as_argon2id_hashes(world: World) -> None:
    with world.kefu.factory() as session:
        stored = dict(session.execute(
            text("SELECT username, password_hash FROM staff_users")).all())
    assert set(stored) == set(PASSWORDS)
    for name, password in PASSWORDS.items():
        assert stored[name].startswith("$argon2id$"), stored[name]
        assert stored[name] != password and password not in stored[name]
    assert len(set(stored.values())) == len(stored)  # salted: no two hashes alike


# ---------------------------------------------------------------------------- /metrics
def test_metrics_with_an_api_key(world: World) -> None:
    key = create_api_key(world.kefu.factory, world.kefu.settings.secret_key, "prom")
    res = world.client.get("/metrics", headers={"Authorization": f"Bearer {key}"})
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("text/plain")
    assert "kefu_turns" in res.text and "# TYPE" in res.text
    res = world.client.get("/metrics", headers={"Authorization": "Bearer kefu_not_a_key"})
    assert (res.status_code, error_code(res)) == (401, "unauthorized"), res.text
    res = world.client.get(f"{C}/me", headers={"Authorization": f"Bearer {key}",
                                               "X-API-Key": key})
    assert (res.status_code, error_code(res)) == (401, "unauthorized"), res.text


# ---------------------------------------------------------------------------- PostgreSQL
@pytest.mark.postgres
def test_two_agents_racing_to_take_one_conversation(pg_url: str, tmp_path: Path) -> None:
    with build_world(pg_url, tmp_path) as world:
        agents = []
        for name in ("alice", "bob"):
            client = world.new_client()
            agents.append((client, sign_in(client, name)))
        url = f"{C}/conversations/{world.conv_id}/take"
        start = threading.Barrier(2)

        def take(agent: tuple[TestClient, str]) -> httpx.Response:
            start.wait(timeout=10)
            return agent[0].post(url, headers={"X-CSRF-Token": agent[1]})

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(take, agents))
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        won = next(r for r in results if r.status_code == 200).json()["assigned_to"]
        lost = next(r for r in results if r.status_code == 409)
        assert error_code(lost) == "conflict"
        assert world.kefu.console.inbox.detail(world.conv_id)["assigned_to"] == won
