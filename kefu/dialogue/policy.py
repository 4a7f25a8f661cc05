"""Decide: what to do with a turn, before the tools run and after they answered. Pure: no I/O."""

from __future__ import annotations

from dataclasses import replace

from kefu.nlu.lexicon import KNOWLEDGE_INTENTS, ORDER_INTENTS
from kefu.types import Action, Decision, Grounding, Sentiment, State, Understanding

MAX_MISUNDERSTOOD = 3
MAX_IDENTITY_FAILURES = 3
_UPSET = frozenset({"angry", "frustrated"})
_INFO_KINDS = ("order_id", "email", "zip")
_DIRECT = {
    "greeting": Action.GREET,
    "thanks": Action.THANKS,
    "goodbye": Action.GOODBYE,
    "deny": Action.GOODBYE,  # "no" — most often to "anything else I can help with?"
    "affirm": Action.ACKNOWLEDGE,
    "contact_human_agent": Action.HANDOFF,
    "complaint": Action.HANDOFF,
}


STRONG_UPSET_TURNS = 2


def mood(state: State, understanding: Understanding, text: str = "") -> State:
    """The state with this message's mood counted: consecutive strongly upset messages."""
    turns = state.upset_turns + 1 if strongly_upset(understanding.sentiment, text) else 0
    return state.model_copy(update={"upset_turns": turns})


def needs_human(state: State) -> bool:
    """Strongly upset two messages running: a person should take over."""
    return state.upset_turns >= STRONG_UPSET_TURNS


def decide(state: State, understanding: Understanding) -> Decision:
    """The action this message asks for, with the tone the customer's mood calls for (the
    state has this message's mood counted: ``mood``)."""
    if needs_human(state):
        return Decision(Action.HANDOFF, state, empathy=True)
    return replace(_action(state, understanding), empathy=upset(understanding.sentiment))


def strongly_upset(feeling: Sentiment, text: str = "") -> bool:
    """Angry or frustrated beyond doubt, in a message long enough to judge: the heads misread
    short replies ("No, that's all.") and product descriptions as upset, so the bar is high
    (measured on tau-bench's scripted conversations, where nobody is upset)."""
    words = len(text.split()) + sum("\u3400" <= c <= "\u9fff" for c in text) // 2
    return (feeling.emotion in _UPSET and feeling.confidence >= 0.9
            and feeling.score <= -0.9 and words >= 5)


def upset(feeling: Sentiment) -> bool:
    """Angry or frustrated with some confidence, or clearly negative."""
    return (feeling.emotion in _UPSET and feeling.confidence >= 0.5) or feeling.score <= -0.6


def _action(state: State, understanding: Understanding) -> Decision:
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
    return state.active_intent in ORDER_INTENTS or intent in {"out_of_scope", "affirm", "deny"}


def review(decision: Decision, grounding: Grounding) -> Decision:
    """The action as it stands once the tools answered: an answer with nothing to ground it
    becomes a clarifying question, and repeated misses or failed identity checks a handoff."""
    state = decision.state
    if decision.action is Action.ANSWER and not (grounding.passages or grounding.product):
        decision = replace(decision, action=Action.CLARIFY)
    if decision.action is Action.CLARIFY:
        missed = state.misunderstood + 1
        if missed >= MAX_MISUNDERSTOOD:
            return _handoff(state)
        return replace(decision, state=state.model_copy(update={"misunderstood": missed}))
    state = state.model_copy(update={"misunderstood": 0})
    if decision.action is Action.IDENTITY_FAILED:
        failures = state.identity_failures + 1
        if failures >= MAX_IDENTITY_FAILURES:
            return _handoff(state)
        state = state.model_copy(update={"identity_failures": failures})
    if decision.action is Action.HANDOFF:
        return _handoff(state)
    return replace(decision, state=state)


def handoff(state: State) -> Decision:
    """Hand the conversation to a human (a flow's repeated refusals, policy)."""
    return _handoff(state.model_copy(update={"flow": None}))


def _handoff(state: State) -> Decision:
    return Decision(Action.HANDOFF, state.model_copy(
        update={"handoff": True, "misunderstood": 0, "identity_failures": 0, "upset_turns": 0}
    ))
