"""Answers from the shop's knowledge through whole turns on the demo shop, on SQLite and
PostgreSQL: product questions from the catalog's structure, policy questions from hybrid
retrieval (paraphrases, the other language), extractive answers with their citation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kefu.demo import seed_demo
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.models import KnowledgeDocument, Product, Variant


@pytest.fixture
def kefu(db_url: str, tmp_path: Path) -> Iterator[Kefu]:
    product = Kefu.from_settings(Settings(database_url=db_url, data_dir=tmp_path))
    with product.factory.begin() as session:
        seed_demo(session)
    product.warm()
    yield product
    product.close()


def ask(kefu: Kefu, conv_id: str, text: str) -> tuple[str, tuple[str, ...]]:
    reply = kefu.conversations.post(conv_id, text).reply
    return reply.text, reply.citations


def _keyboard(kefu: Kefu) -> tuple[Product, list[Variant]]:
    with kefu.factory() as session:
        keyboard = session.scalars(select(Product).where(Product.name == "Mechanical Keyboard")
                                   ).one()
        return keyboard, list(keyboard.variants)


def test_a_product_question_is_answered_from_the_catalog(kefu: Kefu) -> None:
    keyboard, variants = _keyboard(kefu)
    clicky = [v for v in variants if v.options.get("switch type") == "clicky" and v.available]
    conv = kefu.conversations.create()
    text, cites = ask(kefu, conv.id, "do you have the mechanical keyboard with clicky switches?")
    assert text.startswith("Yes")
    assert f"${clicky[0].price_cents / 100:.2f}" in text
    assert any(c.startswith(f"catalog:{keyboard.id}") for c in cites)
    follow, _ = ask(kefu, conv.id, "how much is it?")  # "it": the keyboard, from the state
    assert "Mechanical Keyboard" in follow and "$" in follow


def test_a_chinese_product_question(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    text, cites = ask(kefu, conv.id, "水杯有玻璃的吗？")
    assert text.startswith("有的") and "玻璃" in text
    assert cites and cites[0].startswith("catalog:")


def test_a_paraphrased_policy_question_gets_the_answering_sentences(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    text, cites = ask(kefu, conv.id, "can I get my money back if I change my mind?")
    assert cites and cites[0].startswith("en/")
    assert "Source:" in text
    body = text.split("\n\nSource:")[0]
    assert 0 < len(body) <= 500


def test_an_english_question_finds_the_chinese_page_when_only_chinese_exists(kefu: Kefu) -> None:
    with kefu.factory.begin() as session:
        for doc in session.scalars(select(KnowledgeDocument).where(
                KnowledgeDocument.language == "en")):
            session.delete(doc)
    kefu.knowledge.refresh(force=True)
    conv = kefu.conversations.create("api", "en")
    text, cites = ask(kefu, conv.id, "How long is the warranty on electronics?")
    assert cites and cites[0].startswith("zh/")
    assert "Source (our Chinese page)" in text


def test_an_unrelated_question_is_not_answered_from_the_pages(kefu: Kefu) -> None:
    conv = kefu.conversations.create()
    text, cites = ask(kefu, conv.id, "what is the capital of France?")
    assert cites == ()
    assert "rephrase" in text
