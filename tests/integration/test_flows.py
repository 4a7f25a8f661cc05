"""Order actions through whole conversations on the demo shop, in English and Chinese, on
SQLite and PostgreSQL: each flow asks only for what is missing, lists the change, writes only
after an explicit yes, and explains refusals; topic switches come back to the flow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kefu.demo import seed_demo
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import Address, AuditEntry, Customer, Order, Payment


@pytest.fixture
def kefu(db_url: str, tmp_path: Path) -> Iterator[Kefu]:
    product = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path))
    with product.factory.begin() as session:
        seed_demo(session)
    product.warm()
    yield product
    product.close()


@dataclass
class Shopper:
    email: str
    pending: str
    delivered: str
    other_pending: str  # someone else's


def shopper(kefu: Kefu) -> Shopper:
    with kefu.factory() as session:
        for customer in session.scalars(select(Customer).order_by(Customer.id)):
            orders = {o.status: o.id for o in customer.orders}
            if {"pending", "delivered"} <= set(orders) and customer.payment_methods:
                other = session.scalars(select(Order.id).where(
                    Order.status == "pending", Order.customer_id != customer.id)).first()
                assert other is not None
                return Shopper(customer.email, orders["pending"], orders["delivered"], other)
    raise AssertionError("the demo shop has no customer with pending and delivered orders")


def talk(kefu: Kefu, language: str, *messages: str) -> list[str]:
    conv = kefu.conversations.create("api", language)  # type: ignore[arg-type]
    return [kefu.conversations.post(conv.id, m).reply.text for m in messages]


def status(kefu: Kefu, order_id: str) -> str:
    with kefu.factory() as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.status


def writes(kefu: Kefu) -> int:
    with kefu.factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_cancel_asks_only_what_is_missing_and_needs_a_yes(kefu: Kefu) -> None:
    s = shopper(kefu)
    replies = talk(kefu, "en", f"I want to cancel order {s.pending}", s.email,
                   "I ordered it by mistake")
    assert "confirm who you are" in replies[0]
    assert "no longer needed" in replies[1]  # the reason is asked, the order is not
    assert "Please confirm" in replies[2] and s.pending in replies[2]
    assert "ordered by mistake" in replies[2] and status(kefu, s.pending) == "pending"
    assert writes(kefu) == 0  # nothing before the yes


def test_cancel_in_one_message_then_yes_writes_once(kefu: Kefu) -> None:
    s = shopper(kefu)
    conv = kefu.conversations.create("api", "en")
    post = kefu.conversations.post
    post(conv.id, f"My email is {s.email}")
    asked = post(conv.id, f"Please cancel {s.pending}, I don't need it anymore").reply.text
    assert "Shall I go ahead?" in asked
    done = post(conv.id, "yes").reply.text
    assert done.startswith(f"Done: order {s.pending} is cancelled")
    assert status(kefu, s.pending) == "cancelled"
    again = post(conv.id, "yes").reply.text  # a yes with nothing pending changes nothing
    assert "Done" not in again and writes(kefu) == 1
    with kefu.factory() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert entry.tool == "cancel_pending_order" and entry.actor == "assistant"
        assert entry.before["order"]["status"] == "pending"
        assert entry.after["order"]["status"] == "cancelled"
        refunds = session.scalars(select(Payment).where(
            Payment.order_id == s.pending, Payment.transaction_type == "refund")).all()
        assert len(refunds) == 1


def test_no_leaves_the_order_as_it_was(kefu: Kefu) -> None:
    s = shopper(kefu)
    replies = talk(kefu, "en", f"My email is {s.email}. Cancel order {s.pending}, I ordered "
                   "it by mistake.", "no")
    assert "haven't changed anything" in replies[-1]
    assert status(kefu, s.pending) == "pending" and writes(kefu) == 0


def test_a_delivered_order_cannot_be_cancelled_and_says_why(kefu: Kefu) -> None:
    s = shopper(kefu)
    reply = talk(kefu, "en", f"My email is {s.email}", f"cancel order {s.delivered}")[-1]
    assert "delivered" in reply and "only pending orders can be cancelled" in reply
    assert writes(kefu) == 0


def test_another_customers_order_is_not_found(kefu: Kefu) -> None:
    s = shopper(kefu)
    reply = talk(kefu, "en", f"My email is {s.email}", f"cancel order {s.other_pending}")[-1]
    assert f"couldn't find order {s.other_pending} on your account" in reply
    assert status(kefu, s.other_pending) == "pending" and writes(kefu) == 0


def test_one_customer_per_conversation(kefu: Kefu) -> None:
    s = shopper(kefu)
    with kefu.factory() as session:
        other = session.scalars(select(Customer.email).where(Customer.email != s.email)).first()
    replies = talk(kefu, "en", f"My email is {s.email}", f"cancel order {s.pending}",
                   f"actually my email is {other}")
    assert "only help with the account already verified" in replies[-1]


def test_return_in_chinese(kefu: Kefu) -> None:
    s = shopper(kefu)
    with kefu.factory() as session:
        order = session.get(Order, s.delivered)
        assert order is not None
        first = order.items[0]
        paid = order.payments[0].payment_method_id
    replies = talk(kefu, "zh", f"我想退货，订单号 {s.delivered}", s.email,
                   f"退 {first.variant_id}，就这些", "是的")
    assert "要退哪些商品" in replies[1]
    # the refund goes back the way the order was paid: suggested, not asked, and said so
    assert "请确认" in replies[-2] and first.variant_id in replies[-2]
    assert "预先填写" in replies[-2] and "是这个订单付款时用的" in replies[-2]
    assert replies[-1].startswith("已办理") and status(kefu, s.delivered) == "return requested"
    with kefu.factory() as session:
        order = session.get(Order, s.delivered)
        assert order is not None and order.extra["return_items"] == [first.variant_id]
        assert order.extra["return_payment_method_id"] == paid


def test_a_question_mid_flow_is_answered_and_the_flow_resumes(kefu: Kefu) -> None:
    s = shopper(kefu)
    replies = talk(kefu, "en", f"My email is {s.email}", f"I want to cancel order {s.pending}",
                   "wait, first: how long does shipping take?", "I don't need it anymore",
                   "yes")
    assert "Back to your request" in replies[2] and "no longer needed" in replies[2]
    assert "Please confirm" in replies[3]
    assert status(kefu, s.pending) == "cancelled"


def test_change_default_address_in_chinese(kefu: Kefu) -> None:
    s = shopper(kefu)
    replies = talk(kefu, "zh", s.email, "我想修改账户的默认地址",
                   "人民路 88 号，3 单元 501，杭州，浙江，中国，310000", "确认")
    assert "新默认地址" in replies[1]
    assert "人民路 88 号" in replies[2] and replies[3].startswith("已办理")
    with kefu.factory() as session:
        customer = session.scalars(select(Customer).where(Customer.email == s.email)).one()
        address = session.scalars(select(Address).where(
            Address.customer_id == customer.id).order_by(Address.is_default.desc(),
                                                         Address.id)).first()
        assert address is not None and address.zip == "310000" and address.city == "杭州"


def second_method(kefu: Kefu) -> tuple[str, str, str, str]:
    """A pending order whose customer has another (non gift card) payment method: the order,
    the email, the method it is paid with and the other one."""
    with kefu.factory() as session:
        for order in session.scalars(select(Order).where(Order.status == "pending")
                                     .order_by(Order.id)):
            current = order.payments[0].payment_method_id
            others = [m for m in order.customer.payment_methods
                      if m.id != current and m.kind != "gift_card"]
            if others:
                return order.id, order.customer.email, current, others[0].id
    raise AssertionError("the demo shop has a customer with two payment methods")


def test_change_the_payment_of_a_pending_order(kefu: Kefu) -> None:
    order_id, email, current, new = second_method(kefu)
    replies = talk(kefu, "en", f"My email is {email}",
                   f"I want to change the payment method of order {order_id}",
                   f"use {new}", "yes")
    assert "Please confirm" in replies[2] and replies[3].startswith("Done")
    with kefu.factory() as session:
        kinds = [(p.transaction_type, p.payment_method_id) for p in session.scalars(
            select(Payment).where(Payment.order_id == order_id).order_by(Payment.position))]
    assert kinds[-2:] == [("payment", new), ("refund", current)]


def test_exchange_in_chinese_by_product_name_and_colour(kefu: Kefu) -> None:
    from kefu.respond.option_terms import ZH_OPTION_TERMS
    from kefu.storage.models import Product, Variant

    found = None
    with kefu.factory() as session:
        for order in session.scalars(select(Order).where(Order.status == "delivered")
                                     .order_by(Order.id)):
            for line in order.items:
                product = session.get(Product, line.product_id)
                if product is None or not product.name_zh or len(order.items) > 3:
                    continue
                for variant in session.scalars(select(Variant).where(
                        Variant.product_id == product.id, Variant.available)):
                    changed = [k for k, v in variant.options.items()
                               if line.options.get(k) != v]
                    if len(changed) == 1 and str(variant.options[changed[0]]).lower() in \
                            ZH_OPTION_TERMS and sum(x.product_id == product.id
                                                    for x in order.items) == 1:
                        found = (order.id, order.customer.email, product.name_zh,
                                 ZH_OPTION_TERMS[str(variant.options[changed[0]]).lower()],
                                 line.variant_id, variant.id)
                        break
                if found:
                    break
            if found:
                break
    assert found is not None, "the demo shop has an exchangeable delivered line"
    order_id, email, name_zh, value_zh, old, new = found
    replies = talk(kefu, "zh", f"我的邮箱是 {email}", f"我想换货，订单 {order_id}",
                   f"把{name_zh}换成{value_zh}的，就这些", "是的")
    assert "请确认" in replies[-2] and old in replies[-2], replies
    assert replies[-1].startswith("已办理"), replies[-1]
    with kefu.factory() as session:
        order = session.get(Order, order_id)
        assert order is not None and order.status == "exchange requested"
        assert order.extra["exchange_items"] == [old]
        assert order.extra["exchange_new_items"] == [new]


def test_a_correction_at_the_confirmation_is_confirmed_again_not_applied(kefu: Kefu) -> None:
    order_id, email, current, first = second_method(kefu)
    replies = talk(kefu, "en", f"My email is {email}",
                   f"I want to change the payment method of order {order_id}",
                   f"use {first}", f"Right, but actually use {current} instead", "never mind")
    assert "Please confirm" in replies[2]
    assert "Please confirm" not in replies[3] or first not in replies[3].split("instead of")[0]
    assert writes(kefu) == 0  # neither the correction nor the doubt was a yes
    assert "haven't changed anything" in replies[4]


def test_never_mind_drops_the_request_while_details_are_asked(kefu: Kefu) -> None:
    s = shopper(kefu)
    replies = talk(kefu, "en", f"My email is {s.email}", f"I want to cancel order {s.pending}",
                   "never mind, forget it", "yes")
    assert "haven't changed anything" in replies[2]
    assert "Done" not in replies[3] and status(kefu, s.pending) == "pending"


def test_a_yes_and_a_no_racing_store_one_consistent_outcome(kefu: Kefu) -> None:
    from kefu.errors import Conflict

    s = shopper(kefu)
    conv = kefu.conversations.create("api", "en")
    kefu.conversations.post(conv.id, f"My email is {s.email}")
    asked = kefu.conversations.post(conv.id, f"Cancel {s.pending}, I ordered it by mistake")
    assert "Shall I go ahead?" in asked.reply.text
    declined = kefu.conversations.start(conv.id, "no")  # both read the same version
    accepted = kefu.conversations.start(conv.id, "yes")  # reserves it, then writes
    with pytest.raises(Conflict):
        list(declined.events())  # the "no" lost: nothing of it is stored
    list(accepted.events())
    history = kefu.conversations.history(conv.id).messages
    assert [m.text for m in history if m.role == "user"][-1] == "yes"
    assert status(kefu, s.pending) == "cancelled" and writes(kefu) == 1
