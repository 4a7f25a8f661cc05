"""Order-action flows, declared as data, and the engine that runs them.

A flow (``FlowSpec``) names the tool it ends in, the slots it needs and the policy rule its
order must meet. The engine (``FlowEngine.step``) is generic: it authenticates the customer
first, fills what this message gives (kefu.dialogue.slots), asks only for what is still
missing, lists the full details of the change and waits for an explicit yes before the tool
runs. The tool checks everything again itself (kefu.tools.retail); its refusals are explained
in the customer's language. A question on another topic in the middle of a flow is answered,
and the flow's open question asked again after it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel

from kefu.dialogue import slots as fill
from kefu.dialogue.flow_phrases import FLOW
from kefu.dialogue.prefill import Prefill, Suggestion
from kefu.nlu.lexicon import KNOWLEDGE_INTENTS
from kefu.profile.builder import Profile
from kefu.respond.phrases import PHRASES
from kefu.respond.templates import money, status_text
from kefu.storage.models import Order, PaymentMethod
from kefu.store.base import StoreBackend
from kefu.tools.orders import authenticate
from kefu.tools.retail import RetailTools, ToolContext, ToolRefused
from kefu.types import Language, State, Understanding

SlotKind = Literal["order", "reason", "items", "swaps", "refund_method", "pay_method",
                   "new_method", "address", "scope"]
MAX_REFUSALS = 3
_ORDER_ID = re.compile(r"#W\d{7}|KF\d{8}")


class FlowSpec(BaseModel):
    name: str
    tool: str
    slots: tuple[SlotKind, ...]
    rule: Literal["cancellable", "modifiable", "returnable", "exchangeable", "none"]
    rule_key: str = ""
    verb: str = ""


FLOWS: dict[str, FlowSpec] = {spec.name: spec for spec in (
    FlowSpec(name="cancel", tool="cancel_pending_order", slots=("order", "reason"),
             rule="cancellable", rule_key="rule_cancel"),
    FlowSpec(name="order_address", tool="modify_pending_order_address",
             slots=("order", "address"), rule="modifiable", rule_key="rule_modify"),
    FlowSpec(name="order_payment", tool="modify_pending_order_payment",
             slots=("order", "new_method"), rule="modifiable", rule_key="rule_modify"),
    FlowSpec(name="order_items", tool="modify_pending_order_items",
             slots=("order", "swaps", "pay_method"), rule="modifiable",
             rule_key="rule_modify", verb="verb_modify"),
    FlowSpec(name="user_address", tool="modify_user_address", slots=("address",),
             rule="none"),
    FlowSpec(name="return", tool="return_delivered_order_items",
             slots=("order", "items", "refund_method"), rule="returnable",
             rule_key="rule_return", verb="verb_return"),
    FlowSpec(name="exchange", tool="exchange_delivered_order_items",
             slots=("order", "swaps", "pay_method"), rule="exchangeable",
             rule_key="rule_exchange", verb="verb_exchange"),
    FlowSpec(name="address", tool="", slots=("scope",), rule="none"),
)}

# Changing items is an exchange once the order is delivered, a modification while pending.
_TWINS = {"exchange": "order_items", "order_items": "exchange"}
_PAYMENT_CUE = re.compile(r"payment|pay with|paypal|gift ?card|credit ?card|card|付款|支付|礼品卡|"
                          r"信用卡", re.I)
_ADDRESS_CUE = re.compile(r"address|ship(?:ping)? to|deliver(?:y)? to|地址|收货", re.I)
_DEFAULT_CUE = re.compile(r"default|profile|account|my address on file|默认|账户|账号", re.I)
_RETURN_CUE = re.compile(r"return|send (?:it|them) back|退货|退回|寄回", re.I)
_EXCHANGE_CUE = re.compile(r"exchange|swap|换货|换成|换一", re.I)
_QUESTION = re.compile(r"[?？]|\b(?:how (?:long|many|much|do|does|can)|what|when|which|"
                       r"do i have to|is there|are there)\b|多久|多少|几天|怎么|吗|是否|要不要",
                       re.I)
_REQUEST = re.compile(r"\b(?:can you|could you|would you|please|i want|i'd like|i would like|"
                      r"i need to|help me|let me)\b|我想|我要|帮我|请|麻烦|能不能帮|可以帮", re.I)
_CANCEL_CUE = re.compile(r"\bcancel|取消", re.I)
_CHANGE_CUE = re.compile(r"change|update|modify|new|edit|different|switch|another|instead|"
                         r"修改|更改|更新|换|改用", re.I)
_HUMAN_CUE = re.compile(r"human|agent|person|representative|someone real|real people|人工|"
                        r"真人|客服人员", re.I)


def pick_flow(understanding: Understanding, text: str) -> str | None:
    """The flow a message opens, from its intent and a few cue words. A question about the
    policy ("how many days do I have to exchange…?") is answered from the shop's pages, not
    taken for a request: a flow opens on a request or when an order is named."""
    intent = understanding.intent.name
    has_order = understanding.first("order_id") is not None
    if not has_order and _QUESTION.search(text) and not _REQUEST.search(text):
        return None
    if intent == "cancel_order" or (_CANCEL_CUE.search(text) and intent in ("change_order",
                                                                            "out_of_scope")):
        return "cancel"
    if intent == "exchange_item" or (intent in ("change_order", "return_item", "out_of_scope")
                                     and _EXCHANGE_CUE.search(text)):
        return "exchange"
    if intent in ("return_item", "get_refund") or (
            intent in ("change_order", "out_of_scope") and _RETURN_CUE.search(text)):
        return "return"
    if intent in ("change_shipping_address", "set_up_shipping_address") or (
            intent == "change_order" and _ADDRESS_CUE.search(text)):
        if _DEFAULT_CUE.search(text) or intent == "set_up_shipping_address":
            return "user_address"
        return "order_address" if has_order else "address"
    if intent == "change_order":
        return "order_payment" if _PAYMENT_CUE.search(text) else "order_items"
    if intent in ("check_payment_methods", "payment_issue", "out_of_scope") and has_order \
            and _PAYMENT_CUE.search(text) and _CHANGE_CUE.search(text):
        return "order_payment"
    if intent in ("edit_account", "out_of_scope") and _ADDRESS_CUE.search(text) \
            and _CHANGE_CUE.search(text):  # "update the default address on my account"
        if _DEFAULT_CUE.search(text):
            return "user_address"
        return "order_address" if has_order else "address"
    return None


class ActiveFlow(BaseModel):
    """A flow in progress, kept in the conversation's state."""

    name: str
    slots: dict[str, Any] = {}
    asking: str | None = None
    pending: dict[str, Any] | None = None  # {"tool", "args", "nonce"} awaiting a yes
    # slots kefu filled itself (the slot, or "swap:<n>" for the n-th swap's new option) with
    # the note saying where each came from; the customer's own words replace them
    suggested: dict[str, dict[str, str]] = {}
    offered: bool = False  # the last reply said which order kefu took: a bare "no" rejects it
    refused: list[str] = []  # details whose suggestion the customer turned down: asked instead


