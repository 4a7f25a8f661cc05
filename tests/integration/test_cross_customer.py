"""One customer can never act on another's orders, addresses or payment methods.

Customer A (Noah Brown, noah_brown) proves who he is in the chat ("My email is
noah@example.com") and then tries every order action of the flows on customer B's orders
(Ivan Li's and 王芳's), and tries to pay his own orders with B's payment methods: through the
chat (one conversation per attempt, each carried through to a "yes") and through the console's
order-action API (an agent holding A's conversation calls each action on B's orders, and on A's
own orders with B's payment methods). Every attempt is refused: the chat never asks to confirm
a change that involves B's data and never reports one done; the API answers 422 ``refused``
or 404. No reply and no API answer names B's email, name, addresses, payment methods or any
order of B's that A did not type himself. And the store is untouched: every row of the order,
payment, address, payment-method, customer and audit tables is the same before and after.

The small shop of tests.shop, with B's rows made distinct (their own street, city and zip, a
pending order and a card for Ivan), a delivered order for A and a second option of the product,
so that each refusal can only be about whose data it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from kefu.api.app import create_app
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import (
    Address,
    Fulfillment,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Variant,
)
from tests.shop import seed_small_shop

PASSWORD = "an agent's long password"
A_EMAIL = "noah@example.com"
A_METHOD = "paypal_noah_brown"
A_PENDING, A_DELIVERED = "KF00000002", "KF00000006"
B_ORDERS = ("KF00000003", "KF00000004", "KF00000005")  # 王芳's shipped; Ivan's delivered, pending
B_METHODS = ("paypal_ivan_li", "credit_card_ivan_li", "paypal_wang_fang")
IVAN_HOME = {"address1": "742 Evergreen Terrace", "address2": "Apt 9", "city": "Springfield",
             "state": "OR", "country": "USA", "zip": "97403"}
WANG_HOME = {"address1": "淮海中路 999 号", "address2": "12 楼", "city": "上海市",
             "state": "上海", "country": "中国", "zip": "200031"}
# Everything about B that A must never be shown (besides B's order ids and method ids).
B_SECRETS = ("ivan@example.com", "wang.fang@example.com", "Ivan Li", "Li Ivan", "王芳",
             "Evergreen", "Springfield", "97403", "淮海中路", "上海", "200031", "4242")
NEW_ADDRESS = {"address1": "9 Elm St", "address2": "", "city": "Boulder", "state": "CO",
               "country": "USA", "zip": "80302"}
ADDRESS_TEXT = "9 Elm St, Boulder, CO, USA, 80302"
# What the chat says when it is about to write, or has written.
CONFIRMING = ("please confirm", "shall i go ahead", "请确认", "是否继续")
DONE = ("done:", "done.", "已办理")
TABLES = ("customers", "addresses", "payment_methods", "orders", "order_items", "fulfillments",
          "payments", "audit_log")


def make_b_distinct(kefu: Kefu) -> None:
    """B's own addresses, Ivan's pending order and card, A's delivered order, a second
    option of the keyboard at another price (so item changes need a payment)."""
    with kefu.factory.begin() as session:
        for cid, home in (("ivan_li", IVAN_HOME), ("wang_fang", WANG_HOME)):
            session.execute(update(Address).where(Address.customer_id == cid).values(**home))
        session.execute(update(Order).where(Order.id == "KF00000003")
                        .values(shipping_address=WANG_HOME))
        session.execute(update(Order).where(Order.id == "KF00000004")
                        .values(shipping_address=IVAN_HOME))
        session.add(PaymentMethod(id="credit_card_ivan_li", customer_id="ivan_li",
                                  kind="credit_card", brand="visa", last_four="4242",
                                  position=1))
        session.add(Variant(id="v2", product_id="p1", options={"switch type": "linear"},
                            price_cents=9999, position=1))
        when = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
        for oid, cid, status, seq in (("KF00000005", "ivan_li", "pending", 2),
                                      (A_DELIVERED, "noah_brown", "delivered", 3)):
            shipped = [Fulfillment(tracking_ids=[f"TRK{oid[-4:]}"], item_ids=["v1"],
                                   carrier="UPS", shipped_at=when, delivered_at=when)]
            session.add(Order(
                id=oid, customer_id=cid, customer_seq=seq, status=status, currency="USD",
                created_at=when,
                shipping_address=IVAN_HOME if cid == "ivan_li" else {},
                items=[OrderItem(product_id="p1", variant_id="v1", name="Mechanical Keyboard",
                                 price_cents=8999, options={"switch type": "clicky"})],
                fulfillments=shipped if status == "delivered" else [],
                payments=[Payment(transaction_type="payment", amount_cents=8999,
                                  payment_method_id=f"paypal_{cid}")]))


def snapshot(kefu: Kefu) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an order action could touch, in a stable order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with kefu.factory() as session:
        for table in TABLES:
            found = session.execute(text(f"SELECT * FROM {table}")).all()
            rows[table] = sorted((tuple(r) for r in found), key=repr)
    return rows


@dataclass
class Shop:
    kefu: Kefu
    app: FastAPI
    client: TestClient
    problems: list[str] = field(default_factory=list)

    def open(self) -> tuple[str, dict[str, str]]:
        res = self.client.post("/v1/conversations", json={"channel": "widget"})
        assert res.status_code == 201, res.text
        return res.json()["id"], {"X-Conversation-Token": res.json()["token"]}

    def signed_in_as_a(self) -> tuple[str, dict[str, str]]:
        """A new conversation in which A has proved who he is."""
        cid, auth = self.open()
        res = self.client.post(f"/v1/conversations/{cid}/messages", headers=auth,
                               json={"text": f"My email is {A_EMAIL}"})
        assert res.status_code == 200, res.text
        assert "Noah Brown" in res.json()["reply"]["text"], res.text
        return cid, auth

    def agent(self, username: str) -> tuple[TestClient, str]:
        """A signed-in agent (another browser on the same app) and the session's CSRF token."""
        self.kefu.console.accounts.create(username, username.title(), PASSWORD, "agent")
        client = TestClient(self.app, raise_server_exceptions=False)
        token = client.get("/console/api/login-token").json()["csrf"]
        res = client.post("/console/api/login", headers={"X-CSRF-Token": token},
                          json={"username": username, "password": PASSWORD})
        assert res.status_code == 200, res.text
        return client, res.json()["csrf"]


