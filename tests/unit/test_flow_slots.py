"""The flows' pure parts: which flow a message opens, and what its words fill."""

from __future__ import annotations

import pytest

from kefu.dialogue import slots as fill
from kefu.dialogue.flows import pick_flow
from kefu.dialogue.policy import decide, mood
from kefu.storage.models import Order, OrderItem, Payment, PaymentMethod, Variant
from kefu.types import Action, Entity, Intent, Sentiment, State, Understanding


def understood(intent: str, order_id: str | None = None) -> Understanding:
    entities = (Entity("order_id", order_id, 0, len(order_id), order_id),) if order_id else ()
    return Understanding(Intent(intent, 0.9), entities)


@pytest.mark.parametrize(("intent", "text", "order", "flow"), [
    ("cancel_order", "cancel my order", None, "cancel"),
    ("exchange_item", "exchange the mouse", None, "exchange"),
    ("change_order", "I'd like to exchange an item", None, "exchange"),
    ("return_item", "send it back", None, "return"),
    ("change_shipping_address", "new address for #W1234567", "#W1234567", "order_address"),
    ("change_shipping_address", "change my default address", None, "user_address"),
    ("change_shipping_address", "change my address", None, "address"),
    ("change_order", "pay with my gift card instead", None, "order_payment"),
    ("change_order", "change the size of the shirt", None, "order_items"),
    ("check_payment_methods", "use a different payment method for #W1234567", "#W1234567",
     "order_payment"),
    ("out_of_scope", "我想修改账户的默认地址", None, "user_address"),
    ("track_order", "where is my order", None, None),
    ("exchange_item", "how many days do I have to swap jeans for a bigger size?", None, None),
    ("return_item", "退货期限是多久？", None, None),
    ("exchange_item", "Can you exchange my jeans for a bigger size?", None, "exchange"),
    ("exchange_item", "Can I exchange items in my order #W1234567?", "#W1234567", "exchange"),
    ("delivery_period", "how long does shipping take", None, None),
])
def test_pick_flow(intent: str, text: str, order: str | None, flow: str | None) -> None:
    assert pick_flow(understood(intent, order), text) == flow


def test_cancel_reasons_and_yes_no_in_both_languages() -> None:
    allowed = ("no longer needed", "ordered by mistake")
    assert fill.cancel_reason("I don't need it anymore", allowed) == "no longer needed"
    assert fill.cancel_reason("买错了", allowed) == "ordered by mistake"
    assert fill.cancel_reason("it is too expensive", allowed) is None
    assert fill.yes_no("Yes, please go ahead.", "out_of_scope") is True
    assert fill.yes_no("确认", "out_of_scope") is True
    assert fill.yes_no("no, leave it", "affirm") is False
    assert fill.yes_no("算了", "out_of_scope") is False
    assert fill.yes_no("how long does shipping take?", "delivery_period") is None


def test_address_parts() -> None:
    assert fill.address("12 Oak St, Apt 4, Austin, TX, USA, 73301") == {
        "address1": "12 Oak St", "address2": "Apt 4", "city": "Austin", "state": "TX",
        "country": "USA", "zip": "73301"}
    assert fill.address("my new address: 12 Oak St, -, Austin, TX, USA, 73301")["address2"] == ""
    assert fill.address("人民路 88 号，杭州，浙江，中国，310000")["city"] == "杭州"
    assert fill.address("12 Oak St, Austin") is None


def _order() -> Order:
    order = Order(id="#W1", customer_id="c", status="delivered", shipping_address={})
    order.items = [
        OrderItem(product_id="p1", variant_id="1111111111", name="Gaming Mouse", price_cents=100,
                  options={"color": "black", "sensor": "laser"}),
        OrderItem(product_id="p2", variant_id="2222222222", name="Bookshelf", price_cents=200,
                  options={"material": "metal", "height": "4 ft"}),
        OrderItem(product_id="p2", variant_id="3333333333", name="Bookshelf", price_cents=300,
                  options={"material": "glass", "height": "5 ft"}),
    ]
    order.payments = [Payment(transaction_type="payment", amount_cents=600,
                              payment_method_id="credit_card_1")]
    return order


def test_order_lines_by_id_name_and_options() -> None:
    order = _order()
    assert [x.variant_id for x in fill.order_lines("item 1111111111", order)] == ["1111111111"]
    assert [x.variant_id for x in fill.order_lines("the gaming mouse please", order)] == [
        "1111111111"]
    glass = fill.order_lines("the Bookshelf (glass, 5 ft) to metal", order)
    assert [x.variant_id for x in glass] == ["3333333333"]
    assert len(fill.order_lines("return all the items", order, everything=True)) == 3
    assert fill.order_lines("That's all", order, everything=True) == []
    assert fill.order_lines("the mouse", order, exclude=["1111111111"]) == []


