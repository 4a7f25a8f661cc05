"""The outbound guard: a reply never shows an order that is not the customer's own."""

from __future__ import annotations

import re

from kefu.errors import RuntimeFailure
from kefu.types import Decision, Grounding, Reply, Understanding

_ORDER_ID = re.compile(r"#W\d{7}|KF\d{8}")


class OutboundViolation(RuntimeFailure):
    """A reply tried to show data the customer may not see; the turn fails closed."""

    code = "outbound_violation"


def named_orders(understanding: Understanding, decision: Decision) -> set[str]:
    """Order ids the customer wrote, this turn or earlier in the conversation."""
    named = {e.value for e in understanding.entities if e.kind == "order_id"}
    if decision.order_id:
        named.add(decision.order_id)
    return named


def check(reply: Reply, grounding: Grounding, named: set[str]) -> Reply:
    """The reply, if every order id in it grounds it or was named by the customer. An id the
    shop's own pages print (an example order number in the FAQ) is public text, not an order."""
    allowed = {o.order_id for o in grounding.recent_orders} | named | set(grounding.shown_orders)
    for passage in grounding.passages:
        allowed.update(_ORDER_ID.findall(passage.text))
    if grounding.answer:
        allowed.update(_ORDER_ID.findall(grounding.answer))
    if grounding.order:
        allowed.add(grounding.order.order_id)
    leaked = set(_ORDER_ID.findall(reply.text)) - allowed
    if leaked:
        raise OutboundViolation(f"reply names orders outside its grounding: {sorted(leaked)}")
    return reply
