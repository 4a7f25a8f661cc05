"""A tiny shop written row by row, for tests that must know every value."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from kefu.knowledge.base import Retriever
from kefu.storage.models import (
    Address,
    Customer,
    Fulfillment,
    KnowledgeDocument,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    Variant,
)
from kefu.types import Language, Passage

SHIPPING_EN = """# Shipping policy

## Delivery times
Orders ship within 1 business day. Standard delivery takes 3 to 5 business days.

## Shipping costs
Shipping is free on orders over $50. Express delivery costs $12.
"""
SHIPPING_ZH = """# 配送政策

## 配送时间
订单在1个工作日内发货。标准配送需要3到5个工作日。

## 运费
订单满50美元包邮。加急配送收费12美元。
"""


def _day(d: int) -> datetime:
    return datetime(2026, 10, d, 12, 0, tzinfo=UTC)


def seed_small_shop(session: Session) -> None:
    session.add(Product(id="p1", name="Mechanical Keyboard", name_zh="机械键盘",
                        variants=[Variant(id="v1", options={"switch type": "clicky"},
                                          price_cents=8999)]))
    _customer(session, "noah_brown", "Noah", "Brown", "noah@example.com", "80279", "en")
    _customer(session, "wang_fang", "芳", "王", "wang.fang@example.com", "200031", "zh")
    _customer(session, "ivan_li", "Ivan", "Li", "ivan@example.com", "80279", "en")
    _order(session, "KF00000001", "noah_brown", "shipped", 1, shipped=True)
    _order(session, "KF00000002", "noah_brown", "pending", 2)
    _order(session, "KF00000003", "wang_fang", "shipped", 1, shipped=True, currency="CNY")
    _order(session, "KF00000004", "ivan_li", "delivered", 1, shipped=True)
    for doc_id, lang, text in (("en/shipping.md", "en", SHIPPING_EN),
                               ("zh/shipping.md", "zh", SHIPPING_ZH)):
        session.add(KnowledgeDocument(
            id=doc_id, title=text.splitlines()[0][2:], language=lang, doc_type="policy",
            content=text, content_hash=hashlib.sha256(text.encode()).hexdigest()))


def _customer(session: Session, cid: str, first: str, last: str, email: str, zip_code: str,
              lang: str) -> None:
    session.add(Customer(
        id=cid, first_name=first, last_name=last, email=email, language=lang,
        addresses=[Address(address1="1 Main St", city="Denver", state="CO", country="USA",
                           zip=zip_code, is_default=True)],
        payment_methods=[PaymentMethod(id=f"paypal_{cid}", kind="paypal")],
    ))


def _order(session: Session, oid: str, cid: str, status: str, seq: int, *, shipped: bool = False,
           currency: str = "USD") -> None:
    fulfillments = [Fulfillment(tracking_ids=[f"TRK{oid[-4:]}"], item_ids=["v1"], carrier="UPS",
                                shipped_at=_day(3), delivered_at=_day(6) if status == "delivered"
                                else None)] if shipped else []
    session.add(Order(
        id=oid, customer_id=cid, customer_seq=seq, status=status, currency=currency,
        created_at=_day(seq), shipping_address={},
        items=[OrderItem(product_id="p1", variant_id="v1", name="Mechanical Keyboard",
                         price_cents=8999, options={"switch type": "clicky"})],
        fulfillments=fulfillments,
        payments=[Payment(transaction_type="payment", amount_cents=8999,
                          payment_method_id=f"paypal_{cid}")],
    ))


class MeetingRetriever:
    """A Retriever that holds each search until two turns are searching at once: both have read
    the conversation's state before either writes, so their race is certain, not timed."""

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner
        self.barrier = threading.Barrier(2)

    def search(self, query: str, language: Language, k: int = 3) -> list[Passage]:
        self.barrier.wait(timeout=10)
        return self.inner.search(query, language, k)
