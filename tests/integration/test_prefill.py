"""Flows fill in what kefu knows of a returning customer — the refund going back the way they
paid, the method they use most, their default address, their usual size — as suggestions:
listed in the confirmation with where each came from, corrected by a word, and never written
before the customer's yes. Through the real product, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import (
    Address,
    AuditEntry,
    Customer,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    Variant,
)

HOME = {"address1": "12 Elm Street", "address2": "", "city": "Austin", "state": "TX",
        "country": "USA", "zip": "73301"}
OLD = {"address1": "400 Oak Avenue", "address2": "Apt 2", "city": "Dallas", "state": "TX",
       "country": "USA", "zip": "75201"}


def _tee(size: str, color: str) -> Variant:
    price = 2500 if size != "L" else 2700
    return Variant(id=f"tee-{size}-{color}".lower(), options={"size": size, "color": color},
                   price_cents=price, available=size != "XL")


def _order(oid: str, seq: int, status: str, variant: Variant, method: str,
           address: dict[str, str]) -> Order:
    return Order(
        id=oid, customer_id="mia", customer_seq=seq, status=status, currency="USD",
        created_at=datetime(2026, 9 + seq // 10, 1 + seq % 10, tzinfo=UTC),
        shipping_address=dict(address),
        items=[OrderItem(product_id="tee", variant_id=variant.id, name="Trail Tee",
                         price_cents=variant.price_cents, options=dict(variant.options))],
        payments=[Payment(transaction_type="payment", amount_cents=variant.price_cents,
                          payment_method_id=method)])


def seed(session: Session) -> None:
    tees = {(s, c): _tee(s, c) for s in ("S", "M", "L", "XL") for c in ("black", "blue")}
    session.add(Product(id="tee", name="Trail Tee", name_zh="速干T恤",
                        variants=list(tees.values())))
    session.add(Customer(
        id="mia", first_name="Mia", last_name="Chen", email="mia@example.com", language="en",
        addresses=[Address(**{k: v for k, v in HOME.items()}, is_default=True)],
        payment_methods=[
            PaymentMethod(id="credit_card_1", kind="credit_card", brand="visa",
                          last_four="4242", position=0),
            PaymentMethod(id="gift_card_1", kind="gift_card", balance_cents=1000, position=1),
            PaymentMethod(id="paypal_1", kind="paypal", position=2)]))
    for order in (  # she buys M and pays by card; one delivered tee in S, one pending order
            _order("KF00000101", 1, "exchanged", tees[("M", "black")], "credit_card_1", HOME),
            _order("KF00000102", 2, "returned", tees[("M", "blue")], "credit_card_1", HOME),
            _order("KF00000103", 3, "delivered", tees[("S", "black")], "credit_card_1", HOME),
            _order("KF00000104", 4, "pending", tees[("L", "blue")], "paypal_1", OLD)):
        session.add(order)


@pytest.fixture
def kefu(db_url: str, tmp_path: Path) -> Iterator[Kefu]:
    product = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path))
    with product.factory.begin() as session:
        seed(session)
    yield product
    product.close()


class Chat:
    def __init__(self, kefu: Kefu, language: str = "en") -> None:
        self.kefu = kefu
        self.id = kefu.conversations.create("api", language).id  # type: ignore[arg-type]

    def __call__(self, text: str) -> str:
        reply = self.kefu.conversations.post(self.id, text).reply
        assert reply is not None
        return reply.text


def writes(kefu: Kefu) -> int:
    with kefu.factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def order(kefu: Kefu, oid: str) -> Order:
    with kefu.factory() as session:
        found = session.get(Order, oid, options=[selectinload(Order.payments)])
        assert found is not None
        session.expunge(found)
        return found


def test_a_refund_goes_back_the_way_the_order_was_paid_unless_the_customer_says(
        kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    asked = say("I want to return the Trail Tee from order KF00000103")
    assert "any other item" in asked
    confirm = say("That's all")
    assert "refund of $25.00 goes to Visa credit card ending in 4242" in confirm
    assert "filled in from your account: Visa credit card ending in 4242 is what you paid " \
           "this order with" in confirm
    again = say("No, refund it to my gift card please")  # a correction, not a decline
    assert "refund of $25.00 goes to gift card gift_card_1" in again
    assert "filled in from your account" not in again  # hers now, not a suggestion
    assert writes(kefu) == 0
    assert say("yes").startswith("Done")
    done = order(kefu, "KF00000103")
    assert done.status == "return requested"
    assert done.extra["return_payment_method_id"] == "gift_card_1"


def test_an_exchange_suggests_the_usual_size_and_takes_another_when_told(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    noted = say("I'd like to exchange the Trail Tee from order KF00000103")
    # bought twice in M
    assert "→ size M, color black (the Trail Tee in size M, your usual size" in noted
    confirm = say("that's all")
    assert "the Trail Tee in size M, your usual size" in confirm
    assert "The price stays the same" in confirm
    changed = say("Actually size L please")
    assert "→ size L, color black ($27.00)" in changed
    assert "pay the difference of $2.00 with Visa credit card ending in 4242" in changed
    assert "usual size" not in changed and "what you paid this order with" in changed
    assert writes(kefu) == 0
    assert say("yes").startswith("Done")
    assert order(kefu, "KF00000103").extra["exchange_new_items"] == ["tee-l-black"]


def test_a_stated_size_wins_over_the_sizes_bought(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    say("By the way, I'm usually an L")
    noted = say("I'd like to exchange the Trail Tee from order KF00000103")
    assert "→ size L, color black (the Trail Tee in size L, your usual size" in noted


def test_a_size_not_in_stock_or_already_worn_is_not_suggested(kefu: Kefu) -> None:
    with kefu.factory.begin() as session:  # her only tee in M: nothing else to suggest
        line = session.scalars(select(OrderItem).where(
            OrderItem.order_id == "KF00000103")).one()
        line.variant_id, line.options = "tee-m-black", {"size": "M", "color": "black"}
    say = Chat(kefu)
    say("My email is mia@example.com")
    asked = say("I'd like to exchange the Trail Tee from order KF00000103")
    assert "Which option would you like instead" in asked and "usual size" not in asked


def test_a_new_address_is_suggested_from_the_account_and_replaced_by_a_typed_one(
        kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    confirm = say("Please change the shipping address of order KF00000104")
    # shown masked: she recognises it, someone who only knows her email learns nothing
    assert "ship order KF00000104 to 1* E** S*****, Austin, TX, USA, 73***" in confirm
    assert "Elm" not in confirm and "73301" not in confirm
    assert "the address is your account's default address" in confirm
    typed = say("77 Pine Road, -, Houston, TX, USA, 77001")
    assert "ship order KF00000104 to 77 Pine Road, Houston" in typed
    assert "default address" not in typed and writes(kefu) == 0
    say("yes")
    assert order(kefu, "KF00000104").shipping_address["address1"] == "77 Pine Road"


def test_the_payment_method_used_most_is_suggested_for_a_pending_order(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    confirm = say("I want to pay order KF00000104 with a different payment method")
    assert "with Visa credit card ending in 4242 instead of PayPal paypal_1" in confirm
    assert "is the payment method you use most" in confirm
    assert say("yes").startswith("Done")
    paid = {(p.transaction_type, p.payment_method_id) for p in order(kefu, "KF00000104").payments}
    assert ("payment", "credit_card_1") in paid and ("refund", "paypal_1") in paid


def test_a_forgotten_payment_preference_is_asked_for_again(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    assert "forgotten" in say("Please forget my payment method")
    asked = say("I want to pay order KF00000104 with a different payment method")
    assert "Which payment method should the order use instead?" in asked


def test_a_plain_no_to_the_confirmation_still_changes_nothing(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    say("Please change the shipping address of order KF00000104")
    assert "haven't changed anything" in say("no")
    assert order(kefu, "KF00000104").shipping_address["address1"] == OLD["address1"]
    assert writes(kefu) == 0


def test_in_chinese_the_suggestions_are_explained_in_chinese(kefu: Kefu) -> None:
    say = Chat(kefu, "zh")
    say("我的邮箱是 mia@example.com")
    noted = say("我想换货，订单 KF00000103 里的速干T恤")
    assert "速干T恤选 M 码，是您常穿的尺码" in noted
    confirm = say("就这些")
    assert "请确认" in confirm and "以下内容是我根据您的账户预先填写的" in confirm
    assert say("是的").startswith("已办理")
    assert order(kefu, "KF00000103").extra["exchange_new_items"] == ["tee-m-black"]


def test_switched_off_every_detail_is_asked(db_url: str, tmp_path: Path) -> None:
    product = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path,
                                          prefill=False))
    try:
        with product.factory.begin() as session:
            seed(session)
        say = Chat(product)
        say("My email is mia@example.com")
        say("I want to return the Trail Tee from order KF00000103")
        assert "Where should the refund go" in say("That's all")
    finally:
        product.close()


def test_after_a_named_order_is_not_found_kefu_asks_and_never_guesses(kefu: Kefu) -> None:
    # found by tests/integration/test_cross_customer.py: a customer who named someone else's
    # order, then said "yes", had their own only pending order taken for it
    say = Chat(kefu)
    say("My email is mia@example.com")
    assert "couldn't find order KF99999999" in say("I want to cancel order KF99999999")
    asked = say("yes")
    assert "Which order is it about?" in asked and "I take it" not in asked
    assert writes(kefu) == 0


def test_a_no_to_a_confirmation_made_of_suggestions_declines_it(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    confirm = say("I need to change the shipping address of my order")
    assert "Please confirm: I will ship order KF00000104 to 1* E** S*****" in confirm
    assert "order KF00000104 is the only one of your orders it can be" in confirm
    assert "haven't changed anything" in say("no")  # declined, not "which order then?"
    assert writes(kefu) == 0


# --- found by a review of the suggestions ------------------------------------------------------

def test_a_bare_no_to_any_other_item_is_that_is_all_even_after_kefu_took_the_order(
        kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    asked = say("I want to return the Trail Tee")
    assert "about order KF00000103" in asked and "any other item" in asked
    confirm = say("No")
    assert "Please confirm: I will return, from order KF00000103" in confirm


@pytest.mark.parametrize("text, size", [
    ("For order KF00000103, I'd like to exchange the Trail Tee in size L", "L"),
    ("我想换货，订单 KF00000103 里的速干T恤换成L码", "L"),
])
def test_a_size_the_customer_names_is_taken_not_the_usual_one(kefu: Kefu, text: str,
                                                              size: str) -> None:
    say = Chat(kefu, "zh" if "订单" in text else "en")
    say("My email is mia@example.com")
    noted = say(text)
    assert f"size {size}, color black" in noted and "usual size" not in noted
    assert "常穿" not in noted


def test_a_size_out_of_stock_is_asked_about_not_replaced_by_the_usual_one(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    asked = say("For order KF00000103, I'd like to exchange the Trail Tee for size XL")
    assert "Which option would you like instead" in asked and "usual size" not in asked


@pytest.mark.parametrize("opening, answer", [
    ("I want to pay order KF00000104 with a different payment method",
     "No, keep the original payment"),
    ("Please cancel order KF00000104, I no longer need it", "No, it was a mistake"),
])
def test_a_no_that_names_no_other_suggestion_declines(kefu: Kefu, opening: str,
                                                      answer: str) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    assert "Please confirm" in say(opening)
    assert "haven't changed anything" in say(answer)
    assert writes(kefu) == 0


def test_no_to_the_suggested_method_asks_where_the_refund_should_go(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    say("I want to return the Trail Tee from order KF00000103")
    assert "goes to Visa credit card ending in 4242" in say("That's all")
    asked = say("No, not the Visa")
    assert "Where should the refund go" in asked
    confirm = say("My gift card")
    assert "goes to gift card gift_card_1" in confirm and "filled in" not in confirm


def test_a_question_at_the_confirmation_changes_nothing(kefu: Kefu) -> None:
    say = Chat(kefu)
    say("My email is mia@example.com")
    say("I'd like to exchange the Trail Tee from order KF00000103")
    confirm = say("that's all")
    assert "the Trail Tee in size M, your usual size" in confirm
    again = say("Does the blue one fit the same?")
    assert "→ size M, color black" not in again or "Please confirm" not in again
    assert writes(kefu) == 0
    assert order(kefu, "KF00000103").status == "delivered"


def test_details_given_in_a_flow_are_not_kept_as_preferences(kefu: Kefu) -> None:
    from kefu.storage.models import CustomerPreference

    say = Chat(kefu)
    say("My email is mia@example.com")
    say("I'd like to exchange the Trail Tee from order KF00000103")
    say("that's all")
    say("Actually size L please")
    with kefu.factory() as session:
        assert session.query(CustomerPreference).count() == 0


def test_a_payment_method_the_customer_says_they_use_is_suggested(kefu: Kefu) -> None:
    with kefu.factory.begin() as session:  # the pending order paid by card this time
        for payment in session.scalars(select(Payment).where(Payment.order_id == "KF00000104")):
            payment.payment_method_id = "credit_card_1"
    say = Chat(kefu)
    say("My email is mia@example.com")
    say("By the way, I usually pay with PayPal")
    confirm = say("I want to pay order KF00000104 with a different payment method")
    assert "with PayPal paypal_1 instead of Visa credit card ending in 4242" in confirm
    assert "PayPal paypal_1 is how you told us you like to pay" in confirm
