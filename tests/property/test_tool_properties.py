"""Property tests (hypothesis state machines) over the order tools, on a small store built
here: whatever sequence of calls, by whichever customer, with whatever ids —

* refunds never exceed what was paid, order by order;
* statuses only move along the policy's transitions;
* a gift card's balance never goes below zero;
* a cancelled order carries one of the policy's cancel reasons;
* a customer never changes another customer's order, address or payment method: such a
  call is refused and the store is left exactly as it was.

And over whole conversations: the store is written only on a turn that answers "yes" to a
confirmation the assistant asked for in the turn before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from kefu.storage.models import (
    Address,
    AuditEntry,
    Base,
    Customer,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    Variant,
)
from kefu.tools.retail import RetailTools, ToolContext, ToolRefused

CUSTOMERS = ("c1", "c2")
ALLOWED = {("pending", "cancelled"), ("pending", "pending (item modified)"),
           ("delivered", "return requested"), ("delivered", "exchange requested")}


def small_store() -> sessionmaker[Session]:
    engine = create_engine("sqlite://", poolclass=StaticPool,
                           connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as s:
        s.add(Product(id="p1", name="Mug"))
        s.add(Product(id="p2", name="Lamp"))
        for vid, pid, price, ok in (("m1", "p1", 1000, True), ("m2", "p1", 1250, True),
                                    ("m3", "p1", 800, False), ("l1", "p2", 5000, True),
                                    ("l2", "p2", 4500, True)):
            s.add(Variant(id=vid, product_id=pid, options={"v": vid}, price_cents=price,
                          available=ok))
        for c in CUSTOMERS:
            s.add(Customer(id=c, first_name=c, last_name="X", email=f"{c}@x.org"))
            s.add(Address(customer_id=c, address1="1 A St", city="Y", country="USA",
                          zip="10001", is_default=True))
            s.add(PaymentMethod(id=f"{c}_card", customer_id=c, kind="credit_card",
                                brand="visa", last_four="1111"))
            s.add(PaymentMethod(id=f"{c}_gift", customer_id=c, kind="gift_card",
                                balance_cents=9000))  # pays one order (6000), not two
            for n, status in enumerate(("pending", "delivered", "processed")):
                oid = f"{c}_o{n}"
                s.add(Order(id=oid, customer_id=c, status=status, shipping_address={}))
                s.add(OrderItem(order_id=oid, position=0, product_id="p1", variant_id="m1",
                                name="Mug", price_cents=1000, options={"v": "m1"}))
                s.add(OrderItem(order_id=oid, position=1, product_id="p2", variant_id="l1",
                                name="Lamp", price_cents=5000, options={"v": "l1"}))
                s.add(Payment(order_id=oid, position=0, transaction_type="payment",
                              amount_cents=6000, payment_method_id=f"{c}_card"))
    return factory


def snapshot(factory: sessionmaker[Session]) -> tuple[object, ...]:
    with factory() as s:
        return (
            sorted((o.id, o.status, str(o.extra), str(o.shipping_address)) for o in
                   s.scalars(select(Order))),
            sorted((i.order_id, i.position, i.variant_id, i.price_cents) for i in
                   s.scalars(select(OrderItem))),
            sorted((p.order_id, p.position, p.transaction_type, p.amount_cents) for p in
                   s.scalars(select(Payment))),
            sorted((m.id, m.balance_cents) for m in s.scalars(select(PaymentMethod))),
            sorted((a.customer_id, a.address1, a.zip) for a in s.scalars(select(Address))),
        )


orders = st.sampled_from([f"{c}_o{n}" for c in CUSTOMERS for n in range(3)] + ["nope"])
items = st.lists(st.sampled_from(["m1", "l1", "m2", "x9"]), min_size=0, max_size=3)
new_items = st.lists(st.sampled_from(["m1", "m2", "m3", "l1", "l2", "x9"]), min_size=0,
                     max_size=3)
methods = st.sampled_from([f"{c}_{k}" for c in CUSTOMERS for k in ("card", "gift")] + ["zz"])
actors = st.sampled_from(CUSTOMERS)
reasons = st.sampled_from(["no longer needed", "ordered by mistake", "too expensive"])


class ToolMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.factory = small_store()
        self.tools = RetailTools(self.factory)
        self.status = self._statuses()

    def _statuses(self) -> dict[str, str]:
        with self.factory() as s:
            return {o.id: o.status for o in s.scalars(select(Order))}

    def _owner(self, order_id: str) -> str | None:
        return order_id.split("_")[0] if "_" in order_id else None

    def _call(self, actor: str, order_id: str | None, fn: object, *args: object) -> None:
        before = snapshot(self.factory)
        foreign = order_id is not None and self._owner(order_id) not in (None, actor)
        try:
            fn(ToolContext(actor), *args)  # type: ignore[operator]
        except ToolRefused:
            assert snapshot(self.factory) == before  # a refusal writes nothing
            return
        assert not foreign, "a customer changed another customer's order"

    @rule(actor=actors, order_id=orders, reason=reasons)
    def cancel(self, actor: str, order_id: str, reason: str) -> None:
        self._call(actor, order_id, self.tools.cancel_pending_order, order_id, reason)

    @rule(actor=actors, order_id=orders, method=methods)
    def payment(self, actor: str, order_id: str, method: str) -> None:
        self._call(actor, order_id, self.tools.modify_pending_order_payment, order_id, method)

    @rule(actor=actors, order_id=orders, old=items, new=new_items, method=methods)
    def modify_items(self, actor: str, order_id: str, old: list[str], new: list[str],
                     method: str) -> None:
        self._call(actor, order_id, self.tools.modify_pending_order_items, order_id, old, new,
                   method)

    @rule(actor=actors, order_id=orders, old=items, method=methods)
    def give_back(self, actor: str, order_id: str, old: list[str], method: str) -> None:
        self._call(actor, order_id, self.tools.return_delivered_order_items, order_id, old,
                   method)

    @rule(actor=actors, order_id=orders, old=items, new=new_items, method=methods)
    def exchange(self, actor: str, order_id: str, old: list[str], new: list[str],
                 method: str) -> None:
        self._call(actor, order_id, self.tools.exchange_delivered_order_items, order_id, old,
                   new, method)

    @rule(actor=actors, order_id=orders, zip_code=st.sampled_from(["", "94110"]))
    def address(self, actor: str, order_id: str, zip_code: str) -> None:
        address = {"address1": "9 B Ave", "city": "Z", "country": "USA", "zip": zip_code}
        self._call(actor, order_id, self.tools.modify_pending_order_address, order_id, address)

    @invariant()
    def refunds_never_exceed_payments(self) -> None:
        with self.factory() as s:
            for order_id in self.status:
                paid = s.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
                    Payment.order_id == order_id, Payment.transaction_type == "payment"))
                back = s.scalar(select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
                    Payment.order_id == order_id, Payment.transaction_type == "refund"))
                assert back <= paid, (order_id, back, paid)

    @invariant()
    def statuses_follow_the_policy(self) -> None:
        now = self._statuses()
        for order_id, status in now.items():
            was = self.status[order_id]
            assert status == was or (was, status) in ALLOWED, (order_id, was, status)
        self.status = now

    @invariant()
    def cancellations_carry_an_allowed_reason(self) -> None:
        with self.factory() as s:
            for order in s.scalars(select(Order).where(Order.status == "cancelled")):
                assert order.extra.get("cancel_reason") in self.tools.policy.cancel_reasons

    @invariant()
    def gift_cards_never_go_negative(self) -> None:
        with self.factory() as s:
            for balance in s.scalars(select(PaymentMethod.balance_cents).where(
                    PaymentMethod.kind == "gift_card")):
                assert balance is not None and balance >= 0


ToolMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25,
                                         deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
test_tools_keep_their_invariants = ToolMachine.TestCase


# ---- whole conversations: no write without a confirmed yes --------------------------------

@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from kefu.demo import seed_demo
    from kefu.service import Kefu
    from kefu.settings import Settings
    from kefu.storage.db import upgrade

    data = tmp_path_factory.mktemp("prop")
    settings_ = Settings(data_dir=Path(data), llm="none", retrieval="bm25")
    upgrade(settings_.resolved_database_url)
    kefu = Kefu.from_settings(settings_)
    with kefu.factory.begin() as s:
        seed_demo(s)
    yield kefu
    kefu.close()


def _customer(kefu: object) -> tuple[str, str, str]:
    factory = kefu.factory  # type: ignore[attr-defined]
    with factory() as s:
        for c in s.scalars(select(Customer).order_by(Customer.id)):
            statuses = {o.status: o.id for o in c.orders}
            if {"pending", "delivered"} <= set(statuses):
                return c.email, statuses["pending"], statuses["delivered"]
    raise AssertionError("no suitable demo customer")


WORDS = st.sampled_from([
    "yes", "no", "yes please", "是的", "cancel my order {p}", "I want to return {d}",
    "I don't need it anymore", "ordered by mistake", "that's all", "the original payment method",
    "{e}", "how long does shipping take?", "exchange {d}", "change the address of {p}",
    "1 Main St, -, Austin, TX, USA, 73301", "hello", "确认", "算了",
])


def test_no_write_without_a_confirmed_yes(product: object) -> None:
    from hypothesis import given

    email, pending, delivered = _customer(product)

    @given(st.lists(WORDS, min_size=1, max_size=8))
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def run(messages: list[str]) -> None:
        kefu = product
        conv = kefu.conversations.create("api", "en")  # type: ignore[attr-defined]
        asked = False
        for template in messages:
            text = template.format(p=pending, d=delivered, e=email)
            with kefu.factory() as s:  # type: ignore[attr-defined]
                before = s.scalar(select(func.count()).select_from(AuditEntry))
            reply = kefu.conversations.post(conv.id, text).reply.text  # type: ignore[attr-defined]
            with kefu.factory() as s:  # type: ignore[attr-defined]
                after = s.scalar(select(func.count()).select_from(AuditEntry))
            if after != before:
                assert asked, f"a write after {text!r} with no confirmation asked"
                assert text in ("yes", "yes please", "是的", "确认"), text
            asked = "Shall I go ahead?" in reply or "确认办理吗" in reply

    run()
