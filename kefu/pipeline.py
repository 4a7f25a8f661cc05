"""One turn, end to end, in one direction (GUIDE §1):

inbound guard → understand → track → decide → act (+ ground) → respond → outbound guard.
Persisting and emitting is the caller's (kefu.conversations), in one transaction per turn.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from kefu.dialogue.act import act
from kefu.dialogue.flows import FlowEngine
from kefu.dialogue.policy import (
    decide,
    handoff,
    mood,
    needs_human,
    review,
    strongly_upset,
)
from kefu.dialogue.tracker import track
from kefu.guard import outbound
from kefu.guard.inbound import screen
from kefu.guard.outbound import named_orders
from kefu.knowledge.base import ProductAnswerer, Retriever
from kefu.nlu.base import EntityExtractor, IntentRecognizer
from kefu.nlu.language import detect_script
from kefu.profile.memory import Profiles, describe, forget_kind, wants
from kefu.recommend.service import Recommendations
from kefu.recommend.service import render as render_picks
from kefu.respond.base import Delta, Final, ReplyEvent, Responder
from kefu.store.base import StoreBackend
from kefu.tools.orders import authenticate
from kefu.types import (
    Action,
    Decision,
    Grounding,
    Inbound,
    Language,
    Reply,
    State,
    Strategy,
    TurnResult,
    Understanding,
)

log = logging.getLogger("kefu.pipeline")


class Refiner(Protocol):
    """Second opinion on a low-confidence understanding (kefu.llm.extract)."""

    def refine(self, text: str, understanding: Understanding,
               known_names: Sequence[str] = ()) -> Understanding: ...


@dataclass(frozen=True)
class Prepared:
    """A turn up to the reply: what the reply is made from."""

    inbound: Inbound
    understanding: Understanding
    decision: Decision
    grounding: Grounding
    strategy: Strategy | None = None


@dataclass(frozen=True)
class Pipeline:
    """The stages of a turn, each behind its own seam."""

    recognizer: IntentRecognizer
    extractor: EntityExtractor
    retriever: Retriever
    responder: Responder
    products: ProductAnswerer | None = None
    max_message_chars: int = 2000
    default_language: Language = "en"
    refiner: Refiner | None = None
    flows: FlowEngine | None = None
    link_hosts: tuple[str, ...] = ()  # replies may link to these hosts (the shop's own)
    profiles: Profiles | None = None
    recommender: Recommendations | None = None
    currency: str = "USD"
    cross_sell: bool = False  # after a finished order action, one product with its reason

    def understand(self, inbound: Inbound, known_names: Sequence[str] = ()) -> Understanding:
        """``known_names``: the identified customer's, kept out of a remote model's prompt."""
        seen = self.recognizer.recognize(inbound.text, inbound.language)
        understanding = Understanding(
            seen.intent, self.extractor.extract(inbound.text), seen.sentiment,
            detect_script(inbound.text), seen.alternatives,
        )
        if self.refiner is not None and not inbound.injection:  # a flagged text reaches no model
            understanding = self.refiner.refine(inbound.text, understanding, known_names)
        return understanding

    def observe(self, text: str, state: State) -> tuple[Inbound, Understanding]:
        """The message screened and understood, nothing decided: for a conversation a person
        holds, whose console shows what the customer wants and how they feel."""
        inbound = screen(
            text, max_chars=self.max_message_chars,
            fallback=state.language or self.default_language,
        )
        return inbound, self.understand(
            inbound, (state.customer_name,) if state.customer_name else ())

    def prepare(self, text: str, state: State, store: StoreBackend,
                conversation_id: str | None = None,
                claim: Callable[[], None] | None = None,
                strategy: Strategy | None = None) -> Prepared:
        """Everything before the reply: the stages that read the store, and the order-action
        flows' writes (through their tools, each in its own transaction). ``strategy``: an
        experiment's variant of how to answer."""
        inbound, understanding = self.observe(text, state)
        tracked = mood(track(state, inbound, understanding), understanding, inbound.text)
        if inbound.injection:  # no flow, no tool, no retrieval, no model: a fixed reply
            return Prepared(inbound, understanding, Decision(Action.DECLINE, tracked),
                            Grounding(), strategy)
        if self.profiles is not None and (request := wants(inbound.text)) is not None:
            decision, grounding = self._profile(request, tracked, inbound, store)
            return Prepared(inbound, understanding, decision, grounding, strategy)
        if (self.recommender is not None and tracked.flow is None
                and _asks_for_picks(understanding, inbound.text)):
            return Prepared(inbound, understanding, Decision(Action.RECOMMEND, tracked),
                            self._recommend(tracked, inbound, understanding), strategy)
        reminder, shown = "", tuple[str, ...]()
        if self.flows is not None and not needs_human(tracked):
            step = self.flows.step(tracked, inbound.text, understanding, inbound.language,
                                   store, conversation_id, claim)
            if step is not None and step.text:
                if step.handoff:
                    return Prepared(inbound, understanding, handoff(step.state),
                                    Grounding(flow_text=step.text, shown_orders=step.orders),
                                    strategy)
                decision = Decision(Action.FLOW, step.state.model_copy(
                    update={"misunderstood": 0}),
                    empathy=strongly_upset(understanding.sentiment, inbound.text))
                grounding = Grounding(flow_text=step.text, wrote=step.wrote,
                                      shown_orders=step.orders)
                if step.wrote and self._cross_selling(strategy):
                    grounding = self._cross_sell(decision.state, inbound, grounding)
                return Prepared(inbound, understanding, decision, grounding, strategy)
            if step is not None:  # another topic, mid-flow: answer it, then ask again
                tracked, reminder, shown = step.state, step.reminder, step.orders
        decision, grounding = act(
            decide(tracked, understanding), inbound, understanding, store, self.retriever,
            self.products, strategy,
        )
        if reminder:
            grounding = replace(grounding, reminder=reminder, shown_orders=shown)
        if self.profiles is not None and decision.state.customer_id and not state.customer_id:
            decision, grounding = self._welcome(decision, grounding, inbound.language)
        return Prepared(inbound, understanding, review(decision, grounding), grounding, strategy)

    def _cross_selling(self, strategy: Strategy | None) -> bool:
        wanted = strategy.cross_sell if strategy and strategy.cross_sell is not None \
            else self.cross_sell
        return wanted and self.recommender is not None

    def _cross_sell(self, state: State, inbound: Inbound, grounding: Grounding) -> Grounding:
        """One product for the customer once their request is done (a setting, off by
        default; an experiment can turn it on for a variant)."""
        assert self.recommender is not None
        profile = (self.profiles.get(state.customer_id)
                   if self.profiles is not None and state.customer_id else None)
        try:
            picks = self.recommender.suggest("", inbound.language, state.customer_id, profile,
                                             k=1)
        except Exception:  # the request is done and written: a suggestion is not worth a 500
            log.exception("cross-selling failed")
            return grounding
        if not picks:
            return grounding
        pick = picks[0]
        name = pick.product.display_name(inbound.language)
        line = (f"\n\n您可能还会喜欢：{name}（{pick.reason}）" if inbound.language == "zh"
                else f"\n\nYou might also like the {name} ({pick.reason}).")
        return replace(grounding, reminder=grounding.reminder + line)

    def _recommend(self, state: State, inbound: Inbound,
                   understanding: Understanding) -> Grounding:
        assert self.recommender is not None
        profile = (self.profiles.get(state.customer_id)
                   if self.profiles is not None and state.customer_id else None)
        anchor = understanding.first("product") or state.slots.get("product")
        picks = self.recommender.suggest(inbound.text, inbound.language, state.customer_id,
                                         profile, anchor_id=anchor)
        return Grounding(flow_text=render_picks(picks, inbound.language, self.currency))

    def _profile(self, request: str, state: State, inbound: Inbound,
                 store: StoreBackend) -> tuple[Decision, Grounding]:
        """The customer asks what kefu keeps about them, or to forget it (once identified)."""
        assert self.profiles is not None
        if state.customer_id is None:
            slots = state.slots
            found = authenticate(store, email=slots.get("email"), zip_code=slots.get("zip"),
                                 text=slots.get("recent_text", ""))
            if found is None:
                return Decision(Action.ASK_IDENTITY, state), Grounding()
            state = state.model_copy(update={"customer_id": found.id,
                                             "customer_name": found.display_name})
        assert state.customer_id is not None
        language = inbound.language
        if request == "forget":
            count = self.profiles.forget(state.customer_id, forget_kind(inbound.text))
            text = (f"好的，我已删除您的 {count} 项偏好记录，之后不会再使用。" if language == "zh"
                    else f"Done: I have forgotten {count} preference(s) and won't use them again.")
            return Decision(Action.PROFILE, state), Grounding(flow_text=text)
        profile = self.profiles.get(state.customer_id)
        if profile is None:
            return Decision(Action.ASK_IDENTITY, state), Grounding()
        own = tuple(f.evidence for f in profile.preferences if f.source == "order")
        return Decision(Action.PROFILE, state), Grounding(flow_text=describe(profile, language),
                                                          shown_orders=own)

    def _welcome(self, decision: Decision, grounding: Grounding,
                 language: Language) -> tuple[Decision, Grounding]:
        """The turn that identified the customer: mention a return or exchange still in
        progress, and be gentler after a conversation that went badly."""
        assert self.profiles is not None and decision.state.customer_id
        profile = self.profiles.get(decision.state.customer_id)
        if profile is None:
            return decision, grounding
        issues = [i for i in profile.open_issues if i["kind"] in ("return", "exchange")]
        named = {o.order_id for o in grounding.recent_orders} | set(grounding.shown_orders)
        if grounding.order:
            named.add(grounding.order.order_id)
        extra = [i for i in issues if i["order_id"] not in named][:2]
        if extra:
            line = _open_issue_line(extra, language)
            grounding = replace(grounding, reminder=grounding.reminder + line,
                                shown_orders=tuple(grounding.shown_orders)
                                + tuple(i["order_id"] for i in extra))
        if profile.recently_unhappy:
            decision = replace(decision, empathy=True)
        return decision, grounding

    def reply_stream(self, turn: Prepared,
                     cancel: threading.Event | None = None) -> Iterator[ReplyEvent]:
        """The reply as it is made; needs no store (a generated answer may take seconds)."""
        strategy = turn.strategy or Strategy()
        responder = self.responder
        if strategy.llm is False:  # the variant without the chat model: templates only
            responder = getattr(responder, "templates", responder)
        events = responder.stream(turn.decision, turn.grounding, turn.inbound.language,
                                  question=turn.inbound.text, cancel=cancel,
                                  prompt_version=strategy.prompt_version)
        reminder = turn.grounding.reminder
        for event in events:
            if isinstance(event, Final) and reminder:
                yield Delta(reminder)
                event = Final(replace(event.reply, text=event.reply.text + reminder))
            yield event

    def finish(self, turn: Prepared, reply: Reply) -> TurnResult:
        """The turn with its reply, through the outbound guard."""
        reply = outbound.check(reply, turn.grounding,
                               named_orders(turn.understanding, turn.decision))
        clean = outbound.sanitize(reply.text, self.link_hosts)
        if clean != reply.text:
            reply = replace(reply, text=clean)
        return TurnResult(turn.inbound, turn.understanding, turn.decision, reply,
                          _events(turn.inbound, turn.understanding, turn.decision, reply,
                                  turn.grounding))

    def run(self, text: str, state: State, store: StoreBackend) -> TurnResult:
        turn = self.prepare(text, state, store)
        reply = next(e.reply for e in self.reply_stream(turn) if isinstance(e, Final))
        return self.finish(turn, reply)