def test_new_variant_by_the_values_named_after_to() -> None:
    line = _order().items[0]
    variants = [Variant(id="1111111111", product_id="p1", price_cents=100, available=True,
                        options={"color": "black", "sensor": "laser"}),
                Variant(id="4444444444", product_id="p1", price_cents=90, available=True,
                        options={"color": "white", "sensor": "optical"}),
                Variant(id="5555555555", product_id="p1", price_cents=95, available=True,
                        options={"color": "white", "sensor": "laser"}),
                Variant(id="6666666666", product_id="p1", price_cents=80, available=False,
                        options={"color": "white", "sensor": "optical"})]
    pick = fill.new_variant("change the black laser mouse to white, optical", line, variants)
    assert pick is not None and pick.id == "4444444444"
    pick = fill.new_variant("to white", line, variants)  # keeps the line's other option: laser
    assert pick is not None and pick.id == "5555555555"
    assert fill.new_variant("change the mouse", line, variants) is None  # nothing after "to"
    assert fill.new_variant("white, optical", line, variants, whole=True).id == "4444444444"
    pick = fill.new_variant("把黑色鼠标换成白色的", line, variants)  # 白色 is white; laser kept
    assert pick is not None and pick.id == "5555555555"


def test_payment_method_by_kind_brand_digits_or_original() -> None:
    methods = [PaymentMethod(id="credit_card_1", kind="credit_card", brand="visa",
                             last_four="1111"),
               PaymentMethod(id="credit_card_2", kind="credit_card", brand="mastercard",
                             last_four="2222"),
               PaymentMethod(id="paypal_1", kind="paypal"),
               PaymentMethod(id="gift_card_1", kind="gift_card", balance_cents=500)]
    order = _order()
    assert fill.payment_method("my PayPal", methods, order) == "paypal_1"
    assert fill.payment_method("the gift card", methods, order) == "gift_card_1"
    assert fill.payment_method("the card ending in 2222", methods, order) == "credit_card_2"
    assert fill.payment_method("my mastercard", methods, order) == "credit_card_2"
    assert fill.payment_method("原支付方式", methods, order) == "credit_card_1"
    assert fill.payment_method("a credit card", methods, order) is None  # which one?


def test_strong_anger_twice_hands_over() -> None:
    angry = Understanding(Intent("track_order", 0.9),
                          sentiment=Sentiment("negative", -0.95, "angry", 0.95))
    calm = Understanding(Intent("track_order", 0.9))
    text = "this is unacceptable, I have waited three weeks"
    state = mood(State(), angry, text)
    assert decide(state, angry).action is not Action.HANDOFF
    assert decide(mood(state, angry, text), angry).action is Action.HANDOFF
    assert mood(state, calm, text).upset_turns == 0
    assert mood(state, angry, "No, that's all.").upset_turns == 0  # too short to judge


@pytest.mark.parametrize(("text", "answer"), [
    ("yes", True), ("Yes, please go ahead.", True), ("yes please", True), ("Sure.", True),
    ("是的", True), ("确认", True), ("好的，确认", True),
    ("no", False), ("算了", False), ("不用了", False),
    ("对不起，我再想想", None), ("Right, but actually use my paypal instead", None),
    ("好像不对", None), ("嗯，等一下", None), ("是不是还能改地址？", None), ("ok, thanks", None),
    ("Correct the zip, it should be 90210", None), ("ok wait, what is the refund amount?", None),
])
def test_only_a_plain_yes_is_a_yes(text: str, answer: bool | None) -> None:
    assert fill.yes_no(text, "affirm") is answer


def test_abandoning_a_request() -> None:
    assert fill.abandons("never mind, forget it") and fill.abandons("算了，不办了")
    assert not fill.abandons("no, that's all")


def test_two_lines_of_one_name_are_both_taken_when_both_are_named() -> None:
    def line(vid: str, name: str, options: dict[str, str]) -> OrderItem:
        return OrderItem(variant_id=vid, product_id=name, name=name, price_cents=1,
                         options=options)

    order = Order(id="o", items=[
        line("v101", "Wireless Earbuds", {"color": "black", "battery life": "4 hours"}),
        line("v102", "Digital Camera", {"resolution": "30MP"}),
        line("v103", "Wireless Earbuds", {"color": "black", "battery life": "6 hours"})])
    both = ("I want to return the Wireless Earbuds (black, 6 hours) and the Wireless Earbuds "
            "(black, 4 hours) and the Digital Camera (30MP). That's all.")
    assert sorted(x.variant_id for x in fill.order_lines(both, order)) == ["v101", "v102",
                                                                          "v103"]
    one = fill.order_lines("return the Wireless Earbuds (black, 6 hours)", order)
    assert [x.variant_id for x in one] == ["v103"]
