"""Demo orders: each customer's order history with items, shipments and payments, its status
and timestamps consistent with one another.

The items follow the customer's taste (kefu.demo.tastes), drawn from a random stream of the
customer's own: the shop's main stream makes the same draws as before tastes existed, so order
numbers, statuses, dates, addresses, payment methods and parcels stayed as they were (the
README and the tests name them).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kefu.demo.customers import CustomerDraft
from kefu.demo.tastes import Shopper

Row = dict[str, Any]
DAY = 24 * 60  # minutes
CNY_PER_USD = 7  # the demo's fixed rate for orders charged in yuan

# How often each status occurs (relative weights).
STATUS_WEIGHTS: dict[str, int] = {
    "pending": 20,
    "processed": 9,
    "shipped": 11,
    "delivered": 26,
    "cancelled": 8,
    "return requested": 6,
    "returned": 7,
    "exchange requested": 6,
    "exchanged": 7,
}
STATUSES = tuple(STATUS_WEIGHTS)

# The days after the base date within which an order with each status was placed, so that
# open orders are recent and every event falls between January and November.
CREATED_WINDOWS: dict[str, tuple[int, int]] = {
    "pending": (319, 334),
    "processed": (322, 332),
    "shipped": (310, 329),
    "delivered": (0, 322),
    "cancelled": (0, 330),
    "return requested": (280, 302),
    "exchange requested": (280, 302),
    "returned": (0, 290),
    "exchanged": (0, 290),
}

FULFILLED = frozenset(STATUSES) - {"pending", "cancelled"}
REQUESTED = frozenset({"return requested", "returned", "exchange requested", "exchanged"})
CLOSED = frozenset({"returned", "exchanged"})
REFUNDED = frozenset({"cancelled", "returned"})

CARRIERS = {"zh": ("SF Express", "JD Logistics", "ZTO Express"), "en": ("UPS", "USPS", "FedEx")}
ORDER_COUNT_WEIGHTS = (6, 10, 13, 15, 15, 13, 11, 9, 8)  # for 1..9 orders per customer
ITEM_COUNT_WEIGHTS = (40, 30, 20, 10)  # for 1..4 items per order
ADDRESS_KEYS = ("address1", "address2", "city", "country", "state", "zip")


@dataclass(frozen=True)
class Timeline:
    created: datetime
    updated: datetime
    shipped: datetime | None = None
    delivered: datetime | None = None


@dataclass(frozen=True)
class Package:
    carrier: str
    tracking_id: str
    item_positions: tuple[int, ...]


@dataclass
class OrderDraft:
    customer: CustomerDraft
    status: str
    timeline: Timeline
    address: Row
    lines: list[tuple[Row, Row]]  # (product row, variant row)
    payment_method_id: str
    packages: list[Package]
    seq: int = 0


@dataclass
class OrderRows:
    orders: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)
    fulfillments: list[Row] = field(default_factory=list)
    payments: list[Row] = field(default_factory=list)


def make_orders(
    rng: random.Random,
    customers: list[CustomerDraft],
    catalog: list[tuple[Row, Row]],
    base: datetime,
) -> OrderRows:
    """Every customer's orders, numbered ``KF2026nnnn`` in the order they were placed."""
    drafts: list[OrderDraft] = []
    for customer in customers:
        count = rng.choices(range(1, 10), weights=ORDER_COUNT_WEIGHTS)[0]
        shopper = Shopper.named(customer.id)  # the id is drawn from the seed, so is the taste
        history = [_draft(rng, customer, catalog, base, shopper) for _ in range(count)]
        history.sort(key=lambda d: d.timeline.created)
        for seq, draft in enumerate(history):
            draft.seq = seq
        drafts.extend(history)
    drafts.sort(key=lambda d: (d.timeline.created, d.customer.id, d.seq))
    numbers = sorted(rng.sample(range(10_000), len(drafts)))
    rows = OrderRows()
    for position, (draft, number) in enumerate(zip(drafts, numbers, strict=True)):
        _emit(rows, draft, f"KF2026{number:04d}", position)
    return rows


def _draft(
    rng: random.Random,
    customer: CustomerDraft,
    catalog: list[tuple[Row, Row]],
    base: datetime,
    shopper: Shopper,
) -> OrderDraft:
    status = rng.choices(STATUSES, weights=tuple(STATUS_WEIGHTS.values()))[0]
    timeline = _timeline(rng, status, base, customer.language)
    addresses = customer.addresses
    address = addresses[1] if len(addresses) > 1 and rng.random() < 0.3 else addresses[0]
    item_count = rng.choices(range(1, 5), weights=ITEM_COUNT_WEIGHTS)[0]
    # The main stream's uniform draw is kept: it is what the customer comes across by chance
    # (their items outside their favourite categories), and its draws keep the rest in place.
    strays = rng.sample(catalog, item_count)
    lines = shopper.lines(catalog, item_count, strays)
    method = rng.choice(customer.payment_methods)
    packages = _packages(rng, customer.language, item_count) if status in FULFILLED else []
    return OrderDraft(customer, status, timeline, address, lines, method["id"], packages)


