"""The deterministic bilingual demo shop: a catalogue, customers, a year of orders and the
shop's policy pages, generated from a seed and written over the shop tables.

Everything comes from ``random.Random(seed)`` and a fixed base date, so the same seed always
yields the same rows, surrogate integer ids included.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.demo.catalog import PRODUCT_SPECS, SIZES, ProductSpec
from kefu.demo.customers import CustomerDraft, make_customers
from kefu.demo.documents import load_demo_documents
from kefu.demo.orders import make_orders
from kefu.storage.models import (
    Address,
    Base,
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
from kefu.storage.shop import replace_shop

Row = dict[str, Any]

BASE_DATE = datetime(2026, 1, 1, tzinfo=UTC)
CUSTOMERS_PER_LANGUAGE = 120
MAX_VARIANTS = 8

# Option axes whose later values are bigger or better and so cost more.
PRICED_AXES = frozenset(
    {
        "armrests",
        "blade length",
        "brightness",
        "brush heads",
        "bundle",
        "capacity",
        "case size",
        "comfort rating",
        "diameter",
        "feature",
        "filter type",
        "max weight",
        "pack",
        "pack size",
        "pieces",
        "ports",
        "power",
        "resolution",
        "room size",
        "size",
        "storage",
        "thickness",
        "type",
    }
)

@dataclass(frozen=True)
class DemoSummary:
    products: int
    variants: int
    customers: int
    orders: int
    orders_by_status: dict[str, int]
    documents: int


@dataclass
class DemoShop:
    """The generated rows, as dicts keyed by column name, ready for a bulk insert."""

    products: list[Row] = field(default_factory=list)
    variants: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    addresses: list[Row] = field(default_factory=list)
    payment_methods: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    order_items: list[Row] = field(default_factory=list)
    fulfillments: list[Row] = field(default_factory=list)
    payments: list[Row] = field(default_factory=list)
    documents: list[Row] = field(default_factory=list)

    def summary(self) -> DemoSummary:
        by_status = Counter(str(order["status"]) for order in self.orders)
        return DemoSummary(
            products=len(self.products),
            variants=len(self.variants),
            customers=len(self.customers),
            orders=len(self.orders),
            orders_by_status=dict(sorted(by_status.items())),
            documents=len(self.documents),
        )


def seed_demo(session: Session, seed: int = 7) -> DemoSummary:
    """Replace all shop data (catalogue, customers, orders, knowledge documents) with the demo
    shop for ``seed``. Runs in the caller's transaction; the caller commits."""
    shop = generate_demo_shop(seed)
    replace_shop(session, _inserts(shop), documents=True)
    return shop.summary()


def generate_demo_shop(seed: int = 7) -> DemoShop:
    """The demo shop's rows for ``seed``, without touching a database."""
    rng = random.Random(seed)
    shop = DemoShop()
    catalog = _make_catalog(rng, shop)
    customers = make_customers(rng, CUSTOMERS_PER_LANGUAGE, joined_before=BASE_DATE)
    _collect_customers(shop, customers)
    order_rows = make_orders(rng, customers, catalog, BASE_DATE)
    shop.orders, shop.order_items = order_rows.orders, order_rows.items
    shop.fulfillments, shop.payments = order_rows.fulfillments, order_rows.payments
    shop.documents = _document_rows()
    return shop


def _inserts(shop: DemoShop) -> list[tuple[type[Base], list[Row]]]:
    """Parents before children."""
    return [
        (Product, shop.products),
        (Variant, shop.variants),
        (Customer, shop.customers),
        (Address, shop.addresses),
        (PaymentMethod, shop.payment_methods),
        (Order, shop.orders),
        (OrderItem, shop.order_items),
        (Fulfillment, shop.fulfillments),
        (Payment, shop.payments),
        (KnowledgeDocument, shop.documents),
    ]


