"""PII detection and reversible redaction: every kind in Chinese and English, checksums, order
numbers left alone, stable placeholders, restore, overlaps, any input."""

from __future__ import annotations

import json
import random
import socket
from importlib import resources
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.privacy import pii
from kefu.privacy.pii import (
    KINDS,
    PiiDetector,
    Redacted,
    Span,
    cn_id_check_char,
    default_detector,
    mask,
    redact,
    resolve,
    restore,
)


def luhn_complete(body: str) -> str:
    """``body`` and the digit that makes it pass Luhn (written here, apart from the code)."""
    for last in "0123456789":
        digits = [int(c) for c in body + last][::-1]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
                    for i, d in enumerate(digits))
        if total % 10 == 0:
            return body + last
    raise AssertionError("unreachable")


def luhn_broken(body: str) -> str:
    good = luhn_complete(body)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


CN_ID = "11010519880312" + "123"
CN_ID += cn_id_check_char(CN_ID)
CN_ID_X = next(n + cn_id_check_char(n) for n in (f"11010119900101{s:03d}" for s in range(999))
               if cn_id_check_char(n) == "X")
VISA = luhn_complete("411111111111111")
UNIONPAY_19 = luhn_complete("622202000000000000")
MAESTRO_12 = luhn_complete("67592828180")


def kinds_and_texts(text: str, **kwargs: object) -> list[tuple[str, str]]:
    spans = default_detector().find(text, **kwargs)  # type: ignore[arg-type]
    assert_well_formed(text, spans)
    return [(s.kind, s.text) for s in spans]


def assert_well_formed(text: str, spans: list[Span]) -> None:
    for span in spans:
        assert text[span.start:span.end] == span.text
        assert span.kind in KINDS
        assert 0 < span.score <= 1
    for a, b in pairwise(spans):
        assert a.end <= b.start, f"{a} overlaps {b}"


# every kind, both languages ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("my email is noah.brown@example.com.", ("EMAIL", "noah.brown@example.com")),
    ("邮箱wangfang88@qq.com收不到邮件", ("EMAIL", "wangfang88@qq.com")),
    ("发票发到zhang.wei@company.com.cn谢谢", ("EMAIL", "zhang.wei@company.com.cn")),
    ("我的手机是13800138000，有事打我", ("PHONE", "13800138000")),
    ("电话 +86 139-1234-5678", ("PHONE", "+86 139-1234-5678")),
    ("换号了：0086 15012345678", ("PHONE", "0086 15012345678")),
    ("call me on +1 415 555 0100 tomorrow", ("PHONE", "+1 415 555 0100")),
    ("Call me at (415) 555-0132 after 6pm.", ("PHONE", "(415) 555-0132")),
    ("UK mobile: +44 7700 900123", ("PHONE", "+44 7700 900123")),
    ("座机010-62345678，工作日有人", ("PHONE", "010-62345678")),
    ("phone: 020 7946 0958", ("PHONE", "020 7946 0958")),
    (f"我的身份证号是{CN_ID}，请核实", ("CN_ID", CN_ID)),
    (f"ID: {CN_ID_X} for customs", ("CN_ID", CN_ID_X)),
    (f"身份证号码{CN_ID_X.lower()}", ("CN_ID", CN_ID_X.lower())),
    ("老身份证号110105880312123还能用吗", ("CN_ID", "110105880312123")),
    (f"refund to card {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}, thanks",
     ("CARD", f"{VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}")),
    (f"退款到银行卡{UNIONPAY_19}吧", ("CARD", UNIONPAY_19)),
    (f"What is the limit for card {MAESTRO_12}?", ("CARD", MAESTRO_12)),
    (f"卡号：{VISA[:4]}-{VISA[4:8]}-{VISA[8:12]}-{VISA[12:]}",
     ("CARD", f"{VISA[:4]}-{VISA[4:8]}-{VISA[8:12]}-{VISA[12:]}")),
    ("Ship it to 742 Evergreen Terrace, please.", ("ADDRESS", "742 Evergreen Terrace")),
    ("address: 350 Fifth Avenue, Suite 300, New York, NY 10118",
     ("ADDRESS", "350 Fifth Avenue, Suite 300, New York, NY 10118")),
    ("Ship to Friedrichstraße 43, Berlin", ("ADDRESS", "Friedrichstraße 43")),
    ("寄到浙江省杭州市西湖区文三路478号，谢谢", ("ADDRESS", "浙江省杭州市西湖区文三路478号")),
    ("我住在成都市武侯区人民南路四段9号2栋3单元502室",
     ("ADDRESS", "成都市武侯区人民南路四段9号2栋3单元502室")),
    ("收货地址改成上海市浦东新区张江路88号", ("ADDRESS", "上海市浦东新区张江路88号")),
    ("Hi, my name is Emily Carter and my order is late", ("PERSON", "Emily Carter")),
    ("name: Daniel Kim", ("PERSON", "Daniel Kim")),
    ("我叫李娜，上周买的鞋子有问题", ("PERSON", "李娜")),
    ("姓名：欧阳娜娜", ("PERSON", "欧阳娜娜")),
    ("收件人：黄晓明，尽快发货", ("PERSON", "黄晓明")),
    ("my password is Tr0ub4dor&3 if you need it", ("SECRET", "Tr0ub4dor&3")),
    ("pwd: hunter2", ("SECRET", "hunter2")),
    ("密码是abc123456，你帮我看看", ("SECRET", "abc123456")),
    ("密码：Qwe!2024", ("SECRET", "Qwe!2024")),
    ("the verification code is 482913", ("SECRET", "482913")),
    ("code is 4821, it expires soon", ("SECRET", "4821")),
    ("验证码123456，请查收", ("SECRET", "123456")),
    ("验证码是 4821", ("SECRET", "4821")),
    ("Wire the refund to IBAN DE89370400440532013000", ("IBAN", "DE89370400440532013000")),
    ("登录IP192.168.31.7不是我的", ("IP", "192.168.31.7")),
    ("The login came from 2001:db8::8a2e:370:7334, not me", ("IP", "2001:db8::8a2e:370:7334")),
    ("My SSN is 536-22-1234 for the credit check", ("US_SSN", "536-22-1234")),
])
def test_each_kind_is_found_in_both_languages(text: str, expected: tuple[str, str]) -> None:
    assert kinds_and_texts(text) == [expected]