def _timeline(rng: random.Random, status: str, base: datetime, language: str) -> Timeline:
    low, high = CREATED_WINDOWS[status]
    created = base + timedelta(minutes=rng.randint(low * DAY, high * DAY - 1))
    if status == "pending":
        return Timeline(created, created)
    if status in ("cancelled", "processed"):
        return Timeline(created, created + timedelta(minutes=rng.randint(10, 2 * DAY)))
    shipped = created + timedelta(minutes=rng.randint(DAY // 2, 3 * DAY))
    if status == "shipped":
        return Timeline(created, shipped, shipped)
    fastest, slowest = (1, 4) if language == "zh" else (2, 7)  # days in transit
    delivered = shipped + timedelta(minutes=rng.randint(fastest * DAY, slowest * DAY))
    updated = delivered
    if status in REQUESTED:
        updated += timedelta(minutes=rng.randint(DAY, 20 * DAY))
    if status in CLOSED:
        updated += timedelta(minutes=rng.randint(4 * DAY, 10 * DAY))
    return Timeline(created, updated, shipped, delivered)


def _packages(rng: random.Random, language: str, item_count: int) -> list[Package]:
    carrier = rng.choice(CARRIERS[language])
    positions = tuple(range(item_count))
    groups = [positions]
    if item_count >= 3 and rng.random() < 0.3:
        cut = rng.randint(1, item_count - 1)
        groups = [positions[:cut], positions[cut:]]
    return [Package(carrier, tracking_id(rng, carrier), group) for group in groups]


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def tracking_id(rng: random.Random, carrier: str) -> str:
    """A tracking number in the usual shape of the carrier's own numbers."""
    if carrier == "SF Express":
        return f"SF{_digits(rng, 13)}"
    if carrier == "JD Logistics":
        return f"JDX{_digits(rng, 12)}"
    if carrier == "ZTO Express":
        return f"7{_digits(rng, 13)}"
    if carrier == "UPS":
        letters = "".join(rng.choices(string.ascii_uppercase + string.digits, k=6))
        return f"1Z{letters}{_digits(rng, 10)}"
    if carrier == "USPS":
        return f"9400{_digits(rng, 18)}"
    return _digits(rng, 12)  # FedEx


def _emit(rows: OrderRows, draft: OrderDraft, order_id: str, position: int) -> None:
    timeline = draft.timeline
    rows.orders.append(
        {
            "id": order_id,
            "customer_id": draft.customer.id,
            "customer_seq": draft.seq,
            "status": draft.status,
            "shipping_address": {key: draft.address[key] for key in ADDRESS_KEYS},
            "currency": draft.customer.currency,
            "created_at": timeline.created,
            "updated_at": timeline.updated,
            "position": position,
        }
    )
    _emit_items(rows, draft, order_id)
    _emit_fulfillments(rows, draft, order_id)
    _emit_payments(rows, draft, order_id)


def price_in(usd_cents: int, currency: str) -> int:
    """The catalogue's USD price in the order's currency: yuan at the demo's fixed rate of 7,
    ending in .99 (a $89.99 keyboard is ¥629.99)."""
    if currency != "CNY":
        return usd_cents
    return round(usd_cents * CNY_PER_USD / 100) * 100 - 1


def _emit_items(rows: OrderRows, draft: OrderDraft, order_id: str) -> None:
    for position, (product, variant) in enumerate(draft.lines):
        rows.items.append(
            {
                "id": len(rows.items) + 1,
                "order_id": order_id,
                "position": position,
                "product_id": product["id"],
                "variant_id": variant["id"],
                "name": product["name"],
                "price_cents": price_in(int(variant["price_cents"]), draft.customer.currency),
                "options": dict(variant["options"]),
            }
        )


def _emit_fulfillments(rows: OrderRows, draft: OrderDraft, order_id: str) -> None:
    for position, package in enumerate(draft.packages):
        rows.fulfillments.append(
            {
                "id": len(rows.fulfillments) + 1,
                "order_id": order_id,
                "position": position,
                "tracking_ids": [package.tracking_id],
                "item_ids": [draft.lines[i][1]["id"] for i in package.item_positions],
                "carrier": package.carrier,
                "shipped_at": draft.timeline.shipped,
                "delivered_at": draft.timeline.delivered,
            }
        )


def _emit_payments(rows: OrderRows, draft: OrderDraft, order_id: str) -> None:
    currency = draft.customer.currency
    total = sum(price_in(int(variant["price_cents"]), currency) for _, variant in draft.lines)
    kinds = [("payment", draft.timeline.created)]
    if draft.status in REFUNDED:
        kinds.append(("refund", draft.timeline.updated))
    for position, (kind, at) in enumerate(kinds):
        rows.payments.append(
            {
                "id": len(rows.payments) + 1,
                "order_id": order_id,
                "position": position,
                "transaction_type": kind,
                "amount_cents": total,
                "payment_method_id": draft.payment_method_id,
                "created_at": at,
            }
        )
