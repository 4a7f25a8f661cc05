"""Import and export the tau-bench retail store: ``users.json``, ``orders.json``, ``products.json``.

The round trip is lossless: exporting right after an import writes files that ``json.load`` to
the same values as the input, with the same key order and the same int/float types (prices and
amounts are floats, gift-card balances ints when whole). Money is kept in integer cents, and a
value that is not a whole number of cents is refused rather than rounded. Fields the models have
no place for are refused too, so nothing is dropped silently.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import String, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kefu.errors import ImportFailed
from kefu.privacy.crypto import EncryptedText
from kefu.storage.models import (
    Address,
    Base,
    Customer,
    Fulfillment,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    Variant,
)
from kefu.storage.shop import SHOP_MODELS, replace_shop

USERS = "users.json"
ORDERS = "orders.json"
PRODUCTS = "products.json"

ADDRESS_KEYS = ("address1", "address2", "city", "country", "state", "zip")
USER_KEYS = ("name", "address", "email", "payment_methods", "orders")
NAME_KEYS = ("first_name", "last_name")
METHOD_KEYS = ("source", "brand", "last_four", "balance", "id")
ORDER_KEYS = (
    "order_id",
    "user_id",
    "address",
    "items",
    "fulfillments",
    "status",
    "payment_history",
)
# What tau-bench's order actions add to an order (kept in Order.extra, written back after
# payment_history in this order).
ORDER_ACTION_KEYS = (
    "cancel_reason",
    "return_items",
    "return_payment_method_id",
    "exchange_items",
    "exchange_new_items",
    "exchange_payment_method_id",
    "exchange_price_difference",
)
ITEM_KEYS = ("name", "product_id", "item_id", "price", "options")
FULFILLMENT_KEYS = ("tracking_id", "item_ids")
PAYMENT_KEYS = ("transaction_type", "amount", "payment_method_id")
PRODUCT_KEYS = ("name", "product_id", "variants")
VARIANT_KEYS = ("item_id", "options", "available", "price")

MAX_CENTS = 2**63 - 1

JsonObject = dict[str, Any]
Row = dict[str, Any]
T = TypeVar("T")

@dataclass(frozen=True)
class ImportSummary:
    """How many rows of each kind an import wrote."""

    customers: int
    addresses: int
    payment_methods: int
    products: int
    variants: int
    orders: int
    order_items: int
    fulfillments: int
    payments: int


@dataclass
class _Rows:
    """The rows of every shop table, built from the files before anything is written."""

    by_model: dict[type[Base], list[Row]] = field(
        default_factory=lambda: {model: [] for model in reversed(SHOP_MODELS)}
    )
    order_lists: dict[str, list[str]] = field(default_factory=dict)

    def add(self, model: type[Base], row: Row) -> None:
        self.by_model[model].append(row)

    def summary(self) -> ImportSummary:
        def count(model: type[Base]) -> int:
            return len(self.by_model[model])

        return ImportSummary(
            customers=count(Customer),
            addresses=count(Address),
            payment_methods=count(PaymentMethod),
            products=count(Product),
            variants=count(Variant),
            orders=count(Order),
            order_items=count(OrderItem),
            fulfillments=count(Fulfillment),
            payments=count(Payment),
        )


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def import_tau_retail(session: Session, directory: Path) -> ImportSummary:
    """Replace the shop's customers, products and orders with the tau-bench store in
    ``directory``, in the caller's transaction. Every file is read and checked before the first
    row is touched, so a bad store raises :class:`ImportFailed` and changes nothing."""
    users = _load(directory, USERS)
    orders = _load(directory, ORDERS)
    products = _load(directory, PRODUCTS)
    rows = _Rows()
    _parse_users(rows, users)
    _parse_orders(rows, orders, users)
    _parse_products(rows, products)
    _replace_shop(session, rows)
    return rows.summary()


def _replace_shop(session: Session, rows: _Rows) -> None:
    replace_shop(session, rows.by_model.items())


# ---- reading files ----------------------------------------------------------------------


class _BadJson(ValueError):
    """A JSON document that parses but cannot be taken as it is (duplicate key, NaN)."""


def _load(directory: Path, name: str) -> JsonObject:
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFailed(f"{name}: file not found in {directory}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{name}: cannot read {path}: {exc}") from exc
    try:
        data = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except _BadJson as exc:
        raise ImportFailed(f"{name}: invalid JSON: {exc}") from exc
    return _object(data, name)


def _reject_constant(name: str) -> Any:
    raise _BadJson(f"{name} is not a number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> JsonObject:
    result: JsonObject = {}
    for key, value in pairs:
        if key in result:
            raise _BadJson(f"duplicate key {key!r}")
        result[key] = value
    return result


# ---- checking values --------------------------------------------------------------------


def _at(where: str, key: str | int) -> str:
    """The path of a child value, e.g. ``orders.json["#W1"]["items"][0]``."""
    return f"{where}[{json.dumps(key, ensure_ascii=False)}]"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _mistyped(where: str, expected: str, value: Any) -> ImportFailed:
    return ImportFailed(f"{where}: expected {expected}, got {_json_type(value)}")


def _object(value: Any, where: str) -> JsonObject:
    if not isinstance(value, dict):
        raise _mistyped(where, "an object", value)
    return value


def _value(obj: JsonObject, key: str, where: str) -> Any:
    if key not in obj:
        raise ImportFailed(f"{where}: missing field {key!r}")
    return obj[key]


def _only_keys(obj: JsonObject, allowed: tuple[str, ...], where: str) -> None:
    unknown = [key for key in obj if key not in allowed]
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        raise ImportFailed(f"{where}: unsupported field(s) {names}")


def _same_id(key: str, obj: JsonObject, id_field: str, where: str) -> None:
    if obj[id_field] != key:
        raise ImportFailed(f"{_at(where, id_field)}: {obj[id_field]!r} differs from its key")


def _limit(column: InstrumentedAttribute[Any]) -> int:
    column_type = column.expression.type
    length = getattr(column_type, "length", None)  # String, or EncryptedText's plaintext bound
    if not isinstance(column_type, String | EncryptedText) or length is None:
        raise TypeError(f"{column} is not a bounded string column")
    return int(length)


def _obj_field(obj: JsonObject, key: str, where: str) -> JsonObject:
    return _object(_value(obj, key, where), _at(where, key))


def _list_field(obj: JsonObject, key: str, where: str) -> list[Any]:
    value = _value(obj, key, where)
    if not isinstance(value, list):
        raise _mistyped(_at(where, key), "an array", value)
    return value


def _str(
    obj: JsonObject, key: str, where: str, column: InstrumentedAttribute[Any] | None = None
) -> str:
    """A string field; with ``column``, no longer than that column allows."""
    value = _value(obj, key, where)
    if not isinstance(value, str):
        raise _mistyped(_at(where, key), "a string", value)
    if column is not None and len(value) > _limit(column):
        raise ImportFailed(f"{_at(where, key)}: longer than {_limit(column)} characters")
    return value


def _opt_str(
    obj: JsonObject, key: str, where: str, column: InstrumentedAttribute[Any]
) -> str | None:
    return _str(obj, key, where, column) if key in obj else None


def _str_list(obj: JsonObject, key: str, where: str) -> list[str]:
    values = _list_field(obj, key, where)
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise _mistyped(_at(_at(where, key), index), "a string", value)
    return values


def _bool(obj: JsonObject, key: str, where: str) -> bool:
    value = _value(obj, key, where)
    if not isinstance(value, bool):
        raise _mistyped(_at(where, key), "true or false", value)
    return value


def _cents(obj: JsonObject, key: str, where: str) -> int:
    """A money amount in integer cents; refuses anything that is not a whole number of cents."""
    value = _value(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _mistyped(_at(where, key), "a number", value)
    if isinstance(value, Decimal) and value.adjusted() > 18:
        raise ImportFailed(f"{_at(where, key)}: {value} is too large")
    scaled = Fraction(value) * 100
    if scaled.denominator != 1:
        raise ImportFailed(f"{_at(where, key)}: {value} is not a whole number of cents")
    if abs(scaled.numerator) > MAX_CENTS:
        raise ImportFailed(f"{_at(where, key)}: {value} is too large")
    return scaled.numerator


def _opt_cents(obj: JsonObject, key: str, where: str) -> int | None:
    return _cents(obj, key, where) if key in obj else None


def _plain(value: Any) -> Any:
    """A parsed JSON value with its decimals turned back into floats, for a JSON column."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


