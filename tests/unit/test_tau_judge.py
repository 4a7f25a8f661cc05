"""The judge's replay of tau-bench's write tools, on a tiny store written here."""

from __future__ import annotations

import copy

from kefu.tau.judge import differences, normalised, outputs_found, replay

USERS = {"u1": {"name": {"first_name": "A", "last_name": "B"}, "email": "a@b.c",
                "address": {"address1": "1 Main", "address2": "", "city": "X", "state": "Y",
                            "country": "USA", "zip": "10001"},
                "payment_methods": {"gift_card_1": {"source": "gift_card", "balance": 10,
                                                    "id": "gift_card_1"},
                                    "paypal_1": {"source": "paypal", "id": "paypal_1"}},
                "orders": ["#W1", "#W2"]}}
ORDERS = {
    "#W1": {"order_id": "#W1", "user_id": "u1", "address": {}, "status": "pending",
            "fulfillments": [],
            "items": [{"name": "Mug", "product_id": "p1", "item_id": "i1", "price": 10.5,
                       "options": {"color": "red"}}],
            "payment_history": [{"transaction_type": "payment", "amount": 10.5,
                                 "payment_method_id": "gift_card_1"}]},
    "#W2": {"order_id": "#W2", "user_id": "u1", "address": {}, "status": "delivered",
            "fulfillments": [],
            "items": [{"name": "Mug", "product_id": "p1", "item_id": "i1", "price": 10.5,
                       "options": {"color": "red"}},
                      {"name": "Mug", "product_id": "p1", "item_id": "i1", "price": 10.5,
                       "options": {"color": "red"}}],
            "payment_history": [{"transaction_type": "payment", "amount": 21.0,
                                 "payment_method_id": "paypal_1"}]},
}
PRODUCTS = {"p1": {"name": "Mug", "product_id": "p1", "variants": {
    "i1": {"item_id": "i1", "options": {"color": "red"}, "available": True, "price": 10.5},
    "i2": {"item_id": "i2", "options": {"color": "blue"}, "available": True, "price": 12.25},
    "i3": {"item_id": "i3", "options": {"color": "green"}, "available": False, "price": 9.0},
}}}


def act(name: str, **kwargs: object) -> dict[str, object]:
    return {"name": name, "kwargs": kwargs}


def test_cancel_refunds_every_payment_and_credits_a_gift_card() -> None:
    users, orders = replay(USERS, ORDERS, PRODUCTS,
                           [act("cancel_pending_order", order_id="#W1", reason="no longer needed")])
    order = orders["#W1"]
    assert order["status"] == "cancelled" and order["cancel_reason"] == "no longer needed"
    assert order["payment_history"][-1] == {"transaction_type": "refund", "amount": 10.5,
                                            "payment_method_id": "gift_card_1"}
    assert users["u1"]["payment_methods"]["gift_card_1"]["balance"] == 20.5
    assert ORDERS["#W1"]["status"] == "pending"  # the inputs are untouched


def test_invalid_actions_change_nothing() -> None:
    users, orders = replay(USERS, ORDERS, PRODUCTS, [
        act("cancel_pending_order", order_id="#W2", reason="no longer needed"),  # delivered
        act("cancel_pending_order", order_id="#W1", reason="too expensive"),  # bad reason
        act("return_delivered_order_items", order_id="#W2", item_ids=["i1"],
            payment_method_id="gift_card_2"),  # not the user's method
        act("modify_pending_order_items", order_id="#W1", item_ids=["i1"],
            new_item_ids=["i3"], payment_method_id="paypal_1"),  # unavailable
    ])
    assert not differences({"u": USERS, "o": ORDERS}, {"u": users, "o": orders})


def test_modify_items_pays_the_difference_and_freezes_the_order() -> None:
    users, orders = replay(USERS, ORDERS, PRODUCTS, [
        act("modify_pending_order_items", order_id="#W1", item_ids=["i1"], new_item_ids=["i2"],
            payment_method_id="gift_card_1"),
        act("cancel_pending_order", order_id="#W1", reason="no longer needed")])
    order = orders["#W1"]
    assert order["status"] == "pending (item modified)"  # so the cancel did nothing
    assert order["items"][0]["item_id"] == "i2" and order["items"][0]["price"] == 12.25
    assert order["payment_history"][-1] == {"transaction_type": "payment", "amount": 1.75,
                                            "payment_method_id": "gift_card_1"}
    assert users["u1"]["payment_methods"]["gift_card_1"]["balance"] == 8.25


def test_exchange_sorts_its_lists_and_records_the_difference() -> None:
    _, orders = replay(USERS, ORDERS, PRODUCTS, [
        act("exchange_delivered_order_items", order_id="#W2", item_ids=["i1", "i1"],
            new_item_ids=["i2", "i1"], payment_method_id="paypal_1")])
    order = orders["#W2"]
    assert order["status"] == "exchange requested"
    assert order["exchange_items"] == ["i1", "i1"]
    assert order["exchange_new_items"] == ["i1", "i2"]
    assert order["exchange_price_difference"] == 1.75
    assert len(order["payment_history"]) == 1  # no payment until the items come back


def test_comparison_is_to_the_cent_and_outputs_ignore_commas() -> None:
    a = {"x": [1, {"b": 0.04999999999999716}]}
    assert normalised(a) == normalised({"x": [1.0, {"b": 0.05}]})
    b = copy.deepcopy(a)
    b["x"][1] = {"b": 0.06}  # type: ignore[index]
    assert differences(a, b) == ["/x: expected [1.0, {'b': 0.05}], got [1.0, {'b': 0.06}]"]
    assert outputs_found(["1093.34"], ["The total is $1,093.34."])
    assert not outputs_found(["1093.34"], ["The total is $1,093.35."])
