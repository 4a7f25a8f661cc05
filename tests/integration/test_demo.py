"""The demo shop, seeded into SQLite and PostgreSQL: sizes, consistency, determinism and the
knowledge documents."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.demo import DemoSummary, load_demo_documents, seed_demo
from kefu.demo.documents import LANGUAGES, TOPICS
from kefu.storage.models import (
    Address,
    Base,
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

STATUSES = {
    "pending",
    "processed",
    "shipped",
    "delivered",
    "cancelled",
    "return requested",
    "returned",
    "exchange requested",
    "exchanged",
}
SHIPPED = STATUSES - {"pending", "processed", "cancelled"}


def _seed(factory: sessionmaker[Session], seed: int = 7) -> DemoSummary:
    with factory.begin() as session:
        return seed_demo(session, seed)


def _count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _j(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every column that matters of every demo table, as sorted tuples."""
    return {
        "products": sorted(
            (p.id, p.name, p.name_zh, p.category, p.description, p.description_zh, p.position)
            for p in session.scalars(select(Product))
        ),
        "variants": sorted(
            (v.id, v.product_id, _j(v.options), v.price_cents, v.available, v.stock, v.position)
            for v in session.scalars(select(Variant))
        ),
        "customers": sorted(
            (c.id, c.first_name, c.last_name, c.email, c.phone, c.language, c.created_at)
            for c in session.scalars(select(Customer))
        ),
        "addresses": sorted(
            (a.id, a.customer_id, a.address1, a.address2, a.city, a.state, a.zip, a.is_default)
            for a in session.scalars(select(Address))
        ),
        "payment_methods": sorted(
            (m.id, m.customer_id, m.kind, m.brand, m.last_four, m.balance_cents, m.position)
            for m in session.scalars(select(PaymentMethod))
        ),
        "orders": sorted(
            (
                o.id,
                o.customer_id,
                o.customer_seq,
                o.status,
                o.currency,
                _j(o.shipping_address),
                o.created_at,
                o.updated_at,
                o.position,
            )
            for o in session.scalars(select(Order))
        ),
        "items": sorted(
            (i.id, i.order_id, i.position, i.variant_id, i.name, i.price_cents, _j(i.options))
            for i in session.scalars(select(OrderItem))
        ),
        "fulfillments": sorted(
            (
                f.id,
                f.order_id,
                _j(f.tracking_ids),
                _j(f.item_ids),
                f.carrier,
                f.shipped_at,
                f.delivered_at,
            )
            for f in session.scalars(select(Fulfillment))
        ),
        "payments": sorted(
            (
                p.id,
                p.order_id,
                p.transaction_type,
                p.amount_cents,
                p.payment_method_id,
                p.created_at,
            )
            for p in session.scalars(select(Payment))
        ),
        "documents": sorted(
            (d.id, d.title, d.language, d.doc_type, d.content_hash)
            for d in session.scalars(select(KnowledgeDocument))
        ),
    }


def test_demo_shop_has_the_promised_size_and_shape(session_factory: sessionmaker[Session]):
    summary = _seed(session_factory)

    assert summary.products >= 55
    assert summary.customers >= 220
    assert summary.orders >= 1100
    assert set(summary.orders_by_status) == STATUSES
    assert min(summary.orders_by_status.values()) >= 40
    top_two = sorted(summary.orders_by_status, key=summary.orders_by_status.__getitem__)[-2:]
    assert set(top_two) == {"pending", "delivered"}
    assert summary.documents == len(TOPICS) * len(LANGUAGES)

    with session_factory() as session:
        assert _count(session, Product) == summary.products
        assert _count(session, Variant) == summary.variants
        assert _count(session, Customer) == summary.customers
        assert _count(session, Order) == summary.orders
        assert _count(session, KnowledgeDocument) == summary.documents
        by_status = Counter(session.scalars(select(Order.status)))
        assert dict(by_status) == summary.orders_by_status
        _check_catalog(session)
        _check_customers(session)
        _check_orders(session)
        _check_documents(session)