# ---- users.json -------------------------------------------------------------------------


def _parse_users(rows: _Rows, users: JsonObject) -> None:
    owners: dict[str, str] = {}
    for index, (user_id, raw) in enumerate(users.items()):
        where = _at(USERS, user_id)
        if len(user_id) > _limit(Customer.id):
            raise ImportFailed(f"{where}: user id longer than {_limit(Customer.id)} characters")
        user = _object(raw, where)
        _only_keys(user, USER_KEYS, where)
        rows.add(
            Customer, _customer_row(user_id, user, where, index)
        )
        rows.add(Address, _address_row(user_id, _obj_field(user, "address", where), where))
        _parse_methods(rows, user_id, _obj_field(user, "payment_methods", where), where, owners)
        rows.order_lists[user_id] = _str_list(user, "orders", where)


def _customer_row(user_id: str, user: JsonObject, where: str, position: int) -> Row:
    name = _obj_field(user, "name", where)
    name_at = _at(where, "name")
    _only_keys(name, NAME_KEYS, name_at)
    return {
        "id": user_id,
        "first_name": _str(name, "first_name", name_at, Customer.first_name),
        "last_name": _str(name, "last_name", name_at, Customer.last_name),
        "email": _str(user, "email", where, Customer.email),
        "phone": None,
        "language": "en",
        "position": position,
    }