@dataclass(frozen=True)
class Say:
    """Something a slot filler must say now; ``end`` closes the flow (the order is not
    eligible)."""

    text: str
    end: bool = False


@dataclass(frozen=True)
class FlowTurn:
    """What the engine decided: the reply text and the state after it; ``reminder`` set when
    the message was on another topic (answered by the rest of the turn, then this)."""

    state: State
    text: str = ""
    reminder: str = ""
    handoff: bool = False
    wrote: dict[str, Any] | None = None
    orders: tuple[str, ...] = ()  # the customer's own order ids the text shows


@dataclass
class _Turn:
    """One message's work: who acts, the store it reads, the claim to make before a write, and
    the customer's profile (read once, when a suggestion first needs it). Kept per call, never
    on the shared engine, so turns of different conversations can run at once."""

    tool: ToolContext
    store: StoreBackend
    claim: Callable[[], None] | None
    read_profile: Callable[[str], Profile | None] | None
    _profile: list[Profile | None] = field(default_factory=list)

    def profile(self) -> Profile | None:
        if not self._profile:
            self._profile.append(self.read_profile(self.tool.customer_id)
                                 if self.read_profile is not None else None)
        return self._profile[0]


class FlowEngine:
    def __init__(self, tools: RetailTools, currency: str = "USD", guess_order: bool = True,
                 prefill: Prefill | None = None) -> None:
        """``guess_order``: when exactly one of the customer's recent orders can have this
        action, take it without asking which, say so, and let the customer name another.
        ``prefill``: suggest the other details from what kefu knows of the customer
        (kefu.dialogue.prefill). Both are suggestions: the confirmation lists them with where
        they came from, and nothing is done before the customer's yes."""
        self.tools = tools
        self.currency = currency
        self.guess_order = guess_order
        self.prefill = prefill

    def step(self, state: State, text: str, understanding: Understanding, language: Language,
             store: StoreBackend, conversation_id: str | None = None,
             claim: Callable[[], None] | None = None) -> FlowTurn | None:
        """The flow's answer to this message, or None when no flow takes it. ``claim`` is
        called just before a tool writes: it reserves the conversation for this turn (and
        raises Conflict if another turn got there first), so a write never happens in a turn
        that will not be stored."""
        p = FLOW[language]
        active = ActiveFlow.model_validate(state.flow) if state.flow else None
        opened = pick_flow(understanding, text)
        if active is None:
            if opened is None:
                return None
            active = ActiveFlow(name=opened)
        named = understanding.first("order_id")
        if named and "order" not in active.slots:
            active.slots["order_hint"] = named
        elif "order" in active.suggested and (
                (named and named != active.slots["order"])
                or (active.offered and active.pending is None and fill.rejects(text)
                    and not _listing(active))
                or (active.pending is not None and fill.another_order(text))):
            active = _restart(active, named)  # not the order kefu took: that one, or ask
        active.offered = False
        if opened is not None and active.name not in (opened, _TWINS.get(opened)) \
                and active.pending is None \
                and set(active.slots) - set(active.suggested) <= {"order_hint", "no_guess"}:
            hint = {k: v for k, v in active.slots.items() if k == "order_hint"}
            active = ActiveFlow(name=opened, slots=hint)  # changed their mind at once
        if understanding.intent.name == "contact_human_agent" and _HUMAN_CUE.search(text):
            return None  # the handoff path takes it
        # authentication comes first, and one customer per conversation
        if state.customer_id is None:
            customer = authenticate(store, email=state.slots.get("email"),
                                    zip_code=state.slots.get("zip"),
                                    text=state.slots.get("recent_text", ""))
            if customer is None:
                tried = bool(state.slots.get("email") or state.slots.get("zip"))
                key = "identity_failed" if tried else "ask_identity"
                cleared = {k: v for k, v in state.slots.items() if k not in ("email", "zip")}
                failures = state.identity_failures + (1 if tried else 0)
                return FlowTurn(_keep(state.model_copy(update={
                    "slots": cleared, "identity_failures": failures}), active),
                    PHRASES[language][key], handoff=failures >= 3)
            state = state.model_copy(update={"customer_id": customer.id,
                                             "customer_name": customer.display_name,
                                             "identity_failures": 0})
        elif _other_customer(store, state, understanding):
            return FlowTurn(_keep(state, active),
                            p["one_customer"].format(name=state.customer_name or ""))
        assert state.customer_id is not None
        t = _Turn(ToolContext(state.customer_id, "assistant", conversation_id), store, claim,
                  self.prefill.profile if self.prefill is not None else None)
        try:
            if active.pending is not None:
                turn = self._answer_pending(state, active, t, text, understanding, language)
            else:
                turn = self._fill(state, active, t, text, understanding, language)
        except (IndexError, StopIteration, KeyError):  # the order changed under the flow
            turn = FlowTurn(_keep(state, None), p["order_changed"])
        shown = set(_ORDER_ID.findall(turn.text + turn.reminder))
        return replace(turn, orders=tuple(self.tools.own_orders(t.tool, shown)))

    # ---- slots ---------------------------------------------------------------------------

    def _fill(self, state: State, active: ActiveFlow, t: _Turn, text: str,
              understanding: Understanding, language: Language) -> FlowTurn:
        p = FLOW[language]
        if fill.abandons(text):
            return FlowTurn(_keep(state, None), p["declined"])
        try:
            return self._fill_slots(state, active, t, text, understanding, language)
        except (IndexError, StopIteration, KeyError):
            # the order changed under the flow (another conversation, an agent): start over
            return FlowTurn(_keep(state, None), p["order_changed"])

    def _fill_slots(self, state: State, active: ActiveFlow, t: _Turn, text: str,
                    understanding: Understanding, language: Language) -> FlowTurn:
        p = FLOW[language]
        filled_now = False
        intro = ""  # says which order kefu took, when it took one without asking
        for kind in FLOWS[active.name].slots:
            if _complete(active, kind):
                continue
            outcome = self._fill_one(kind, active, t, text, understanding, language)
            if isinstance(outcome, Say):
                return FlowTurn(_keep(state, None if outcome.end else active),
                                intro + outcome.text)
            filled_now = filled_now or outcome
            if active.name == "address" and "scope" in active.slots:  # the real flow
                return self._fill_slots(state, ActiveFlow(name=active.slots["scope"]), t, text,
                                        understanding, language)
            if not _complete(active, kind) and self._suggest(kind, active, t, language):
                if kind == "order":
                    order = self.tools.order(t.tool, active.slots["order"])
                    intro = p["took_order"].format(order_id=order.id,
                                                   status=status_text(order.status, language))
                    active.offered = True
                continue
            if not _complete(active, kind):
                question = self._ask(kind, active, t, language)
                active.asking = kind
                if not filled_now and not intro and _off_topic(understanding, text):
                    return FlowTurn(_keep(state, active),
                                    reminder=p["reminder"].format(question=question))
                return FlowTurn(_keep(state, active), intro + question)
        return self._confirm(state, active, t, language)

    def _fill_one(self, kind: SlotKind, active: ActiveFlow, t: _Turn, text: str,
                  understanding: Understanding, language: Language) -> bool | Say:
        """Fill ``kind`` from this message: True if it did, or something to say now."""
        if kind == "order":
            hint = active.slots.pop("order_hint", None)  # used once, whatever this turn says
            order_id = understanding.first("order_id") or hint
            if not order_id:
                return False
            return self._use_order(active, t, order_id, language)
        if kind == "reason":
            reason = fill.cancel_reason(text, self.tools.policy.cancel_reasons)
            if reason:
                active.slots["reason"] = reason
            return reason is not None
        if kind == "scope":
            if _DEFAULT_CUE.search(text):
                active.slots["scope"] = "user_address"
            elif understanding.first("order_id") or re.search(r"\border\b|订单", text, re.I):
                active.slots["scope"] = "order_address"
            return "scope" in active.slots
        if kind == "address":
            address = fill.address(text)
            if address:
                active.slots["address"] = address
            return address is not None
        if kind in ("refund_method", "pay_method", "new_method"):
            current = self.tools.order(t.tool, active.slots["order"]) \
                if "order" in active.slots else None
            method = fill.payment_method(text, self.tools.payment_methods(t.tool), current,
                                         refund=kind == "refund_method")
            if method:
                active.slots[kind] = method
            return method is not None
        return self._fill_items(kind, active, t, text, language)

    def _use_order(self, active: ActiveFlow, t: _Turn, order_id: str,
                   language: Language) -> bool | Say:
        """Take the customer's order ``order_id`` for this flow (or its twin: an exchange
        once delivered, a change while pending), or say why it cannot be."""
        p = FLOW[language]
        spec = FLOWS[active.name]
        try:
            order = self.tools.order(t.tool, order_id)
        except ToolRefused:
            active.asking = "order"
            active.slots["no_guess"] = True  # they meant an order of their own: ask, never guess
            return Say(p["order_not_found"].format(order_id=order_id,
                                                   orders=self._orders(t, language)))
        allowed = getattr(self.tools.policy, spec.rule, ())
        twin = _TWINS.get(active.name)
        if order.status not in allowed and twin is not None and order.status in getattr(
                self.tools.policy, FLOWS[twin].rule, ()):
            active.name, spec, allowed = twin, FLOWS[twin], (order.status,)
        if order.status not in allowed:
            return Say(p["not_allowed"].format(
                order_id=order_id, status=status_text(order.status, language),
                rule=p[spec.rule_key]), end=True)
        active.slots["order"] = order_id
        return True

    def _suggest(self, kind: str, active: ActiveFlow, t: _Turn, language: Language) -> bool:
        """Fill ``kind`` with what kefu can suggest for it (the one order that fits, or a
        detail kefu.dialogue.prefill knows), noting where it came from; False if nothing."""
        if kind == "order":
            if not self.guess_order or active.slots.get("no_guess"):
                return False
            likely = self._likely_order(t, active)
            if likely is None or self._use_order(active, t, likely.order_id, language) is not True:
                return False
            active.suggested["order"] = {"note": "note_order", "order_id": likely.order_id}
            return True
        if self.prefill is None or "order" not in active.slots or kind in active.refused:
            return False
        order = self.tools.order(t.tool, active.slots["order"])
        methods = self.tools.payment_methods(t.tool)
        found: Suggestion | None = None
        if kind == "refund_method":
            found = self.prefill.refund_method(order, methods)
        elif kind == "pay_method":
            found = self.prefill.pay_method(order, methods, t.profile(),
                                            self._difference(order, active.slots["swaps"]))
        elif kind == "new_method":
            found = self.prefill.new_method(order, methods, t.profile())
        elif kind == "address" and active.name == "order_address":
            found = self.prefill.address(t.tool.customer_id, order)
        if found is None:
            return False
        active.slots[kind] = found.value
        active.suggested[kind] = {"note": found.note, **found.params}
        return True

    def _fill_items(self, kind: str, active: ActiveFlow, t: _Turn, text: str,
                    language: Language) -> bool | Say:
        """Items to return (``items``: item ids) or to swap (``swaps``: [old, new] pairs),
        collected over as many messages as the customer needs, until they say that's all."""
        order = self.tools.order(t.tool, active.slots["order"])
        chosen: list[Any] = list(active.slots.get(kind, []))
        names_zh = self.tools.names_zh({line.product_id for line in order.items})
        if active.asking == f"{kind}_option" and chosen and chosen[-1][1] is None:
            line = fill.line_by_id(order, chosen[-1][0])
            variant = fill.new_variant(text, line, self.tools.variants(line.product_id),
                                       whole=True)
            if variant is None:
                return Say(self._ask_option(line, language))
            chosen[-1] = [line.variant_id, variant.id]
            active.slots[kind] = chosen
            active.asking = kind
            if fill.done_listing(text):
                active.slots[f"{kind}_done"] = True
                return True
            return Say(self._more(active, kind, order, language))
        if kind == "swaps" and active.asking == kind and chosen \
                and f"swap:{len(chosen) - 1}" in active.suggested \
                and not fill.order_lines(text, order, exclude=_taken(chosen), names_zh=names_zh) \
                and self._correct_swap(active, order, text, len(chosen) - 1):
            if fill.done_listing(text):  # "in blue, that's all": another option than kefu's
                active.slots[f"{kind}_done"] = True
                return True
            return Say(self._more(active, kind, order, language))
        if chosen and active.asking == kind and fill.done_listing(text) \
                and not fill.order_lines(text, order, exclude=_taken(chosen), names_zh=names_zh):
            active.slots[f"{kind}_done"] = True
            return True
        lines = fill.order_lines(text, order, exclude=_taken(chosen), everything=kind == "items",
                                 names_zh=names_zh)
        if not lines:
            return False
        if kind == "items":
            chosen.extend(line.variant_id for line in lines)
            active.slots["items"] = chosen
            if fill.says_all(text) or fill.done_listing(text):
                active.slots["items_done"] = True
                return True
            active.asking = "items"
            return Say(self._more(active, kind, order, language))
        for line in lines:
            variants = self.tools.variants(line.product_id)
            variant = fill.new_variant(text, line, variants)
            usual = self.prefill.variant(line, variants, t.profile()) \
                if variant is None and self.prefill is not None \
                and not fill.names_an_option(text, line, variants) else None  # said: ask
            chosen.append([line.variant_id, variant.id if variant else
                           usual.value if usual else None])
            if usual is not None:
                active.suggested[f"swap:{len(chosen) - 1}"] = {
                    "note": usual.note, **usual.params, "item": line.name,
                    "item_zh": names_zh.get(line.product_id) or line.name}
            elif variant is None:
                active.slots[kind] = chosen
                active.asking = f"{kind}_option"
                return Say(self._ask_option(line, language))
        active.slots[kind] = chosen
        if fill.done_listing(text):
            active.slots[f"{kind}_done"] = True
            return True
        active.asking = kind
        return Say(self._more(active, kind, order, language))

    def _correct_swap(self, active: ActiveFlow, order: Order, text: str, k: int) -> bool:
        """The customer names another option for the k-th swap, whose new option kefu
        suggested: take theirs. False when the message names none."""
        swaps = [list(s) for s in active.slots["swaps"]]
        old_id, new_id = swaps[k]
        line = fill.line_by_id(order, old_id, nth=[s[0] for s in swaps[:k]].count(old_id))
        variants = self.tools.variants(line.product_id)
        chosen = next((v for v in variants if v.id == new_id), None)
        variant = fill.new_variant(text, line, variants, whole=True,
                                   keep=chosen.options if chosen is not None else None)
        if variant is None or variant.id in (new_id, line.variant_id):
            return False
        swaps[k] = [old_id, variant.id]
        active.slots["swaps"] = swaps
        active.suggested.pop(f"swap:{k}", None)
        return True

    def _more(self, active: ActiveFlow, kind: str, order: Order, language: Language) -> str:
        p = FLOW[language]
        chosen = active.slots.get(kind, [])
        last = chosen[-1][0] if chosen and isinstance(chosen[-1], list) else chosen[-1]
        nth = [c[0] if isinstance(c, list) else c for c in chosen[:-1]].count(last)
        line = fill.line_by_id(order, last, nth=nth)
        item = fill.describe_line(line, language, self.currency)
        if isinstance(chosen[-1], list) and chosen[-1][1] is not None:
            variant = next(v for v in self.tools.variants(line.product_id)
                           if v.id == chosen[-1][1])
            item += f" → {fill.describe_options(variant.options)}"
            note = active.suggested.get(f"swap:{len(chosen) - 1}")
            if note is not None:
                item += p["note_inline"].format(note=self._note(note, {}, language))
        return p["more_items"].format(item=item, verb=p[FLOWS[active.name].verb or "verb_modify"])

    def _ask_option(self, line: Any, language: Language) -> str:
        variants = [v for v in self.tools.variants(line.product_id)
                    if v.available and v.id != line.variant_id]
        listed = "\n".join(f"- {fill.describe_options(v.options)}: "
                           f"{money(v.price_cents, self.currency)}" for v in variants[:12])
        return FLOW[language]["ask_new_option"].format(
            item=fill.describe_line(line, language, self.currency), variants=listed or "-")

    def _ask(self, kind: str, active: ActiveFlow, t: _Turn, language: Language) -> str:
        p = FLOW[language]
        order_id = active.slots.get("order", "")
        if kind == "order":
            return p["ask_order"].format(orders=self._orders(t, language))
        if kind == "reason":
            return p["ask_reason"]
        if kind == "scope":
            return p["ask_address_scope"]
        if kind == "address":
            key = "ask_address_user" if active.name == "user_address" else "ask_address_order"
            return p[key].format(order_id=order_id)
        if kind in ("items", "swaps"):
            order = self.tools.order(t.tool, order_id)
            if active.slots.get(kind):
                return self._more(active, kind, order, language)
            items = "\n".join(f"- {fill.describe_line(i, language, self.currency)}"
                              for i in order.items)
            key = "ask_items_return" if kind == "items" else "ask_items_swap"
            return p[key].format(order_id=order_id, items=items)
        methods = ", ".join(fill.describe_method(m, language, self.currency)
                            for m in self.tools.payment_methods(t.tool))
        key = {"refund_method": "ask_payment_refund", "pay_method": "ask_payment_diff",
               "new_method": "ask_payment_new"}[kind]
        return p[key].format(methods=methods)

    def _likely_order(self, t: _Turn, active: ActiveFlow) -> Any:
        """The one recent order this flow can act on, if there is exactly one."""
        allowed = set(getattr(self.tools.policy, FLOWS[active.name].rule, ()))
        twin = _TWINS.get(active.name)
        if twin is not None:
            allowed |= set(getattr(self.tools.policy, FLOWS[twin].rule, ()))
        fits = [o for o in t.store.recent_orders(t.tool.customer_id, limit=8)
                if o.status in allowed]
        return fits[0] if len(fits) == 1 else None

    def _orders(self, t: _Turn, language: Language) -> str:
        recent = t.store.recent_orders(t.tool.customer_id, limit=8)
        line = PHRASES[language]["order_line"]
        return "\n".join(line.format(order_id=o.order_id, date=o.created_at or "-",
                                     status=status_text(o.status, language)) for o in recent)

    def _difference(self, order: Order, swaps: list[list[str]]) -> int:
        """What the swaps cost more (or less, negative) than the lines they replace."""
        diff = 0
        for k, (old_id, new_id) in enumerate(swaps):
            line = fill.line_by_id(order, old_id, nth=[s[0] for s in swaps[:k]].count(old_id))
            variant = next(v for v in self.tools.variants(line.product_id) if v.id == new_id)
            diff += variant.price_cents - line.price_cents
        return diff

    # ---- confirmation and the write ------------------------------------------------------

    def _confirm(self, state: State, active: ActiveFlow, t: _Turn,
                 language: Language) -> FlowTurn:
        spec = FLOWS[active.name]
        args = _arguments(spec, active.slots)
        details = self._details(spec, active.slots, t, language,
                                masked="address" in active.suggested)
        active.pending = {"tool": spec.tool, "args": args, "nonce": uuid.uuid4().hex}
        active.asking = None
        return FlowTurn(_keep(state, active), FLOW[language]["confirm"].format(
            details=details, prefilled=self._prefilled(active, t, language)))

    def _prefilled(self, active: ActiveFlow, t: _Turn, language: Language) -> str:
        """The confirmation's line on what kefu filled in itself, and where it came from."""
        notes = dict(active.suggested)
        if not notes:
            return ""
        methods = {m.id: m for m in self.tools.payment_methods(t.tool)}
        sep = "；" if language == "zh" else "; "
        return FLOW[language]["prefilled"].format(
            notes=sep.join(self._note(n, methods, language) for n in notes.values()))

    def _note(self, note: dict[str, str], methods: dict[str, PaymentMethod],
              language: Language) -> str:
        params = dict(note)
        if params.get("method") in methods:
            params["method"] = fill.describe_method(methods[params["method"]], language,
                                                    self.currency)
        return FLOW[language][params.pop("note")].format(**params)

    def _answer_pending(self, state: State, active: ActiveFlow, t: _Turn, text: str,
                        understanding: Understanding, language: Language) -> FlowTurn:
        p = FLOW[language]
        assert active.pending is not None
        answer = fill.yes_no(text, understanding.intent.name)
        negative = answer is False and fill.corrects(text)
        if answer is None or negative:
            corrected = self._correct(active, t, text, understanding, language, negative)
            if corrected:
                return self._resume(state, active, t, language)  # confirm the new details
            if negative:
                return FlowTurn(_keep(state, None), p["declined"])
        if answer is False:
            return FlowTurn(_keep(state, None), p["declined"])
        if answer is None:
            if _off_topic(understanding, text):
                return FlowTurn(_keep(state, active), reminder=p["reminder"].format(
                    question=p["yes_no"]))
            return FlowTurn(_keep(state, active), p["yes_no"])
        pending = active.pending
        if t.claim is not None:
            t.claim()
        try:
            result = getattr(self.tools, pending["tool"])(t.tool, **_call_args(pending),
                                                          key=_key(t.tool, pending))
        except ToolRefused as exc:
            refusals = int(state.slots.get("tool_refusals", "0")) + 1
            state = state.model_copy(update={"slots": {**state.slots,
                                                       "tool_refusals": str(refusals)}})
            why = p.get(f"why_{exc.reason}", exc.reason).format(
                **{"order_id": "", "status": "", **{k: status_text(v, language)
                                                    if k == "status" else v
                                                    for k, v in exc.params.items()}})
            return FlowTurn(_keep(state, None), p["refused"].format(why=why),
                            handoff=refusals >= MAX_REFUSALS)
        text_done = p[f"done_{result.tool}"].format(order_id=result.order_id or "")
        if result.repeated:
            text_done += p["repeated"]
        return FlowTurn(_keep(state, None), text_done + p["anything_else"],
                        wrote={"tool": result.tool, "order_id": result.order_id,
                               "status": result.status, "repeated": result.repeated})

    def _correct(self, active: ActiveFlow, t: _Turn, text: str, understanding: Understanding,
                 language: Language, negative: bool) -> bool:
        """A detail the customer changes while asked to confirm; True if one changed.

        - A message that is not a no ("use PayPal instead", a typed address, "size L please")
          may change any detail but the order and the items; an address typed out again as
          kefu suggested it is now the customer's own (it was shown masked).
        - A no followed by more ("No, refund it to my gift card") may change only what kefu
          suggested, to something else; "No, not the Visa" (naming only the suggestion) drops
          the suggestion, and the flow asks for that detail. Anything else is a decline.
        """
        before = {k: dict(v) if isinstance(v, dict) else v for k, v in active.slots.items()}
        question = "?" in text or "？" in text
        changed = False
        for kind in FLOWS[active.name].slots:
            if kind in ("items", "swaps", "order") or (negative and kind not in active.suggested):
                continue
            said = self._fill_one(kind, active, t, text, understanding, language) is True
            now = active.slots.get(kind)
            if kind == "new_method" and negative and now == _current_method(
                    self.tools.order(t.tool, active.slots["order"])):
                active.slots[kind] = before.get(kind)  # "No, keep the original": a decline
                continue
            if now != before.get(kind):
                active.suggested.pop(kind, None)  # theirs now, not kefu's suggestion
                changed = True
            elif kind in active.suggested and negative and (said or self._turns_down(
                    kind, active, t, text)):
                active.slots.pop(kind)  # "No, not the Visa": ask instead
                active.suggested.pop(kind)
                active.refused.append(kind)
                changed = True
            elif said and kind == "address" and kind in active.suggested and not question:
                active.suggested.pop(kind)  # typed out as suggested: show it as theirs
                changed = True
        if "swaps" in active.slots and not question:
            order = self.tools.order(t.tool, active.slots["order"])
            suggested = [int(k.partition(":")[2]) for k in active.suggested
                         if k.startswith("swap:")]
            names_zh = self.tools.names_zh({line.product_id for line in order.items})
            named = {line.variant_id for line in fill.order_lines(text, order,
                                                                   names_zh=names_zh)}
            swapped = False
            for k in suggested:  # the item it names, or the only one kefu suggested
                if (len(suggested) == 1 or active.slots["swaps"][k][0] in named) \
                        and self._correct_swap(active, order, text, k):
                    swapped = changed = True
            if swapped and "pay_method" in active.suggested:  # the difference moved
                active.slots.pop("pay_method", None)
                active.suggested.pop("pay_method")
        if not changed:
            active.slots = before
            return False
        active.pending = None
        return True

    def _turns_down(self, kind: str, active: ActiveFlow, t: _Turn, text: str) -> bool:
        """"No, not the Visa": the message refuses the method kefu suggested for ``kind``."""
        if kind not in ("refund_method", "pay_method", "new_method"):
            return False
        order = self.tools.order(t.tool, active.slots["order"])
        refused = fill.payment_method(text, self.tools.payment_methods(t.tool), order,
                                      negated=True)
        return refused is not None and refused == active.slots.get(kind)

    def _resume(self, state: State, active: ActiveFlow, t: _Turn,
                language: Language) -> FlowTurn:
        """After a correction: what is missing suggested again or asked, then the new
        confirmation."""
        for kind in FLOWS[active.name].slots:
            if _complete(active, kind) or self._suggest(kind, active, t, language):
                continue
            active.asking = kind
            return FlowTurn(_keep(state, active), self._ask(kind, active, t, language))
        return self._confirm(state, active, t, language)

    def _details(self, spec: FlowSpec, slots: dict[str, Any], t: _Turn,
                 language: Language, masked: bool = False) -> str:
        """The change in words; ``masked``: an address kefu suggested is shown masked (the
        customer recognises it; someone who only knows their email learns nothing)."""
        p = FLOW[language]
        methods = {m.id: m for m in self.tools.payment_methods(t.tool)}
        sep = "、" if language == "zh" else ", "

        def method(mid: str) -> str:
            return fill.describe_method(methods[mid], language, self.currency) if mid in \
                methods else mid

        if spec.name == "user_address":
            return p["do_user_address"].format(address=fill.describe_address(slots["address"]))
        order = self.tools.order(t.tool, slots["order"])
        cur = order.currency
        total = sum(i.price_cents for i in order.items)
        if spec.name == "cancel":
            from kefu.dialogue.flow_phrases import REASONS

            paid = sep.join(dict.fromkeys(method(x.payment_method_id) for x in order.payments))
            return p["do_cancel"].format(
                order_id=order.id, reason=REASONS[language].get(slots["reason"],
                                                                slots["reason"]),
                items=sep.join(fill.describe_line(i, language, cur)
                               for i in order.items),
                total=money(sum(x.amount_cents for x in order.payments
                                if x.transaction_type == "payment"), cur),
                methods=paid, timing=p["refund_timing"])
        if spec.name == "order_address":
            return p["do_address"].format(order_id=order.id,
                                          address=fill.describe_address(slots["address"],
                                                                        masked))
        if spec.name == "order_payment":
            old = order.payments[0].payment_method_id if order.payments else ""
            return p["do_payment"].format(order_id=order.id, total=money(total, cur),
                                          new=method(slots["new_method"]), old=method(old),
                                          timing=p["refund_timing"])
        if spec.name == "return":
            lines = [fill.line_by_id(order, i, nth=slots["items"][:k].count(i))
                     for k, i in enumerate(slots["items"])]
            return p["do_return"].format(
                order_id=order.id, items=sep.join(fill.describe_line(x, language, cur)
                                                  for x in lines),
                total=money(sum(x.price_cents for x in lines), cur),
                method=method(slots["refund_method"]))
        swaps, diff = [], 0
        for k, (old_id, new_id) in enumerate(slots["swaps"]):
            line = fill.line_by_id(order, old_id,
                                   nth=[s[0] for s in slots["swaps"][:k]].count(old_id))
            variant = next(v for v in self.tools.variants(line.product_id) if v.id == new_id)
            diff += variant.price_cents - line.price_cents
            swaps.append(f"{fill.describe_line(line, language, cur)} → "
                         f"{fill.describe_options(variant.options)} "
                         f"({money(variant.price_cents, cur)})")
        pay = method(slots["pay_method"])
        difference = (p["diff_pay"] if diff > 0 else p["diff_refund"] if diff < 0
                      else p["diff_none"]).format(amount=money(abs(diff), cur),
                                                  method=pay)
        key = "do_items" if spec.name == "order_items" else "do_exchange"
        return p[key].format(order_id=order.id, swaps=sep.join(swaps), difference=difference)