_SOMETHING_LIKE = re.compile(r"something (?:like|similar)|cheaper|in (?:black|white|blue|red|"
                             r"green|grey|gray|silver|pink|navy)|便宜一点|更便宜|类似的|差不多的|"
                             r"别的颜色|其他颜色", re.IGNORECASE)


_SHOPPING = re.compile(r"\b(?:want|looking for|need|show me|suggest|any ideas for) "
                       r"(?:something|a gift|gift ideas?|ideas?)\b|"
                       r"推荐|想买点|有没有.{0,8}(?:推荐|适合)", re.IGNORECASE)


# below this the recommend intent is a guess ("Do you offer gift wrapping?" scores 0.63): the
# question goes to the shop's pages and the catalogue instead
RECOMMEND_CONFIDENCE = 0.75
_ABOUT_AN_ORDER = re.compile(r"\border|\brefund|\breturn|\bexchange|\bdeliver|\btrack|"
                             r"订单|退货|退款|换货|物流|快递|不对|坏了", re.IGNORECASE)


def _asks_for_picks(understanding: Understanding, text: str) -> bool:
    """The customer wants suggestions: the recommend intent, "I'm looking for something in
    blue", or "something like X but cheaper / in blue" about a product they named."""
    if _ABOUT_AN_ORDER.search(text) or understanding.first("order_id"):
        return False  # "looking for something to track my order" is about the order
    intent = understanding.intent
    if (intent.name == "recommend_product" and intent.confidence >= RECOMMEND_CONFIDENCE) \
            or _SHOPPING.search(text):
        return True
    return bool(understanding.first("product")) and bool(_SOMETHING_LIKE.search(text))


