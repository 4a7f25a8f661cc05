"""Turns a returning customer needs to finish an order action, with and without the profile,
on the demo shop.

    .venv/bin/python bench/personalisation.py [--customers 12]

"With the profile" is kefu as shipped: a flow takes the customer's one order that fits without
asking which, and suggests the refund or payment method, the new address and the new size from
what it knows of them (kefu.dialogue.prefill), all listed in the confirmation. "Without" is the
same kefu with that switched off (``KEFU_PREFILL=false``): it asks for each of them.

Each scripted shopper is a demo customer, writing in English, with exactly one order the action
can apply to, and a goal: cancel it; return one of its items with the refund to a chosen method
(to a gift card instead of the card paid with for half of those who have one); ship a pending
order to a chosen address (the one kefu will suggest for two thirds of those it has one for, a
new one otherwise); exchange an item for another size. The exchangers have bought on that size
scale before; half of them ordered this item in the wrong size (the bench changes the line to
another size first, so kefu has their usual size to suggest) and a third of those want yet
another size. The shopper reads every reply as a person would and corrects what is wrong, opens
with the request and its email (naming the item for half of the returns and exchanges), answers
what it is asked, and says yes only to a confirmation whose details match its goal.

Reports, per action and mode: the median and mean customer messages until the order is written;
how many final states differ from the goal (a wrong suggestion applied: must be 0); for how many
kefu had a suggestion for the detail (method, address, size: the order itself is taken for every
shopper), for how many the goal differs from it, how many had to correct one; and how many
writes came before the final yes (must be 0). Both modes run on the same shoppers, each on its
own freshly seeded demo shop.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kefu.demo import seed_demo
from kefu.dialogue.prefill import Prefill
from kefu.dialogue.slots import describe_address
from kefu.profile.builder import build_profile
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade
from kefu.storage.models import Customer, Order, PaymentMethod, Variant
from kefu.tools.retail import ADDRESS_FIELDS

MAX_TURNS = 10
ACTIONS = ("cancel", "return", "exchange", "address")
_ELIGIBLE = {"cancel": ("pending",), "address": ("pending",), "return": ("delivered",),
             "exchange": ("delivered",)}
_WRITTEN = {"cancel": "cancelled", "return": "return requested",
            "exchange": "exchange requested", "address": None}
_TOOK = re.compile(r"this is about order (\S+) \(")


@dataclass
class Goal:
    action: str
    email: str
    order_id: str
    item: str = ""  # the product name of the line to return or exchange
    item_id: str = ""  # its variant id
    new_variant: str = ""  # for an exchange
    new_options: dict[str, Any] = field(default_factory=dict)
    method_id: str = ""  # where the refund or the difference goes
    method_text: str = ""  # how the shopper names it
    method_key: str = ""  # what a confirmation naming it must show
    address: dict[str, str] = field(default_factory=dict)
    names_item: bool = False  # says the item in its first message
    suggested: bool = False  # kefu has a suggestion for the detail (method, address, size)
    against: bool = False  # the goal differs from what kefu will suggest


@dataclass
class Outcome:
    turns: int
    done: bool
    wrong: bool  # the final state is not the goal
    early: bool  # the order changed before the final yes
    corrected: bool


class Shopper:
    """Answers kefu from its goal, reading the replies as a person would."""

    def __init__(self, goal: Goal) -> None:
        self.goal = goal
        self.corrected = False

    def opening(self) -> str:
        g = self.goal
        if g.action == "cancel":
            return f"I want to cancel my order, my email is {g.email}"
        if g.action == "address":
            return f"I need to change the shipping address of my order, my email is {g.email}"
        verb = "return" if g.action == "return" else "exchange"
        what = f"the {g.item}" if g.names_item else "an item"
        return f"I would like to {verb} {what} I received. My email is {g.email}"

    def reply(self, said: str) -> str:
        g = self.goal
        low = said.lower()
        took = _TOOK.search(said)
        if took and took.group(1) != g.order_id:
            self.corrected = True
            return f"No, it's order {g.order_id}."
        if "please confirm" in low or "请确认" in said:  # a Chinese address switches language
            return self._check(said) or "yes"
        if "which order" in low or "couldn't find order" in low:
            return g.order_id
        if "why would you like to cancel" in low:
            return "I don't need it anymore."
        if "which items" in low:
            return f"The {g.item}. That's all."
        if "which item" in low:  # the item; the new option when asked, or to correct kefu's
            return f"The {g.item}."
        if "which option would you like instead" in low:
            return f"{self._options()}."
        if "any other item" in low:
            chosen = re.search(r"→ ([^(\n.]+?)(?: \(|\. )", said)
            if g.action == "exchange" and chosen and chosen.group(1).strip() != \
                    ", ".join(f"{k} {v}" for k, v in g.new_options.items()):
                self.corrected = True
                return f"No, {self._options()}, please. That's all."
            return "That's all."
        if "new shipping address" in low:
            return self._address()
        if "refund go" in low or "payment method" in low or "price difference" in low:
            return g.method_text
        return "Sorry, I don't understand."

    def _check(self, said: str) -> str | None:
        g = self.goal
        if g.order_id not in said:
            self.corrected = True
            return f"No, it's order {g.order_id}."
        method = re.search(r"refund of \S+ goes to (.+?);|difference of \S+ with (.+?)\. |"
                           r"difference of \S+ is refunded to (.+?)\. |"
                           r"charged to or refunded on (.+?)\. ", said)
        if g.method_id and method and g.method_key not in \
                next(m for m in method.groups() if m):
            self.corrected = True
            return g.method_text
        if g.address and g.address["address1"] not in said and describe_address(
                {k: "" if v == "-" else v for k, v in g.address.items()}, masked=True) \
                not in said:  # theirs, written out or masked as kefu shows a suggestion
            self.corrected = True
            return self._address()
        if g.new_options and self._options() not in said:
            self.corrected = True
            return f"No, {self._options()}, please."
        return None

    def _options(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.goal.new_options.items())

    def _address(self) -> str:
        return ", ".join(self.goal.address.get(k) or "-" for k in ADDRESS_FIELDS)


def _method_words(method: PaymentMethod) -> tuple[str, str]:
    """How a shopper names a payment method, and what of it a confirmation must show."""
    if method.kind == "gift_card":
        return f"My gift card {method.id}.", method.id
    if method.kind == "paypal":
        return "My PayPal.", "PayPal"
    return f"My card ending in {method.last_four}.", f"ending in {method.last_four}"


def goals(session: Session, prefill: Prefill, count: int, seed: int = 3) -> list[Goal]:
    """Up to ``count`` shoppers per action, from the demo shop's customers (who all write in
    English here: the flows are the same in both languages, tests/integration cover Chinese)."""
    rng = random.Random(seed)
    customers = session.scalars(select(Customer).order_by(Customer.id)
                                .options(selectinload(Customer.payment_methods),
                                         selectinload(Customer.addresses))).all()
    out: dict[str, list[Goal]] = {a: [] for a in ACTIONS}
    for customer in customers:
        orders = session.scalars(select(Order).where(Order.customer_id == customer.id)
                                 .options(selectinload(Order.items),
                                          selectinload(Order.payments))).all()
        if len(orders) > 8:  # kefu looks at the 8 most recent
            continue
        profile = build_profile(session, customer.id)
        for action in sorted(ACTIONS, key=lambda a: len(out[a])):  # one action per customer
            fits = [o for o in orders if o.status in _ELIGIBLE[action]]
            if len(fits) != 1 or len(out[action]) >= count:
                continue
            goal = _goal(session, prefill, rng, action, customer, fits[0], profile)
            if goal is not None:
                out[action].append(goal)
                break
    return [g for action in ACTIONS for g in out[action]]


def _goal(session: Session, prefill: Prefill, rng: random.Random, action: str,
          customer: Customer, order: Order, profile: Any) -> Goal | None:
    goal = Goal(action, customer.email, order.id, names_item=rng.random() < 0.5)
    against = rng.random() < 1 / 3
    methods = list(customer.payment_methods)
    if action == "address":
        suggested = prefill.address(customer.id, order)
        goal.suggested = suggested is not None
        if suggested is not None and not against:
            goal.address = dict(suggested.value)
        else:
            goal.address = {"address1": f"{rng.randint(10, 999)} Harbor Lane", "address2": "-",
                            "city": "Portland", "state": "OR", "country": "USA",
                            "zip": f"97{rng.randint(100, 999)}"}
            goal.against = suggested is not None
        return goal
    if action == "cancel":
        return goal
    line = order.items[0]
    goal.item, goal.item_id = line.name, line.variant_id
    if action == "return":
        paid = prefill.refund_method(order, methods)
        goal.suggested = paid is not None
        gift = [m for m in methods
                if m.kind == "gift_card" and (paid is None or m.id != paid.value)]
        use = gift[0] if gift and (rng.random() < 0.5 or paid is None) else \
            next(m for m in methods if paid is not None and m.id == paid.value)
        goal.against = paid is not None and use.id != paid.value
        goal.method_id = use.id
        goal.method_text, goal.method_key = _method_words(use)
        return goal
    # the line to exchange: for half the shoppers, one they ordered in the wrong size (the
    # bench changes that line to another size of the product first; kefu then has their usual
    # size to suggest), for the others a line in their own size (they want another one)
    sized_lines = [x for x in order.items if any(k.lower() == "size" for k in x.options)]
    if not sized_lines:
        return None
    variants_of = {x.product_id: list(session.scalars(
        select(Variant).where(Variant.product_id == x.product_id))) for x in sized_lines}
    worn = {str(x.options.get("size", "")).lower() for other in session.scalars(
        select(Order).where(Order.customer_id == customer.id, Order.id != order.id))
        for x in other.items}  # sizes they bought in their other orders
    sized = next((x for x in sized_lines  # a returning customer: a scale they have bought on
                  if worn & {str(v.options.get("size", "")).lower()
                             for v in variants_of[x.product_id]}), None)
    if sized is None:
        return None
    key = next(k for k in sized.options if k.lower() == "size")
    variants = variants_of[sized.product_id]
    others = [v for v in variants if v.available and v.id != sized.variant_id
              and all(v.options.get(k) == val for k, val in sized.options.items() if k != key)]
    if not others:
        return None
    if rng.random() < 0.5:
        mistake = rng.choice(others)
        sized.variant_id, sized.options = mistake.id, dict(mistake.options)
        sized.price_cents = mistake.price_cents
        session.commit()
        others = [v for v in variants if v.available and v.id != sized.variant_id
                  and all(v.options.get(k) == val for k, val in sized.options.items()
                          if k != key)]
    goal.item, goal.item_id = sized.name, sized.variant_id
    usual = prefill.variant(sized, variants, profile)
    goal.suggested = usual is not None
    wanted = next((v for v in others if usual is not None and v.id == usual.value), None)
    if wanted is None or against:
        rest = [v for v in others if usual is None or v.id != usual.value]
        if not rest:
            return None
        wanted = rng.choice(rest)
        goal.against = usual is not None
    goal.new_variant, goal.new_options = wanted.id, dict(wanted.options)
    paid = prefill.pay_method(order, methods, profile, 0)
    use = next(m for m in methods if paid is not None and m.id == paid.value) if paid \
        else methods[0]
    goal.method_id = use.id
    goal.method_text, goal.method_key = _method_words(use)
    return goal


def run(kefu: Kefu, goal: Goal) -> Outcome:
    shopper = Shopper(goal)
    conv = kefu.conversations.create("widget")
    text = shopper.opening()
    before = _state(kefu, goal.order_id)
    for turn in range(1, MAX_TURNS + 1):
        reply = kefu.conversations.post(conv.id, text).reply
        assert reply is not None
        now = _state(kefu, goal.order_id)
        if now != before:
            return Outcome(turn, True, not _reached(kefu, goal), text != "yes",
                           shopper.corrected)
        text = shopper.reply(reply.text)
    return Outcome(MAX_TURNS + 1, False, False, False, shopper.corrected)


def _state(kefu: Kefu, order_id: str) -> tuple[Any, ...]:
    with kefu.factory() as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.status, dict(order.shipping_address or {}), dict(order.extra or {})


def _reached(kefu: Kefu, goal: Goal) -> bool:
    with kefu.factory() as session:
        order = session.get(Order, goal.order_id)
        assert order is not None
        extra = order.extra or {}
        written = _WRITTEN[goal.action]
        if written is not None and order.status != written:
            return False
        if goal.action == "return":
            return bool(extra.get("return_items") == [goal.item_id]
                        and extra.get("return_payment_method_id") == goal.method_id)
        if goal.action == "exchange":
            return bool(extra.get("exchange_items") == [goal.item_id]
                        and extra.get("exchange_new_items") == [goal.new_variant])
        if goal.action == "address":
            shipped = {k: str(order.shipping_address.get(k) or "") for k in ADDRESS_FIELDS}
            wanted = {k: "" if v == "-" else v for k, v in goal.address.items()}
            return shipped == wanted
        return True


def measure(count: int, make: Callable[[bool], Kefu]) -> dict[str, dict[str, Any]]:
    """Per action and mode: the turns, wrong states, corrections and early writes."""
    results: dict[str, dict[str, Any]] = {}
    for mode, on in (("with", True), ("without", False)):
        kefu = make(on)
        try:
            with kefu.factory() as session:
                shoppers = goals(session, Prefill(kefu.factory, kefu.pipeline.profiles.get
                                                  if kefu.pipeline.profiles else
                                                  lambda _id: None), count)
            for goal in shoppers:
                outcome = run(kefu, goal)
                entry = results.setdefault(goal.action, {}).setdefault(mode, [])
                entry.append((goal, outcome))
        finally:
            kefu.close()
    return results


def fresh(tmp: Path) -> Callable[[bool], Kefu]:
    def make(prefill: bool) -> Kefu:
        data = tmp / ("with" if prefill else "without")
        settings = Settings(data_dir=data, llm="none", rate_per_customer=10_000,
                            prefill=prefill)
        upgrade(settings.resolved_database_url)
        kefu = Kefu.from_settings(settings)
        with kefu.factory.begin() as session:
            seed_demo(session)
        return kefu
    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=12, help="shoppers per action")
    args = parser.parse_args()
    print(f"$ python bench/personalisation.py --customers {args.customers}")
    print(f"machine: {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        results = measure(args.customers, fresh(Path(tmp)))
    print(f"{'action':9} {'mode':8} {'n':>3} {'median':>7} {'mean':>6} {'unfinished':>10} "
          f"{'wrong':>6} {'suggested':>9} {'against':>8} {'corrected':>9} {'early':>6}")
    for action, modes in results.items():
        for mode, runs in modes.items():
            turns = [o.turns for _, o in runs]
            print(f"{action:9} {mode:8} {len(runs):3} {statistics.median(turns):7.1f} "
                  f"{statistics.mean(turns):6.2f} {sum(not o.done for _, o in runs):10} "
                  f"{sum(o.wrong for _, o in runs):6} {sum(g.suggested for g, _ in runs):9} "
                  f"{sum(g.against for g, _ in runs):8} "
                  f"{sum(o.corrected for _, o in runs):9} {sum(o.early for _, o in runs):6}")


if __name__ == "__main__":
    main()