def _address_row(user_id: str, address: JsonObject, user_at: str) -> Row:
    where = _at(user_at, "address")
    _only_keys(address, ADDRESS_KEYS, where)
    row: Row = {"customer_id": user_id, "is_default": True}
    for key in ADDRESS_KEYS:
        row[key] = _str(address, key, where, getattr(Address, key))
    return row


def _parse_methods(
    rows: _Rows, user_id: str, methods: JsonObject, user_at: str, owners: dict[str, str]
) -> None:
    for position, (method_id, raw) in enumerate(methods.items()):
        where = _at(_at(user_at, "payment_methods"), method_id)
        method = _object(raw, where)
        _only_keys(method, METHOD_KEYS, where)
        _str(method, "id", where, PaymentMethod.id)
        _same_id(method_id, method, "id", where)
        if method_id in owners:
            raise ImportFailed(f"{where}: payment method id also used by {owners[method_id]!r}")
        owners[method_id] = user_id
        rows.add(PaymentMethod, _method_row(user_id, method_id, method, where, position))


def _method_row(user_id: str, method_id: str, method: JsonObject, where: str, pos: int) -> Row:
    return {
        "id": method_id,
        "customer_id": user_id,
        "kind": _str(method, "source", where, PaymentMethod.kind),
        "brand": _opt_str(method, "brand", where, PaymentMethod.brand),
        "last_four": _opt_str(method, "last_four", where, PaymentMethod.last_four),
        "balance_cents": _opt_cents(method, "balance", where),
        "position": pos,
    }


# ---- orders.json ------------------------------------------------------------------------


def _parse_orders(rows: _Rows, orders: JsonObject, users: JsonObject) -> None:
    listed = _listed_orders(rows.order_lists)
    for position, (order_id, raw) in enumerate(orders.items()):
        where = _at(ORDERS, order_id)
        order = _object(raw, where)
        _only_keys(order, ORDER_KEYS + ORDER_ACTION_KEYS, where)
        _str(order, "order_id", where, Order.id)
        _same_id(order_id, order, "order_id", where)
        user_id = _str(order, "user_id", where, Order.customer_id)
        if user_id not in users:
            raise ImportFailed(f"{_at(where, 'user_id')}: unknown user {user_id!r}")
        seq = _customer_seq(listed, order_id, user_id, where)
        rows.add(Order, _order_row(order_id, order, where, user_id, seq, position))
        _parse_order_children(rows, order_id, order, where)
    for order_id, (user_id, _) in listed.items():
        if order_id not in orders:
            raise ImportFailed(
                f"{_at(_at(USERS, user_id), 'orders')}: order {order_id!r} is not in {ORDERS}"
            )


def _listed_orders(order_lists: dict[str, list[str]]) -> dict[str, tuple[str, int]]:
    """Each order id listed in users.json: the user listing it and its index in the list."""
    listed: dict[str, tuple[str, int]] = {}
    for user_id, order_ids in order_lists.items():
        for seq, order_id in enumerate(order_ids):
            if order_id in listed:
                raise ImportFailed(
                    f"{_at(_at(USERS, user_id), 'orders')}: order {order_id!r} is listed twice"
                )
            listed[order_id] = (user_id, seq)
    return listed


def _customer_seq(
    listed: dict[str, tuple[str, int]], order_id: str, user_id: str, where: str
) -> int:
    if order_id not in listed or listed[order_id][0] != user_id:
        raise ImportFailed(f"{where}: the order is not in {_at(_at(USERS, user_id), 'orders')}")
    return listed[order_id][1]


