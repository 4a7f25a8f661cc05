"""Act: run the tools a decision needs, under their own authorisation, and ground the reply."""

from __future__ import annotations

from kefu.knowledge.base import Retriever
from kefu.knowledge.topics import rerank
from kefu.store.base import StoreBackend
from kefu.tools.orders import authenticate, order_for_customer
from kefu.types import Action, Decision, Grounding, Inbound, Passage, State, Understanding

# A question with a recognised knowledge intent takes the best passage that shares a term with
# it; a message with no recognised intent needs a stronger lexical match to be answered at all.
MIN_SCORE_OUT_OF_SCOPE = 3.0
RECENT_ORDERS = 5


def act(
    decision: Decision,
    inbound: Inbound,
    understanding: Understanding,
    store: StoreBackend,
    retriever: Retriever,
) -> tuple[Decision, Grounding]:
    """The decision as carried out, with what the reply will be grounded on."""
    if decision.action is Action.ORDER_STATUS:
        return _order_status(decision.state, store)
    if decision.action is Action.ANSWER:
        return decision, Grounding(passages=_passages(inbound, understanding, retriever))
    return decision, Grounding()


def _passages(
    inbound: Inbound, understanding: Understanding, retriever: Retriever
) -> tuple[Passage, ...]:
    intent = understanding.intent.name
    found = rerank(retriever.search(inbound.text, inbound.language, k=8), intent)[:3]
    floor = MIN_SCORE_OUT_OF_SCOPE if intent == "out_of_scope" else 0.0
    return tuple(found) if found and found[0].score >= floor else ()


def _order_status(state: State, store: StoreBackend) -> tuple[Decision, Grounding]:
    slots = state.slots
    if state.customer_id is None:
        customer = authenticate(
            store, email=slots.get("email"), zip_code=slots.get("zip"),
            text=slots.get("recent_text", ""),
        )
        if customer is None:
            tried = bool(slots.get("email") or slots.get("zip"))
            action = Action.IDENTITY_FAILED if tried else Action.ASK_IDENTITY
            cleared = {k: v for k, v in slots.items() if k not in ("email", "zip")}
            return Decision(action, state.model_copy(update={"slots": cleared})), Grounding()
        state = state.model_copy(update={
            "customer_id": customer.id, "customer_name": customer.display_name,
            "identity_failures": 0,
        })
    return _lookup(state, store)


def _lookup(state: State, store: StoreBackend) -> tuple[Decision, Grounding]:
    assert state.customer_id is not None
    order_id = state.slots.get("order_id")
    done = state.model_copy(update={"active_intent": None})
    if order_id:
        order = order_for_customer(store, state.customer_id, order_id)
        if order is not None:
            return Decision(Action.ORDER_STATUS, done, order_id), Grounding(order=order)
        slots = {k: v for k, v in state.slots.items() if k != "order_id"}
        mine = tuple(store.recent_orders(state.customer_id, limit=RECENT_ORDERS))
        return (Decision(Action.ORDER_NOT_FOUND, state.model_copy(update={"slots": slots}),
                         order_id), Grounding(recent_orders=mine))
    recent = store.recent_orders(state.customer_id, limit=RECENT_ORDERS)
    if len(recent) == 1:
        return Decision(Action.ORDER_STATUS, done, recent[0].order_id), Grounding(order=recent[0])
    return Decision(Action.ASK_ORDER, state), Grounding(recent_orders=tuple(recent))
