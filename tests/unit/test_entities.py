"""Entity extraction: every kind, in English and Chinese, with exact spans and values."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from itertools import pairwise

import pytest

import kefu.nlu.entities as entities_module
from kefu.nlu.entities import EntityRecognizer, RegexEntityExtractor
from kefu.nlu.numbers import zh_int
from kefu.types import Entity
from tests.lexicon import demo_lexicon, product_id

TODAY = date(2026, 11, 25)  # a Wednesday; that week's Monday is 2026-11-23

Found = list[tuple[str, str, str]]


def found(text: str, today: date = TODAY, catalog: bool = False) -> Found:
    recognizer = EntityRecognizer(demo_lexicon() if catalog else None, today=today)
    result = recognizer.extract(text)
    _assert_well_formed(text, result)
    return [(e.kind, e.text, e.value) for e in result]


def _assert_well_formed(text: str, result: tuple[Entity, ...]) -> None:
    assert isinstance(result, tuple)
    for e in result:
        assert text[e.start:e.end] == e.text
        assert e.value
    for a, b in pairwise(result):
        assert a.end <= b.start, f"{a} overlaps {b}"


# identifiers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Order #w1234567 and kf20261234", [("order_id", "#w1234567", "#W1234567"),
                                            ("order_id", "kf20261234", "KF20261234")]),
        ("我的订单W7654321呢", [("order_id", "W7654321", "#W7654321")]),
        ("mail Noah.Brown@Example.com.", [("email", "Noah.Brown@Example.com",
                                           "noah.brown@example.com")]),
        ("我的邮箱是wang.fang.1234@example.com", [("email", "wang.fang.1234@example.com",
                                                  "wang.fang.1234@example.com")]),
        ("x@mail.example.co.uk", [("email", "x@mail.example.co.uk", "x@mail.example.co.uk")]),
    ],
)
def test_order_ids_and_emails(text: str, expected: Found) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("手机13812345678", [("phone", "13812345678", "+8613812345678")]),
        ("电话 138-1234-5678", [("phone", "138-1234-5678", "+8613812345678")]),
        ("call +86 139 1234 5678", [("phone", "+86 139 1234 5678", "+8613912345678")]),
        ("008615912345678", [("phone", "008615912345678", "+8615912345678")]),
        ("+1 415 555 0100", [("phone", "+1 415 555 0100", "+14155550100")]),
        ("ring +1 (415) 555-0100 now", [("phone", "+1 (415) 555-0100", "+14155550100")]),
        ("0044 20 7946 0958", [("phone", "0044 20 7946 0958", "+442079460958")]),
    ],
)
def test_phones(text: str, expected: Found) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order KF13812345678",  # letters before: a code, not a phone
        "12813812345678",  # inside a longer number
        "1281234567",  # ten digits
        "+12",  # too short for an international number
    ],
)
def test_not_phones(text: str) -> None:
    assert "phone" not in {k for k, _, _ in found(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zip 80279", [("zip", "80279", "80279")]),
        ("My zip is 80279.", [("zip", "80279", "80279")]),
        ("邮编：200031", [("zip", "200031", "200031")]),
        ("zip 80279-1234", [("zip", "80279-1234", "80279")]),
        ("10000mAh", []),
        ("1234567", []),
        ("3.14159", []),
    ],
)
def test_zips(text: str, expected: Found) -> None:
    assert found(text) == expected


# people and money -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, I'm Noah Brown. Where is my order?", [("person", "Noah Brown", "Noah Brown")]),
        ("my name is noah brown and my zip is 80279",
         [("person", "noah brown", "Noah Brown"), ("zip", "80279", "80279")]),
        ("Name: Mary-Jane O'Neil", [("person", "Mary-Jane O'Neil", "Mary-Jane O'Neil")]),
        ("This is Ivan Li from Denver", [("person", "Ivan Li", "Ivan Li")]),
        ("我叫王芳，想查订单", [("person", "王芳", "王芳")]),
        ("我叫王芳邮编200031", [("person", "王芳", "王芳"), ("zip", "200031", "200031")]),
        ("我是李小龙的朋友", [("person", "李小龙", "李小龙")]),
        ("收件人：欧阳娜娜", [("person", "欧阳娜娜", "欧阳娜娜")]),
        ("姓名 张伟", [("person", "张伟", "张伟")]),
        ("我叫Noah", [("person", "Noah", "Noah")]),
        ("王芳", [("person", "王芳", "王芳")]),
        ("  张三。", [("person", "张三", "张三")]),
    ],
)
def test_person_names(text: str, expected: Found) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["I'm not happy", "I'm Sorry", "This is ridiculous", "It's Monday", "我是新用户",
     "我是想问一下", "我是江苏的", "谢谢", "好的", "收件人写错了", "我叫你们经理来", "Thank You"],
)
def test_not_person_names(text: str) -> None:
    assert [k for k, _, _ in found(text) if k == "person"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$25", "USD 25.00"),
        ("US$25.5", "USD 25.50"),
        ("25 dollars", "USD 25.00"),
        ("25 bucks", "USD 25.00"),
        ("$1,299.99", "USD 1299.99"),
        ("€10", "EUR 10.00"),
        ("10 euros", "EUR 10.00"),
        ("£5", "GBP 5.00"),
        ("¥199", "CNY 199.00"),
        ("￥199", "CNY 199.00"),
        ("199元", "CNY 199.00"),
        ("199块", "CNY 199.00"),
        ("50块钱", "CNY 50.00"),
        ("RMB 50", "CNY 50.00"),
        ("50 rmb", "CNY 50.00"),
        ("一百九十九元", "CNY 199.00"),
        ("两百块", "CNY 200.00"),
        ("20美元", "USD 20.00"),
    ],
)
def test_money(text: str, value: str) -> None:
    assert found(text) == [("money", text, value)]


def test_money_in_sentences_and_what_is_not_money() -> None:
    assert found("I paid $25 for it, not 30") == [("money", "$25", "USD 25.00")]
    assert found("花了199元，三块蛋糕") == [("money", "199元", "CNY 199.00")]  # 块 of cake
    assert found("$25.999") == []


# dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-11-20", "2026-11-20"),
        ("2026/3/7", "2026-03-07"),
        ("11/20", "2026-11-20"),
        ("20/11", "2026-11-20"),
        ("11/20/2025", "2025-11-20"),
        ("Nov 20", "2026-11-20"),
        ("November 20th", "2026-11-20"),
        ("Nov. 20, 2025", "2025-11-20"),
        ("20th of November", "2026-11-20"),
        ("May 5", "2026-05-05"),  # ten months back rather than five ahead
        ("Jan 10", "2027-01-10"),  # six weeks ahead
        ("11月20日", "2026-11-20"),
        ("11月20号", "2026-11-20"),
        ("2025年11月20日", "2025-11-20"),
        ("十一月二十日", "2026-11-20"),
        ("today", "2026-11-25"),
        ("yesterday", "2026-11-24"),
        ("tomorrow", "2026-11-26"),
        ("the day before yesterday", "2026-11-23"),
        ("last Friday", "2026-11-20"),
        ("this Friday", "2026-11-27"),
        ("next Monday", "2026-11-30"),
        ("coming Friday", "2026-11-27"),
        ("last week", "2026-11-16"),
        ("this week", "2026-11-23"),
        ("next week", "2026-11-30"),
        ("last month", "2026-10-01"),
        ("last weekend", "2026-11-21"),
        ("3 days ago", "2026-11-22"),
        ("two weeks ago", "2026-11-11"),
        ("a month ago", "2026-10-25"),
        ("in 3 days", "2026-11-28"),
        ("今天", "2026-11-25"),
        ("昨天", "2026-11-24"),
        ("前天", "2026-11-23"),
        ("大前天", "2026-11-22"),
        ("明天", "2026-11-26"),
        ("后天", "2026-11-27"),
        ("上周五", "2026-11-20"),
        ("上个星期五", "2026-11-20"),
        ("上礼拜五", "2026-11-20"),
        ("这周三", "2026-11-25"),
        ("本周日", "2026-11-29"),
        ("下周一", "2026-11-30"),
        ("下周1", "2026-11-30"),
        ("这周末", "2026-11-28"),
        ("上周", "2026-11-16"),
        ("下个月", "2026-12-01"),
        ("上个月20号", "2026-10-20"),
        ("三天前", "2026-11-22"),
        ("3天后", "2026-11-28"),
        ("两周前", "2026-11-11"),
        ("一个月前", "2026-10-25"),
    ],
)
def test_dates(text: str, value: str) -> None:
    assert found(text) == [("date", text, value)]


def test_relative_dates_follow_the_reference_date() -> None:
    sunday = date(2026, 11, 29)
    assert found("last Friday", today=sunday) == [("date", "last Friday", "2026-11-27")]
    assert found("上周五", today=sunday) == [("date", "上周五", "2026-11-20")]
    assert found("yesterday", today=date(2026, 1, 1)) == [("date", "yesterday", "2025-12-31")]
    assert found("上个月", today=date(2026, 1, 15)) == [("date", "上个月", "2025-12-01")]
    assert found("a month ago", today=date(2026, 3, 31)) == [("date", "a month ago",
                                                               "2026-02-28")]


def test_today_comes_from_the_constructor_the_call_or_the_clock() -> None:
    fixed = EntityRecognizer(today=TODAY)
    assert fixed.extract("yesterday")[0].value == "2026-11-24"
    assert fixed.extract("yesterday", today=date(2026, 1, 1))[0].value == "2025-12-31"
    noon = datetime(2026, 1, 1, 12, 30)
    assert fixed.extract("yesterday", today=noon)[0].value == "2025-12-31"
    before = date.today().isoformat()
    value = EntityRecognizer().extract("today")[0].value
    assert value in {before, date.today().isoformat()}


@pytest.mark.parametrize(
    "text", ["2026-02-30", "13/45", "24/7 support", "half 1/2 price", "you may 2 times",
             "Nov 2026", "13月40日"],
)
def test_not_dates(text: str) -> None:
    assert [k for k, _, _ in found(text) if k == "date"] == []


# quantities -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want 2 pairs", [("quantity", "2 pairs", "2")]),
        ("x3 please", [("quantity", "x3", "3")]),
        ("3x", [("quantity", "3x", "3")]),
        ("three of them", [("quantity", "three of them", "3")]),
        ("qty: 4", [("quantity", "qty: 4", "4")]),
        ("a pair", [("quantity", "a pair", "1")]),
        ("两件", [("quantity", "两件", "2")]),
        ("3个", [("quantity", "3个", "3")]),
        ("一双", [("quantity", "一双", "1")]),
        ("十二瓶", [("quantity", "十二瓶", "12")]),
    ],
)
def test_quantities(text: str, expected: Found) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text", ["三个月前买的", "3个工作日", "我有一个问题", "第一个", "120x60cm", "KF20261234"],
)
def test_not_quantities(text: str) -> None:
    assert [k for k, _, _ in found(text) if k == "quantity"] == []


def test_a_number_before_a_product_is_its_quantity() -> None:
    assert found("I want 2 mechanical keyboards", catalog=True) == [
        ("quantity", "2", "2"),
        ("product", "mechanical keyboards", product_id("Mechanical Keyboard")),
    ]
    assert found("two hoodies", catalog=True) == [
        ("quantity", "two", "2"), ("product", "hoodies", product_id("Hoodie")),
    ]


# overlaps and whole messages ------------------------------------------------------------------


def test_the_more_specific_kind_wins_an_overlap() -> None:
    # digits of phones, money, dates and order ids are never zips or quantities
    assert found("13812345678") == [("phone", "13812345678", "+8613812345678")]
    assert found("$12345") == [("money", "$12345", "USD 12345.00")]
    assert found("12345元") == [("money", "12345元", "CNY 12345.00")]
    assert found("3 days ago") == [("date", "3 days ago", "2026-11-22")]
    assert found("三天前") == [("date", "三天前", "2026-11-22")]
    assert found("KF20261234") == [("order_id", "KF20261234", "KF20261234")]
    # an email is not a name
    assert found("this is Noah.Brown@example.com") == [
        ("email", "Noah.Brown@example.com", "noah.brown@example.com")
    ]
    # the longer date wins over the shorter inside it
    assert found("大前天") == [("date", "大前天", "2026-11-22")]


def test_a_whole_english_message() -> None:
    text = ("Hi, I'm Noah Brown. I ordered 2 blue wireless earbuds last Friday for $59.99, "
            "order KF20261234; call +1 415 555 0100 or mail noah@example.com, zip 80279")
    assert found(text, catalog=True) == [
        ("person", "Noah Brown", "Noah Brown"),
        ("quantity", "2", "2"),
        ("option", "blue", "color=blue"),
        ("product", "wireless earbuds", product_id("Wireless Earbuds")),
        ("date", "last Friday", "2026-11-20"),
        ("money", "$59.99", "USD 59.99"),
        ("order_id", "KF20261234", "KF20261234"),
        ("phone", "+1 415 555 0100", "+14155550100"),
        ("email", "noah@example.com", "noah@example.com"),
        ("zip", "80279", "80279"),
    ]


def test_a_whole_chinese_message() -> None:
    text = "我叫王芳，上周五买了两个机械键盘，青轴白色，花了199元，手机13812345678，邮编200031"
    assert found(text, catalog=True) == [
        ("person", "王芳", "王芳"),
        ("date", "上周五", "2026-11-20"),
        ("quantity", "两个", "2"),
        ("product", "机械键盘", product_id("Mechanical Keyboard")),
        ("option", "青轴", "switch type=clicky"),
        ("option", "白色", "color=white"),
        ("money", "199元", "CNY 199.00"),
        ("phone", "13812345678", "+8613812345678"),
        ("zip", "200031", "200031"),
    ]


# bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\n\t", "😀😀", "？？？", "\u200b", "\x00"])
def test_empty_and_symbol_only_text_gives_no_entities(text: str) -> None:
    assert EntityRecognizer(demo_lexicon(), today=TODAY).extract(text) == ()


_MIXED = ("Order KF20261234 蓝色机械键盘 2 pairs $25 昨天 noah@example.com +86 138 1234 5678 "
          "我叫王芳 😀 size M, x3 ")


@pytest.mark.timeout(20)  # a catastrophic backtrack would take minutes, not milliseconds
@pytest.mark.parametrize(
    "text",
    [
        (_MIXED * 200)[:10_000],
        "a" * 10_000,
        "1" * 10_000,
        "1 " * 5_000,
        "a@" * 5_000,
        ("a" * 60 + "@" + "b." * 30) * 60,
        "+1 " * 3_333,
        "+" + "12 " * 3_333,
        "$" + "1," * 5_000,
        "我" * 10_000,
        "一二三四五六七八九十" * 1_000,
        "😀" * 10_000,
        "I'm " + "Aaaa " * 2_000,
        "my name is " + "a" * 10_000,
        "1/" * 5_000,
        "keybaordx" * 1_100,
        "x" * 10_000 + " keyboards",
    ],
    ids=lambda t: f"{t[:12]!r}x{len(t)}",
)
def test_long_and_hostile_text_returns_a_valid_tuple(text: str) -> None:
    result = EntityRecognizer(demo_lexicon(), today=TODAY).extract(text)
    _assert_well_formed(text, result)


def test_digits_are_read_after_nfkc_normalisation() -> None:
    raw = "手机：１３８１２３４５６７８"  # full-width digits, as typed on some phones
    assert found(raw) == []
    assert found(unicodedata.normalize("NFKC", raw)) == [
        ("phone", "13812345678", "+8613812345678")
    ]


def test_a_long_mixed_message_keeps_finding_entities() -> None:
    text = (_MIXED * 200)[:10_000]
    result = EntityRecognizer(demo_lexicon(), today=TODAY).extract(text)
    kinds = {e.kind for e in result}
    assert kinds >= {"order_id", "option", "product", "quantity", "money", "date", "email",
                     "phone", "person"}


def test_a_failing_finder_costs_only_its_own_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> list[Entity]:
        raise RuntimeError("bug")

    monkeypatch.setattr(entities_module, "find_money", broken)
    assert [e.kind for e in EntityRecognizer(today=TODAY).extract("KF20261234 $25")] == [
        "order_id"
    ]


# the first extractor's interface ----------------------------------------------------------------


def test_regex_extractor_keeps_its_kinds_unless_asked_for_all() -> None:
    text = "我叫王芳，邮编200031，手机13812345678，订单KF20260001"
    legacy = RegexEntityExtractor().extract(text)
    assert [(e.kind, e.value) for e in legacy] == [("zip", "200031"), ("order_id", "KF20260001")]
    every = RegexEntityExtractor(today=TODAY, kinds=None).extract(text)
    assert [e.kind for e in every] == ["person", "zip", "phone", "order_id"]


def test_kinds_filter_after_overlaps_are_settled() -> None:
    # the amount's digits must not come back as a zip when only zips are asked for
    assert EntityRecognizer(kinds=["zip"]).extract("¥19999") == ()


@pytest.mark.parametrize(
    ("text", "value"),
    [("十一", 11), ("二十", 20), ("一百九十九", 199), ("一千零五", 1005), ("两万", 20000),
     ("二〇二六", 2026), ("3", 3), ("三x", None), ("", None)],
)
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert zh_int(text) == value