def _order_row(
    order_id: str, order: JsonObject, where: str, user_id: str, seq: int, position: int
) -> Row:
    address = _obj_field(order, "address", where)
    for key in ADDRESS_KEYS:
        _str(address, key, _at(where, "address"))
    return {
        "id": order_id,
        "customer_id": user_id,
        "customer_seq": seq,
        "status": _str(order, "status", where, Order.status),
        "shipping_address": _plain(address),
        "currency": "USD",
        "position": position,
        "extra": {key: _plain(order[key]) for key in ORDER_ACTION_KEYS if key in order},
    }


def _parse_order_children(rows: _Rows, order_id: str, order: JsonObject, where: str) -> None:
    for pos, raw in enumerate(_list_field(order, "items", where)):
        rows.add(OrderItem, _item_row(order_id, raw, _at(_at(where, "items"), pos), pos))
    for pos, raw in enumerate(_list_field(order, "fulfillments", where)):
        at = _at(_at(where, "fulfillments"), pos)
        rows.add(Fulfillment, _fulfillment_row(order_id, raw, at, pos))
    for pos, raw in enumerate(_list_field(order, "payment_history", where)):
        at = _at(_at(where, "payment_history"), pos)
        rows.add(Payment, _payment_row(order_id, raw, at, pos))


def _item_row(order_id: str, raw: Any, where: str, position: int) -> Row:
    item = _object(raw, where)
    _only_keys(item, ITEM_KEYS, where)
    return {
        "order_id": order_id,
        "position": position,
        "name": _str(item, "name", where, OrderItem.name),
        "product_id": _str(item, "product_id", where, OrderItem.product_id),
        "variant_id": _str(item, "item_id", where, OrderItem.variant_id),
        "price_cents": _cents(item, "price", where),
        "options": _plain(_obj_field(item, "options", where)),
    }


def _fulfillment_row(order_id: str, raw: Any, where: str, position: int) -> Row:
    fulfillment = _object(raw, where)
    _only_keys(fulfillment, FULFILLMENT_KEYS, where)
    return {
        "order_id": order_id,
        "position": position,
        "tracking_ids": _str_list(fulfillment, "tracking_id", where),
        "item_ids": _str_list(fulfillment, "item_ids", where),
    }


def _payment_row(order_id: str, raw: Any, where: str, position: int) -> Row:
    payment = _object(raw, where)
    _only_keys(payment, PAYMENT_KEYS, where)
    return {
        "order_id": order_id,
        "position": position,
        "transaction_type": _str(payment, "transaction_type", where, Payment.transaction_type),
        "amount_cents": _cents(payment, "amount", where),
        "payment_method_id": _str(payment, "payment_method_id", where, Payment.payment_method_id),
    }


# ---- products.json ----------------------------------------------------------------------


def _parse_products(rows: _Rows, products: JsonObject) -> None:
    owners: dict[str, str] = {}
    for position, (product_id, raw) in enumerate(products.items()):
        where = _at(PRODUCTS, product_id)
        product = _object(raw, where)
        _only_keys(product, PRODUCT_KEYS, where)
        _str(product, "product_id", where, Product.id)
        _same_id(product_id, product, "product_id", where)
        name = _str(product, "name", where, Product.name)
        rows.add(Product, {"id": product_id, "name": name, "position": position})
        variants = _obj_field(product, "variants", where)
        for pos, (item_id, variant) in enumerate(variants.items()):
            at = _at(_at(where, "variants"), item_id)
            if item_id in owners:
                raise ImportFailed(f"{at}: item id also used by product {owners[item_id]!r}")
            owners[item_id] = product_id
            rows.add(Variant, _variant_row(product_id, item_id, variant, at, pos))


def _variant_row(product_id: str, item_id: str, raw: Any, where: str, position: int) -> Row:
    variant = _object(raw, where)
    _only_keys(variant, VARIANT_KEYS, where)
    _str(variant, "item_id", where, Variant.id)
    _same_id(item_id, variant, "item_id", where)
    return {
        "id": item_id,
        "product_id": product_id,
        "options": _plain(_obj_field(variant, "options", where)),
        "price_cents": _cents(variant, "price", where),
        "available": _bool(variant, "available", where),
        "stock": None,
        "position": position,
    }


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def tau_documents(session: Session) -> dict[str, JsonObject]:
    """The shop as tau-bench's three documents, keyed by file name."""
    return {
        USERS: _export_users(session),
        ORDERS: _export_orders(session),
        PRODUCTS: _export_products(session),
    }


def export_tau_retail(session: Session, directory: Path) -> None:
    """Write the shop as ``users.json``, ``orders.json`` and ``products.json`` in
    ``directory`` (created if needed), in the tau-bench layout."""
    documents = tau_documents(session)
    directory.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        _write(directory / name, document)


