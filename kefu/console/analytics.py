"""The dashboard's figures, computed from the stored conversations, messages and ratings.

Definitions (a conversation counts once the customer has written in it):
- handed off: it asked for a person (``handoff_at``) or a person took it or wrote in it;
- abandoned: not handed off, and the assistant's last reply could not answer (it asked the
  customer to rephrase, or the request is not supported yet) with no good rating after it;
- resolved by the assistant: every other conversation;
- containment: the share not handed off;
- turn latency: from the customer's message to the stored reply (``latency_ms`` of each
  assistant message); first response: that of the first reply; agent first response: from the
  request for a person to the first message a person wrote;
- unanswered: customer messages the assistant could not answer, or understood with low
  confidence (below ``LOW_CONFIDENCE``): the input of "questions we cannot answer yet".

Message texts leave here masked (kefu.privacy.pii): the dashboard and the CSV exports show
``[EMAIL_1]`` where a customer wrote their address.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import InvalidInput
from kefu.privacy.pii import redact
from kefu.storage.db import storage_errors
from kefu.storage.models import Conversation, Customer, Feedback, IntentCorrection, Message

UNANSWERED_ACTIONS = frozenset({"clarify", "not_supported_yet"})
LOW_CONFIDENCE = 0.5
DEFAULT_DAYS = 30
MAX_DAYS = 366
UNANSWERED_SHOWN = 50


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: date | None = None) -> Period:
        today = today or datetime.now(UTC).date()
        try:
            last = date.fromisoformat(end) if end else today
            first = date.fromisoformat(start) if start else last - timedelta(DEFAULT_DAYS - 1)
        except ValueError as exc:
            raise InvalidInput("dates are written YYYY-MM-DD") from exc
        if first > last:
            raise InvalidInput("the start date is after the end date")
        if (last - first).days >= MAX_DAYS:
            raise InvalidInput(f"a range is at most {MAX_DAYS} days")
        return cls(first, last)

    @property
    def lower(self) -> datetime:
        return datetime.combine(self.start, time.min, UTC)

    @property
    def upper(self) -> datetime:
        return datetime.combine(self.end + timedelta(1), time.min, UTC)

    def days(self) -> list[date]:
        return [self.start + timedelta(i) for i in range((self.end - self.start).days + 1)]


@dataclass
class ConversationFacts:
    """One conversation as the figures see it."""

    id: str
    created_at: datetime
    channel: str
    language: str | None
    customer_id: str | None
    status: str
    handoff_at: datetime | None
    csat: int | None
    experiment: dict[str, Any] | None
    messages: list[Message] = field(default_factory=list)
    thumbs: dict[int, str] = field(default_factory=dict)

    @property
    def engaged(self) -> bool:
        return any(m.role == "user" for m in self.messages)

    @property
    def handed_off(self) -> bool:
        return (self.handoff_at is not None or self.status in ("handoff", "agent")
                or any(m.role == "agent" for m in self.messages))

    @property
    def outcome(self) -> str:
        if self.handed_off:
            return "handed_off"
        replies = [m for m in self.messages if m.role == "assistant"]
        if not replies:
            return "abandoned"
        last = replies[-1]
        stuck = (last.meta or {}).get("action") in UNANSWERED_ACTIONS
        liked = self.thumbs.get(last.seq) == "up" or (self.csat or 0) >= 4
        return "abandoned" if stuck and not liked else "resolved"


def load(factory: sessionmaker[Session], period: Period) -> list[ConversationFacts]:
    """The engaged conversations opened in the period, with their messages and thumbs."""
    with storage_errors(), factory() as session:
        convs = {c.id: ConversationFacts(c.id, c.created_at, c.channel, c.language, c.customer_id,
                                         c.status, c.handoff_at, c.csat_score, c.experiment)
                 for c in session.scalars(select(Conversation).where(
                     Conversation.created_at >= period.lower,
                     Conversation.created_at < period.upper))}
        _attach(session, convs)
    return [c for c in sorted(convs.values(), key=lambda c: (c.created_at, c.id)) if c.engaged]


def load_ids(session: Session, ids: Iterable[str]) -> list[ConversationFacts]:
    convs = {c.id: ConversationFacts(c.id, c.created_at, c.channel, c.language, c.customer_id,
                                     c.status, c.handoff_at, c.csat_score, c.experiment)
             for c in session.scalars(select(Conversation).where(Conversation.id.in_(list(ids))))}
    _attach(session, convs)
    return [c for c in convs.values() if c.engaged]


def _attach(session: Session, convs: dict[str, ConversationFacts]) -> None:
    ids = list(convs)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for m in session.scalars(select(Message).where(Message.conversation_id.in_(chunk))
                                 .order_by(Message.conversation_id, Message.seq)):
            convs[m.conversation_id].messages.append(m)
        for conv_id, seq, rating in session.execute(select(
                Feedback.conversation_id, Feedback.seq, Feedback.rating)
                .where(Feedback.conversation_id.in_(chunk))):
            convs[conv_id].thumbs[seq] = rating


def corrections(factory: sessionmaker[Session], period: Period) -> dict[tuple[str, int], str]:
    with storage_errors(), factory() as session:
        rows = session.execute(
            select(IntentCorrection.conversation_id, IntentCorrection.seq,
                   IntentCorrection.intent)
            .join(Conversation, Conversation.id == IntentCorrection.conversation_id)
            .where(and_(Conversation.created_at >= period.lower,
                        Conversation.created_at < period.upper))).all()
    return {(c, s): i for c, s, i in rows}


def percentiles(values: Sequence[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p90": None, "p99": None}
    p50, p90, p99 = np.percentile(np.asarray(values, dtype=float), [50, 90, 99])
    return {"n": len(values), "p50": round(float(p50), 1), "p90": round(float(p90), 1),
            "p99": round(float(p99), 1)}


def unanswered(convs: Sequence[ConversationFacts]) -> list[tuple[ConversationFacts, Message]]:
    """Customer messages whose reply could not answer, or that were understood with low
    confidence (greetings and thanks aside)."""
    found = []
    for conv in convs:
        by_seq = {m.seq: m for m in conv.messages}
        for m in conv.messages:
            if m.role != "user":
                continue
            reply = by_seq.get(m.seq + 1)
            action = (reply.meta or {}).get("action") if reply is not None else None
            small_talk = action in ("greet", "thanks", "goodbye", "acknowledge")
            low = m.confidence is not None and m.confidence < LOW_CONFIDENCE
            if action in UNANSWERED_ACTIONS or (low and not small_talk and action != "flow"):
                found.append((conv, m))
    return found


def summary(factory: sessionmaker[Session], period: Period) -> dict[str, Any]:
    convs = load(factory, period)
    fixed = corrections(factory, period)
    outcomes = Counter(c.outcome for c in convs)
    total = len(convs)
    ratings = [c.csat for c in convs if c.csat]
    thumbs = Counter(r for c in convs for r in c.thumbs.values())
    daily: dict[date, Counter[str]] = defaultdict(Counter)
    for c in convs:
        daily[c.created_at.date()][c.outcome] += 1
    intents: Counter[str] = Counter()
    feelings: dict[date, list[tuple[float, bool]]] = defaultdict(list)
    turn_ms: list[float] = []
    first_ms: list[float] = []
    agent_s: list[float] = []
    messages = 0
    for c in convs:
        firsts = True
        for m in c.messages:
            messages += 1
            meta = m.meta or {}
            if m.role == "user":
                intents[fixed.get((c.id, m.seq), m.intent or "unknown")] += 1
                feeling = meta.get("sentiment")
                if feeling and feeling.get("score") is not None:
                    feelings[m.created_at.date()].append(
                        (float(feeling["score"]), feeling.get("polarity") == "negative"))
            elif m.role == "assistant" and meta.get("latency_ms") is not None:
                turn_ms.append(float(meta["latency_ms"]))
                if firsts:
                    first_ms.append(float(meta["latency_ms"]))
                    firsts = False
        agent = next((m for m in c.messages if m.role == "agent"), None)
        if agent is not None and c.handoff_at is not None:
            agent_s.append(max(0.0, (agent.created_at - c.handoff_at).total_seconds()))
    shown = sorted(unanswered(convs), key=lambda cm: cm[1].created_at, reverse=True)
    names = customer_names(factory, {c.customer_id for c, _ in shown[:UNANSWERED_SHOWN]})
    return {
        "range": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "totals": {
            "conversations": total, "resolved": outcomes["resolved"],
            "handed_off": outcomes["handed_off"], "abandoned": outcomes["abandoned"],
            "containment": round(1 - outcomes["handed_off"] / total, 4) if total else None,
            "csat_avg": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "csat_count": len(ratings), "thumbs_up": thumbs["up"],
            "thumbs_down": thumbs["down"], "messages": messages,
        },
        "per_day": [{"day": d.isoformat(), "conversations": sum(daily[d].values()),
                     "resolved": daily[d]["resolved"], "handed_off": daily[d]["handed_off"],
                     "abandoned": daily[d]["abandoned"]} for d in period.days()],
        "intents": [{"intent": i, "count": n} for i, n in intents.most_common()],
        "sentiment": [{"day": d.isoformat(), "messages": len(feelings[d]),
                       "average": round(sum(s for s, _ in feelings[d]) / len(feelings[d]), 3),
                       "negative_share": round(sum(n for _, n in feelings[d])
                                               / len(feelings[d]), 3)}
                      for d in period.days() if feelings.get(d)],
        "latency": {"turn_ms": percentiles(turn_ms), "first_response_ms": percentiles(first_ms),
                    "agent_first_response_s": percentiles(agent_s)},
        "unanswered": [{"text": mask_for(m.text, c, names), "intent": m.intent,
                        "confidence": m.confidence,
                        "created_at": m.created_at.isoformat(), "conversation_id": c.id}
                       for c, m in shown[:UNANSWERED_SHOWN]],
    }


EXPORTS = ("conversations", "messages", "daily")


def export_csv(factory: sessionmaker[Session], period: Period, kind: str) -> str:
    if kind not in EXPORTS:
        raise InvalidInput(f"the export is one of {', '.join(EXPORTS)}")
    out = io.StringIO()
    writer = csv.writer(out)
    if kind == "daily":
        rows = summary(factory, period)["per_day"]
        writer.writerow(["day", "conversations", "resolved", "handed_off", "abandoned"])
        writer.writerows([r["day"], r["conversations"], r["resolved"], r["handed_off"],
                          r["abandoned"]] for r in rows)
        return out.getvalue()
    convs = load(factory, period)
    if kind == "conversations":
        writer.writerow(["id", "created_at", "channel", "language", "customer_id", "outcome",
                         "messages", "csat", "handoff_at", "experiment", "variant"])
        for c in convs:
            exp = c.experiment or {}
            writer.writerow([c.id, c.created_at.isoformat(), c.channel, c.language or "",
                             c.customer_id or "", c.outcome, len(c.messages), c.csat or "",
                             c.handoff_at.isoformat() if c.handoff_at else "",
                             exp.get("name", ""), exp.get("variant", "")])
        return out.getvalue()
    fixed = corrections(factory, period)
    names = customer_names(factory, {c.customer_id for c in convs})
    writer.writerow(["conversation_id", "seq", "role", "created_at", "language", "intent",
                     "confidence", "corrected_intent", "sentiment", "action", "latency_ms",
                     "text"])
    for c in convs:
        for m in c.messages:
            meta = m.meta or {}
            writer.writerow([c.id, m.seq, m.role, m.created_at.isoformat(), m.language or "",
                             m.intent or "", "" if m.confidence is None else m.confidence,
                             fixed.get((c.id, m.seq), ""),
                             (meta.get("sentiment") or {}).get("score", ""),
                             meta.get("action", ""), meta.get("latency_ms", ""),
                             _csv_safe(mask_for(m.text, c, names))])
    return out.getvalue()


def customer_names(factory: sessionmaker[Session],
                   ids: Iterable[str | None]) -> dict[str, list[str]]:
    """The ways each customer's name is written (full, first, last), to mask it in text."""
    wanted = [i for i in set(ids) if i]
    if not wanted:
        return {}
    with storage_errors(), factory() as session:
        rows = session.execute(select(Customer.id, Customer.first_name, Customer.last_name)
                               .where(Customer.id.in_(wanted))).all()
    return {cid: [n for n in (f"{first} {last}", f"{last}{first}", first, last)
                  if len(n.strip()) > 1] for cid, first, last in rows}


def mask_for(text: str, conv: ConversationFacts, names: dict[str, list[str]]) -> str:
    """The text with its personal data masked, the conversation's customer's name included
    ("Hello Aisha" in an assistant's greeting)."""
    return redact(text, known_names=names.get(conv.customer_id or "", ())).text


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
