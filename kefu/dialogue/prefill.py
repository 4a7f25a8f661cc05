"""What an order-action flow can suggest for a slot from what kefu knows of the customer.

A suggestion is never applied on its own: the flow fills the slot with it, lists it in the
confirmation with where it came from ("the card you paid this order with", "your usual size"),
and only the customer's explicit yes runs the tool; anything they say instead corrects it.

- a refund goes back the way the order was paid (the shop's policy allows that, or a gift card);
- a price difference is paid or refunded with the order's own method, else the one they use
  most (a gift card only when its balance covers what it must pay);
- a new payment method for a pending order: the one they said they pay with, else the one they
  use most, if it is another one;
- a new shipping address for a pending order: their account's default address, else the
  address their latest other order went to, if it is not where the order ships already;
- the new option of an item to exchange or change, when they did not say which: the same item
  in their usual size (the size they stated, else the one they bought most), other options kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kefu.profile.builder import Profile
from kefu.storage.models import Address, Order, OrderItem, PaymentMethod, Variant
from kefu.tools.retail import ADDRESS_FIELDS


@dataclass(frozen=True)
class Suggestion:
    """A value for a slot and the note saying where it comes from (a key of the flow phrases
    and its parameters: ``method`` is a payment method id, shown described)."""

    value: Any
    note: str
    params: dict[str, str] = field(default_factory=dict)


class Prefill:
    def __init__(self, factory: sessionmaker[Session],
                 profile: Callable[[str], Profile | None]) -> None:
        self._factory = factory
        self.profile = profile

    def refund_method(self, order: Order, methods: Sequence[PaymentMethod]) -> Suggestion | None:
        paid = _paid_with(order, methods)
        return Suggestion(paid.id, "note_paid_with", {"method": paid.id}) if paid else None

    def pay_method(self, order: Order, methods: Sequence[PaymentMethod], profile: Profile | None,
                   difference_cents: int) -> Suggestion | None:
        paid = _paid_with(order, methods)
        if paid is not None and _covers(paid, difference_cents):
            return Suggestion(paid.id, "note_paid_with", {"method": paid.id})
        usual, note = _usual(profile, methods)
        if usual is not None and _covers(usual, difference_cents):
            return Suggestion(usual.id, note, {"method": usual.id})
        return None

    def new_method(self, order: Order, methods: Sequence[PaymentMethod],
                   profile: Profile | None) -> Suggestion | None:
        current = {p.payment_method_id for p in order.payments}
        total = sum(line.price_cents for line in order.items)
        usual, note = _usual(profile, [m for m in methods if m.id not in current
                                       and _covers(m, total)])
        if usual is None:
            return None
        return Suggestion(usual.id, note, {"method": usual.id})

    def address(self, customer_id: str, order: Order) -> Suggestion | None:
        now = _clean(order.shipping_address or {})
        with self._factory() as session:
            default = session.scalar(select(Address).where(Address.customer_id == customer_id,
                                                           Address.is_default.is_(True)))
            if default is not None:
                found = _clean({k: getattr(default, k) or "" for k in ADDRESS_FIELDS})
                if found["address1"] and found != now:
                    return Suggestion(found, "note_default_address")
            others = session.scalars(select(Order).where(
                Order.customer_id == customer_id, Order.id != order.id)
                .order_by(Order.created_at.desc(), Order.customer_seq.desc()).limit(20))
            for other in others:
                found = _clean(other.shipping_address or {})
                if found["address1"] and found != now:
                    return Suggestion(found, "note_past_address", {"order_id": other.id})
        return None

    def variant(self, line: OrderItem, variants: Sequence[Variant],
                profile: Profile | None) -> Suggestion | None:
        """The line's product in the customer's usual size, its other options kept; None if
        the line is in that size already (they want something else) or it is not in stock."""
        key = next((k for k in line.options if k.lower() == "size"), None)
        if key is None or profile is None:
            return None
        offered = {str(v.options.get(key, "")).lower() for v in variants}
        usual = next((s for s in _sizes(profile) if s.lower() in offered), None)
        if usual is None or usual.lower() == str(line.options[key]).lower():
            return None
        for v in variants:
            if v.available and v.id != line.variant_id \
                    and str(v.options.get(key, "")).lower() == usual.lower() \
                    and all(v.options.get(k) == value for k, value in line.options.items()
                            if k != key):
                return Suggestion(v.id, "note_size", {"size": str(v.options[key])})
        return None


def _paid_with(order: Order, methods: Sequence[PaymentMethod]) -> PaymentMethod | None:
    first = next((p.payment_method_id for p in order.payments
                  if p.transaction_type == "payment"), None)
    return next((m for m in methods if m.id == first), None)


def _usual(profile: Profile | None,
           methods: Sequence[PaymentMethod]) -> tuple[PaymentMethod | None, str]:
    """The method they said they pay with ("I usually pay with PayPal": a kind or a card
    brand, when exactly one of their methods is that), else the one their orders used most;
    never one they said they dislike. With the note that says which it is."""
    if profile is None:
        return None, ""
    facts = [f for f in profile.preferences if f.kind == "payment"]
    disliked = {m.id for f in facts if f.polarity == "dislike" for m in _matching(f.value, methods)}
    liked = [f for f in facts if f.polarity == "like"]
    for fact in sorted(liked, key=lambda f: f.source == "order"):  # what they said first
        found = _matching(fact.value, methods)
        if len(found) == 1 and found[0].id not in disliked:
            return found[0], ("note_usual_method" if fact.source == "order"
                              else "note_said_method")
    return None, ""


def _matching(value: str, methods: Sequence[PaymentMethod]) -> list[PaymentMethod]:
    """Their methods a payment preference names: a method id, a kind, or a card brand."""
    by_id = [m for m in methods if m.id == value]
    if by_id:
        return by_id
    kind = {"paypal": "paypal", "gift card": "gift_card", "credit card": "credit_card"}.get(value)
    if kind is not None:
        return [m for m in methods if m.kind == kind]
    return [m for m in methods if m.kind == "credit_card" and (m.brand or "").lower() == value]


def _covers(method: PaymentMethod, cents: int) -> bool:
    return method.kind != "gift_card" or cents <= 0 or (method.balance_cents or 0) >= cents


def _sizes(profile: Profile) -> list[str]:
    """The sizes they like, the ones they said first, then by how often they bought them."""
    liked = [f for f in profile.preferences if f.kind == "size" and f.polarity == "like"]
    return [f.value for f in liked if f.source != "order"] + \
        [f.value for f in liked if f.source == "order"]


def _clean(address: dict[str, Any]) -> dict[str, str]:
    return {k: str(address.get(k) or "").strip() for k in ADDRESS_FIELDS}