@pytest.mark.parametrize("text", [
    f"身份证号{CN_ID[:-1]}{'0' if CN_ID[-1] != '0' else '1'}好像填错了",  # wrong check character
    "身份证号110105198813321234",  # month 13
    f"ref {luhn_broken('411111111111111')}",  # 16 digits failing Luhn
    f"流水号 {luhn_broken('622202000000000')}",
    "6666666666666",  # one repeated digit is no card, even when Luhn passes
    f"I have {MAESTRO_12} points",  # twelve Luhn-valid digits without a card cue
    "Where is my order KF20261234?",
    "Order #W1234567 arrived broken, and so did W7654321",
    "订单KF20260001和KF20260002能一起退吗",
    "I was charged $1,299.00 twice on 2025-11-03 at 14:30",
    "Tracking number 1Z999AA10123456784 shows no movement",
    "快递单号SF1234567890123一直没更新",
    "我要42号的鞋子，3号之前能到吗",
    "The password reset link does not work; my password is wrong",
    "Use promo code SAVE20; my zip code is 94105",
    "密码忘了怎么办？验证码收不到",
    "我是老客户了，能便宜点吗",
    "这个路由器信号不好，超市里也有卖的",
    "谢谢亲", "辛苦啦", "白白", "Please call me back tomorrow", "我是凌晨两点到的",
    "订单号：19513967161 还没发货", "order number 4111111111111111", "早知道不如直接去市场买",
    "新街口超市",
    "",
])
def test_what_is_not_personal_data_is_not_flagged(text: str) -> None:
    assert kinds_and_texts(text) == []


def test_order_numbers_are_never_part_of_a_span() -> None:
    text = "password: KF12345678 and code is #W1234567, card KF12345678"
    assert kinds_and_texts(text) == []
    assert redact(text).text == text


def test_known_names_are_found_wherever_they_occur() -> None:
    text = "Thanks Noah! noah brown said Brown would call. 小明说王小明的快递到了"
    assert kinds_and_texts(text, known_names=["Noah Brown", "王小明"]) == [
        ("PERSON", "Noah"), ("PERSON", "noah brown"), ("PERSON", "Brown"),
        ("PERSON", "小明"), ("PERSON", "王小明"),
    ]
    assert kinds_and_texts("Thanks Noah!") == []