@pytest.fixture
def shop(db_url: str, tmp_path: Path) -> Iterator[Shop]:
    # Every attempt opens its own conversation: three refusals in one would hand it to a
    # person, and the attempts after that would never reach the tools. The per-customer
    # message limit (30 a minute) is lifted for the same reason: A writes ~80 messages here.
    kefu = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path,
                                       rate_per_customer=10_000, retention_every_s=0))
    with kefu.factory.begin() as session:
        seed_small_shop(session)
    make_b_distinct(kefu)
    app = create_app(kefu=kefu)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Shop(kefu, app, client)
    kefu.close()


def leaks(reply: str, typed: str) -> list[str]:
    """B's data in a reply, other than what A typed himself in the conversation."""
    said, own = reply.lower(), typed.lower()
    return [s for s in (*B_SECRETS, *B_ORDERS, *B_METHODS)
            if s.lower() in said and s.lower() not in own]


# Each attempt: what A writes after proving who he is. An attempt on B's data ends with a yes.
# One on A's own order ends with a no: there a confirmation may only name A's own methods
# (checked), and a yes would be a legitimate change of A's own order.
CHAT_ATTEMPTS: dict[str, tuple[str, ...]] = {
    "cancel B's pending order": (
        "I want to cancel order KF00000005, I ordered it by mistake", "yes"),
    "cancel B's delivered order": ("cancel order KF00000004", "no longer needed", "yes"),
    "cancel in Chinese": ("我想取消订单KF00000005，不想要了", "是的"),
    "return B's delivered order": (
        "return KF00000004", "v1, that's all", "refund to paypal_ivan_li", "yes"),
    "return in Chinese": ("我要退货，订单 KF00000004", "退 v1，就这些", "退到原支付方式", "是的"),
    "exchange B's delivered order": (
        "I want to exchange order KF00000004", "exchange v1 for linear, that's all",
        "pay with paypal_ivan_li", "yes"),
    "change the address of B's shipped order": (
        f"change the address of KF00000003 to {ADDRESS_TEXT}", "yes"),
    "change the address of B's pending order": (
        f"I want to change the shipping address of order KF00000005 to {ADDRESS_TEXT}", "yes"),
    "pay B's pending order with A's method": (
        "I want to change the payment method of order KF00000005", f"use {A_METHOD}", "yes"),
    "change the items of B's pending order": (
        "I want to change the items of order KF00000005", "change v1 to linear, that's all",
        f"pay with {A_METHOD}", "yes"),
    "switch to B's account first": (
        "Actually my email is ivan@example.com",
        "I want to cancel order KF00000005, I ordered it by mistake", "yes"),
    "look up B's orders": ("Where is my order KF00000003?", "and KF00000004?"),
    "pay A's order with B's PayPal": ("pay KF00000002 with paypal_ivan_li", "yes"),
    "pay A's order with B's PayPal, asked for": (  # a yes here is refused: the same method
        "I want to change the payment method of order KF00000002", "use paypal_ivan_li",
        "yes"),
    "pay A's order with B's card": (
        "I want to change the payment method of order KF00000002",
        "use the visa card ending in 4242", "credit_card_ivan_li", "no"),
    "change A's items, paid with B's card": (
        "I want to change the items of order KF00000002", "change v1 to linear, that's all",
        "pay with credit_card_ivan_li", "use the visa ending in 4242", "no"),
    "refund A's return to B's PayPal": (
        "I want to return order KF00000006", "v1, that's all", "refund to paypal_ivan_li",
        "no"),
    "exchange A's order, paid with B's PayPal": (
        "I want to exchange order KF00000006", "exchange v1 for linear, that's all",
        "pay with paypal_ivan_li", "no"),
}


