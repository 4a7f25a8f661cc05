"""A customer's profile: what kefu knows of them, each item with its evidence and its time.

Built on demand from the database (nothing is cached, so it is never stale and erasure has
nothing extra to find):

- from orders: the sizes and colours they bought (option values of their order lines), their
  usual price range (the middle half of the prices they paid), lifetime value (payments minus
  refunds), the membership tier of the shop's policy (spending on delivered orders, after
  refunds, in the last 12 months: Silver from $300 / ¥2,000, Gold from $1,000 / ¥7,000) and
  open issues (a return or an exchange requested and not done yet, a pending order);
- from what they said: the preferences stated in conversations (kefu.profile.preferences),
  stored in ``customer_preferences`` with the message they came from; a stated one wins over
  one seen in orders, and the customer can have any of them forgotten;
- from conversations: the average sentiment of each of their recent conversations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kefu.storage.models import (
    Conversation,
    Customer,
    CustomerPreference,
    Order,
    PaymentMethod,
    utcnow,
)

TIERS = {"USD": ((100_000, "gold"), (30_000, "silver")),
         "CNY": ((700_000, "gold"), (200_000, "silver"))}
OPEN = {"return requested": "return", "exchange requested": "exchange", "pending": "pending"}
RECENT_CONVERSATIONS = 5


@dataclass(frozen=True)
class Fact:
    kind: str  # size | colour | brand | price_max | price_min | material | style | language
    #            | payment (the payment method id they use most)
    value: str
    polarity: str  # like | dislike
    source: str  # order | message | agent
    evidence: str  # an order id, or "conversation-id#seq"
    at: str | None  # ISO time
    label: str = ""  # how to show the value when it is an id (a payment method: "Visa ****4242")


@dataclass(frozen=True)
class Profile:
    customer_id: str
    name: str
    language: str
    tier: str
    lifetime_value_cents: int
    currency: str
    orders: int
    preferences: list[Fact] = field(default_factory=list)
    price_range_cents: tuple[int, int] | None = None
    open_issues: list[dict[str, str]] = field(default_factory=list)
    sentiment: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def likes(self, kind: str) -> list[str]:
        return [f.value for f in self.preferences if f.kind == kind and f.polarity == "like"]

    @property
    def recently_unhappy(self) -> bool:
        """The last conversation went badly (its average sentiment below -0.3)."""
        return bool(self.sentiment) and self.sentiment[0]["average"] < -0.3


def build_profile(session: Session, customer_id: str) -> Profile | None:
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    orders = session.scalars(select(Order).where(Order.customer_id == customer_id)
                             .order_by(Order.created_at, Order.customer_seq)
                             .options(selectinload(Order.items), selectinload(Order.payments))
                             ).all()
    currency = Counter(o.currency for o in orders).most_common(1)[0][0] if orders else "USD"
    stated = session.scalars(select(CustomerPreference).where(
        CustomerPreference.customer_id == customer_id).order_by(CustomerPreference.updated_at)
    ).all()
    return Profile(
        customer_id, customer.full_name, customer.language, _tier(orders, currency),
        sum(_net(o) for o in orders if o.currency == currency), currency, len(orders),
        _preferences(orders, stated, customer.payment_methods), _price_range(orders),
        _open(orders),
        _sentiment(session, customer_id))


def _net(order: Order) -> int:
    paid = sum(p.amount_cents for p in order.payments if p.transaction_type == "payment")
    return paid - sum(p.amount_cents for p in order.payments if p.transaction_type == "refund")


def _tier(orders: Sequence[Order], currency: str) -> str:
    since = utcnow() - timedelta(days=365)
    spent = sum(_net(o) for o in orders if o.status == "delivered" and o.currency == currency
                and (o.created_at is None or o.created_at >= since))
    for floor, name in TIERS.get(currency, TIERS["USD"]):
        if spent >= floor:
            return name
    return "member"


def _preferences(orders: Sequence[Order], stated: Sequence[CustomerPreference],
                 methods: Sequence[PaymentMethod]) -> list[Fact]:
    facts: dict[tuple[str, str], Fact] = {}
    seen: Counter[tuple[str, str]] = Counter()
    last: dict[tuple[str, str], Order] = {}
    for order in orders:
        if order.status == "cancelled":
            continue
        for line in order.items:
            for option, value in (line.options or {}).items():
                kind = {"size": "size", "color": "colour", "colour": "colour"}.get(option)
                if kind and isinstance(value, str):
                    seen[(kind, value.lower())] += 1
                    last[(kind, value.lower())] = order
    for (kind, value), _ in seen.most_common():
        order = last[(kind, value)]
        facts[(kind, value)] = Fact(kind, value, "like", "order", order.id,
                                    order.created_at.isoformat() if order.created_at else None)
    paid = _usual_payment(orders, methods)
    if paid is not None:
        facts[("payment", paid.value)] = paid
    hidden = {(p.kind, p.value) for p in stated if p.polarity == "ignore"}
    for p in stated:
        if p.polarity == "ignore":
            continue
        facts.pop((p.kind, p.value), None)
        facts[(p.kind, p.value)] = Fact(p.kind, p.value, p.polarity, p.source, p.evidence,
                                        p.updated_at.isoformat())
    return [f for key, f in facts.items() if key not in hidden]


def _usual_payment(orders: Sequence[Order], methods: Sequence[PaymentMethod]) -> Fact | None:
    """The payment method still on their account that they paid most orders with (the latest
    used on a tie); ``orders`` come oldest first."""
    kept = {m.id: m for m in methods}
    used: Counter[str] = Counter()
    last: dict[str, int] = {}
    for index, order in enumerate(orders):
        if order.status == "cancelled":
            continue
        for method in dict.fromkeys(p.payment_method_id for p in order.payments
                                    if p.transaction_type == "payment"
                                    and p.payment_method_id in kept):
            used[method] += 1
            last[method] = index
    if not used:
        return None
    method = max(used, key=lambda m: (used[m], last[m]))
    order = orders[last[method]]
    return Fact("payment", method, "like", "order", order.id,
                order.created_at.isoformat() if order.created_at else None,
                label=method_label(kept[method]))


def method_label(method: PaymentMethod) -> str:
    if method.kind == "credit_card":
        return f"{(method.brand or 'card').title()} ****{method.last_four or ''}"
    return "PayPal" if method.kind == "paypal" else "gift card"


def _price_range(orders: Sequence[Order]) -> tuple[int, int] | None:
    prices = sorted(line.price_cents for o in orders if o.status != "cancelled"
                    for line in o.items)
    if not prices:
        return None
    return prices[len(prices) // 4], prices[(3 * len(prices)) // 4]


def _open(orders: Sequence[Order]) -> list[dict[str, str]]:
    return [{"order_id": o.id, "status": o.status, "kind": OPEN[o.status]}
            for o in orders if o.status in OPEN]


def _sentiment(session: Session, customer_id: str) -> list[dict[str, Any]]:
    convs = session.scalars(select(Conversation).where(Conversation.customer_id == customer_id)
                            .order_by(Conversation.updated_at.desc())
                            .limit(RECENT_CONVERSATIONS)
                            .options(selectinload(Conversation.messages))).all()
    out = []
    for conv in convs:
        scores = [float((m.meta or {})["sentiment"]["score"]) for m in conv.messages
                  if m.role == "user" and (m.meta or {}).get("sentiment")]
        if scores:
            out.append({"conversation_id": conv.id, "at": conv.updated_at.isoformat(),
                        "average": round(sum(scores) / len(scores), 3)})
    return out
