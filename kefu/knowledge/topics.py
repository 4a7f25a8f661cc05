"""Which of the shop's documents an intent is about, to prefer them among lexical matches.

A document's topic is its file name without the extension (``en/payment.md`` → ``payment``);
the FAQ keeps its plain score. Lexical scores alone favour short passages that share one common
word ("pay" in "you will not pay return shipping"); the intent says where to look first.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from kefu.types import Passage

INTENT_TOPICS: dict[str, frozenset[str]] = {
    "delivery_period": frozenset({"shipping"}),
    "delivery_options": frozenset({"shipping"}),
    "check_refund_policy": frozenset({"returns", "refunds"}),
    "get_refund": frozenset({"refunds", "returns"}),
    "return_item": frozenset({"returns"}),
    "exchange_item": frozenset({"exchanges"}),
    "cancel_order": frozenset({"refunds", "shipping"}),
    "check_payment_methods": frozenset({"payment"}),
    "warranty": frozenset({"warranty"}),
    "membership": frozenset({"membership"}),
    "recover_password": frozenset({"account"}),
    "create_account": frozenset({"account"}),
    "delete_account": frozenset({"account"}),
    "edit_account": frozenset({"account"}),
    "switch_account": frozenset({"account"}),
    "registration_problems": frozenset({"account"}),
    "newsletter_subscription": frozenset({"account", "membership"}),
    "check_cancellation_fee": frozenset({"refunds", "shipping"}),
    "payment_issue": frozenset({"payment"}),
    "check_invoice": frozenset({"payment"}),
    "get_invoice": frozenset({"payment"}),
    "change_shipping_address": frozenset({"shipping"}),
    "set_up_shipping_address": frozenset({"shipping", "account"}),
    "track_refund": frozenset({"refunds"}),
}
ON_TOPIC_BOOST = 2.5


def topic_of(doc_id: str) -> str:
    return PurePosixPath(doc_id).stem


def rerank(passages: list[Passage], intent: str) -> list[Passage]:
    """Passages of the intent's topics (and the FAQ) first, by boosted score."""
    topics = INTENT_TOPICS.get(intent)
    if not topics:
        return passages

    def boosted(p: Passage) -> float:
        return p.score * (ON_TOPIC_BOOST if topic_of(p.doc_id) in topics else 1.0)

    return sorted(passages, key=boosted, reverse=True)