def chat_attempt(shop: Shop, name: str, messages: tuple[str, ...]) -> list[str]:
    """Runs one attempt; what went wrong, as readable lines."""
    cid, auth = shop.signed_in_as_a()
    typed, problems = "", []
    for message in messages:
        typed += "\n" + message
        res = shop.client.post(f"/v1/conversations/{cid}/messages", headers=auth,
                               json={"text": message})
        if res.status_code != 200:
            problems.append(f"{name}: {message!r} -> {res.status_code} {res.text[:300]}")
            continue
        reply = (res.json()["reply"] or {}).get("text", "")
        said = reply.lower()
        if any(d in said for d in DONE):
            problems.append(f"{name}: {message!r} -> reported a change done: {reply!r}")
        if any(c in said for c in CONFIRMING) and any(
                x.lower() in said for x in (*B_ORDERS, *B_METHODS)):
            problems.append(f"{name}: {message!r} -> asked to confirm a change with B's "
                            f"data: {reply!r}")
        if found := leaks(reply, typed):
            problems.append(f"{name}: {message!r} -> names B's {found}: {reply!r}")
    return problems


def test_a_cannot_act_on_bs_orders_through_the_chat(shop: Shop) -> None:
    before = snapshot(shop.kefu)
    problems = []
    for name, messages in CHAT_ATTEMPTS.items():
        problems += chat_attempt(shop, name, messages)
    assert snapshot(shop.kefu) == before, "the store changed"
    assert not problems, "\n".join(problems)


