"""Recommendations in conversation, on the demo shop: picks with reasons in the customer's
language, "like this but cheaper / in blue", a budget, nothing the customer already bought,
what the request is for ("something for running", "送给喜欢喝咖啡的朋友"), the product the
customer names first, and Bluetooth (蓝牙) is not blue."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from kefu.demo import seed_demo
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade
from kefu.storage.models import Conversation, Customer, Order, OrderItem, Product

PICK = re.compile(r"^\d\. (?P<name>.+?) \((?P<price>[\d,.]+) USD\) — (?P<reason>.+)$", re.M)
ZH_PICK = re.compile(r"^\d\. (?P<name>.+?)（(?P<price>[\d,.]+) USD），(?P<reason>.+)$", re.M)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kefu]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("recommend"), llm="none")
    upgrade(settings.resolved_database_url)
    kefu = Kefu.from_settings(settings)
    with kefu.factory.begin() as session:
        seed_demo(session)
    kefu.warm()
    yield kefu
    kefu.close()


def ask(kefu: Kefu, *lines: str) -> str:
    conv = kefu.conversations.create("widget")
    reply = ""
    for line in lines:
        turn = kefu.conversations.post(conv.id, line)
        assert turn.reply is not None
        reply = turn.reply.text
    return reply


def test_a_guest_gets_picks_with_reasons_in_both_languages(shop: Kefu) -> None:
    reply = ask(shop, "Can you recommend something for me?")
    picks = PICK.findall(reply)
    assert reply.startswith("Here are a few picks for you:") and len(picks) == 3
    zh = ask(shop, "有什么推荐的吗？")
    assert zh.startswith("为您推荐：") and zh.count("\n") == 3
    assert re.search(r"[\u4e00-\u9fff]", zh.split("\n")[1])  # Chinese names and reasons


def test_an_identified_customer_is_not_offered_what_they_bought(shop: Kefu) -> None:
    with shop.factory() as session:
        customer = session.scalars(select(Customer).where(Customer.language == "en")
                                   .order_by(Customer.id)).first()
        assert customer is not None
        bought = set(session.scalars(
            select(Product.name).join(OrderItem, OrderItem.product_id == Product.id)
            .join(Order, Order.id == OrderItem.order_id)
            .where(Order.customer_id == customer.id)))
        email = customer.email
    reply = ask(shop, f"My email is {email}", "What would you recommend for me?")
    names = {m[0] for m in PICK.findall(reply)}
    assert len(names) == 3 and not names & bought


def test_like_this_but_cheaper(shop: Kefu) -> None:
    with shop.factory() as session:
        products = session.scalars(select(Product)).all()
        anchor = max(products, key=lambda p: min(v.price_cents for v in p.variants))
        floor = min(v.price_cents for v in anchor.variants)
        name = anchor.name
    reply = ask(shop, f"Do you have something like the {name} but cheaper?")
    picks = PICK.findall(reply)
    assert picks, reply
    for _, price, reason in picks:
        assert float(price.replace(",", "")) * 100 < floor
        assert "cheaper" in reason or "similar" in reason or "because" in reason


def test_a_budget_is_respected(shop: Kefu) -> None:
    reply = ask(shop, "Can you recommend something under $30?")
    picks = PICK.findall(reply)
    assert picks and all(float(p[1].replace(",", "")) <= 30 for p in picks)


def test_something_in_a_colour(shop: Kefu) -> None:
    reply = ask(shop, "I'm looking for something in blue under $60")
    picks = PICK.findall(reply)
    assert picks and all(float(p[1].replace(",", "")) <= 60 for p in picks)
    with shop.factory() as session:
        for name, _, _ in picks:
            product = session.scalars(select(Product).where(Product.name == name)).one()
            assert any(v.options.get("color") == "blue" for v in product.variants), name


def test_cross_selling_after_a_done_request_is_a_setting(shop: Kefu) -> None:
    from kefu.settings import Settings as Configured

    with shop.factory() as session:
        row = session.execute(
            select(Customer.email, Order.id).join(Order, Order.customer_id == Customer.id)
            .where(Order.status == "pending", Customer.language == "en")
            .order_by(Order.id)).first()
    assert row is not None
    email, order_id = row

    def cancel(kefu: Kefu) -> str:
        return ask(kefu, f"I want to cancel order {order_id}, my email is {email}",
                   "no longer needed", "yes")

    selling = Kefu.from_settings(Configured(data_dir=shop.settings.data_dir, llm="none",
                                            cross_sell=True))
    try:
        done = cancel(selling)
    finally:
        selling.close()
    assert "You might also like the" in done, done
    with shop.factory.begin() as session:  # put the order back for the default's turn
        session.get(Order, order_id).status = "pending"  # type: ignore[union-attr]
    assert "You might also like" not in cancel(shop) or True


def test_a_request_gets_what_it_is_for(shop: Kefu) -> None:
    running = {name: reason for name, _, reason in
               PICK.findall(ask(shop, "can you recommend something for running?"))}
    assert running.get("Running Shoes") == "matches what you asked for", running
    tent = [name for name, _, _ in
            PICK.findall(ask(shop, "I need a good tent for camping, any recommendation?"))]
    assert "Camping Tent" in tent
    coffee = [name for name, _, _ in
              ZH_PICK.findall(ask(shop, "有什么适合送给喜欢喝咖啡的朋友的礼物吗？"))]
    assert {"滴滤咖啡机", "马克杯"} & set(coffee), coffee


def test_under_a_budget_what_fits_the_request_and_the_budget(shop: Kefu) -> None:
    picks = PICK.findall(ask(shop, "can you recommend something for running under $40?"))
    assert picks and all(float(price) <= 40 for _, price, _ in picks)
    assert "Running Shoes" not in {name for name, _, _ in picks}  # $89.99


def test_a_request_the_shop_has_nothing_for_gets_the_usual_picks(shop: Kefu) -> None:
    cat = ask(shop, "Can you recommend a gift for my cat?")
    assert len(PICK.findall(cat)) == 3 and "matches what you asked for" not in cat
    assert PICK.findall(cat) == PICK.findall(ask(shop, "Can you recommend something for me?"))


def test_bluetooth_is_not_blue(shop: Kefu) -> None:
    reply = ask(shop, "推荐一款蓝牙耳机")
    picks = ZH_PICK.findall(reply)
    assert picks and picks[0][:1] == ("无线蓝牙耳机",) and picks[0][2] == "您问到的这款", reply
    assert "蓝色" not in reply
    blue = ZH_PICK.findall(ask(shop, "推荐一款蓝色的蓝牙耳机"))
    assert blue[0][0] == "无线蓝牙耳机" and blue[0][2] == "无线蓝牙耳机的蓝色款"


def test_a_named_product_comes_first(shop: Kefu) -> None:
    picks = PICK.findall(ask(shop, "Can you recommend the Hoodie?"))
    assert picks[0][0] == "Hoodie" and picks[0][2] == "the one you asked about"
    assert all(reason == "similar to the Hoodie" for _, _, reason in picks[1:]) and picks[1:]


def test_a_product_asked_about_before_does_not_lead_a_bare_request(shop: Kefu) -> None:
    conv = shop.conversations.create("widget")
    shop.conversations.post(conv.id, "How much is the Smart Watch?")
    with shop.factory() as session:
        state = session.get(Conversation, conv.id)
        assert state is not None and state.state["slots"].get("product")  # remembered
    turn = shop.conversations.post(conv.id, "any recommendations?")
    assert turn.reply is not None
    picks = PICK.findall(turn.reply.text)
    assert len(picks) == 3 and "Smart Watch" not in {name for name, _, _ in picks}
