"""The tau-bench retail importer/exporter, on SQLite and PostgreSQL: a lossless round trip on
the real store, replacement on re-import, and bad inputs refused without touching the database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import ImportFailed
from kefu.storage.models import (
    Address,
    ApiKey,
    Conversation,
    Customer,
    Fulfillment,
    KnowledgeDocument,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    Variant,
)
from kefu.store.tau import ImportSummary, export_tau_retail, import_tau_retail

FILES = ("users.json", "orders.json", "products.json")
SHOP_MODELS = (
    Customer,
    Address,
    PaymentMethod,
    Product,
    Variant,
    Order,
    OrderItem,
    Fulfillment,
    Payment,
)


def _address(street: str) -> dict[str, str]:
    return {
        "address1": street,
        "address2": "Apt 1",
        "city": "Springfield",
        "country": "USA",
        "state": "IL",
        "zip": "62701",
    }


def small_store() -> dict[str, dict[str, Any]]:
    """A made-up two-user store in the tau-bench layout."""
    users = {
        "ann_lee_1": {
            "name": {"first_name": "Ann", "last_name": "Lee"},
            "address": _address("1 Elm St"),
            "email": "ann@example.com",
            "payment_methods": {
                "gift_card_1": {"source": "gift_card", "balance": 25, "id": "gift_card_1"},
                "credit_card_1": {
                    "source": "credit_card",
                    "brand": "visa",
                    "last_four": "4242",
                    "id": "credit_card_1",
                },
            },
            "orders": ["#W2", "#W1"],
        },
        "bo_chen_2": {
            "name": {"first_name": "Bo", "last_name": "Chen"},
            "address": _address("2 Oak Ave"),
            "email": "bo@example.com",
            "payment_methods": {"paypal_2": {"source": "paypal", "id": "paypal_2"}},
            "orders": [],
        },
    }
    orders = {
        "#W1": {
            "order_id": "#W1",
            "user_id": "ann_lee_1",
            "address": _address("1 Elm St"),
            "items": [
                {
                    "name": "Mug",
                    "product_id": "p1",
                    "item_id": "v1",
                    "price": 12.5,
                    "options": {"color": "red"},
                }
            ],
            "fulfillments": [{"tracking_id": ["T1"], "item_ids": ["v1"]}],
            "status": "delivered",
            "payment_history": [
                {"transaction_type": "payment", "amount": 12.5, "payment_method_id": "gift_card_1"}
            ],
        },
        "#W2": {
            "order_id": "#W2",
            "user_id": "ann_lee_1",
            "address": _address("9 Pine Rd"),
            "items": [],
            "fulfillments": [],
            "status": "pending",
            "payment_history": [],
        },
    }
    products = {
        "p1": {
            "name": "Mug",
            "product_id": "p1",
            "variants": {
                "v1": {
                    "item_id": "v1",
                    "options": {"color": "red"},
                    "available": True,
                    "price": 12.5,
                },
                "v2": {
                    "item_id": "v2",
                    "options": {"color": "blue"},
                    "available": False,
                    "price": 20.0,
                },
            },
        }
    }
    return {"users.json": users, "orders.json": orders, "products.json": products}


def write_store(directory: Path, store: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, document in store.items():
        (directory / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return directory


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in SHOP_MODELS
        }


def do_import(factory: sessionmaker[Session], directory: Path) -> ImportSummary:
    with factory.begin() as session:
        return import_tau_retail(session, directory)


def do_export(factory: sessionmaker[Session], directory: Path) -> None:
    with factory.begin() as session:
        export_tau_retail(session, directory)


def test_round_trip_of_the_real_store_is_exact(
    session_factory: sessionmaker[Session], tau_dir: Path, tmp_path: Path
) -> None:
    summary = do_import(session_factory, tau_dir)
    out = tmp_path / "export"
    do_export(session_factory, out)

    originals = {name: read_json(tau_dir / name) for name in FILES}
    for name in FILES:
        exported = read_json(out / name)
        assert exported == originals[name], name
        assert json.dumps(exported, sort_keys=True) == json.dumps(originals[name], sort_keys=True)
        assert json.dumps(exported) == json.dumps(originals[name]), f"{name}: key order differs"

    users, orders, products = (originals[name] for name in FILES)
    assert summary.customers == len(users)
    assert summary.orders == len(orders)
    assert summary.products == len(products)
    assert summary.variants == sum(len(p["variants"]) for p in products.values())
    assert summary.order_items == sum(len(o["items"]) for o in orders.values())
    assert summary.payments == sum(len(o["payment_history"]) for o in orders.values())


def test_real_store_rows(session_factory: sessionmaker[Session], tau_dir: Path) -> None:
    do_import(session_factory, tau_dir)
    users = read_json(tau_dir / "users.json")
    orders = read_json(tau_dir / "orders.json")
    order_id, order = next((k, o) for k, o in orders.items() if len(o["items"]) > 1)
    user_id, card_id, card = next(
        (uid, mid, m)
        for uid, u in users.items()
        for mid, m in u["payment_methods"].items()
        if m["source"] == "gift_card"
    )
    with session_factory() as session:
        row = session.get(Order, order_id)
        assert row is not None
        assert row.customer_id == order["user_id"]
        assert row.customer_seq == users[order["user_id"]]["orders"].index(order_id)
        assert row.shipping_address == order["address"]
        assert row.currency == "USD"
        assert [(i.variant_id, i.price_cents, i.options) for i in row.items] == [
            (i["item_id"], round(i["price"] * 100), i["options"]) for i in order["items"]
        ]
        assert [p.amount_cents for p in row.payments] == [
            round(p["amount"] * 100) for p in order["payment_history"]
        ]
        gift_card = session.get(PaymentMethod, card_id)
        assert gift_card is not None
        assert gift_card.customer_id == user_id
        assert gift_card.kind == "gift_card"
        assert gift_card.balance_cents == card["balance"] * 100
        customer = session.get(Customer, user_id)
        assert customer is not None
        assert customer.language == "en"
        assert customer.default_address is not None
        assert customer.default_address.as_dict() == users[user_id]["address"]


def test_small_store_round_trip_and_rows(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    store = small_store()
    source = write_store(tmp_path / "in", store)
    summary = do_import(session_factory, source)
    assert summary == ImportSummary(
        customers=2,
        addresses=2,
        payment_methods=3,
        products=1,
        variants=2,
        orders=2,
        order_items=1,
        fulfillments=1,
        payments=1,
    )
    do_export(session_factory, tmp_path / "out")
    for name in FILES:
        exported = read_json(tmp_path / "out" / name)
        assert json.dumps(exported) == json.dumps(store[name]), name
    with session_factory() as session:
        variant = session.get(Variant, "v2")
        assert variant is not None
        assert (variant.price_cents, variant.available, variant.stock) == (2000, False, None)
        ann = session.get(Customer, "ann_lee_1")
        assert ann is not None
        assert [o.id for o in ann.orders] == ["#W2", "#W1"]
        assert [m.id for m in ann.payment_methods] == ["gift_card_1", "credit_card_1"]
        assert ann.payment_methods[0].balance_cents == 2500


def test_reimport_replaces_shop_data_and_keeps_the_rest(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    store = small_store()
    source = write_store(tmp_path / "in", store)
    do_import(session_factory, source)
    with session_factory.begin() as session:
        session.add(Conversation(id="c1", token_hash="h", customer_id="ann_lee_1"))
        session.add(
            KnowledgeDocument(id="d1", title="t", language="en", content="x", content_hash="h")
        )
        session.add(ApiKey(name="k", key_hash="kh"))
    first = counts(session_factory)

    do_import(session_factory, source)
    assert counts(session_factory) == first

    del store["users.json"]["bo_chen_2"]
    do_import(session_factory, write_store(tmp_path / "smaller", store))
    assert counts(session_factory) == {
        **first,
        "customers": 1,
        "addresses": 1,
        "payment_methods": 2,
    }
    with session_factory() as session:
        assert session.get(Conversation, "c1") is not None
        assert session.get(KnowledgeDocument, "d1") is not None
        assert session.scalar(select(func.count()).select_from(ApiKey)) == 1


Breaker = Callable[[Path, dict[str, Any]], None]


def _missing_file(directory: Path, store: dict[str, Any]) -> None:
    (directory / "products.json").unlink()


def _malformed_json(directory: Path, store: dict[str, Any]) -> None:
    (directory / "orders.json").write_text('{"#W1": {"order_id": "#W1",', encoding="utf-8")


def _duplicate_key(directory: Path, store: dict[str, Any]) -> None:
    (directory / "products.json").write_text('{"p1": {}, "p1": {}}', encoding="utf-8")


def _unknown_user(directory: Path, store: dict[str, Any]) -> None:
    store["orders.json"]["#W1"]["user_id"] = "nobody_9"
    write_store(directory, store)


def _three_decimals(directory: Path, store: dict[str, Any]) -> None:
    store["orders.json"]["#W1"]["items"][0]["price"] = 12.505
    write_store(directory, store)


def _missing_field(directory: Path, store: dict[str, Any]) -> None:
    del store["users.json"]["bo_chen_2"]["email"]
    write_store(directory, store)


def _mistyped_field(directory: Path, store: dict[str, Any]) -> None:
    store["products.json"]["p1"]["variants"]["v2"]["price"] = "20.00"
    write_store(directory, store)


def _unsupported_field(directory: Path, store: dict[str, Any]) -> None:
    store["orders.json"]["#W1"]["coupon_code"] = "SAVE10"  # return_items etc. are supported
    write_store(directory, store)


def _unlisted_order(directory: Path, store: dict[str, Any]) -> None:
    store["users.json"]["ann_lee_1"]["orders"] = ["#W1"]
    write_store(directory, store)


def case(breaker: Breaker, expected: str) -> Any:
    return pytest.param(breaker, expected, id=breaker.__name__.lstrip("_"))


@pytest.mark.parametrize(
    ("breaker", "expected"),
    [
        case(_missing_file, r"^products\.json: file not found"),
        case(_malformed_json, r"^orders\.json: invalid JSON at line 1"),
        case(_duplicate_key, r"^products\.json: invalid JSON: duplicate key 'p1'"),
        case(_unknown_user, r'^orders\.json\["#W1"\]\["user_id"\]: unknown user \'nobody_9\''),
        case(
            _three_decimals,
            r'^orders\.json\["#W1"\]\["items"\]\[0\]\["price"\]: 12\.505 is not a whole number',
        ),
        case(_missing_field, r'^users\.json\["bo_chen_2"\]: missing field \'email\''),
        case(
            _mistyped_field,
            r'^products\.json\["p1"\]\["variants"\]\["v2"\]\["price"\]: expected a number, '
            r"got a string",
        ),
        case(
            _unsupported_field, r'^orders\.json\["#W1"\]: unsupported field\(s\) \'coupon_code\''
        ),
        case(_unlisted_order, r'^orders\.json\["#W2"\]: the order is not in users\.json'),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    session_factory: sessionmaker[Session], tmp_path: Path, breaker: Breaker, expected: str
) -> None:
    do_import(session_factory, write_store(tmp_path / "good", small_store()))
    before = counts(session_factory)
    do_export(session_factory, tmp_path / "before")

    bad = write_store(tmp_path / "bad", small_store())
    breaker(bad, small_store())
    with pytest.raises(ImportFailed, match=expected):
        do_import(session_factory, bad)

    assert counts(session_factory) == before
    do_export(session_factory, tmp_path / "after")
    for name in FILES:
        assert read_json(tmp_path / "after" / name) == read_json(tmp_path / "before" / name)


def test_export_of_an_empty_shop_writes_empty_files(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    assert set(counts(session_factory).values()) == {0}
    do_export(session_factory, tmp_path / "empty")
    for name in FILES:
        assert read_json(tmp_path / "empty" / name) == {}