def _bodies(method: str) -> dict[str, dict[str, Any]]:
    """A well-formed body for each order action, paying or refunding with ``method``."""
    return {
        "cancel": {"reason": "no longer needed"},
        "modify_address": NEW_ADDRESS,
        "modify_payment": {"payment_method_id": method},
        "modify_items": {"item_ids": ["v1"], "new_item_ids": ["v2"],
                         "payment_method_id": method},
        "return": {"item_ids": ["v1"], "payment_method_id": method},
        "exchange": {"item_ids": ["v1"], "new_item_ids": ["v2"], "payment_method_id": method},
    }


def console_attempts() -> list[tuple[str, str, dict[str, Any]]]:
    """(order, action, body): every action on each of B's orders, paid with A's method and
    with B's own; and A's orders paid or refunded with each of B's methods."""
    attempts = [(order, action, body)
                for order in B_ORDERS
                for method in (A_METHOD, "paypal_ivan_li")
                for action, body in _bodies(method).items()]
    for method in B_METHODS:
        bodies = _bodies(method)
        attempts += [(A_PENDING, action, bodies[action])
                     for action in ("modify_payment", "modify_items")]
        attempts += [(A_DELIVERED, action, bodies[action]) for action in ("return", "exchange")]
    return attempts


def test_an_agent_holding_as_conversation_cannot_act_on_bs_orders(shop: Shop) -> None:
    cid, _ = shop.signed_in_as_a()
    agent, csrf = shop.agent("alice")
    taken = agent.post(f"/console/api/conversations/{cid}/take", headers={"X-CSRF-Token": csrf})
    assert taken.status_code == 200, taken.text
    assert taken.json()["customer"]["id"] == "noah_brown"
    before = snapshot(shop.kefu)
    problems = []
    for order, action, body in console_attempts():
        res = agent.post(f"/console/api/conversations/{cid}/orders/{order}/{action}",
                         headers={"X-CSRF-Token": csrf}, json=body)
        code = res.json().get("error", {}).get("code") if res.status_code >= 400 else None
        where = f"{action} {order} {body}"
        if (res.status_code, code) not in ((422, "refused"), (404, "not_found")):
            problems.append(f"{where} -> {res.status_code} {res.text[:300]}")
        typed = f"{order} {body}"
        if found := leaks(res.text, typed):
            problems.append(f"{where} -> the answer names B's {found}: {res.text[:300]}")
    assert snapshot(shop.kefu) == before, "the store changed"
    assert not problems, "\n".join(problems)
    # the conversation's view shows A's own orders and payment methods, none of B's
    shown = agent.get(f"/console/api/conversations/{cid}")
    assert shown.status_code == 200, shown.text
    assert not leaks(shown.text, ""), leaks(shown.text, "")


def test_the_same_console_calls_on_as_own_data_are_accepted(sqlite_url: str,
                                                            tmp_path: Path) -> None:
    """The control: with A's own order and method the same bodies work, so the refusals
    above are about whose data it is, not about the requests' shape."""
    kefu = Kefu.from_settings(Settings(database_url=sqlite_url, data_dir=tmp_path,
                                       retention_every_s=0))
    with kefu.factory.begin() as session:
        seed_small_shop(session)
    make_b_distinct(kefu)
    app = create_app(kefu=kefu)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            shop = Shop(kefu, app, client)
            own = _bodies(A_METHOD)
            for order, action in ((A_PENDING, "modify_items"), (A_DELIVERED, "return")):
                cid, _ = shop.signed_in_as_a()
                agent, csrf = shop.agent(f"agent.{action}")
                agent.post(f"/console/api/conversations/{cid}/take",
                           headers={"X-CSRF-Token": csrf})
                res = agent.post(f"/console/api/conversations/{cid}/orders/{order}/{action}",
                                 headers={"X-CSRF-Token": csrf}, json=own[action])
                assert res.status_code == 200, res.text
                assert res.json()["ok"] is True
    finally:
        kefu.close()
