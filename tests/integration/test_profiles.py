"""Customer profiles through the real product: built from orders (sizes and colours bought,
price range, lifetime value, tier, open issues) and conversations, shown to agents in the
console, told to the customer on request, forgotten on request, erased with the customer; an
open return mentioned when the customer is identified."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kefu.api.app import create_app
from kefu.profile.builder import build_profile
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import CustomerPreference, Order, OrderItem
from tests.integration.test_console import Desk
from tests.shop import seed_small_shop


@pytest.fixture
def desk(db_url: str, tmp_path: Path) -> Iterator[Desk]:
    kefu = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path))
    with kefu.factory.begin() as session:
        seed_small_shop(session)
        session.execute(update(OrderItem).where(OrderItem.order_id == "KF00000001")
                        .values(options={"color": "black", "size": "M"}))
        session.execute(update(Order).where(Order.id == "KF00000004")
                        .values(status="return requested"))
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield Desk(client, kefu)
    kefu.close()


def test_a_profile_is_built_from_orders_and_conversations(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "Where is my order KF00000001? My email is noah@example.com")
    with desk.kefu.factory() as session:
        profile = build_profile(session, "noah_brown")
    assert profile is not None
    assert profile.orders == 2 and profile.currency == "USD"
    assert profile.lifetime_value_cents == 2 * 8999 and profile.tier == "member"
    assert {(f.kind, f.value, f.evidence) for f in profile.preferences} == {
        ("colour", "black", "KF00000001"), ("size", "m", "KF00000001"),
        ("payment", "paypal_noah_brown", "KF00000002")}  # the method he paid both with
    assert profile.price_range_cents == (8999, 8999)
    assert profile.open_issues == [{"order_id": "KF00000002", "status": "pending",
                                    "kind": "pending"}]
    assert profile.sentiment and profile.sentiment[0]["conversation_id"] == cid


def test_agents_see_the_profile_in_the_console(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "Where is my order KF00000001? My email is noah@example.com")
    alice = desk.staff("alice")
    shown = alice.get(f"/conversations/{cid}").json()["customer"]["profile"]
    assert shown["tier"] == "member" and shown["lifetime_value_cents"] == 17998
    assert {p["value"] for p in shown["preferences"]} == {"black", "m", "paypal_noah_brown"}
    assert {p["label"] for p in shown["preferences"]} == {"", "PayPal"}


def test_an_open_return_is_mentioned_when_the_customer_is_identified(desk: Desk) -> None:
    with desk.kefu.factory.begin() as session:
        session.execute(update(Order).where(Order.id == "KF00000001")
                        .values(status="return requested"))
    cid, auth = desk.open()
    turn = desk.say(cid, auth, "Where is my order KF00000002? My email is noah@example.com")
    assert "KF00000002" in turn["reply"]["text"]
    assert "return for order KF00000001 is in progress" in turn["reply"]["text"]
    later = desk.say(cid, auth, "thanks")
    assert "in progress" not in later["reply"]["text"]  # once, when identified
    alone, alone_auth = desk.open()  # the return is the order asked about: said once, not twice
    reply = desk.say(alone, alone_auth, "My email is ivan@example.com, where is my order?")
    assert "in progress" not in reply["reply"]["text"] and "KF00000004" in reply["reply"]["text"]


def test_the_customer_sees_and_erases_what_is_kept(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "My email is noah@example.com")
    told = desk.say(cid, auth, "What do you know about me?")["reply"]["text"]
    assert "colour: black (order KF00000001)" in told and "size: m" in told
    assert "usual payment method: PayPal (order KF00000002)" in told
    zh, zh_auth = desk.open()
    desk.say(zh, zh_auth, "我的邮箱是 noah@example.com")
    assert "颜色：black" in desk.say(zh, zh_auth, "你们记住了我哪些信息？")["reply"]["text"]
    gone = desk.say(cid, auth, "Please forget my colour preferences")["reply"]["text"]
    assert "forgotten 1" in gone
    with desk.kefu.factory() as session:
        profile = build_profile(session, "noah_brown")
    assert profile is not None and [f.kind for f in profile.preferences] == ["size", "payment"]
    everything = desk.say(cid, auth, "forget my preferences")["reply"]["text"]
    assert "forgotten 2" in everything
    with desk.kefu.factory() as session:
        assert build_profile(session, "noah_brown").preferences == []  # type: ignore[union-attr]


def test_a_guest_asking_what_is_kept_is_asked_who_they_are(desk: Desk) -> None:
    cid, auth = desk.open()
    reply = desk.say(cid, auth, "What do you know about me?")["reply"]["text"]
    assert "email" in reply.lower()


def test_erasure_removes_stated_preferences(desk: Desk) -> None:
    with desk.kefu.factory.begin() as session:
        session.add(CustomerPreference(customer_id="noah_brown", kind="colour", value="blue",
                                       polarity="like", source="message", evidence="c#1"))
    from kefu.privacy.erasure import erase_customer

    erase_customer(desk.kefu.factory, desk.kefu.settings.secret_key, "noah_brown", "test")
    with desk.kefu.factory() as session:
        stated = session.query(CustomerPreference).filter_by(customer_id="noah_brown").count()
        profile = build_profile(session, "noah_brown")
    assert stated == 0 and profile is not None
    assert {f.source for f in profile.preferences} == {"order"}  # orders stay, for the books


def test_stated_preferences_are_remembered_with_their_message(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "Where is my order KF00000001? My email is noah@example.com")
    turn = desk.say(cid, auth, "By the way I love blue and I'm usually an L")
    with desk.kefu.factory() as session:
        profile = build_profile(session, "noah_brown")
    assert profile is not None
    stated = {(f.kind, f.value, f.evidence) for f in profile.preferences
              if f.source == "message"}
    seq = turn["message"]["seq"]
    assert stated == {("colour", "blue", f"{cid}#{seq}"), ("size", "L", f"{cid}#{seq}")}
    zh, zh_auth = desk.open()
    desk.say(zh, zh_auth, "我的邮箱是 noah@example.com，我的订单KF00000001到哪了")
    desk.say(zh, zh_auth, "我不喜欢粉色，预算一般在200元以内")
    with desk.kefu.factory() as session:
        profile = build_profile(session, "noah_brown")
    assert profile is not None
    kinds = {(f.kind, f.value, f.polarity) for f in profile.preferences if f.source == "message"}
    assert ("colour", "pink", "dislike") in kinds and ("price_max", "20000 CNY", "like") in kinds
    told = desk.say(zh, zh_auth, "你们记住了我哪些信息？")["reply"]["text"]
    assert "预算上限：200 CNY" in told and "颜色：不喜欢pink" in told


def test_a_guest_says_nothing_that_is_kept(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "I love blue")
    with desk.kefu.factory() as session:
        assert session.query(CustomerPreference).count() == 0  # nobody to keep it for


def test_the_one_likely_order_is_taken_and_confirmed_with_the_rest(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "My email is noah@example.com")
    asked = desk.say(cid, auth, "I want to cancel my order")["reply"]["text"]
    assert "about order KF00000002 (pending" in asked  # his only pending order, not asked
    assert "Why would you like to cancel it" in asked  # the next question comes at once
    confirm = desk.say(cid, auth, "I don't need it anymore")["reply"]["text"]
    assert "Please confirm: I will cancel order KF00000002" in confirm
    assert "filled in from your account: order KF00000002 is the only one" in confirm
    with desk.kefu.factory() as session:
        assert session.get(Order, "KF00000002").status == "pending"  # type: ignore[union-attr]
    desk.say(cid, auth, "yes")
    with desk.kefu.factory() as session:
        assert session.get(Order, "KF00000002").status == "cancelled"  # type: ignore[union-attr]


def test_a_no_to_the_order_taken_lists_them_and_guesses_no_more(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "My email is noah@example.com")
    assert "about order KF00000002" in desk.say(cid, auth, "I want to cancel my order")[
        "reply"]["text"]
    listed = desk.say(cid, auth, "no, not that one")["reply"]["text"]
    assert "Your recent orders are" in listed and "KF00000001" in listed
    assert "about order KF00000002" not in listed
    named = desk.say(cid, auth, "KF00000001")["reply"]["text"]
    assert "only pending orders can be cancelled" in named  # his other order is delivered


def test_an_order_named_instead_of_the_one_taken_replaces_it(desk: Desk) -> None:
    with desk.kefu.factory.begin() as session:  # a second pending order, long ago
        session.execute(update(Order).where(Order.id == "KF00000001").values(status="pending"))
    cid, auth = desk.open()
    desk.say(cid, auth, "My email is noah@example.com")
    asked = desk.say(cid, auth, "I want to cancel my order")["reply"]["text"]
    assert "Which order is it about?" in asked  # two fit: kefu asks
    with desk.kefu.factory.begin() as session:
        session.execute(update(Order).where(Order.id == "KF00000001").values(status="delivered"))
    other, other_auth = desk.open()
    desk.say(other, other_auth, "My email is noah@example.com")
    desk.say(other, other_auth, "I want to cancel my order")
    desk.say(other, other_auth, "it's no longer needed")
    moved = desk.say(other, other_auth, "No, it's order KF00000001")["reply"]["text"]
    assert "only pending orders can be cancelled" in moved  # that order, checked, not KF..02
    with desk.kefu.factory() as session:
        assert session.get(Order, "KF00000002").status == "pending"  # type: ignore[union-attr]


def test_a_long_stated_value_twice_does_not_break_the_conversation(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "My email is noah@example.com")
    brand = "I only buy the brand " + "Supercalifragilistic" * 8
    desk.say(cid, auth, brand)
    assert desk.say(cid, auth, brand)["reply"] is not None  # stored once, no conflict


def test_a_customer_can_switch_requests_while_an_order_is_taken(desk: Desk) -> None:
    cid, auth = desk.open()
    desk.say(cid, auth, "My email is noah@example.com")
    assert "about order KF00000002" in desk.say(cid, auth, "I want to cancel my order")[
        "reply"]["text"]
    switched = desk.say(cid, auth, "actually I want to return an item instead")["reply"]["text"]
    # the return flow: Noah has no delivered order it can take, so it lists them
    assert "Which order is it about?" in switched and "about order KF00000002" not in switched
