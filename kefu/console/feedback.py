"""What customers tell the shop about its answers: thumbs on a message, CSAT for a
conversation. Both are the customer's own, reached with the conversation's token."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import InvalidInput, NotFound
from kefu.storage.db import storage_errors
from kefu.storage.models import Conversation, Event, Feedback, Message, utcnow


def rate_message(factory: sessionmaker[Session], conv_id: str, seq: int, rating: str) -> None:
    """Thumbs up or down on one of the assistant's messages; a second rating replaces it."""
    if rating not in ("up", "down"):
        raise InvalidInput("the rating is up or down")
    with storage_errors(), factory.begin() as session:
        role = session.scalar(select(Message.role).where(
            Message.conversation_id == conv_id, Message.seq == seq))
        if role is None:
            raise NotFound(f"no message {seq} in this conversation")
        if role != "assistant":
            raise InvalidInput("only the assistant's messages can be rated")
        row = session.scalar(select(Feedback).where(
            Feedback.conversation_id == conv_id, Feedback.seq == seq))
        if row is None:
            session.add(Feedback(conversation_id=conv_id, seq=seq, rating=rating))
        else:
            row.rating, row.created_at = rating, utcnow()
        session.add(Event(conversation_id=conv_id, kind="feedback",
                          payload={"seq": seq, "rating": rating}))


def rate_conversation(factory: sessionmaker[Session], conv_id: str, score: int,
                      comment: str | None) -> None:
    """The customer's satisfaction, 1 (bad) to 5 (great); a second rating replaces it."""
    if not 1 <= score <= 5:
        raise InvalidInput("the score is from 1 to 5")
    comment = (comment or "").strip()[:1000] or None
    with storage_errors(), factory.begin() as session:
        done = session.execute(update(Conversation).where(Conversation.id == conv_id)
                               .values(csat_score=score, csat_comment=comment))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(f"no conversation {conv_id}")
        session.add(Event(conversation_id=conv_id, kind="csat", payload={"score": score}))
