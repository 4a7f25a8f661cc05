"""The inbox: conversations that need a person, taken over by one agent at a time.

Taking a conversation is one conditional UPDATE (``assigned_to`` was empty or already the
caller), so two agents clicking at once get one success and one Conflict, on any number of
workers. While a person holds a conversation its status is ``agent``: the customer's messages
are understood (the console shows intent and sentiment) and stored, and the assistant is
silent until the person hands the conversation back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from kefu.console import views
from kefu.errors import Conflict, InvalidInput, NotFound, Refused
from kefu.knowledge.base import Retriever
from kefu.llm.assist import Turn, suggest_replies, summarize
from kefu.llm.base import ChatModel
from kefu.llm.redacting import knowing
from kefu.nlu.language import detect_script
from kefu.privacy.pii import mask
from kefu.profile.builder import build_profile
from kefu.staff.accounts import Staff
from kefu.storage.db import storage_errors
from kefu.storage.models import (
    Conversation,
    Customer,
    Event,
    Feedback,
    IntentCorrection,
    Message,
    Order,
    StaffUser,
    utcnow,
)
from kefu.tools.retail import RetailTools, ToolContext, ToolResult
from kefu.types import Language, State

QUEUE_LIMIT = 200
MAX_AGENT_MESSAGE = 4000
ORDER_ACTIONS = ("cancel", "modify_address", "modify_payment", "modify_items", "return",
                 "exchange")


class Inbox:
    def __init__(self, factory: sessionmaker[Session], tools: RetailTools,
                 retriever: Retriever, model: Callable[[], ChatModel | None],
                 intents: Sequence[str]) -> None:
        self._factory = factory
        self._tools = tools
        self._retriever = retriever
        self._model = model
        self.intents = sorted(intents)

    # ------------------------------------------------------------------ reading
    def queue(self, include_open: bool = False) -> list[dict[str, Any]]:
        """Waiting conversations first (longest wait first), then those agents hold; with
        ``include_open``, also the assistant's conversations of the last day."""
        shown = ["handoff", "agent"]
        with storage_errors(), self._factory() as session:
            query = select(Conversation).where(Conversation.status.in_(shown))
            if include_open:
                since = utcnow() - timedelta(days=1)
                query = select(Conversation).where(or_(
                    Conversation.status.in_(shown),
                    and_(Conversation.status == "open", Conversation.updated_at >= since)))
            convs = session.scalars(query.order_by(Conversation.updated_at.desc())
                                    .limit(QUEUE_LIMIT)).all()
            ids = [c.id for c in convs]
            last = _last_messages(session, ids, None)
            last_user = _last_messages(session, ids, "user")
            names = _customer_names(session, {c.customer_id for c in convs if c.customer_id})
            staff = _staff_names(session, {c.assigned_to for c in convs if c.assigned_to})
        rank = {"handoff": 0, "agent": 1, "open": 2}
        items = [_item(c, last.get(c.id), last_user.get(c.id), names, staff) for c in convs]
        items.sort(key=lambda i: (rank.get(i["status"], 3), i["waiting_since"] or "~",
                                  i["updated_at"]))
        return items

    def detail(self, conv_id: str) -> dict[str, Any]:
        with storage_errors(), self._factory() as session:
            conv = _conversation(session, conv_id)
            feedback = dict(session.execute(
                select(Feedback.seq, Feedback.rating).where(Feedback.conversation_id == conv_id)
            ).all())
            corrected = dict(session.execute(
                select(IntentCorrection.seq, IntentCorrection.intent)
                .where(IntentCorrection.conversation_id == conv_id)).all())
            holder = session.get(StaffUser, conv.assigned_to) if conv.assigned_to else None
            customer = None
            if conv.customer_id:
                found = session.get(Customer, conv.customer_id)
                if found is not None:
                    orders = session.scalars(
                        select(Order).where(Order.customer_id == found.id)
                        .order_by(Order.customer_seq, Order.id)
                        .options(selectinload(Order.items), selectinload(Order.payments))
                    ).all()
                    customer = views.customer(found, list(orders))
                    profile = build_profile(session, found.id)
                    customer["profile"] = profile.as_json() if profile else None
            experiment = conv.experiment or None
            return {
                "id": conv.id, "status": conv.status,
                "assigned_to": holder.username if holder else None,
                "assigned_name": holder.display_name if holder else None,
                "language": conv.language, "channel": conv.channel,
                "created_at": views.iso(conv.created_at),
                "messages": [views.message(m, feedback.get(m.seq), corrected.get(m.seq))
                             for m in conv.messages],
                "csat": ({"score": conv.csat_score, "comment": conv.csat_comment}
                         if conv.csat_score else None),
                "experiment": ({k: experiment.get(k) for k in ("id", "name", "variant")}
                               if experiment else None),
                "customer": customer,
            }

    def messages_after(self, conv_id: str, seq: int
                       ) -> tuple[list[dict[str, Any]], str, tuple[str, str] | None]:
        """New messages after ``seq``, the status and who holds the conversation (user name,
        display name)."""
        with storage_errors(), self._factory() as session:
            conv = session.get(Conversation, conv_id)
            if conv is None:
                raise NotFound(f"no conversation {conv_id}")
            rows = session.scalars(
                select(Message).where(Message.conversation_id == conv_id, Message.seq > seq)
                .order_by(Message.seq)).all()
            holder = session.get(StaffUser, conv.assigned_to) if conv.assigned_to else None
            return ([views.message(m) for m in rows], conv.status,
                    (holder.username, holder.display_name) if holder else None)

    # ------------------------------------------------------------------ takeover
    def take(self, conv_id: str, staff: Staff) -> dict[str, Any]:
        now = utcnow()
        with storage_errors(), self._factory.begin() as session:
            _conversation(session, conv_id, messages=False)
            done = session.execute(
                update(Conversation)
                .where(Conversation.id == conv_id,
                       or_(Conversation.assigned_to.is_(None),
                           Conversation.assigned_to == staff.id))
                .values(assigned_to=staff.id, status="agent", updated_at=now,
                        assigned_at=func.coalesce(Conversation.assigned_at, now),
                        handoff_at=func.coalesce(Conversation.handoff_at, now)))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                holder = session.scalar(
                    select(StaffUser.display_name).join(
                        Conversation, Conversation.assigned_to == StaffUser.id)
                    .where(Conversation.id == conv_id))
                raise Conflict(f"{holder or 'another agent'} has already taken this conversation")
            session.add(Event(conversation_id=conv_id, kind="takeover", created_at=now,
                              payload={"agent": staff.username}))
        return self.detail(conv_id)

    def release(self, conv_id: str, staff: Staff) -> dict[str, Any]:
        """Back to the assistant, which answers the next message afresh (no handoff pending)."""
        for _ in range(5):
            with storage_errors(), self._factory.begin() as session:
                conv = _conversation(session, conv_id, messages=False)
                if conv.assigned_to is None:
                    raise Conflict("nobody holds this conversation")
                if conv.assigned_to != staff.id and not staff.is_admin:
                    raise Conflict("another agent holds this conversation")
                state = State.model_validate(conv.state).model_copy(update={
                    "handoff": False, "upset_turns": 0, "misunderstood": 0})
                done = session.execute(
                    update(Conversation)
                    .where(Conversation.id == conv_id, Conversation.version == conv.version)
                    .values(version=conv.version + 1, assigned_to=None, status="open",
                            state=state.model_dump(), updated_at=utcnow()))
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    session.add(Event(conversation_id=conv_id, kind="released",
                                      payload={"agent": staff.username}))
                    break
        else:
            raise Conflict("the conversation is busy; try again")
        return self.detail(conv_id)

    def reply(self, conv_id: str, staff: Staff, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text:
            raise InvalidInput("the reply is empty")
        if len(text) > MAX_AGENT_MESSAGE:
            raise InvalidInput(f"a reply has at most {MAX_AGENT_MESSAGE} characters")
        for _ in range(5):
            now = utcnow()
            try:
                with storage_errors(), self._factory.begin() as session:
                    held = session.execute(
                        update(Conversation)
                        .where(Conversation.id == conv_id, Conversation.assigned_to == staff.id)
                        .values(version=Conversation.version + 1, updated_at=now))
                    if held.rowcount != 1:  # type: ignore[attr-defined]
                        _conversation(session, conv_id, messages=False)  # 404 if unknown
                        raise Conflict("take the conversation before replying")
                    seq = (session.scalar(select(func.max(Message.seq))
                                          .where(Message.conversation_id == conv_id)) or 0) + 1
                    message = Message(conversation_id=conv_id, seq=seq, role="agent", text=text,
                                      language=_language(text),
                                      created_at=now, meta={"agent_name": staff.display_name,
                                                            "agent": staff.username})
                    session.add(message)
                    session.add(Event(conversation_id=conv_id, kind="agent_message",
                                      created_at=now, payload={"agent": staff.username}))
                    session.flush()
                    return views.message(message)
            except IntegrityError:
                continue  # a customer message took the same seq: number it again
        raise Conflict("the conversation is busy; try again")

    # ------------------------------------------------------------------ corrections
    def correct_intent(self, conv_id: str, seq: int, intent: str,
                       staff: Staff) -> dict[str, Any]:
        if intent not in self.intents:
            raise InvalidInput(f"unknown intent {intent!r}")
        with storage_errors(), self._factory.begin() as session:
            message = session.scalar(select(Message).where(
                Message.conversation_id == conv_id, Message.seq == seq))
            if message is None:
                raise NotFound(f"no message {seq} in conversation {conv_id}")
            if message.role != "user":
                raise InvalidInput("only a customer's message has an intent to correct")
            row = session.scalar(select(IntentCorrection).where(
                IntentCorrection.conversation_id == conv_id, IntentCorrection.seq == seq))
            if row is None:
                row = IntentCorrection(conversation_id=conv_id, seq=seq, text=mask(message.text),
                                       language=message.language, detected=message.intent,
                                       intent=intent, corrected_by=staff.id)
                session.add(row)
            else:
                row.intent, row.corrected_by, row.created_at = intent, staff.id, utcnow()
            return {"seq": seq, "intent": message.intent, "corrected_intent": intent}

    # ------------------------------------------------------------------ assist
    def assist(self, conv_id: str) -> dict[str, Any]:
        """A summary and suggested replies, from the chat model when there is one (checked
        against the transcript and the facts) or extractively."""
        with storage_errors(), self._factory() as session:
            conv = _conversation(session, conv_id)
            turns = [Turn(m.role, m.text) for m in conv.messages]
            language: Language = "zh" if conv.language == "zh" else "en"
            question = next((m.text for m in reversed(conv.messages) if m.role == "user"), "")
            customer = session.get(Customer, conv.customer_id) if conv.customer_id else None
            names = [customer.full_name] if customer is not None else []
        facts = [p.text for p in self._retriever.search(question, language, k=2)] if question \
            else []
        model = self._model()
        if model is not None:  # a remote model sees no name of theirs, cued or not
            model = knowing(model, names)
        summary = summarize(model, turns, language)
        suggestions = suggest_replies(model, turns, facts, language)
        return {"summary": {"text": summary.text, "source": summary.source},
                "suggestions": [{"text": s.text, "source": s.source} for s in suggestions]}

    def knowledge(self, query: str, language: str | None) -> list[dict[str, Any]]:
        if not query.strip():
            return []
        return [{"doc_id": p.doc_id, "title": p.title, "text": p.text,
                 "score": round(p.score, 4)}
                for p in self._retriever.search(query, language, k=5)]

    # ------------------------------------------------------------------ order actions
    def order_action(self, conv_id: str, order_id: str, action: str, body: dict[str, Any],
                     staff: Staff) -> dict[str, Any]:
        """An order action for the conversation's customer, by the person who holds it:
        the assistant's tools, under the same policy, audited under the person's name."""
        if action not in ORDER_ACTIONS:
            raise NotFound(f"no order action {action!r}")
        with storage_errors(), self._factory() as session:
            conv = _conversation(session, conv_id, messages=False)
            if conv.assigned_to != staff.id:
                raise Conflict("take the conversation before acting on its orders")
            if not conv.customer_id:
                raise Refused("the customer has not been identified in this conversation")
        ctx = ToolContext(conv.customer_id, staff.actor, conv_id)
        result = _run(self._tools, ctx, order_id, action, body)
        with storage_errors(), self._factory.begin() as session:
            session.add(Event(conversation_id=conv_id, kind="tool",
                              payload={"tool": result.tool, "order_id": order_id,
                                       "status": result.status, "actor": staff.actor}))
            order = session.scalar(select(Order).where(Order.id == order_id).options(
                selectinload(Order.items), selectinload(Order.payments)))
            shown = views.order(order) if order is not None else None
        said = ("nothing changed: the same request was done before" if result.repeated
                else f"done: {result.tool.replace('_', ' ')}")
        return {"ok": True, "message": said, "order": shown, "details": result.details}


def _run(tools: RetailTools, ctx: ToolContext, order_id: str, action: str,
         body: dict[str, Any]) -> ToolResult:
    def text(name: str) -> str:
        value = body.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"{action} needs {name}")
        return value

    def ids(name: str) -> list[str]:
        value = body.get(name)
        if not isinstance(value, list) or not value or not all(isinstance(v, str)
                                                               for v in value):
            raise InvalidInput(f"{action} needs {name}, a list of item ids")
        return value

    if action == "cancel":
        return tools.cancel_pending_order(ctx, order_id, text("reason"))
    if action == "modify_address":
        address = {k: str(body.get(k) or "") for k in
                   ("address1", "address2", "city", "state", "country", "zip")}
        return tools.modify_pending_order_address(ctx, order_id, address)
    if action == "modify_payment":
        return tools.modify_pending_order_payment(ctx, order_id, text("payment_method_id"))
    if action == "modify_items":
        return tools.modify_pending_order_items(ctx, order_id, ids("item_ids"),
                                                ids("new_item_ids"), text("payment_method_id"))
    if action == "return":
        return tools.return_delivered_order_items(ctx, order_id, ids("item_ids"),
                                                  text("payment_method_id"))
    return tools.exchange_delivered_order_items(ctx, order_id, ids("item_ids"),
                                                ids("new_item_ids"), text("payment_method_id"))


