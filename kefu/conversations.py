"""Conversations: create, run a turn and persist it (one transaction), read history.

Concurrency without process-global state: each conversation row carries a version. A turn
reads the state at version n and commits only if the row is still at n; a turn that lost the
race is refused with Conflict and writes nothing, so two server processes never interleave.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import Conflict, NotFound, Unauthorized
from kefu.pipeline import Pipeline, Prepared
from kefu.respond.base import Delta, Final, Reset
from kefu.security import new_token, same, token_hash
from kefu.storage.db import storage_errors
from kefu.storage.models import Conversation, Event, Message, utcnow
from kefu.store.database import DatabaseStore
from kefu.types import Language, Reply, State, TurnResult


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


@dataclass(frozen=True)
class ConversationView:
    id: str
    language: str | None
    status: str
    messages: tuple[MessageView, ...]
    token: str | None = None


@dataclass(frozen=True)
class TurnOutcome:
    message: MessageView
    reply: MessageView
    status: str


class Conversations:
    def __init__(self, factory: sessionmaker[Session], pipeline: Pipeline, secret_key: str) -> None:
        self._factory = factory
        self._pipeline = pipeline
        self._secret = secret_key

    def create(self, channel: str = "api", language: Language | None = None) -> ConversationView:
        token = new_token()
        conv = Conversation(
            id=str(uuid.uuid4()), token_hash=token_hash(self._secret, token), channel=channel,
            language=language, state=State(language=language).model_dump(),
        )
        with storage_errors(), self._factory.begin() as session:
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
            return ConversationView(
                conv.id, conv.language, conv.status, tuple(_view(m) for m in conv.messages)
            )

    def post(self, conversation_id: str, text: str) -> TurnOutcome:
        """Run one turn and persist it whole, or raise and persist nothing."""
        pending = self.start(conversation_id, text)
        for _ in pending.events():
            pass
        assert pending.outcome is not None
        return pending.outcome

    def start(self, conversation_id: str, text: str) -> PendingTurn:
        """Understand and ground a turn (errors such as NotFound raise here); its reply is
        made, streamed and persisted by ``PendingTurn.events``."""
        with storage_errors(), self._factory() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise NotFound(f"no conversation {conversation_id}")
            version, state = conv.version, State.model_validate(conv.state)
            last_seq = session.scalar(
                select(func.coalesce(func.max(Message.seq), 0))
                .where(Message.conversation_id == conversation_id)
            ) or 0
            claimed: list[int] = []

            def claim() -> None:
                """Reserve the conversation at ``version`` before a tool writes."""
                self._claim(conversation_id, version)
                claimed.append(version + 1)

            prepared = self._pipeline.prepare(text, state, DatabaseStore(session),
                                              conversation_id, claim)
        return PendingTurn(self, conversation_id, claimed[0] if claimed else version, last_seq,
                           prepared)

    def _claim(self, conv_id: str, version: int) -> None:
        with storage_errors(), self._factory.begin() as session:
            done = session.execute(
                update(Conversation)
                .where(Conversation.id == conv_id, Conversation.version == version)
                .values(version=version + 1))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict(_BUSY)

    def _commit(self, conv_id: str, version: int, last_seq: int, result: TurnResult) -> TurnOutcome:
        state = result.decision.state
        status = "handoff" if state.handoff else "open"
        now = utcnow()
        user = Message(conversation_id=conv_id, seq=last_seq + 1, role="user",
                       text=result.inbound.original, language=result.inbound.language,
                       intent=result.understanding.intent.name,
                       confidence=result.understanding.intent.confidence, created_at=now,
                       meta={"entities": [e.kind for e in result.understanding.entities]})
        reply = Message(conversation_id=conv_id, seq=last_seq + 2, role="assistant",
                        text=result.reply.text, language=result.reply.language, created_at=now,
                        meta={"action": result.decision.action.value,
                              "citations": list(result.reply.citations)})
        try:
            with self._factory.begin() as session:
                claimed = session.execute(
                    update(Conversation)
                    .where(Conversation.id == conv_id, Conversation.version == version)
                    .values(version=version + 1, state=state.model_dump(), status=status,
                            language=result.inbound.language, customer_id=state.customer_id,
                            updated_at=now)
                )
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    raise Conflict(_BUSY)
                session.add_all([user, reply])
                session.add_all(Event(conversation_id=conv_id, kind=k, payload=dict(p),
                                      created_at=now) for k, p in result.events)
        except IntegrityError as exc:
            raise Conflict(_BUSY) from exc
        return TurnOutcome(_view(user), _view(reply), status)


class PendingTurn:
    """A turn whose reply is being made. ``events`` yields ``("message", MessageView)`` (the
    customer's message as it will be stored), then ``("delta", str)`` pieces and ``("reset",
    "")`` when a shown part is withdrawn, and ``("done", MessageView)`` once the turn is
    persisted. Setting ``cancel`` (the customer left) stops the generation; the turn is still
    persisted, with what was verified so far or the template answer, so the history is whole."""

    def __init__(self, owner: Conversations, conv_id: str, version: int, last_seq: int,
                 prepared: Prepared) -> None:
        self._owner = owner
        self._conv_id = conv_id
        self._version = version
        self._last_seq = last_seq
        self.prepared = prepared
        self.outcome: TurnOutcome | None = None

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
                                               result)
        yield "done", self.outcome.reply


_BUSY = "another message of this conversation is being answered; send yours again in a moment"


def _view(m: Message) -> MessageView:
    return MessageView(m.seq, m.role, m.text, m.language, m.intent, m.confidence, m.created_at,
                       tuple((m.meta or {}).get("citations", ())))