def test_mixed_chinese_and_english() -> None:
    text = (f"我叫刘强，email liu.qiang@example.com，手机13688889999，order KF20261111，"
            f"card {VISA} 和 验证码 551902, ship to 天津市和平区南京路189号")
    assert kinds_and_texts(text) == [
        ("PERSON", "刘强"), ("EMAIL", "liu.qiang@example.com"), ("PHONE", "13688889999"),
        ("CARD", VISA), ("SECRET", "551902"), ("ADDRESS", "天津市和平区南京路189号"),
    ]


def test_full_width_digits_and_letters_are_read_and_kept_as_written() -> None:
    text = "手机１３８００１３８０００，邮箱ａｂｃ＠ｑｑ．ｃｏｍ，订单ＫＦ１２３４５６７８"
    assert kinds_and_texts(text) == [
        ("PHONE", "１３８００１３８０００"), ("EMAIL", "ａｂｃ＠ｑｑ．ｃｏｍ"),
    ]
    result = redact(text, reversible=True)
    assert result.text == "手机[PHONE_1]，邮箱[EMAIL_1]，订单ＫＦ１２３４５６７８"
    assert restore(result.text, result.mapping) == text


def test_kinds_can_be_chosen_and_unknown_kinds_are_refused() -> None:
    text = "my email is a@example.com, 手机13800138000"
    assert [s.kind for s in PiiDetector(kinds={"PHONE"}).find(text)] == ["PHONE"]
    with pytest.raises(ValueError, match="unknown PII kinds"):
        PiiDetector(kinds={"PHONE", "SHOE_SIZE"})


# overlaps -------------------------------------------------------------------------------------

def test_overlaps_keep_the_higher_score_then_the_longer_span() -> None:
    spans = [
        Span("PHONE", 0, 11, "x" * 11, 0.6),
        Span("CARD", 5, 20, "x" * 15, 1.0),
        Span("ADDRESS", 22, 40, "x" * 18, 0.7),
        Span("PERSON", 25, 30, "x" * 5, 0.7),
        Span("EMAIL", 40, 50, "x" * 10, 0.5),
    ]
    assert [(s.kind, s.start) for s in resolve(spans)] == [
        ("CARD", 5), ("ADDRESS", 22), ("EMAIL", 40),
    ]


def test_a_chinese_id_that_also_passes_luhn_is_an_id() -> None:
    body = next(b for b in (f"11010519880312{s:03d}" for s in range(1000))
                if luhn_complete(b)[-1] == cn_id_check_char(b))
    number = body + cn_id_check_char(body)
    assert kinds_and_texts(f"身份证{number}") == [("CN_ID", number)]


def test_a_phone_inside_an_address_line_does_not_split_it() -> None:
    text = "收件人王芳 18612345678 上海市徐汇区漕溪北路88号"
    assert kinds_and_texts(text) == [
        ("PERSON", "王芳"), ("PHONE", "18612345678"), ("ADDRESS", "上海市徐汇区漕溪北路88号"),
    ]


# redaction ------------------------------------------------------------------------------------

def test_placeholders_are_numbered_per_kind_and_stable_for_one_value() -> None:
    text = ("mail a@example.com or b@example.com, again a@example.com; "
            "手机13800138000 / 13912345678 / 13800138000 / 138 0013 8000")
    result = redact(text, reversible=True)
    assert result.text == ("mail [EMAIL_1] or [EMAIL_2], again [EMAIL_1]; "
                           "手机[PHONE_1] / [PHONE_2] / [PHONE_1] / [PHONE_3]")
    assert result.mapping == {"[EMAIL_1]": "a@example.com", "[EMAIL_2]": "b@example.com",
                              "[PHONE_1]": "13800138000", "[PHONE_2]": "13912345678",
                              "[PHONE_3]": "138 0013 8000"}
    assert restore(result.text, result.mapping) == text


def test_redaction_is_only_reversible_when_asked() -> None:
    text = "我叫李娜，手机13800138000"
    assert redact(text) == Redacted("我叫[PERSON_1]，手机[PHONE_1]", {})
    assert mask(text) == "我叫[PERSON_1]，手机[PHONE_1]"
    assert redact("nothing here", reversible=True) == Redacted("nothing here", {})


def test_restore_round_trips_and_accepts_echoed_placeholders() -> None:
    text = f"我叫李娜，email li_na@163.com，卡号{UNIONPAY_19}"
    result = redact(text, reversible=True)
    assert restore(result.text, result.mapping) == text
    reply = "好的【PERSON_1】，退款会到 [ CARD_1 ]，通知发到[EMAIL_1]。[PHONE_9] 不认识"
    assert restore(reply, result.mapping) == (
        f"好的李娜，退款会到 {UNIONPAY_19}，通知发到li_na@163.com。[PHONE_9] 不认识")
    assert restore(reply, {}) == reply