def _check_catalog(session: Session) -> None:
    products = session.scalars(select(Product)).all()
    categories = {p.category for p in products}
    expected = {"electronics", "home", "kitchen", "apparel", "outdoor", "beauty", "office"}
    assert expected <= categories
    for product in products:
        assert re.fullmatch(r"p\d{4}", product.id)
        assert product.name and product.name_zh and product.description and product.description_zh
        assert 2 <= len(product.variants) <= 8, product.name
        assert any(v.available for v in product.variants)
        for variant in product.variants:
            assert re.fullmatch(r"v\d{6}", variant.id)
            assert variant.options and all(isinstance(k, str) for k in variant.options)
            assert variant.price_cents > 0
            assert (variant.stock or 0) > 0 if variant.available else variant.stock == 0
    keyboard = next(p for p in products if p.name == "Mechanical Keyboard")
    switches = {v.options["switch type"] for v in keyboard.variants}
    assert {"clicky", "linear"} <= switches
    bottle = next(p for p in products if p.name == "Water Bottle")
    assert {"glass", "stainless steel"} <= {v.options["material"] for v in bottle.variants}


def _check_customers(session: Session) -> None:
    customers = session.scalars(select(Customer)).all()
    languages = Counter(c.language for c in customers)
    assert set(languages) == {"zh", "en"}
    assert abs(languages["zh"] - languages["en"]) <= len(customers) // 10
    assert len({c.email for c in customers}) == len(customers)
    name_zips: set[tuple[str, str]] = set()
    for customer in customers:
        assert customer.email.endswith("@example.com")
        assert re.fullmatch(r"[a-z]+_[a-z]+_\d{4}", customer.id)
        defaults = [a for a in customer.addresses if a.is_default]
        assert len(defaults) == 1 and 1 <= len(customer.addresses) <= 2
        assert 1 <= len(customer.payment_methods) <= 3
        for method in customer.payment_methods:
            assert re.fullmatch(rf"{method.kind}_\d{{7}}", method.id)
            assert (method.last_four is not None) == (method.kind == "credit_card")
            assert (method.balance_cents is not None) == (method.kind == "gift_card")
        for address in customer.addresses:
            assert (customer.full_name, address.zip) not in name_zips
            name_zips.add((customer.full_name, address.zip))
        _check_locale(customer)


def _check_locale(customer: Customer) -> None:
    address = customer.default_address
    assert address is not None and customer.phone
    if customer.language == "zh":
        assert re.fullmatch(r"[\u4e00-\u9fff]+", customer.full_name)
        assert address.country == "China" and re.fullmatch(r"\d{6}", address.zip)
        assert re.fullmatch(r"1[3-9]\d{9}", customer.phone)
    else:
        assert address.country == "USA" and re.fullmatch(r"\d{5}", address.zip)
        assert customer.phone.startswith("+1")


def _check_orders(session: Session) -> None:
    orders = session.scalars(select(Order)).all()
    methods = {m.id: m.customer_id for m in session.scalars(select(PaymentMethod))}
    languages = dict(session.execute(select(Customer.id, Customer.language)).all())
    seqs: dict[str, list[int]] = defaultdict(list)
    for order in orders:
        assert re.fullmatch(r"KF\d{8}", order.id)
        assert order.currency == ("CNY" if languages[order.customer_id] == "zh" else "USD")
        assert set(order.shipping_address) == {
            "address1",
            "address2",
            "city",
            "country",
            "state",
            "zip",
        }
        assert order.created_at is not None and order.updated_at is not None
        assert order.created_at.year == 2026 and order.updated_at.month <= 11
        assert order.created_at <= order.updated_at
        assert 1 <= len(order.items) <= 4
        seqs[order.customer_id].append(order.customer_seq)
        _check_payments(order, methods)
        _check_fulfillments(order)
    assert all(sorted(s) == list(range(len(s))) for s in seqs.values())


