"""Passages from Markdown, bilingual tokenisation and the intent's topic preference."""

from __future__ import annotations

from kefu.knowledge.chunking import split_markdown
from kefu.knowledge.tokenize import tokenize
from kefu.knowledge.topics import rerank
from kefu.types import Passage


def test_sections_become_passages_with_title_and_section() -> None:
    doc = "# Returns\n\nIntro text.\n\n## Window\nThirty days.\n\n## Empty\n\n## How\nStep one.\n"
    chunks = split_markdown("en/returns.md", doc)
    assert [(c.title, c.section, c.text) for c in chunks] == [
        ("Returns", "Returns", "Intro text."),
        ("Returns", "Window", "Thirty days."),
        ("Returns", "How", "Step one."),
    ]


def test_tokenize_english_and_chinese() -> None:
    assert tokenize("Refunds are refunded to the card") == ["refund", "refund", "card"]
    zh = tokenize("退款什么时候到账")
    assert "退款" in zh and "什么" not in zh
    assert tokenize("保修多久") == tokenize("质保多久")  # the customer's word, the shop's word


def test_rerank_prefers_the_intents_topic() -> None:
    faq = Passage("en/faq.md", "FAQ", "Damaged item", "…", 1.4)
    payment = Passage("en/payment.md", "Payment", "Accepted methods", "…", 0.8)
    assert rerank([faq, payment], "check_payment_methods") == [payment, faq]
    assert rerank([faq, payment], "greeting") == [faq, payment]
