"""The outbound guard: a reply never shows an order that is not the customer's own."""

from __future__ import annotations

import re

from kefu.types import Grounding, Reply

_ORDER_ID = re.compile(r"#W\d{7}|KF\d{8}")


def check(reply: Reply, grounding: Grounding, requested: str | None) -> Reply:
    """Drop a reply naming an order that neither grounds it nor was named by the customer."""
    allowed = {o.order_id for o in grounding.recent_orders}
    if grounding.order:
        allowed.add(grounding.order.order_id)
    if requested:
        allowed.add(requested)
    leaked = set(_ORDER_ID.findall(reply.text)) - allowed
    if leaked:
        raise OutboundViolation(f"reply names orders outside its grounding: {sorted(leaked)}")
    return reply


class OutboundViolation(RuntimeError):
    """A reply tried to show data the customer may not see; the turn fails closed."""
