"""Decide: the next action from the intent, the entities and the conversation's state."""

from __future__ import annotations

from kefu.nlu.lexicon import KNOWLEDGE_INTENTS, ORDER_INTENTS
from kefu.types import Action, Decision, State, Understanding

MAX_MISUNDERSTOOD = 3
_INFO_KINDS = ("order_id", "email", "zip")
_DIRECT = {
    "greeting": Action.GREET,
    "thanks": Action.THANKS,
    "goodbye": Action.GOODBYE,
    "contact_human_agent": Action.HANDOFF,
    "complaint": Action.HANDOFF,
}


def decide(state: State, understanding: Understanding) -> Decision:
    """What to do with this turn. Pure: no I/O, the tools run in the act stage."""
    intent = understanding.intent.name
    gives_info = any(understanding.first(k) for k in _INFO_KINDS)
    if intent in ORDER_INTENTS or (gives_info and _continues_order_flow(state, intent)):
        return Decision(Action.ORDER_STATUS, state)
    if intent in _DIRECT:
        return Decision(_DIRECT[intent], state)
    if intent in KNOWLEDGE_INTENTS or intent == "out_of_scope":
        return Decision(Action.ANSWER, state)
    return Decision(Action.CLARIFY, state)


def _continues_order_flow(state: State, intent: str) -> bool:
    """A bare email, zip or order number answers the order question, asked or not."""
    return state.active_intent in ORDER_INTENTS or intent in {"out_of_scope", "affirm"}


def after_clarify(state: State) -> Decision:
    """Not understood again: ask once more, or hand off after too many misses in a row."""
    missed = state.misunderstood + 1
    if missed >= MAX_MISUNDERSTOOD:
        return Decision(
            Action.HANDOFF, state.model_copy(update={"misunderstood": 0, "handoff": True})
        )
    return Decision(Action.CLARIFY, state.model_copy(update={"misunderstood": missed}))
