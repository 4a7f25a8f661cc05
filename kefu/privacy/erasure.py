"""A customer's right to their data: everything kefu holds about them as JSON (export), and
its removal everywhere kefu keeps it (erasure), each recorded in ``privacy_requests``.

Erasure anonymises what the shop must keep for its books and deletes the rest:

- the customer row: names, email and phone replaced (the email by an address that cannot
  receive mail and cannot match a real one), addresses and payment methods deleted;
- orders: kept (amounts, items, statuses, for accounting) with the shipping address removed;
- conversations: linked to the customer, or in which the customer's email or phone was
  written: every message's text replaced by ``[erased]``, their state, CSAT comment and
  browser id dropped, their token changed (no link works any more); intent corrections of
  them deleted (they copy the text); intents, sentiment scores and timings stay, unlinked, for
  the shop's statistics;
- the audit log: the customer's entries keep tool, time and actor; their arguments and
  before/after states are replaced by ``{"erased": true}`` and the customer id by a pseudonym;
- experiment assignments and stated preferences of the customer: deleted; rate-limit counters:
  reset;
- logs: kefu's own log lines carry no message text or customer detail (kefu.privacy.logs
  masks what slips through), and exports are made from the database on demand, so neither
  keeps a copy to erase.

The record of an erasure names the customer only by a keyed hash, so it proves the request was
carried out without keeping who asked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from kefu.errors import NotFound
from kefu.storage.db import affected, storage_errors
from kefu.storage.models import (
    Address,
    AuditEntry,
    Conversation,
    Customer,
    CustomerPreference,
    Event,
    ExperimentAssignment,
    Feedback,
    IntentCorrection,
    Message,
    Order,
    PaymentMethod,
    PrivacyRequest,
)

ERASED = "[erased]"


def subject_hash(secret_key: str, customer_id: str) -> str:
    return hmac.new(secret_key.encode(), b"subject:" + customer_id.encode(),
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ErasureReport:
    customer: str  # the keyed hash, not the id
    conversations: int
    messages: int
    orders: int
    addresses: int
    payment_methods: int
    audit_entries: int
    corrections: int
    assignments: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def export_customer(factory: sessionmaker[Session], secret_key: str, customer_id: str,
                    actor: str) -> dict[str, Any]:
    """Everything kefu holds about the customer, as JSON-ready data."""
    with storage_errors(), factory.begin() as session:
        customer = _customer(session, customer_id)
        orders = session.scalars(select(Order).where(Order.customer_id == customer_id)
                                 .order_by(Order.customer_seq, Order.id)
                                 .options(selectinload(Order.items),
                                          selectinload(Order.payments),
                                          selectinload(Order.fulfillments))).all()
        convs = _conversations(session, customer)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.customer_id == customer_id)
                                .order_by(AuditEntry.id)).all()
        thumbs = session.execute(select(Feedback.conversation_id, Feedback.seq, Feedback.rating)
                                 .where(Feedback.conversation_id.in_([c.id for c in convs]))
                                 ).all()
        data = {
            "customer": {"id": customer.id, "first_name": customer.first_name,
                         "last_name": customer.last_name, "email": customer.email,
                         "phone": customer.phone, "language": customer.language,
                         "created_at": _iso(customer.created_at)},
            "addresses": [a.as_dict() | {"is_default": a.is_default} for a in customer.addresses],
            "payment_methods": [{"id": p.id, "kind": p.kind, "brand": p.brand,
                                 "last_four": p.last_four} for p in customer.payment_methods],
            "orders": [{"id": o.id, "status": o.status, "created_at": _iso(o.created_at),
                        "currency": o.currency, "shipping_address": o.shipping_address,
                        "items": [{"name": i.name, "variant_id": i.variant_id,
                                   "options": i.options, "price_cents": i.price_cents}
                                  for i in o.items],
                        "payments": [{"type": p.transaction_type, "amount_cents": p.amount_cents,
                                      "payment_method_id": p.payment_method_id}
                                     for p in o.payments],
                        "shipments": [{"carrier": f.carrier, "tracking_ids": f.tracking_ids,
                                       "shipped_at": _iso(f.shipped_at),
                                       "delivered_at": _iso(f.delivered_at)}
                                      for f in o.fulfillments]}
                       for o in orders],
            "conversations": [{"id": c.id, "channel": c.channel, "created_at": _iso(c.created_at),
                               "csat": c.csat_score, "csat_comment": c.csat_comment,
                               "messages": [{"seq": m.seq, "role": m.role, "text": m.text,
                                             "created_at": _iso(m.created_at)}
                                            for m in c.messages]}
                              for c in convs],
            "feedback": [{"conversation_id": c, "seq": s, "rating": r} for c, s, r in thumbs],
            "preferences": [{"kind": p.kind, "value": p.value, "polarity": p.polarity,
                             "source": p.source, "evidence": p.evidence,
                             "updated_at": _iso(p.updated_at)}
                            for p in session.scalars(select(CustomerPreference).where(
                                CustomerPreference.customer_id == customer_id))],
            "order_actions": [{"tool": a.tool, "actor": a.actor, "created_at": _iso(a.created_at),
                               "arguments": a.arguments} for a in audit],
        }
        session.add(PrivacyRequest(kind="export", subject=subject_hash(secret_key, customer_id),
                                   actor=actor, details={"conversations": len(convs),
                                                         "orders": len(orders)}))
        return data


def erase_customer(factory: sessionmaker[Session], secret_key: str, customer_id: str,
                   actor: str, forget_counters: Callable[[str], None] | None = None
                   ) -> ErasureReport:
    """Removes or anonymises the customer's data everywhere kefu keeps it (see the module's
    docstring), in one transaction, and records that it was done."""
    pseudonym = subject_hash(secret_key, customer_id)
    with storage_errors(), factory.begin() as session:
        customer = _customer(session, customer_id)
        convs = _conversations(session, customer)
        conv_ids = [c.id for c in convs]
        messages = 0
        for conv in convs:
            for m in conv.messages:
                m.text, m.meta = ERASED, {k: v for k, v in (m.meta or {}).items()
                                         if k in ("action", "latency_ms", "sentiment")}
                messages += 1
            conv.state, conv.customer_id, conv.client_ref = {}, None, None
            conv.csat_comment = None
            conv.version = conv.version + 1  # a turn in flight now fails instead of writing
            conv.token_hash = secrets.token_hex(32)  # no link or widget reaches it any more
        if conv_ids:  # a generated answer's rejected sentences may quote the customer
            session.execute(update(Event).where(Event.conversation_id.in_(conv_ids),
                                                Event.kind == "generation")
                            .values(payload={"erased": True}))
        corrections = affected(session.execute(delete(IntentCorrection).where(
            IntentCorrection.conversation_id.in_(conv_ids)))) if conv_ids else 0
        orders = affected(session.execute(
            update(Order).where(Order.customer_id == customer_id).values(shipping_address={})))
        gone = {"erased": True}
        audit = affected(session.execute(
            update(AuditEntry).where(AuditEntry.customer_id == customer_id)
            .values(customer_id=f"erased:{pseudonym[:16]}", arguments=gone, before=gone,
                    after=gone)))
        assignments = affected(session.execute(delete(ExperimentAssignment).where(
            ExperimentAssignment.subject == f"customer:{customer_id}")))
        addresses = affected(session.execute(delete(Address).where(
            Address.customer_id == customer_id)))
        methods = affected(session.execute(delete(PaymentMethod).where(
            PaymentMethod.customer_id == customer_id)))
        affected(session.execute(delete(CustomerPreference).where(
            CustomerPreference.customer_id == customer_id)))
        customer.first_name, customer.last_name, customer.phone = "Erased", "Customer", None
        customer.email = f"erased-{pseudonym[:20]}@erased.invalid"
        report = ErasureReport(pseudonym, len(convs), messages, orders, addresses, methods,
                               audit, corrections, assignments)
        session.add(PrivacyRequest(kind="erase", subject=pseudonym, actor=actor,
                                   details=report.as_json()))
    if forget_counters is not None:
        forget_counters(customer_id)
    return report


def _customer(session: Session, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def _conversations(session: Session, customer: Customer) -> list[Conversation]:
    """The customer's conversations: linked to them, or where their email or phone was written
    (an unidentified conversation is theirs too if it carries their contact details)."""
    linked = set(session.scalars(select(Conversation.id).where(
        Conversation.customer_id == customer.id)))
    email = customer.email.lower() if customer.email else None
    phone = re.sub(r"\D", "", customer.phone or "")[-8:]  # "+1-212-555-0197" ~ "2125550197"
    if email or len(phone) >= 7:
        for conv_id, text in session.execute(select(Message.conversation_id, Message.text)
                                             .where(Message.role == "user")):
            said = (text or "").lower()
            digits = re.sub(r"\D", "", said)
            if conv_id not in linked and ((email and email in said)
                                          or (len(phone) >= 7 and phone in digits)):
                linked.add(conv_id)
    if not linked:
        return []
    return list(session.scalars(select(Conversation).where(Conversation.id.in_(linked))
                                .options(selectinload(Conversation.messages))
                                .order_by(Conversation.created_at)))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