def test_placeholders_already_in_the_text_are_not_reused() -> None:
    text = "I typed [EMAIL_1] by hand; my email is a@example.com"
    result = redact(text, reversible=True)
    assert result.text == "I typed [EMAIL_1] by hand; my email is [EMAIL_2]"
    assert restore(result.text, result.mapping) == text


def test_every_line_of_the_bilingual_set_round_trips() -> None:
    for row in _bilingual_rows():
        result = redact(row["text"], reversible=True)
        assert restore(result.text, result.mapping) == row["text"]


# the bilingual evaluation set -------------------------------------------------------------------

def _bilingual_rows() -> list[dict]:
    path = resources.files("kefu.privacy") / "eval" / "pii_bilingual.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_the_bilingual_set_is_well_formed() -> None:
    rows = _bilingual_rows()
    assert len(rows) >= 150
    assert {row["language"] for row in rows} == {"zh", "en", "mixed"}
    for row in rows:
        for span in row["spans"]:
            assert span["kind"] in KINDS
            assert 0 <= span["start"] < span["end"] <= len(row["text"])
    assert sum(not row["spans"] for row in rows) >= 40  # negatives


def test_the_bilingual_set_is_found_without_false_alarms() -> None:
    """Recall of cards, Chinese IDs, e-mails and phones on kefu's own set (exact spans), and no
    span at all on its negative lines."""
    hits: dict[str, list[bool]] = {}
    for row in _bilingual_rows():
        found = {(s.kind, s.start, s.end) for s in default_detector().find(row["text"])}
        if not row["spans"]:
            assert found == set(), row["text"]
        for span in row["spans"]:
            hits.setdefault(span["kind"], []).append(
                (span["kind"], span["start"], span["end"]) in found)
    for kind in ("CARD", "CN_ID", "EMAIL", "PHONE"):
        assert sum(hits[kind]) / len(hits[kind]) >= 0.95, kind


# any input ------------------------------------------------------------------------------------

def test_a_100_kb_text_completes() -> None:
    piece = (f"Order KF20261234 蓝色机械键盘 noah@example.com +86 138 1234 5678 我叫王芳 😀 "
             f"card {VISA} 北京市朝阳区建国路88号 ")
    text = (piece * (100_000 // len(piece) + 1))[:100_000]
    spans = default_detector().find(text)
    assert_well_formed(text, spans)
    assert sum(s.kind == "EMAIL" for s in spans) >= 100_000 // len(piece)
    result = redact(text, reversible=True)
    assert restore(result.text, result.mapping) == text


@pytest.mark.parametrize("text", [
    "1" * 20_000, "1 " * 10_000, "a@" * 10_000, "市" * 20_000, "Aaaa " * 4_000,
    "password: " * 2_000, "\ud800\udfff\x00\u200b\ufeff", "🙂" * 1000, "+1 (2) " * 3_000,
])
def test_adversarial_inputs_complete(text: str) -> None:
    spans = default_detector().find(text)
    assert_well_formed(text, spans)


PIECES = [*"0123456789 -+()@.:：#xX号路市区KFWabcAB我叫是码证密手机\n[]_",
          "验证码", "password is ", "13800138000", "身份证", "EMAIL_1", "PHONE_"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_text_gives_well_formed_spans_and_round_trips(text: str) -> None:
    spans = default_detector().find(text)
    assert_well_formed(text, spans)
    result = redact(text, reversible=True)
    assert restore(result.text, result.mapping) == text


def test_random_unicode_is_safe() -> None:
    rng = random.Random(7)
    for _ in range(50):
        text = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(200))
        spans = default_detector().find(text)
        assert_well_formed(text, spans)
        redacted = redact(text, reversible=True)
        assert restore(redacted.text, redacted.mapping) == text


# offline ----------------------------------------------------------------------------------------

def test_detection_needs_no_network_and_no_spacy_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no network, no model")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(spacy, "load", refuse)
    pii._suffixes.cache_clear()  # the public-suffix snapshot is read again, under the patches
    detector = PiiDetector()  # a fresh one: its recognizers are built under the patches
    text = f"mail x@example.org, IBAN DE89370400440532013000, card {VISA}, 1.2.3.4, 536-22-1234"
    assert [s.kind for s in detector.find(text)] == ["EMAIL", "IBAN", "CARD", "IP", "US_SSN"]