def _write(path: Path, document: JsonObject) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8") as out:
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(partial, path)


def _group(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def _money(cents: int) -> float:
    """Cents as the float tau-bench writes (``cents / 100`` is the nearest float, as in JSON)."""
    return cents / 100


def _balance(cents: int) -> int | float:
    return cents // 100 if cents % 100 == 0 else cents / 100


# ---- users.json -------------------------------------------------------------------------


def _export_users(session: Session) -> JsonObject:
    customers = session.scalars(select(Customer).order_by(Customer.position, Customer.id))
    addresses = _group(
        session.scalars(select(Address).order_by(Address.is_default.desc(), Address.id)),
        lambda address: address.customer_id,
    )
    methods = _group(
        session.scalars(select(PaymentMethod).order_by(PaymentMethod.position, PaymentMethod.id)),
        lambda method: method.customer_id,
    )
    orders = _group(
        session.execute(
            select(Order.customer_id, Order.id).order_by(
                Order.customer_seq, Order.position, Order.id
            )
        ).all(),
        lambda row: row[0],
    )
    return {
        customer.id: {
            "name": {"first_name": customer.first_name, "last_name": customer.last_name},
            "address": _address_doc(addresses.get(customer.id, [])),
            "email": customer.email,
            "payment_methods": {m.id: _method_doc(m) for m in methods.get(customer.id, [])},
            "orders": [order_id for _, order_id in orders.get(customer.id, [])],
        }
        for customer in customers
    }


def _address_doc(addresses: list[Address]) -> dict[str, str]:
    if not addresses:
        return dict.fromkeys(ADDRESS_KEYS, "")
    return addresses[0].as_dict()


def _method_doc(method: PaymentMethod) -> JsonObject:
    doc: JsonObject = {"source": method.kind}
    if method.brand is not None:
        doc["brand"] = method.brand
    if method.last_four is not None:
        doc["last_four"] = method.last_four
    if method.balance_cents is not None:
        doc["balance"] = _balance(method.balance_cents)
    doc["id"] = method.id
    return doc


# ---- orders.json ------------------------------------------------------------------------


def _export_orders(session: Session) -> JsonObject:
    items = _group(
        session.scalars(select(OrderItem).order_by(OrderItem.position, OrderItem.id)),
        lambda item: item.order_id,
    )
    fulfillments = _group(
        session.scalars(select(Fulfillment).order_by(Fulfillment.position, Fulfillment.id)),
        lambda fulfillment: fulfillment.order_id,
    )
    payments = _group(
        session.scalars(select(Payment).order_by(Payment.position, Payment.id)),
        lambda payment: payment.order_id,
    )
    orders = session.scalars(select(Order).order_by(Order.position, Order.id))
    return {
        order.id: {
            "order_id": order.id,
            "user_id": order.customer_id,
            "address": order.shipping_address,
            "items": [_item_doc(item) for item in items.get(order.id, [])],
            "fulfillments": [_fulfillment_doc(f) for f in fulfillments.get(order.id, [])],
            "status": order.status,
            "payment_history": [_payment_doc(p) for p in payments.get(order.id, [])],
            **{key: order.extra[key] for key in ORDER_ACTION_KEYS if key in order.extra},
        }
        for order in orders
    }


def _item_doc(item: OrderItem) -> JsonObject:
    return {
        "name": item.name,
        "product_id": item.product_id,
        "item_id": item.variant_id,
        "price": _money(item.price_cents),
        "options": item.options,
    }


def _fulfillment_doc(fulfillment: Fulfillment) -> JsonObject:
    return {"tracking_id": fulfillment.tracking_ids, "item_ids": fulfillment.item_ids}


def _payment_doc(payment: Payment) -> JsonObject:
    return {
        "transaction_type": payment.transaction_type,
        "amount": _money(payment.amount_cents),
        "payment_method_id": payment.payment_method_id,
    }


# ---- products.json ----------------------------------------------------------------------


def _export_products(session: Session) -> JsonObject:
    variants = _group(
        session.scalars(select(Variant).order_by(Variant.position, Variant.id)),
        lambda variant: variant.product_id,
    )
    products = session.scalars(select(Product).order_by(Product.position, Product.id))
    return {
        product.id: {
            "name": product.name,
            "product_id": product.id,
            "variants": {v.id: _variant_doc(v) for v in variants.get(product.id, [])},
        }
        for product in products
    }


def _variant_doc(variant: Variant) -> JsonObject:
    return {
        "item_id": variant.id,
        "options": variant.options,
        "available": variant.available,
        "price": _money(variant.price_cents),
    }
