"""The values that flow through one turn, stage to stage (GUIDE §1). Each is immutable."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["en", "zh"]


def person_name(first: str, last: str, language: str) -> str:
    """A name as its owner writes it: "王芳" (family name first, no space), "Noah Brown"."""
    return f"{last}{first}" if language == "zh" else f"{first} {last}"


@dataclass(frozen=True)
class Inbound:
    """A customer's message after the inbound guard: normalised text and its language.

    ``original`` is what the customer wrote (trimmed, control characters removed): it is what
    the conversation shows and keeps; ``text`` (NFKC) is what the stages understand.
    """

    text: str
    language: Language
    original: str = ""
    injection: tuple[str, ...] = ()  # why the screen took it for an injection attempt


@dataclass(frozen=True)
class Entity:
    """A span of the message with its normalised value."""

    kind: str  # order_id email phone zip person money date quantity product option
    text: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Intent:
    name: str
    confidence: float


Polarity = Literal["negative", "neutral", "positive"]
Script = Literal["en", "zh", "mixed", "unknown"]


@dataclass(frozen=True)
class Sentiment:
    """How the customer feels: polarity with a score in [-1, 1] (P(positive) - P(negative)),
    and an emotion (angry, frustrated, neutral, satisfied) with its confidence."""

    polarity: Polarity = "neutral"
    score: float = 0.0
    emotion: str = "neutral"
    confidence: float = 0.0


@dataclass(frozen=True)
class Recognition:
    """What one encoder pass tells: the intent (with the runners-up) and the sentiment."""

    intent: Intent
    sentiment: Sentiment = Sentiment()
    alternatives: tuple[Intent, ...] = ()


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    entities: tuple[Entity, ...] = ()
    sentiment: Sentiment = Sentiment()
    script: Script = "unknown"  # the message's own language mix; the reply follows Inbound
    alternatives: tuple[Intent, ...] = ()

    def first(self, kind: str) -> str | None:
        return next((e.value for e in self.entities if e.kind == kind), None)


class State(BaseModel):
    """What kefu remembers of a conversation between turns; stored as JSON with it."""

    language: Language | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    active_intent: str | None = None
    slots: dict[str, str] = Field(default_factory=dict)
    turns: int = 0
    misunderstood: int = 0
    identity_failures: int = 0
    handoff: bool = False
    upset_turns: int = 0  # consecutive messages in strong anger or frustration
    llm_tokens: int = 0  # estimated tokens the chat model read and wrote for this conversation
    flow: dict[str, Any] | None = None  # an order action in progress (kefu.dialogue.flows)


class Strategy(BaseModel):
    """How a conversation is answered, when an experiment varies it (kefu.console.experiments);
    None keeps the product's setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    llm: bool | None = None  # False: extractive and template answers only
    prompt_version: str | None = Field(None, pattern=r"^[a-z0-9_-]{1,40}$")  # prompts/*.<v>.txt
    retrieval: Literal["hybrid", "bm25"] | None = None
    top_k: int | None = Field(None, ge=1, le=8)  # passages the answer is grounded on
    cross_sell: bool | None = None  # suggest a product after an order action is done


class Action(StrEnum):
    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    ACKNOWLEDGE = "acknowledge"
    ANSWER = "answer"  # from the shop's knowledge
    ORDER_STATUS = "order_status"
    ASK_IDENTITY = "ask_identity"
    ASK_ORDER = "ask_order"
    IDENTITY_FAILED = "identity_failed"
    ORDER_NOT_FOUND = "order_not_found"
    HANDOFF = "handoff"
    NOT_SUPPORTED_YET = "not_supported_yet"
    FLOW = "flow"  # a step of an order action: a question, a confirmation, its outcome
    CLARIFY = "clarify"
    DECLINE = "decline"  # a prompt-injection or jailbreak attempt: nothing is done
    PROFILE = "profile"  # what kefu keeps about the customer, or that it forgot it
    RECOMMEND = "recommend"  # products picked for the customer, each with its reason


@dataclass(frozen=True)
class Decision:
    action: Action
    state: State
    order_id: str | None = None
    empathy: bool = False  # the customer is upset: the reply acknowledges it first


@dataclass(frozen=True)
class Passage:
    """A retrieved piece of the shop's knowledge, with where it comes from."""

    doc_id: str
    title: str
    section: str
    text: str
    score: float
    language: str = ""
    doc_type: str = ""  # policy | faq | page | product
    lexical: float = 0.0  # the BM25 score behind it (0: no shared term)
    semantic: float = 0.0  # the cosine of its vector with the question's (0: not compared)

    @property
    def citation(self) -> str:
        return f"{self.doc_id}#{self.section}"


@dataclass(frozen=True)
class OrderLine:
    name: str
    options: dict[str, str]
    price_cents: int
    name_zh: str | None = None


@dataclass(frozen=True)
class OrderView:
    """What a customer may see of one of their orders."""

    order_id: str
    status: str
    currency: str
    total_cents: int
    items: tuple[OrderLine, ...]
    tracking_ids: tuple[str, ...] = ()
    carrier: str | None = None
    shipped_at: str | None = None
    delivered_at: str | None = None
    created_at: str | None = None
    refunded_cents: int = 0  # refunds issued on the order so far


@dataclass(frozen=True)
class ProductReply:
    """An answer from the catalog's structure (product Q&A), with its sources."""

    text: str
    citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grounding:
    passages: tuple[Passage, ...] = ()
    product: ProductReply | None = None
    answer: str | None = None  # the sentences of passages[0] that answer the question
    order: OrderView | None = None
    recent_orders: tuple[OrderView, ...] = ()
    flow_text: str = ""  # what an order-action flow says (Action.FLOW)
    reminder: str = ""  # a flow's open question, asked again after an answer on another topic
    wrote: dict[str, Any] | None = None  # the write a flow's tool made this turn
    shown_orders: tuple[str, ...] = ()  # the customer's own orders a flow's text lists


@dataclass(frozen=True)
class Reply:
    text: str
    language: Language
    citations: tuple[str, ...] = ()
    # how the reply was made, when a language model was involved (kefu.llm.responder)
    generation: dict[str, object] | None = None


@dataclass(frozen=True)
class TurnResult:
    """Everything one turn produced, ready to be persisted and returned."""

    inbound: Inbound
    understanding: Understanding
    decision: Decision
    reply: Reply
    events: tuple[tuple[str, dict[str, object]], ...] = field(default_factory=tuple)
