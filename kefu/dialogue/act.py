"""Act: run the tools a decision needs, under their own authorisation, and ground the reply."""

from __future__ import annotations

from kefu.guard.injection import screen_injection
from kefu.knowledge.base import ProductAnswerer, Retriever
from kefu.knowledge.extractive import extract_answer
from kefu.knowledge.relevance import query_language, semantic_floor
from kefu.knowledge.topics import rerank
from kefu.store.base import StoreBackend
from kefu.tools.orders import authenticate, order_for_customer
from kefu.types import (
    Action,
    Decision,
    Grounding,
    Inbound,
    Language,
    Passage,
    ProductReply,
    State,
    Strategy,
    Understanding,
)

# A question with a recognised knowledge intent takes the best passage found; a message with no
# recognised intent is answered only on stronger evidence: a good lexical match, or a cosine
# above the retrieval's own floor for the language pair (kefu/knowledge/relevance.py).
MIN_LEXICAL_OUT_OF_SCOPE = 3.0
SEMANTIC_MARGIN_OUT_OF_SCOPE = 0.02
RECENT_ORDERS = 5
PRODUCT_INTENTS = frozenset({"product_question", "recommend_product", "place_order"})


def act(
    decision: Decision,
    inbound: Inbound,
    understanding: Understanding,
    store: StoreBackend,
    retriever: Retriever,
    products: ProductAnswerer | None = None,
    strategy: Strategy | None = None,
) -> tuple[Decision, Grounding]:
    """The decision as carried out, with what the reply will be grounded on."""
    if decision.action is Action.ORDER_STATUS:
        return _order_status(decision.state, store)
    if decision.action is Action.ANSWER:
        product = _product(inbound, understanding, decision.state, products)
        if product is not None and not planted(product.text):
            return decision, Grounding(product=product)
        found = _passages(inbound, understanding, retriever, strategy or Strategy())
        answer = extract_answer(inbound.text, found[0].text) if found else None
        return decision, Grounding(passages=found, answer=answer)
    return decision, Grounding()


def planted(text: str) -> bool:
    """Retrieved text that reads as instructions to the assistant (a planted prompt injection
    in a page or a product description) is never used: it is data, and suspicious data."""
    return screen_injection(text).suspicious


def _product(inbound: Inbound, understanding: Understanding, state: State,
             products: ProductAnswerer | None) -> ProductReply | None:
    """A question about products (its intent says so, or it names one) answered from the
    catalog; "this one" refers to the products of the conversation."""
    named = understanding.first("product")
    if products is None or not (named or understanding.intent.name in PRODUCT_INTENTS):
        return None
    recent = [p for p in state.slots.get("recent_products", "").split(",") if p]
    return products.answer(inbound.text, inbound.language, named or state.slots.get("product"),
                           context_products=recent)


def _passages(
    inbound: Inbound, understanding: Understanding, retriever: Retriever, strategy: Strategy
) -> tuple[Passage, ...]:
    intent = understanding.intent.name
    keep = strategy.top_k or 3

    def search(language: Language | None) -> list[Passage]:
        if strategy.retrieval is None:
            return retriever.search(inbound.text, language, k=8)
        return retriever.search(inbound.text, language, k=8, mode=strategy.retrieval)

    found = [p for p in rerank(search(inbound.language), intent) if not planted(p.text)][:keep]
    if not found:  # the shop may have written this only in the other language
        found = [p for p in rerank(search(None), intent) if not planted(p.text)][:keep]
    if intent == "out_of_scope" and found and not _strong(found[0], inbound.text):
        return ()
    return tuple(found)


def _strong(passage: Passage, question: str) -> bool:
    floor = semantic_floor(query_language(question), passage.language or "en")
    return (passage.lexical >= MIN_LEXICAL_OUT_OF_SCOPE
            or passage.semantic >= floor + SEMANTIC_MARGIN_OUT_OF_SCOPE)


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