def _language(text: str) -> str | None:
    script = detect_script(text)
    return script if script in ("en", "zh") else None


def _conversation(session: Session, conv_id: str, messages: bool = True) -> Conversation:
    query = select(Conversation).where(Conversation.id == conv_id)
    if messages:
        query = query.options(selectinload(Conversation.messages))
    conv = session.scalar(query)
    if conv is None:
        raise NotFound(f"no conversation {conv_id}")
    return conv


def _last_messages(session: Session, ids: list[str], role: str | None) -> dict[str, Message]:
    if not ids:
        return {}
    latest = select(Message.conversation_id, func.max(Message.seq).label("seq")).where(
        Message.conversation_id.in_(ids))
    if role is not None:
        latest = latest.where(Message.role == role)
    sub = latest.group_by(Message.conversation_id).subquery()
    rows = session.scalars(select(Message).join(sub, and_(
        Message.conversation_id == sub.c.conversation_id, Message.seq == sub.c.seq)))
    return {m.conversation_id: m for m in rows}


def _customer_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {c.id: c.full_name for c in session.scalars(select(Customer).where(
        Customer.id.in_(ids)))}


def _staff_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    return {u.id: (u.username, u.display_name) for u in session.scalars(
        select(StaffUser).where(StaffUser.id.in_(ids)))}


def _item(conv: Conversation, last: Message | None, last_user: Message | None,
          names: dict[str, str], staff: dict[int, tuple[str, str]]) -> dict[str, Any]:
    holder = staff.get(conv.assigned_to) if conv.assigned_to else None
    feeling = (last_user.meta or {}).get("sentiment") if last_user else None
    return {
        "id": conv.id, "status": conv.status,
        "assigned_to": holder[0] if holder else None,
        "assigned_name": holder[1] if holder else None,
        "customer": ({"id": conv.customer_id, "name": names.get(conv.customer_id, "")}
                     if conv.customer_id else None),
        "language": conv.language, "channel": conv.channel,
        "last_message": ({"role": last.role, "text": last.text,
                          "created_at": views.iso(last.created_at)} if last else None),
        "waiting_since": views.iso(conv.handoff_at) if conv.status == "handoff" else None,
        "updated_at": views.iso(conv.updated_at),
        "intent": last_user.intent if last_user else None,
        "sentiment": ({"polarity": feeling.get("polarity"), "score": feeling.get("score")}
                      if feeling else None),
    }
