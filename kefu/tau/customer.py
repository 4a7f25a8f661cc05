"""A deterministic scripted customer for tau-bench retail tasks (the project's own code, no
LLM). It opens with a request derived from the task's gold write actions and answers the
agent's questions from the task's data: who it is (email, or name and zip, as the task's
instruction gives them), the order, the cancel reason, the items and the options it wants
instead (described by their option values, as a shopper would, or by item id), the payment
method (by kind, brand and last digits), the new address, and a yes to a confirmation whose
details it has checked (the order, where the money goes, the address: what kefu filled in
from the profile is corrected when it is not what the task wants). The phrasing
varies with a seed, so K runs ask the same things in different words.

It reads the agent's replies as a person would, from their words; it sees nothing of kefu's
internal state.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from kefu.dialogue.slots import describe_address
from kefu.tau.judge import WRITE_TOOLS, Json, replay
from kefu.tools.retail import ADDRESS_FIELDS

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_ZIP = re.compile(r"[Yy]our name is ([A-Z][\w'-]+) ([A-Z][\w'-]+)(?:.*?)zip ?code is (\d{5})",
                       re.S)
_NAME = re.compile(r"[Yy]our name is ([A-Z][\w'-]+) ([A-Z][\w'-]+)")
# Where a confirmation says the money goes: the refund, the price difference, the new method.
_METHOD_SAID = re.compile(r"refund of \S+ goes to (.+?);|difference of \S+ with (.+?)\. |"
                          r"difference of \S+ is refunded to (.+?)\. |\) with (.+?) instead of|"
                          r"charged to or refunded on (.+?)\. ")
_ZIP = re.compile(r"zip ?code is (\d{5})|(?:live|lives) in (\d{5})")

OPENINGS = {
    "cancel_pending_order": ("I'd like to cancel my order {order}.",
                             "Please cancel order {order}.",
                             "Can you cancel the order {order} for me?"),
    "modify_pending_order_address": ("I need to change the shipping address of order {order}.",
                                     "Please update the delivery address on my order {order}.",
                                     "Can you change the address my order {order} ships to?"),
    "modify_pending_order_payment": ("I want to change the payment method of order {order}.",
                                     "Can I pay for order {order} with a different payment "
                                     "method?",
                                     "Please switch the payment method on my order {order}."),
    "modify_pending_order_items": ("I'd like to change some items in my pending order {order}.",
                                   "Can I modify the items of order {order}? It hasn't shipped.",
                                   "I want to change an item option in order {order}."),
    "modify_user_address": ("I want to update the default address on my account.",
                            "Please change my account's default address.",
                            "Can you update my default address on file?"),
    "return_delivered_order_items": ("I want to return some items from order {order}.",
                                     "I'd like to return items I received in order {order}.",
                                     "Please help me return things from my order {order}."),
    "exchange_delivered_order_items": ("I'd like to exchange items from order {order}.",
                                       "I want to exchange something I received in order "
                                       "{order}.",
                                       "Can I exchange items in my order {order}?"),
}
REASONS = {"no longer needed": ("I don't need it anymore.", "I no longer need it.",
                                "It's no longer needed."),
           "ordered by mistake": ("I ordered it by mistake.", "It was ordered by mistake.",
                                  "I placed it by mistake.")}


@dataclass
class ScriptedCustomer:
    task: Json
    users: Json
    orders: Json
    products: Json
    seed: int = 0
    said: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.actions = [a for a in self.task["actions"] if a["name"] in WRITE_TOOLS]
        self.step = 0  # the action being asked for
        self.pairs_left: list[tuple[str, str]] = []
        self.current_pair: tuple[str, str] | None = None
        self.items_said = False
        self.misunderstood = 0
        self.identity_tries = 0
        self.phrasing = 0
        self.finished = False

    # ---- what the customer knows ------------------------------------------------------------

    @property
    def user(self) -> Json:
        return self.users[self.task["user_id"]]

    @property
    def action(self) -> Json | None:
        return self.actions[self.step] if self.step < len(self.actions) else None

    def _pick(self, options: tuple[str, ...] | list[str]) -> str:
        return options[self.rng.randrange(len(options))]

    def identities(self) -> list[str]:
        """What the customer can say to prove who they are, in the order they would try:
        each email the instruction gives (some tasks give several), then name and zip."""
        text = self.task["instruction"]
        emails = [m.group() for m in _EMAIL.finditer(text)]
        name = _NAME.search(text)
        zipm = _ZIP.search(text)
        said: list[str] = []
        for email in emails:
            said.append(self._pick((f"My email is {email}.", f"It's {email}.",
                                    f"Sure, {email}.")))
        if name and zipm:
            zip_code = zipm.group(1) or zipm.group(2)
            by_name = self._pick((f"I'm {name.group(1)} {name.group(2)}, zip code {zip_code}.",
                                  f"My name is {name.group(1)} {name.group(2)} and my zip code "
                                  f"is {zip_code}."))
            said.insert(0 if not emails or self.rng.random() < 0.3 else len(said), by_name)
        return said or [f"My email is {self.user['email']}."]

    def identity(self) -> str:
        tried = self.identity_tries
        self.identity_tries += 1
        options = self.identities()
        return options[min(tried, len(options) - 1)]

    def opening(self, rephrase: int = 0) -> str:
        """The request for the current action; ``rephrase`` > 0 says it in other words."""
        action = self.action
        if action is None:
            return "Hi, I have a question."
        kw = action["kwargs"]
        options = OPENINGS[action["name"]]
        if rephrase == 0:
            self.phrasing = self.rng.randrange(len(options))
        return options[(self.phrasing + rephrase) % len(options)].format(
            order=kw.get("order_id", ""))

    def _item_text(self, order_id: str, item_id: str, by_id: bool) -> str:
        if by_id:
            return f"item {item_id}"
        line = next(x for x in self.orders[order_id]["items"] if x["item_id"] == item_id)
        same = [x for x in self.orders[order_id]["items"] if x["name"] == line["name"]]
        options = ", ".join(str(v) for v in line["options"].values())
        return f"the {line['name']} ({options})" if len(same) > 1 or self.rng.random() < 0.5 \
            else f"the {line['name']}"

    def _new_text(self, order_id: str, item_id: str, new_id: str) -> str:
        line = next(x for x in self.orders[order_id]["items"] if x["item_id"] == item_id)
        variant = self.products[line["product_id"]]["variants"][new_id]
        return ", ".join(str(v) for v in variant["options"].values())

    def _method_text(self, method_id: str, order_id: str | None) -> str:
        method = self.user["payment_methods"][method_id]
        source = method["source"]
        original = (self.orders[order_id]["payment_history"][0]["payment_method_id"]
                    if order_id else None)
        if method_id == original and self.rng.random() < 0.5:
            return "The original payment method, please."
        if source == "paypal":
            return self._pick(("My PayPal.", "Use PayPal, please."))
        if source == "gift_card":
            cards = [m for m in self.user["payment_methods"].values() if m["source"] == "gift_card"]
            return "My gift card." if len(cards) == 1 else f"My gift card {method_id}."
        return self._pick((f"My {method.get('brand', 'credit')} card ending in "
                           f"{method.get('last_four', '')}.",
                           f"The credit card ending in {method.get('last_four', '')}."))

    # ---- answering the agent ----------------------------------------------------------------

    def reply(self, agent: str) -> str | None:
        """The customer's next message after the agent's ``agent``; None to leave."""
        if self.finished:
            return None
        said = self._reply(agent)
        if said is not None:
            self.said.append(said)
        return said

    def _reply(self, agent: str) -> str | None:
        a = agent.lower()
        action = self.action
        kw = action["kwargs"] if action else {}
        if "passing this conversation" in a or "转接人工" in a:
            self.finished = True
            return None
        if action is None:
            self.finished = True
            return None
        if "confirm who you are" in a or "couldn't find an account" in a:
            return self.identity()
        if a.startswith("done:") or "can't do that" in a or "haven't changed anything" in a \
                or ("anything else" in a and "please confirm" not in a):
            return self._next_action()
        if "please confirm" in a or "shall i go ahead" in a or "say yes" in a:
            wrong = self._check(agent, kw) if "please confirm" in a else None  # the details
            return wrong or self._pick(("Yes.", "Yes, please go ahead.", "Yes, confirm."))
        if "which order" in a or "couldn't find order" in a:
            return f"It's order {kw.get('order_id', '')}."
        if "why would you like to cancel" in a:
            return self._pick(REASONS.get(kw.get("reason", ""), (kw.get("reason", ""),)))
        if "default address" in a and "pending order" in a:
            return "My account's default address." if action["name"] == "modify_user_address" \
                else f"The shipping address of order {kw.get('order_id')}."
        if "new shipping address" in a or "new default address" in a:
            parts = [kw.get(k, "") or "-" for k in ("address1", "address2", "city", "state",
                                                     "country", "zip")]
            return ", ".join(parts)
        if "which option would you like instead" in a and self.current_pair:
            old, new = self.current_pair
            return self._new_text(kw["order_id"], old, new) + "."
        if "which items" in a and "return" in a:
            by_id = self.rng.random() < 0.3
            items = [self._item_text(kw["order_id"], i, by_id) for i in kw["item_ids"]]
            self.items_said = True
            return f"I want to return {' and '.join(items)}. That's all."
        if "which item" in a and "change" in a:
            self.pairs_left = list(zip(kw["item_ids"], kw["new_item_ids"], strict=True))
            return self._next_pair(kw["order_id"])
        if "any other item" in a:
            if self.pairs_left:
                return self._next_pair(kw["order_id"])
            return self._pick(("That's all.", "No, that's all.", "That's everything."))
        if "refund go" in a or "payment method" in a or "price difference" in a:
            return self._method_text(kw["payment_method_id"], kw.get("order_id"))
        self.misunderstood += 1
        if self.misunderstood > 3:
            self.finished = True
            return None
        return self.opening(rephrase=self.misunderstood)

    def _check(self, agent: str, kw: Json) -> str | None:
        """What is wrong in the details the agent asks to confirm (a payment method or an
        address it filled in itself), said as the customer would correct it; None if right."""
        if "order_id" in kw and str(kw["order_id"]) not in agent:
            return f"No, it's order {kw['order_id']}."
        method_id = kw.get("payment_method_id")
        named = _METHOD_SAID.search(agent)
        if method_id and named and not self._is_method(
                next(g for g in named.groups() if g), method_id):
            return self._method_text(method_id, kw.get("order_id"))
        if kw.get("address1") and str(kw["address1"]) not in agent and describe_address(
                {k: str(kw.get(k) or "") for k in ADDRESS_FIELDS}, masked=True) not in agent:
            # neither written out nor masked as kefu shows an address it suggests
            return ", ".join(kw.get(k, "") or "-" for k in ("address1", "address2", "city",
                                                           "state", "country", "zip"))
        return None

    def _is_method(self, said: str, method_id: str) -> bool:
        method = self.user["payment_methods"][method_id]
        if method["source"] == "credit_card":
            return str(method.get("last_four", "")) in said
        if method["source"] == "paypal":
            return "paypal" in said.lower()
        return method_id in said

    def _next_pair(self, order_id: str) -> str:
        old, new = self.pairs_left[0]
        self.pairs_left = self.pairs_left[1:]
        self.current_pair = (old, new)
        by_id = self.rng.random() < 0.3
        item = self._item_text(order_id, old, by_id)
        return f"Please change {item} to {self._new_text(order_id, old, new)}."

    def _next_action(self) -> str | None:
        if self.action is not None:  # what the customer now knows of their orders
            self.users, self.orders = replay(self.users, self.orders, self.products,
                                             [self.action])
        self.step += 1
        self.pairs_left = []
        self.misunderstood = 0
        if self.action is None:
            self.finished = True
            return None
        return self.opening()
