"""Conversations: create, run a turn and persist it (one transaction), read history.

Concurrency without process-global state: each conversation row carries a version. A turn
reads the state at version n and commits only if the row is still at n; a turn that lost the
race is refused with Conflict and writes nothing, so two server processes never interleave.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import Conflict, LimitReached, NotFound, RateLimited, Unauthorized
from kefu.pipeline import Pipeline, Prepared
from kefu.profile.memory import Profiles
from kefu.ratelimit.base import RateLimiter
from kefu.respond.base import Delta, Final, Reset
from kefu.security import new_token, same, token_hash
from kefu.storage.db import storage_errors
from kefu.storage.models import Conversation, Event, Feedback, Message, StaffUser, utcnow
from kefu.store.database import DatabaseStore
from kefu.types import Action, Inbound, Language, Reply, State, Strategy, TurnResult, Understanding


@dataclass(frozen=True)
class MessageView:
    seq: int
    role: str
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    created_at: datetime
    citations: tuple[str, ...] = ()
    agent_name: str | None = None
    feedback: str | None = None  # the customer's thumbs on it: up | down


@dataclass(frozen=True)
class ConversationView:
    id: str
    language: str | None
    status: str
    messages: tuple[MessageView, ...]
    token: str | None = None
    csat: int | None = None  # the customer's rating of the conversation, 1 to 5


@dataclass(frozen=True)
class TurnOutcome:
    message: MessageView
    reply: MessageView | None  # None while a person holds the conversation
    status: str


@dataclass(frozen=True)
class Limits:
    """Caps against abuse (issue 8): customer turns per conversation; the chat model's
    estimated tokens per conversation, past which it answers from templates; messages per
    identified customer per minute, across all their conversations (``limiter``)."""

    max_turns: int = 200
    max_llm_tokens: int = 60_000
    per_customer_per_minute: int = 30
    limiter: RateLimiter | None = None


class Assigner(Protocol):
    """Puts conversations in the running experiment (kefu.console.experiments)."""

    def assign(self, session: Session, client_ref: str | None) -> dict[str, Any] | None: ...

    def identify(self, session: Session, experiment: dict[str, Any] | None,
                 customer_id: str) -> dict[str, Any] | None: ...


class Conversations:
    def __init__(self, factory: sessionmaker[Session], pipeline: Pipeline, secret_key: str,
                 assigner: Assigner | None = None,
                 on_turn: Callable[[TurnResult, float], None] | None = None,
                 limits: Limits | None = None, profiles: Profiles | None = None) -> None:
        """``assigner`` puts new conversations in the running experiment; ``on_turn`` is told
        of every answered turn and its latency in ms (the Prometheus metrics)."""
        self._factory = factory
        self._pipeline = pipeline
        self._secret = secret_key
        self._assigner = assigner
        self._on_turn = on_turn
        self._limits = limits or Limits()
        self._profiles = profiles

    def create(self, channel: str = "api", language: Language | None = None,
               client_ref: str | None = None) -> ConversationView:
        """A new conversation; ``client_ref`` (the widget's browser id) keeps a returning
        visitor in the same experiment variant."""
        token = new_token()
        conv = Conversation(
            id=str(uuid.uuid4()), token_hash=token_hash(self._secret, token), channel=channel,
            language=language, state=State(language=language).model_dump(),
            client_ref=client_ref,
        )
        with storage_errors(), self._factory.begin() as session:
            if self._assigner is not None:
                conv.experiment = self._assigner.assign(session, client_ref)
            session.add(conv)
            session.add(Event(conversation_id=conv.id, kind="conversation_created",
                              payload={"channel": channel}))
        return ConversationView(conv.id, language, conv.status, (), token)

    def authorize(self, conversation_id: str, token: str | None) -> None:
        """The token proves the caller owns the conversation (API-key callers skip this)."""
        with storage_errors(), self._factory() as session:
            conv = session.get(Conversation, conversation_id)
        if conv is None:
            raise NotFound(f"no conversation {conversation_id}")
        if not token or not same(conv.token_hash, token_hash(self._secret, token)):
            raise Unauthorized("a valid X-Conversation-Token is required for this conversation")

    def history(self, conversation_id: str) -> ConversationView:
        with storage_errors(), self._factory() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise NotFound(f"no conversation {conversation_id}")
            thumbs = dict(session.execute(select(Feedback.seq, Feedback.rating).where(
                Feedback.conversation_id == conversation_id)).all())
            return ConversationView(
                conv.id, conv.language, conv.status,
                tuple(replace(_view(m), feedback=thumbs.get(m.seq)) for m in conv.messages),
                csat=conv.csat_score)

    def after(self, conversation_id: str, seq: int
              ) -> tuple[list[MessageView], str, str | None]:
        """The messages after ``seq``, the status and the name of the person who holds the
        conversation: what the customer's page has not shown yet."""
        with storage_errors(), self._factory() as session:
            found = session.execute(
                select(Conversation.status, StaffUser.display_name)
                .outerjoin(StaffUser, StaffUser.id == Conversation.assigned_to)
                .where(Conversation.id == conversation_id)).first()
            if found is None:
                raise NotFound(f"no conversation {conversation_id}")
            rows = session.scalars(select(Message).where(
                Message.conversation_id == conversation_id, Message.seq > seq)
                .order_by(Message.seq)).all()
            return [_view(m) for m in rows], found[0], found[1]

    def post(self, conversation_id: str, text: str) -> TurnOutcome:
        """Run one turn and persist it whole, or raise and persist nothing."""
        pending = self.start(conversation_id, text)
        for _ in pending.events():
            pass
        assert pending.outcome is not None
        return pending.outcome

    def start(self, conversation_id: str, text: str) -> PendingTurn | HeldTurn:
        """Understand and ground a turn (errors such as NotFound raise here); its reply is
        made, streamed and persisted by ``PendingTurn.events``. While a person holds the
        conversation, the message is only understood (for the console) and stored."""
        started = time.monotonic()
        with storage_errors(), self._factory() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise NotFound(f"no conversation {conversation_id}")
            version, state = conv.version, State.model_validate(conv.state)
            last_seq = session.scalar(
                select(func.coalesce(func.max(Message.seq), 0))
                .where(Message.conversation_id == conversation_id)
            ) or 0
            self._check_limits(conv, state)
            if conv.status == "agent":
                inbound, understanding = self._pipeline.observe(text, state)
                return HeldTurn(self, conversation_id, version, last_seq, inbound,
                                understanding)
            strategy = _strategy(conv.experiment)
            if state.llm_tokens >= self._limits.max_llm_tokens:
                strategy = (strategy or Strategy()).model_copy(update={"llm": False})
            claimed: list[int] = []

            def claim() -> None:
                """Reserve the conversation at ``version`` before a tool writes."""
                self._claim(conversation_id, version)
                claimed.append(version + 1)

            prepared = self._pipeline.prepare(text, state, DatabaseStore(session),
                                              conversation_id, claim, strategy)
        turn = PendingTurn(self, conversation_id, claimed[0] if claimed else version, last_seq,
                           prepared, started)
        turn.before = (conv.customer_id, conv.experiment)
        return turn

    def _check_limits(self, conv: Conversation, state: State) -> None:
        limits = self._limits
        if state.turns >= limits.max_turns and conv.status != "agent":
            raise LimitReached(f"this conversation has reached {limits.max_turns} messages; "
                               "please start a new one")
        if conv.customer_id and limits.limiter is not None:
            verdict = limits.limiter.hit(f"customer:{conv.customer_id}",
                                         limits.per_customer_per_minute, 60)
            if not verdict.allowed:
                raise RateLimited("too many messages; please wait a moment",
                                  verdict.retry_after_s)

    def forget_customer(self, customer_id: str) -> None:
        """Drops the customer's rate-limit counter (erasure)."""
        if self._limits.limiter is not None:
            self._limits.limiter.reset(f"customer:{customer_id}")

    def _claim(self, conv_id: str, version: int) -> None:
        with storage_errors(), self._factory.begin() as session:
            done = session.execute(
                update(Conversation)
                .where(Conversation.id == conv_id, Conversation.version == version)
                .values(version=version + 1))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(_BUSY)

    def _commit(self, conv_id: str, version: int, last_seq: int, result: TurnResult,
                started: float,
                before: tuple[str | None, dict[str, Any] | None] = (None, None)
                ) -> TurnOutcome:
        state = result.decision.state
        spent = int(str((result.reply.generation or {}).get("estimated_tokens") or 0))
        if spent:
            state = state.model_copy(update={"llm_tokens": state.llm_tokens + spent})
        now = utcnow()
        user = _user_message(conv_id, last_seq + 1, result.inbound, result.understanding, now)
        latency_ms = round((time.monotonic() - started) * 1000, 1)
        reply = Message(conversation_id=conv_id, seq=last_seq + 2, role="assistant",
                        text=result.reply.text, language=result.reply.language, created_at=now,
                        meta={"action": result.decision.action.value,
                              "citations": list(result.reply.citations),
                              "latency_ms": latency_ms})
        # a person who took the conversation while this turn was answered keeps it
        status = case((Conversation.status == "agent", "agent"),
                      else_="handoff" if state.handoff else "open")
        values: dict[str, Any] = {
            "version": version + 1, "state": state.model_dump(), "status": status,
            "language": result.inbound.language, "customer_id": state.customer_id,
            "updated_at": now}
        if state.handoff:
            values["handoff_at"] = func.coalesce(Conversation.handoff_at, now)
        try:
            with self._factory.begin() as session:
                claimed = session.execute(
                    update(Conversation)
                    .where(Conversation.id == conv_id, Conversation.version == version)
                    .values(**values)
                )
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    raise Conflict(_BUSY)
                known, experiment = before
                if (self._assigner is not None and experiment and state.customer_id
                        and state.customer_id != known):
                    moved = self._assigner.identify(session, experiment, state.customer_id)
                    if moved != experiment:
                        session.execute(update(Conversation).where(Conversation.id == conv_id)
                                        .values(experiment=moved))
                session.add_all([user, reply])
                session.add_all(Event(conversation_id=conv_id, kind=k, payload=dict(p),
                                      created_at=now) for k, p in result.events)
                # a message giving an order action's details ("size L please") is about that
                # order, not a standing preference: only other messages are remembered
                if (self._profiles is not None and state.customer_id
                        and not result.inbound.injection
                        and result.decision.action not in (Action.PROFILE, Action.FLOW)):
                    self._profiles.observe(session, state.customer_id, result.inbound.text,
                                           result.inbound.language, f"{conv_id}#{user.seq}")
        except IntegrityError as exc:
            raise Conflict(_BUSY) from exc
        if self._on_turn is not None:
            self._on_turn(result, latency_ms)
        return TurnOutcome(_view(user), _view(reply), "handoff" if state.handoff else "open")

    def _commit_held(self, conv_id: str, version: int, last_seq: int, inbound: Inbound,
                     understanding: Understanding) -> TurnOutcome:
        """A customer message to the person who holds the conversation: stored, no reply."""
        now = utcnow()
        user = _user_message(conv_id, last_seq + 1, inbound, understanding, now)
        try:
            with self._factory.begin() as session:
                claimed = session.execute(
                    update(Conversation)
                    .where(Conversation.id == conv_id, Conversation.version == version)
                    .values(version=version + 1, updated_at=now))
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    raise Conflict(_BUSY)
                session.add(user)
                session.add(Event(conversation_id=conv_id, kind="intent", created_at=now,
                                  payload={"intent": understanding.intent.name,
                                           "confidence": understanding.intent.confidence,
                                           "held": True}))
        except IntegrityError as exc:
            raise Conflict(_BUSY) from exc
        return TurnOutcome(_view(user), None, "agent")


class PendingTurn:
    """A turn whose reply is being made. ``events`` yields ``("message", MessageView)`` (the
    customer's message as it will be stored), then ``("delta", str)`` pieces and ``("reset",
    "")`` when a shown part is withdrawn, and ``("done", MessageView)`` once the turn is
    persisted. Setting ``cancel`` (the customer left) stops the generation; the turn is still
    persisted, with what was verified so far or the template answer, so the history is whole."""

    def __init__(self, owner: Conversations, conv_id: str, version: int, last_seq: int,
                 prepared: Prepared, started: float) -> None:
        self._owner = owner
        self._conv_id = conv_id
        self._version = version
        self._last_seq = last_seq
        self._started = started
        self.prepared = prepared
        self.outcome: TurnOutcome | None = None
        self.before: tuple[str | None, dict[str, Any] | None] = (None, None)

    def preview(self) -> MessageView:
        inbound = self.prepared.inbound
        intent = self.prepared.understanding.intent
        return MessageView(self._last_seq + 1, "user", inbound.original, inbound.language,
                           intent.name, intent.confidence, utcnow())

    def events(self, cancel: threading.Event | None = None
               ) -> Iterator[tuple[str, MessageView | str]]:
        pipeline = self._owner._pipeline
        yield "message", self.preview()
        final: Reply | None = None
        for event in pipeline.reply_stream(self.prepared, cancel):
            if isinstance(event, Delta):
                yield "delta", event.text
            elif isinstance(event, Reset):
                yield "reset", ""
            elif isinstance(event, Final):
                final = event.reply
        assert final is not None, "a responder must end with a Final reply"
        result = pipeline.finish(self.prepared, final)
        with storage_errors():
            self.outcome = self._owner._commit(self._conv_id, self._version, self._last_seq,
                                               result, self._started, self.before)
        assert self.outcome.reply is not None
        yield "done", self.outcome.reply


class HeldTurn:
    """A customer's message while a person holds the conversation: ``events`` yields the
    message, then ``("done", "")`` once it is stored (there is no reply to stream)."""

    def __init__(self, owner: Conversations, conv_id: str, version: int, last_seq: int,
                 inbound: Inbound, understanding: Understanding) -> None:
        self._owner = owner
        self._args = (conv_id, version, last_seq, inbound, understanding)
        self.outcome: TurnOutcome | None = None

    def events(self, cancel: threading.Event | None = None
               ) -> Iterator[tuple[str, MessageView | str]]:
        _, _, last_seq, inbound, understanding = self._args
        intent = understanding.intent
        yield "message", MessageView(last_seq + 1, "user", inbound.original, inbound.language,
                                     intent.name, intent.confidence, utcnow())
        with storage_errors():
            self.outcome = self._owner._commit_held(*self._args)
        yield "done", ""


_BUSY = "another message of this conversation is being answered; send yours again in a moment"


def _view(m: Message) -> MessageView:
    meta = m.meta or {}
    return MessageView(m.seq, m.role, m.text, m.language, m.intent, m.confidence, m.created_at,
                       tuple(meta.get("citations", ())), meta.get("agent_name"))


def _user_message(conv_id: str, seq: int, inbound: Inbound, understanding: Understanding,
                  now: datetime) -> Message:
    feeling = understanding.sentiment
    return Message(conversation_id=conv_id, seq=seq, role="user", text=inbound.original,
                   language=inbound.language, intent=understanding.intent.name,
                   confidence=understanding.intent.confidence, created_at=now,
                   meta={"entities": [e.kind for e in understanding.entities],
                         "sentiment": {"polarity": feeling.polarity, "score": feeling.score,
                                       "emotion": feeling.emotion}})


def _strategy(experiment: dict[str, Any] | None) -> Strategy | None:
    if not experiment or not experiment.get("strategy"):
        return None
    return Strategy.model_validate(experiment["strategy"])
