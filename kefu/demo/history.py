"""A month of made-up customer-service history for the demo shop, so the console's dashboard,
inbox and gaps have something to show on a fresh install (and the browser tests have known
data). Deterministic for a seed and a day; every row is marked (``client_ref`` "demo-history")
and replaced, not added to, when the demo is seeded again.

The phrasings were written for kefu. Outcomes, moods, ratings and latencies are drawn from
fixed distributions; nothing here was measured.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.storage.models import Conversation, Customer, Event, Feedback, Message

MARK = "demo-history"
NAMESPACE = uuid.UUID("6f2b8a4e-1c7d-4e0a-9b55-3d1f2a7c9e10")


@dataclass(frozen=True)
class Script:
    intent: str
    en: tuple[str, ...]
    zh: tuple[str, ...]
    reply_en: str
    reply_zh: str
    action: str = "answer"
    mood: float = 0.0  # the customer's sentiment score, -1..1
    confidence: float = 0.9


ANSWERED = (
    Script("track_order", ("Where is my order?", "Has my parcel shipped yet?",
                           "When will my package arrive?"),
           ("我的订单到哪了？", "包裹发货了吗？"),
           "Your order shipped on Monday and should arrive within 3 to 5 business days.",
           "您的订单已于周一发货，预计3到5个工作日送达。", "order_status"),
    Script("delivery_period", ("How long does delivery take?", "How fast is shipping?"),
           ("配送需要多久？",),
           "Standard delivery takes 3 to 5 business days.", "标准配送需要3到5个工作日。"),
    Script("check_refund_policy", ("What is your refund policy?", "Can I get my money back?"),
           ("退款政策是什么？",),
           "You can return unused items within 30 days for a full refund.",
           "未使用的商品30天内可全额退款。"),
    Script("return_item", ("I want to return the headphones", "How do I send an item back?"),
           ("我想退货",),
           "Your return is booked; the refund reaches your card within 5 business days.",
           "已为您办理退货，退款将在5个工作日内退回原支付方式。", "flow"),
    Script("cancel_order", ("Please cancel my order", "I ordered by mistake, cancel it"),
           ("帮我取消订单",),
           "Your order is cancelled and the full amount is refunded.",
           "订单已取消，款项已全额退回。", "flow"),
    Script("check_payment_methods", ("Which payment methods do you accept?",),
           ("可以用什么方式付款？",),
           "We accept credit cards, PayPal and gift cards.", "我们支持信用卡、PayPal和礼品卡。"),
    Script("product_question", ("Is the desk lamp dimmable?",
                                "Does the kettle have auto shut-off?"),
           ("这款台灯可以调光吗？",),
           "Yes, it has three brightness levels.", "可以，有三档亮度。"),
    Script("greeting", ("Hi", "Hello there"), ("你好",),
           "Hello! How can I help you today?", "您好！请问有什么可以帮您？", "greet", 0.3),
    Script("thanks", ("Thanks, that helps!", "Great, thank you"), ("谢谢！",),
           "You're welcome!", "不客气！", "thanks", 0.7),
)
UPSET = Script("complaint", ("This is the third time my order is late, I am furious",
                             "Your service is terrible, nobody answers me"),
               ("太慢了，我非常生气！",),
               "I'm passing this conversation to a member of our team.",
               "我会把对话转给人工客服。", "handoff", -0.85)
UNANSWERED = (
    Script("out_of_scope", ("Do you offer gift wrapping?", "Can you gift wrap my order?",
                            "Is gift wrapping available?"),
           ("可以提供礼品包装吗？", "能帮我包装成礼物吗？"),
           "Sorry, I'm not sure I understood. Could you say it another way?",
           "抱歉，我没太明白，能换个说法吗？", "clarify", -0.1, 0.32),
    Script("out_of_scope", ("Do you have a store in Shanghai?", "Can I visit a shop in person?"),
           ("你们在上海有实体店吗？",),
           "Sorry, I'm not sure I understood. Could you say it another way?",
           "抱歉，我没太明白，能换个说法吗？", "clarify", 0.0, 0.3),
    Script("out_of_scope", ("Do you give discounts for bulk orders?",
                            "Is there a discount if I buy 20 lamps?"),
           ("买得多有优惠吗？",),
           "Sorry, I'm not sure I understood. Could you say it another way?",
           "抱歉，我没太明白，能换个说法吗？", "clarify", 0.1, 0.35),
)
AGENT_LINES = ("Hello, this is Mei from the support team. I'm looking into it now.",
               "I've checked with the warehouse: your order leaves today. Sorry for the wait!")


def seed_history(session: Session, days: int = 30, per_day: tuple[int, int] = (4, 12),
                 seed: int = 7, today: date | None = None) -> int:
    """Replace the demo history with ``days`` days of conversations up to ``today``; returns
    how many conversations were written."""
    session.execute(delete(Conversation).where(Conversation.client_ref == MARK))
    rng = random.Random(seed)
    today = today or datetime.now(UTC).date()
    customers = list(session.execute(select(Customer.id, Customer.language)
                                     .order_by(Customer.id)).all())
    written = 0
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        for n in range(rng.randint(*per_day)):
            _conversation(session, rng, day, n, customers, live=back == 0)
            written += 1
    return written


def _conversation(session: Session, rng: random.Random, day: date, n: int,
                  customers: list[Any], live: bool) -> None:
    """One conversation; ``live``: of today, so a handoff is still waiting in the inbox."""
    customer = rng.choice(customers) if customers and rng.random() < 0.6 else None
    language = customer[1] if customer else rng.choice(("en", "en", "zh"))
    start = datetime.combine(day, time(8), UTC) + timedelta(minutes=rng.randint(0, 13 * 60))
    roll = rng.random()
    scripts = [rng.choice(ANSWERED) for _ in range(rng.randint(1, 3))]
    if roll < 0.12:
        scripts.append(UPSET)
    elif roll < 0.27:
        scripts.append(rng.choice(UNANSWERED))
    conv = Conversation(
        id=str(uuid.uuid5(NAMESPACE, f"{day.isoformat()}-{n}")), token_hash="demo",
        channel=rng.choice(("widget", "widget", "api")), language=language,
        customer_id=customer[0] if customer else None, status="open", client_ref=MARK,
        created_at=start, updated_at=start)
    session.add(conv)
    seq, clock = 0, start
    for script in scripts:
        seq += 1
        texts = script.zh if language == "zh" else script.en
        mood = max(-1.0, min(1.0, script.mood + rng.uniform(-0.15, 0.15)))
        session.add(Message(
            conversation_id=conv.id, seq=seq, role="user", text=rng.choice(texts),
            language=language, intent=script.intent,
            confidence=round(min(0.999, script.confidence + rng.uniform(0, 0.09)), 3),
            created_at=clock,
            meta={"entities": [], "sentiment": {
                "polarity": "negative" if mood < -0.3 else "positive" if mood > 0.3
                else "neutral", "score": round(mood, 3), "emotion": "anger" if mood < -0.6
                else "neutral"}}))
        latency = round(rng.lognormvariate(5.6, 0.45), 1)  # about 270 ms, a long tail
        clock += timedelta(milliseconds=latency)
        seq += 1
        session.add(Message(
            conversation_id=conv.id, seq=seq, role="assistant",
            text=script.reply_zh if language == "zh" else script.reply_en, language=language,
            created_at=clock, meta={"action": script.action, "citations": [],
                                    "latency_ms": latency}))
        if script.action == "answer" and rng.random() < 0.3:
            session.add(Feedback(conversation_id=conv.id, seq=seq,
                                 rating="up" if rng.random() < 0.8 else "down", created_at=clock))
        clock += timedelta(seconds=rng.randint(20, 180))
    if scripts[-1] is UPSET and live:
        conv.status, conv.handoff_at = "handoff", clock  # today's: still waiting in the inbox
    elif scripts[-1] is UPSET:
        conv.status, conv.handoff_at = "open", clock
        wait = timedelta(seconds=rng.randint(40, 900))
        for line in AGENT_LINES:
            seq += 1
            clock += wait
            session.add(Message(conversation_id=conv.id, seq=seq, role="agent", text=line,
                                language="en", created_at=clock,
                                meta={"agent_name": "Mei (demo)", "agent": "demo"}))
            wait = timedelta(seconds=rng.randint(30, 120))
        session.add(Event(conversation_id=conv.id, kind="takeover", created_at=clock,
                          payload={"agent": "demo"}))
    if rng.random() < 0.4:
        good = scripts[-1] is not UPSET and scripts[-1].action != "clarify"
        conv.csat_score = rng.choice((4, 5, 5, 5, 3) if good else (1, 2, 3, 4))
    conv.updated_at = clock
