"""The outbound guard: a reply never shows an order that is not the customer's own, and is
plain text without markup, images or outside links."""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urlsplit

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


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_URL = re.compile(r"\b(?:https?|ftp|javascript|data|vbscript|file):[^\s<>\"']+|"
                  r"(?<![\w/])//[\w.-]+\.[a-z]{2,}[^\s<>\"']*|\bwww\.[\w.-]+\.[a-z]{2,}[^\s<>\"']*",
                  re.IGNORECASE)
REMOVED = "[link removed]"


def sanitize(text: str, link_hosts: Collection[str] = ()) -> str:
    """The reply as plain text: no images, no markup, and no link except to the shop's own
    hosts (``link_hosts``). A reply is shown as text anyway; this keeps a planted or generated
    link or image from reaching a client that would render or fetch it."""
    def allowed(url: str) -> bool:
        parts = urlsplit(url)
        if "\\" in url or "@" in parts.netloc:  # browsers read such hosts differently
            return False
        host = parts.hostname or ""
        return url.lower().startswith(("http://", "https://")) and any(
            host == h or host.endswith("." + h) for h in link_hosts)

    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1) if not allowed(m.group(2))
                        else f"{m.group(1)} ({m.group(2)})", text)
    while True:  # nested tags ("<<script>script>") leave a tag behind after one pass
        stripped = _TAG.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = text.replace("<", "‹").replace(">", "›")  # whatever is left cannot open a tag
    return _URL.sub(lambda m: m.group(0) if allowed(m.group(0)) else REMOVED, text)