def _check_payments(order: Order, methods: dict[str, str]) -> None:
    total = sum(item.price_cents for item in order.items)
    kinds = [p.transaction_type for p in order.payments]
    refunded = order.status in ("cancelled", "returned")
    assert kinds == (["payment", "refund"] if refunded else ["payment"])
    for payment in order.payments:
        assert payment.amount_cents == total
        assert methods[payment.payment_method_id] == order.customer_id


def _check_fulfillments(order: Order) -> None:
    if order.status in ("pending", "cancelled"):
        assert order.fulfillments == []
        return
    assert order.fulfillments
    shipped = sorted(i for f in order.fulfillments for i in f.item_ids)
    assert shipped == sorted(item.variant_id for item in order.items)
    for fulfillment in order.fulfillments:
        assert len(fulfillment.tracking_ids) == 1 and fulfillment.tracking_ids[0]
        assert fulfillment.carrier
        assert (fulfillment.shipped_at is not None) == (order.status in SHIPPED)
        delivered = order.status in SHIPPED - {"shipped"}
        assert (fulfillment.delivered_at is not None) == delivered


def _check_documents(session: Session) -> None:
    docs = {d.id: d for d in session.scalars(select(KnowledgeDocument))}
    for language in LANGUAGES:
        for topic in TOPICS:
            doc = docs[f"{language}/{topic}.md"]
            assert doc.language == language
            assert doc.doc_type == ("faq" if topic == "faq" else "policy")
            assert doc.content.startswith(f"# {doc.title}\n")
            assert doc.content_hash == hashlib.sha256(doc.content.encode()).hexdigest()


def test_reseeding_is_deterministic_and_replaces_shop_data(
    session_factory: sessionmaker[Session],
):
    first = _seed(session_factory)
    with session_factory.begin() as session:
        before = _dump(session)
        session.add(Customer(id="extra_1", first_name="E", last_name="X", email="e@example.com"))
        session.add(Conversation(id="c-keep", token_hash="0" * 64))

    second = _seed(session_factory)

    assert second == first
    with session_factory() as session:
        after = _dump(session)
        assert after == before
        assert session.get(Customer, "extra_1") is None
        assert session.get(Conversation, "c-keep") is not None
        assert _count(session, Order) == first.orders
        assert _count(session, OrderItem) == len(before["items"])
    with session_factory.begin() as session:  # the id sequences were moved past the seed
        session.add(
            Payment(
                order_id=before["orders"][0][0],
                transaction_type="refund",
                amount_cents=1,
                payment_method_id="paypal_0000000",
            )
        )


def test_packaged_documents_cover_every_topic_in_both_languages():
    docs = load_demo_documents()
    assert {(d.language, d.id.split("/")[1]) for d in docs} == {
        (language, f"{topic}.md") for language in LANGUAGES for topic in TOPICS
    }
    titles = {d.id: d.title for d in docs}
    assert titles["en/shipping.md"] == "Shipping Policy"
    assert titles["zh/shipping.md"] == "配送政策"
    for doc in docs:
        sections = re.findall(r"^## .+$", doc.content, flags=re.MULTILINE)
        assert len(sections) >= (15 if doc.doc_type == "faq" else 3), doc.id
    assert "Kefu Demo Shop" in "".join(d.content for d in docs if d.language == "en")
    assert "客服示范商店" in "".join(d.content for d in docs if d.language == "zh")


def test_orders_in_yuan_are_priced_in_yuan(session_factory: sessionmaker[Session]) -> None:
    from kefu.demo.orders import price_in
    from kefu.storage.models import OrderItem, Variant

    with session_factory.begin() as session:
        seed_demo(session)
    with session_factory() as session:
        rows = session.execute(
            select(Order.currency, OrderItem.price_cents, Variant.price_cents)
            .join(OrderItem, OrderItem.order_id == Order.id)
            .join(Variant, Variant.id == OrderItem.variant_id)
        ).all()
    assert {currency for currency, _, _ in rows} == {"CNY", "USD"}
    for currency, paid, listed in rows:
        assert paid == price_in(listed, currency)
        if currency == "CNY":
            assert paid % 100 == 99 and 6 * listed < paid < 8 * listed