def _arguments(spec: FlowSpec, slots: dict[str, Any]) -> dict[str, Any]:
    if spec.name == "cancel":
        return {"order_id": slots["order"], "reason": slots["reason"]}
    if spec.name == "order_address":
        return {"order_id": slots["order"], "address": slots["address"]}
    if spec.name == "user_address":
        return {"address": slots["address"]}
    if spec.name == "order_payment":
        return {"order_id": slots["order"], "payment_method_id": slots["new_method"]}
    if spec.name == "return":
        return {"order_id": slots["order"], "item_ids": list(slots["items"]),
                "payment_method_id": slots["refund_method"]}
    return {"order_id": slots["order"], "item_ids": [s[0] for s in slots["swaps"]],
            "new_item_ids": [s[1] for s in slots["swaps"]],
            "payment_method_id": slots["pay_method"]}


def _call_args(pending: dict[str, Any]) -> dict[str, Any]:
    return dict(pending["args"])


def _key(ctx: ToolContext, pending: dict[str, Any]) -> str:
    from kefu.tools.retail import idempotency_key

    return idempotency_key(ctx, pending["tool"], pending["args"], pending["nonce"])


def _listing(active: ActiveFlow) -> bool:
    """The flow asks "any other item?": a bare no then means that's all."""
    return active.asking in ("items", "swaps") and bool(active.slots.get(active.asking))


