"""The first understanding stage: language, entities and intents, in both languages."""

from __future__ import annotations

import pytest

from kefu.nlu.entities import RegexEntityExtractor
from kefu.nlu.keywords import KeywordIntentRecognizer
from kefu.nlu.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where is my order?", "en"),
        ("我的订单到哪了？", "zh"),
        ("我的订单 KF20260001 到哪了", "zh"),
        ("order KF20260001 物流", "zh"),
        ("我的订单KF20261234到哪了？我的邮箱是wang.fang.1234@example.com", "zh"),
        ("Hi, 你好, where is my parcel please", "en"),
    ],
)
def test_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_language_falls_back_when_the_text_has_none() -> None:
    assert detect_language("KF20260001", fallback="zh") == "zh"
    assert detect_language("noah@example.com 80279", fallback="en") == "en"


def test_entities_order_ids_emails_and_zips_with_offsets() -> None:
    text = "Order #w1234567 and kf20261234, mail Noah.Brown@Example.com, zip 80279"
    found = RegexEntityExtractor().extract(text)
    values = [(e.kind, e.value) for e in found]
    assert values == [
        ("order_id", "#W1234567"),
        ("order_id", "KF20261234"),
        ("email", "noah.brown@example.com"),
        ("zip", "80279"),
    ]
    for e in found:
        assert text[e.start:e.end] == e.text


def test_entities_chinese_postcode_and_no_false_zips_inside_longer_numbers() -> None:
    found = RegexEntityExtractor().extract("我叫王芳，邮编200031，手机13812345678，订单KF20260001")
    assert [(e.kind, e.value) for e in found] == [("zip", "200031"), ("order_id", "KF20260001")]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Where is my order KF20260001?", "track_order"),
        ("has my package shipped yet", "track_order"),
        ("我的订单到哪了", "track_order"),
        ("帮我查一下物流", "track_order"),
        ("我的订单KF20261234到哪了？我的邮箱是wang@example.com", "track_order"),
        ("hello", "greeting"),
        ("您好", "greeting"),
        ("thanks!", "thanks"),
        ("谢谢", "thanks"),
        ("How long does shipping take?", "delivery_period"),
        ("配送要几天", "delivery_period"),
        ("what is your return policy", "check_refund_policy"),
        ("退货政策是什么", "check_refund_policy"),
        ("I want to talk to a human", "contact_human_agent"),
        ("转人工", "contact_human_agent"),
        ("do you accept paypal?", "check_payment_methods"),
        ("where is my refund", "track_refund"),
    ],
)
def test_intents(text: str, intent: str) -> None:
    got = KeywordIntentRecognizer().recognize(text, detect_language(text)).intent
    assert got.name == intent
    assert 0 < got.confidence <= 1


def test_unknown_text_is_out_of_scope_with_zero_confidence() -> None:
    got = KeywordIntentRecognizer().recognize("what is the capital of France", "en").intent
    assert got.name == "out_of_scope"
    assert got.confidence == 0.0
