"""Template replies: correct, grounded answers with no language model at all."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import replace

from kefu.respond.base import Delta, Final, ReplyEvent, pieces
from kefu.respond.option_terms import option_in
from kefu.respond.phrases import CURRENCY, PHRASES, STATUS
from kefu.types import Action, Decision, Grounding, Language, OrderLine, OrderView, Passage, Reply

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_MAX_ANSWER_CHARS = 420


class TemplateResponder:
    """Fills the shop's phrases with the order or passage the reply is grounded on."""

    def __init__(self, shop_name: str) -> None:
        self._shop = shop_name

    def respond(self, decision: Decision, grounding: Grounding, language: Language, *,
                question: str = "") -> Reply:
        reply = self._reply(decision, grounding, language)
        if decision.empathy and decision.action not in _SMALL_TALK:
            return replace(reply, text=PHRASES[language]["sorry"] + reply.text)
        return reply

    def stream(self, decision: Decision, grounding: Grounding, language: Language, *,
               question: str = "", cancel: threading.Event | None = None,
               prompt_version: str | None = None) -> Iterator[ReplyEvent]:
        reply = self.respond(decision, grounding, language, question=question)
        for piece in pieces(reply.text):
            yield Delta(piece)
        yield Final(reply)

    def _reply(self, decision: Decision, grounding: Grounding, language: Language) -> Reply:
        p = PHRASES[language]
        name = decision.state.customer_name or ""
        action = decision.action
        if action in (Action.FLOW, Action.PROFILE, Action.RECOMMEND):
            return Reply(grounding.flow_text, language)
        if action is Action.HANDOFF and grounding.flow_text:
            return Reply(grounding.flow_text + "\n\n" + PHRASES[language]["handoff"], language)
        if action is Action.ORDER_STATUS and grounding.order:
            return Reply(_order_text(grounding.order, language), language)
        if action is Action.ANSWER and grounding.product:
            return Reply(grounding.product.text, language, grounding.product.citations)
        if action is Action.ANSWER and grounding.passages:
            best = grounding.passages[0]
            source = f"{best.title} › {best.section}"
            other = bool(best.language) and best.language != language
            said = (grounding.answer or extract(best)).replace("**", "")
            text = p["answer_other" if other else "answer"].format(text=said, source=source)
            return Reply(text, language, citations=(best.citation,))
        if action in (Action.ASK_ORDER, Action.ORDER_NOT_FOUND):
            orders = "\n".join(_order_line(o, language) for o in grounding.recent_orders)
            if not grounding.recent_orders:
                key = "no_orders" if action is Action.ASK_ORDER else "order_not_found_no_orders"
            else:
                key = "ask_order" if action is Action.ASK_ORDER else "order_not_found"
            text = p[key].format(name=name, orders=orders, order_id=decision.order_id)
            return Reply(text, language)
        if action is Action.GREET and name:
            return Reply(p["greet_known"].format(name=name), language)
        key = _KEYS.get(action, "clarify")
        return Reply(p[key].format(shop=self._shop, name=name), language)


_SMALL_TALK = frozenset({Action.GREET, Action.THANKS, Action.GOODBYE, Action.ACKNOWLEDGE,
                         Action.HANDOFF})
_KEYS = {
    Action.GREET: "greet",
    Action.THANKS: "thanks",
    Action.ACKNOWLEDGE: "acknowledge",
    Action.GOODBYE: "goodbye",
    Action.ASK_IDENTITY: "ask_identity",
    Action.IDENTITY_FAILED: "identity_failed",
    Action.HANDOFF: "handoff",
    Action.CLARIFY: "clarify",
    Action.DECLINE: "decline",
}


def status_text(status: str, language: Language) -> str:
    return STATUS[language].get(status, status)


def money(cents: int, currency: str) -> str:
    return CURRENCY.get(currency, currency + " {:,.2f}").format(cents / 100)


def _order_line(order: OrderView, language: Language) -> str:
    return PHRASES[language]["order_line"].format(
        order_id=order.order_id, date=order.created_at or "-",
        status=status_text(order.status, language),
    )


def _order_text(order: OrderView, language: Language) -> str:
    p = PHRASES[language]
    status = status_text(order.status, language)
    parts = [p["status"].format(order_id=order.order_id, status=status)]
    if order.shipped_at and order.tracking_ids:
        parts.append(p["shipped"].format(
            shipped_at=order.shipped_at, carrier=order.carrier or "-",
            tracking=", ".join(order.tracking_ids),
        ))
    if order.delivered_at:
        parts.append(p["delivered"].format(delivered_at=order.delivered_at))
    items = ("、" if language == "zh" else ", ").join(_item(i, language) for i in order.items)
    parts.append(p["items"].format(items=items, total=money(order.total_cents, order.currency)))
    if order.refunded_cents:
        parts.append(p["refunded"].format(amount=money(order.refunded_cents, order.currency)))
    return ("" if language == "zh" else " ").join(parts)


def _item(line: OrderLine, language: Language) -> str:
    name = line.name_zh if language == "zh" and line.name_zh else line.name
    if not line.options:
        return name
    values = ("，" if language == "zh" else ", ").join(
        option_in(v, language) for v in line.options.values()
    )
    return f"{name}（{values}）" if language == "zh" else f"{name} ({values})"


def extract(passage: Passage) -> str:
    """The passage's first sentences, up to a readable length, cut at a sentence end."""
    text = " ".join(line.strip() for line in passage.text.replace("**", "").splitlines()
                    if line.strip())
    out = ""
    for sentence in _SENTENCE_END.split(text):
        if out and len(out) + len(sentence) > _MAX_ANSWER_CHARS:
            break
        out = f"{out} {sentence}".strip() if out and not _is_cjk(sentence) else out + sentence
    return out


def _is_cjk(text: str) -> bool:
    return bool(text) and "\u3400" <= text[0] <= "\u9fff"
