"""The extractive answerer: the sentences that answer, in order, whole, cut to length."""

from __future__ import annotations

from kefu.knowledge.extractive import MAX_SENTENCES, extract_answer, sentences

SHIPPING = """Orders ship within 1-2 business days. Standard delivery takes 3 to 5 business
days within the US.
Express delivery takes 1 to 2 business days and costs $15.

- Free shipping on orders over $50.
- We do not ship to
  PO boxes."""


def test_sentences_rejoin_wrapped_lines_and_list_items() -> None:
    got = sentences(SHIPPING)
    assert "Standard delivery takes 3 to 5 business days within the US." in got
    assert "We do not ship to PO boxes." in got
    got = sentences("保修期内免费\n维修。人为损坏不保。")
    assert got == ["保修期内免费维修。", "人为损坏不保。"]


def test_the_answering_sentence_is_picked() -> None:
    assert extract_answer("do you ship to PO boxes?", SHIPPING).endswith(
        "We do not ship to PO boxes.")
    express = extract_answer("what does express cost", SHIPPING)
    assert "Express delivery takes 1 to 2 business days and costs $15." in express
    assert "PO boxes" not in express


def test_chinese_terms_meet_their_synonyms() -> None:
    text = "所有电子产品享受一年质保。质保期内免费维修。退货请在30天内申请。"
    got = extract_answer("保修多久", text)  # 保修 and 质保 are one term for the index
    assert got.startswith("所有电子产品享受一年质保。") and "退货" not in got


def test_no_shared_term_gives_the_opening_sentences() -> None:
    got = extract_answer("完全无关的问题", SHIPPING)
    assert got.startswith("Orders ship within 1-2 business days.")
    assert len(sentences(got)) <= MAX_SENTENCES


def test_empty_passage_gives_empty_answer() -> None:
    assert extract_answer("anything", "") == ""
