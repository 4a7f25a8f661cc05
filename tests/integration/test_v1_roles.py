"""The other half of the role matrix: every route outside the console (the /v1 customer API,
health, pages, schema) against anonymous callers, the conversation's own customer, another
customer, an agent, an admin and an API key. A staff session opens no customer's
conversation; a customer's token opens only their own. Routes are found from the app, so a
new one without an entry fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from kefu.apikeys import create_api_key
from tests.integration.test_console_roles import World, build_world, sign_in

CONV = "/v1/conversations/{conversation_id}"
OWN = "own"  # the conversation's customer (its token) or an API key
ANY = "any"  # anyone
# route -> who may use it; everyone else gets 401
ROUTES = {
    ("POST", "/v1/conversations"): ANY,  # the public widget opens conversations
    ("GET", CONV): OWN,
    ("POST", f"{CONV}/messages"): OWN,
    ("POST", f"{CONV}/stream"): OWN,
    ("GET", f"{CONV}/events"): OWN,
    ("POST", f"{CONV}/messages/{{seq}}/feedback"): OWN,
    ("POST", f"{CONV}/csat"): OWN,
    ("GET", "/v1/catalog/products"): ANY,
    ("GET", "/healthz"): ANY,
    ("GET", "/readyz"): ANY,
}
BODIES = {"messages": {"text": "hello"}, "stream": {"text": "hello"},
          "feedback": {"rating": "up"}, "csat": {"score": 4}}


def public_routes(world: World) -> set[tuple[str, str]]:
    return {(m, str(ctx.path)) for ctx in iter_route_contexts(world.app.routes)
            if isinstance(ctx.original_route, APIRoute)
            and (str(ctx.path).startswith("/v1/") or ctx.path in ("/healthz", "/readyz"))
            for m in sorted(ctx.methods or ())}


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[World]:
    with build_world(sqlite_url, tmp_path) as built:
        yield built


def callers(world: World) -> dict[str, tuple[TestClient, dict[str, str]]]:
    other = world.client.post("/v1/conversations", json={}).json()["token"]
    agent, admin = world.new_client(), world.new_client()
    sign_in(agent, "alice")
    sign_in(admin, "root")
    key = create_api_key(world.kefu.factory, world.kefu.settings.secret_key, "backend")
    return {
        "anonymous": (world.new_client(), {}),
        "customer": (world.new_client(), {"X-Conversation-Token": world.conv_token}),
        "other customer": (world.new_client(), {"X-Conversation-Token": other}),
        "agent": (agent, {}),
        "admin": (admin, {}),
        "api key": (world.new_client(), {"Authorization": f"Bearer {key}"}),
    }


def test_the_table_covers_every_public_route(world: World) -> None:
    assert public_routes(world) == set(ROUTES)


def test_every_caller_against_every_customer_route(world: World) -> None:
    assert public_routes(world) == set(ROUTES)
    for name, (client, headers) in callers(world).items():
        for (method, template), access in ROUTES.items():
            path = template.format(conversation_id=world.conv_id, seq=2)
            body = BODIES.get(template.rsplit("/", 1)[-1])
            if template.endswith("/events"):  # a live stream: the status is enough
                with client.stream(method, path, headers=headers,
                                   params={"after": 99}) as res:
                    status = res.status_code
            else:
                status = client.request(method, path, headers=headers, json=body).status_code
            allowed = access == ANY or name in ("customer", "api key")
            if allowed:
                assert status < 400, (name, method, template, status)
            else:
                assert status == 401, (name, method, template, status)
