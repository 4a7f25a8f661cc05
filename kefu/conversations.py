"""Conversations: create, run a turn and persist it (one transaction), read history.

Concurrency without process-global state: each conversation row carries a version. A turn
reads the state at version n and commits only if the row is still at n; a turn that lost the
race is refused with Conflict and writes nothing, so two server processes never interleave.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import Conflict, NotFound, Unauthorized
from kefu.pipeline import Pipeline
from kefu.security import new_token, same, token_hash
from kefu.storage.db import storage_errors
from kefu.storage.models import Conversation, Event, Message, utcnow
from kefu.store.database import DatabaseStore
from kefu.types import Language, State, TurnResult


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
        with storage_errors():
            with self._factory() as session:
                conv = session.get(Conversation, conversation_id)
                if conv is None:
                    raise NotFound(f"no conversation {conversation_id}")
                version, state = conv.version, State.model_validate(conv.state)
                last_seq = session.scalar(
                    select(func.coalesce(func.max(Message.seq), 0))
                    .where(Message.conversation_id == conversation_id)
                ) or 0
                result = self._pipeline.run(text, state, DatabaseStore(session))
            return self._commit(conversation_id, version, last_seq, result)

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


_BUSY = "another message of this conversation is being answered; send yours again in a moment"


def _view(m: Message) -> MessageView:
    return MessageView(m.seq, m.role, m.text, m.language, m.intent, m.confidence, m.created_at,
                       tuple((m.meta or {}).get("citations", ())))
