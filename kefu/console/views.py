"""What the console shows of conversations, messages, customers and orders, as JSON-ready
dicts in the shapes of docs/console-api.md."""

from __future__ import annotations

from typing import Any

from kefu.storage.models import Customer, Message, Order, PaymentMethod


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def message(m: Message, feedback: str | None = None,
            corrected: str | None = None) -> dict[str, Any]:
    meta = m.meta or {}
    feeling = meta.get("sentiment")
    return {
        "seq": m.seq, "role": m.role, "text": m.text, "created_at": iso(m.created_at),
        "language": m.language, "intent": m.intent, "confidence": m.confidence,
        "corrected_intent": corrected, "sentiment": feeling, "agent": meta.get("agent_name"),
        "feedback": feedback, "action": meta.get("action"),
        "citations": list(meta.get("citations", ())),
    }


def money(cents: int) -> float:
    return round(cents / 100, 2)


def order(o: Order) -> dict[str, Any]:
    paid = sum(p.amount_cents for p in o.payments if p.transaction_type == "payment")
    refunded = sum(p.amount_cents for p in o.payments if p.transaction_type == "refund")
    return {
        "id": o.id, "status": o.status, "created_at": iso(o.created_at),
        "total": money(sum(i.price_cents for i in o.items)), "currency": o.currency,
        "paid": money(paid), "refunded": money(refunded),
        "items": [{"item_id": i.variant_id, "product_id": i.product_id, "name": i.name,
                   "options": dict(i.options or {}), "price": money(i.price_cents)}
                  for i in o.items],
    }


def payment_label(p: PaymentMethod) -> str:
    if p.kind == "credit_card":
        return f"{(p.brand or 'card').title()} card ending {p.last_four or '????'}"
    if p.kind == "gift_card":
        return f"Gift card (balance {money(p.balance_cents or 0):.2f})"
    return p.kind.replace("_", " ").title()


def customer(c: Customer, orders: list[Order]) -> dict[str, Any]:
    address = c.default_address
    where = None
    if address is not None:
        parts = [address.address1, address.address2, address.city, address.state, address.zip,
                 address.country]
        where = ", ".join(p for p in parts if p)
    return {
        "id": c.id, "name": c.full_name, "email": c.email, "phone": c.phone,
        "language": c.language, "address": where,
        "orders": [order(o) for o in orders],
        "payment_methods": [{"id": p.id, "kind": p.kind, "label": payment_label(p)}
                            for p in c.payment_methods],
    }