def _open_issue_line(issues: list[dict[str, str]], language: Language) -> str:
    if language == "zh":
        kinds = {"return": "退货", "exchange": "换货"}
        said = "；".join(f"订单 {i['order_id']} 的{kinds[i['kind']]}正在处理中" for i in issues)
        return f"\n\n另外，{said}，有进展我们会通知您。"
    said = "; ".join(f"your {i['kind']} for order {i['order_id']} is in progress"
                     for i in issues)
    return f"\n\nBy the way, {said}. We'll let you know when it is done."


def _events(
    inbound: Inbound, understanding: Understanding, decision: Decision, reply: Reply,
    grounding: Grounding,
) -> tuple[tuple[str, dict[str, object]], ...]:
    intent = understanding.intent
    entities = [e.kind for e in understanding.entities]
    feeling = understanding.sentiment
    events: list[tuple[str, dict[str, object]]] = [
        ("intent", {"intent": intent.name, "confidence": intent.confidence, "entities": entities,
                    "script": understanding.script}),
        ("sentiment", {"polarity": feeling.polarity, "score": feeling.score,
                       "emotion": feeling.emotion, "confidence": feeling.confidence}),
        ("action", {"action": decision.action.value, "order_id": decision.order_id}),
    ]
    if reply.generation:
        events.append(("generation", dict(reply.generation)))
    if inbound.injection:
        events.append(("injection", {"reasons": list(inbound.injection)}))
    if grounding.wrote:
        events.append(("tool", dict(grounding.wrote)))
    return tuple(events)