def _make_catalog(rng: random.Random, shop: DemoShop) -> list[tuple[Row, Row]]:
    """Fill the products and variants; return every (product, variant) pair."""
    specs = list(PRODUCT_SPECS)
    variant_count = 0
    pairs: list[tuple[Row, Row]] = []
    for position, spec in enumerate(specs):
        product = _product_row(spec, f"p{1001 + position}", position)
        shop.products.append(product)
        for variant in _variant_rows(rng, spec, product["id"]):
            variant_count += 1
            shop.variants.append(variant)
            pairs.append((product, variant))
    variant_numbers = rng.sample(range(100_000, 1_000_000), variant_count)
    for variant, number in zip(shop.variants, variant_numbers, strict=True):
        variant["id"] = f"v{number}"
    return pairs


def _product_row(spec: ProductSpec, product_id: str, position: int) -> Row:
    return {
        "id": product_id,
        "name": spec.name,
        "name_zh": spec.name_zh,
        "category": spec.category,
        "description": spec.description,
        "description_zh": spec.description_zh,
        "position": position,
    }


def _variant_rows(rng: random.Random, spec: ProductSpec, product_id: str) -> list[Row]:
    combos = _pick_combos(rng, spec.options)
    rows: list[Row] = []
    for position, combo in enumerate(combos):
        options = dict(zip(spec.options, combo, strict=True))
        available = rng.random() < 0.85
        rows.append(
            {
                "product_id": product_id,
                "options": options,
                "price_cents": _price(spec, combo),
                "available": available,
                "stock": rng.randint(1, 250) if available else 0,
                "position": position,
            }
        )
    if not any(row["available"] for row in rows):
        rows[0]["available"], rows[0]["stock"] = True, rng.randint(1, 250)
    return rows


def _pick_combos(rng: random.Random, options: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """2–8 option combinations that between them use every value of every axis if they can."""
    canonical = list(itertools.product(*options.values()))
    widest = max(len(values) for values in options.values())
    wanted = min(len(canonical), MAX_VARIANTS, max(widest, rng.randint(2, MAX_VARIANTS)))
    shuffled = rng.sample(canonical, len(canonical))
    seen: list[set[str]] = [set() for _ in options]
    picked: list[tuple[str, ...]] = []
    for combo in shuffled:
        if len(picked) < wanted and any(v not in s for v, s in zip(combo, seen, strict=True)):
            picked.append(combo)
            for value, values_seen in zip(combo, seen, strict=True):
                values_seen.add(value)
    picked += [c for c in shuffled if c not in picked][: wanted - len(picked)]
    return sorted(picked, key=canonical.index)


def _price(spec: ProductSpec, combo: tuple[str, ...]) -> int:
    """The base price plus a step for each priced option past the first, ending in .99.
    Clothing and other letter sizes cost the same in every size."""
    step = round(spec.base_price_cents * 0.15)
    cents = spec.base_price_cents
    for (axis, values), value in zip(spec.options.items(), combo, strict=True):
        if axis in PRICED_AXES and not _same_price_sizes(spec, values):
            cents += values.index(value) * step
    return cents // 100 * 100 + 99


def _same_price_sizes(spec: ProductSpec, values: tuple[str, ...]) -> bool:
    return spec.category == "apparel" or set(values) <= set(SIZES)


def _collect_customers(shop: DemoShop, customers: list[CustomerDraft]) -> None:
    for customer in customers:
        shop.customers.append(customer.row)
        for address in customer.addresses:
            shop.addresses.append({"id": len(shop.addresses) + 1, **address})
        shop.payment_methods.extend(customer.payment_methods)


def _document_rows() -> list[Row]:
    return [
        {
            "id": doc.id,
            "title": doc.title,
            "language": doc.language,
            "doc_type": doc.doc_type,
            "content": doc.content,
            "content_hash": doc.content_hash,
            "updated_at": BASE_DATE,
        }
        for doc in load_demo_documents()
    ]
