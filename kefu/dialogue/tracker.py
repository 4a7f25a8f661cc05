"""Track: fold one understood message into the conversation's state."""

from __future__ import annotations

from kefu.nlu.lexicon import ORDER_INTENTS
from kefu.types import Inbound, State, Understanding

_RECENT_CHARS = 400
_RECENT_PRODUCTS = 3


def track(state: State, inbound: Inbound, understanding: Understanding) -> State:
    """The state after this message: language, turn count, slots filled from its entities."""
    slots = dict(state.slots)
    for kind in ("order_id", "email", "zip"):
        value = understanding.first(kind)
        if value:
            slots[kind] = value
    slots["recent_text"] = (slots.get("recent_text", "") + "\n" + inbound.text)[-_RECENT_CHARS:]
    named = [e.value for e in understanding.entities if e.kind == "product"]
    if named:  # what "this one" / "这个" will mean in the next turns
        slots["product"] = named[0]
        earlier = [p for p in slots.get("recent_products", "").split(",") if p not in named]
        slots["recent_products"] = ",".join([*named, *earlier][:_RECENT_PRODUCTS])
    active = state.active_intent
    if understanding.intent.name in ORDER_INTENTS:
        active = understanding.intent.name
    return state.model_copy(
        update={
            "language": inbound.language,
            "turns": state.turns + 1,
            "slots": slots,
            "active_intent": active,
        }
    )
