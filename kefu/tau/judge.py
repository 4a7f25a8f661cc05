"""The judge: tau-bench retail's write tools replayed on the store's JSON, written by the
project from the tools' documented behaviour (statuses, added fields, payment history, gift
card balances), independently of kefu's own tools (kefu.tools.retail), so that the
evaluation checks those tools too.

A task passes when kefu's store after the conversation equals the original store with the
task's gold write actions replayed, and every required output string appears in kefu's
replies (lower-cased, commas removed from the replies, as tau-bench does). Money is compared
to the cent: kefu keeps integer cents, while tau-bench's modify-items tool writes the raw
float sum of price differences (0.04999999999999716 for 0.05).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

Json = dict[str, Any]
WRITE_TOOLS = frozenset({
    "cancel_pending_order", "modify_pending_order_address", "modify_pending_order_items",
    "modify_pending_order_payment", "modify_user_address", "return_delivered_order_items",
    "exchange_delivered_order_items",
})


def replay(users: Json, orders: Json, products: Json,
           actions: Iterable[Json]) -> tuple[Json, Json]:
    """Users and orders after the gold write actions (the inputs are not changed)."""
    users, orders = copy.deepcopy(users), copy.deepcopy(orders)
    for action in actions:
        name, kw = action["name"], action.get("kwargs", {})
        if name in WRITE_TOOLS:
            _apply(name, kw, users, orders, products)
    return users, orders


def _method(users: Json, order: Json, method_id: str) -> Json | None:
    return users[order["user_id"]]["payment_methods"].get(method_id)


def _apply(name: str, kw: Json, users: Json, orders: Json, products: Json) -> None:
    if name == "modify_user_address":
        user = users.get(kw["user_id"])
        if user is not None:
            user["address"] = {k: kw[k] for k in ("address1", "address2", "city", "state",
                                                   "country", "zip")}
        return
    order = orders.get(kw["order_id"])
    if order is None:
        return
    status = order["status"]
    if name == "cancel_pending_order":
        if status != "pending" or kw["reason"] not in ("no longer needed", "ordered by mistake"):
            return
        for payment in list(order["payment_history"]):
            order["payment_history"].append({"transaction_type": "refund",
                                             "amount": payment["amount"],
                                             "payment_method_id": payment["payment_method_id"]})
            _gift(users, order, payment["payment_method_id"], payment["amount"])
        order["status"] = "cancelled"
        order["cancel_reason"] = kw["reason"]
    elif name == "modify_pending_order_address":
        if status == "pending":
            order["address"] = {k: kw[k] for k in ("address1", "address2", "city", "state",
                                                    "country", "zip")}
    elif name == "modify_pending_order_payment":
        method = _method(users, order, kw["payment_method_id"])
        history = order["payment_history"]
        if status != "pending" or method is None or len(history) != 1 \
                or history[0]["transaction_type"] != "payment" \
                or history[0]["payment_method_id"] == kw["payment_method_id"]:
            return
        amount = history[0]["amount"]
        if method["source"] == "gift_card" and method["balance"] < amount:
            return
        old = history[0]["payment_method_id"]
        history.append({"transaction_type": "payment", "amount": amount,
                        "payment_method_id": kw["payment_method_id"]})
        history.append({"transaction_type": "refund", "amount": amount,
                        "payment_method_id": old})
        _gift(users, order, kw["payment_method_id"], -amount)
        _gift(users, order, old, amount)
    elif name in ("modify_pending_order_items", "exchange_delivered_order_items"):
        wanted = "pending" if name == "modify_pending_order_items" else "delivered"
        swaps = _swaps(order, kw["item_ids"], kw["new_item_ids"], products)
        method = _method(users, order, kw["payment_method_id"])
        if status != wanted or swaps is None or method is None:
            return
        diff = round(sum(new["price"] - line["price"] for line, new in swaps), 2)
        if method["source"] == "gift_card" and method["balance"] < diff:
            return
        if name == "exchange_delivered_order_items":
            order["status"] = "exchange requested"
            order["exchange_items"] = sorted(kw["item_ids"])
            order["exchange_new_items"] = sorted(kw["new_item_ids"])
            order["exchange_payment_method_id"] = kw["payment_method_id"]
            order["exchange_price_difference"] = diff
            return
        order["payment_history"].append({
            "transaction_type": "payment" if diff > 0 else "refund", "amount": abs(diff),
            "payment_method_id": kw["payment_method_id"]})
        _gift(users, order, kw["payment_method_id"], -diff)
        for line, new in swaps:
            line["item_id"], line["price"] = new["item_id"], new["price"]
            line["options"] = new["options"]
        order["status"] = "pending (item modified)"
    elif name == "return_delivered_order_items":
        method = _method(users, order, kw["payment_method_id"])
        original = order["payment_history"][0]["payment_method_id"]
        if status != "delivered" or method is None or (
                method["source"] != "gift_card" and kw["payment_method_id"] != original):
            return
        if _lines(order, kw["item_ids"]) is None:
            return
        order["status"] = "return requested"
        order["return_items"] = sorted(kw["item_ids"])
        order["return_payment_method_id"] = kw["payment_method_id"]


def _gift(users: Json, order: Json, method_id: str, amount: float) -> None:
    method = _method(users, order, method_id)
    if method is not None and method["source"] == "gift_card":
        method["balance"] = round(method["balance"] + amount, 2)


def _lines(order: Json, item_ids: list[str]) -> list[Json] | None:
    left = list(order["items"])
    taken = []
    for item_id in item_ids:
        line = next((x for x in left if x["item_id"] == item_id), None)
        if line is None:
            return None
        left.remove(line)
        taken.append(line)
    return taken


def _swaps(order: Json, item_ids: list[str], new_ids: list[str],
           products: Json) -> list[tuple[Json, Json]] | None:
    lines = _lines(order, item_ids)
    if lines is None or len(item_ids) != len(new_ids):
        return None
    out = []
    for line, new_id in zip(lines, new_ids, strict=True):
        variant = products[line["product_id"]]["variants"].get(new_id)
        if variant is None or not variant["available"]:
            return None
        out.append((line, variant))
    return out


def normalised(value: Any) -> Any:
    """Numbers to the cent (1 and 1.0 alike); dict keys unordered; lists kept in order."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return round(float(value), 2)
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def differences(expected: Json, actual: Json, where: str = "", limit: int = 5) -> list[str]:
    """Where two normalised documents differ (at most ``limit`` places)."""
    out: list[str] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                if key not in a or key not in b:
                    out.append(f"{path}/{key}: {'missing' if key not in b else 'unexpected'}")
                else:
                    walk(a[key], b[key], f"{path}/{key}")
        elif a != b:
            out.append(f"{path}: expected {str(a)[:80]}, got {str(b)[:80]}")

    walk(normalised(expected), normalised(actual), where)
    return out


def outputs_found(outputs: Iterable[str], replies: Iterable[str]) -> bool:
    said = [r.lower().replace(",", "") for r in replies]
    return all(any(o.lower() in r for r in said) for o in outputs)