def _current_method(order: Order) -> str | None:
    return order.payments[0].payment_method_id if order.payments else None


def _restart(active: ActiveFlow, order_id: str | None) -> ActiveFlow:
    """The flow again without the order kefu took for it: with the one the customer named, or
    asking which (listing them, no guessing again). What does not depend on the order stays."""
    kept = {k: v for k, v in active.slots.items()
            if k in ("reason", "address") and k not in active.suggested}
    kept.update({"order_hint": order_id} if order_id else {"no_guess": True})
    return ActiveFlow(name=active.name, slots=kept)


def _complete(active: ActiveFlow, kind: str) -> bool:
    if kind in ("items", "swaps"):
        done = bool(active.slots.get(f"{kind}_done"))
        return done and all(not isinstance(c, list) or c[1] is not None
                            for c in active.slots.get(kind, []))
    return kind in active.slots


def _taken(chosen: list[Any]) -> list[str]:
    return [c[0] if isinstance(c, list) else c for c in chosen]


def _keep(state: State, active: ActiveFlow | None) -> State:
    return state.model_copy(update={"flow": active.model_dump() if active else None})


def _off_topic(understanding: Understanding, text: str) -> bool:
    """A question about something else (shipping times, the warranty…), asked mid-flow."""
    intent = understanding.intent
    return (intent.name in KNOWLEDGE_INTENTS and intent.confidence >= 0.5
            and pick_flow(understanding, text) is None)


def _other_customer(store: StoreBackend, state: State, understanding: Understanding) -> bool:
    email = understanding.first("email")
    if not email:
        return False
    found = store.find_customers_by_email(email)
    return bool(found) and all(c.id != state.customer_id for c in found)
