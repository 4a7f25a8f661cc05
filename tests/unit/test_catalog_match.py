"""Products and options matched against the catalog, in English and Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kefu.demo import seed_demo
from kefu.nlu.catalog_match import CatalogLexicon, CatalogProduct
from kefu.nlu.entities import EntityRecognizer
from kefu.nlu.fuzzy import FuzzyVocabulary, edit_distance, stem
from kefu.storage.db import make_engine, make_sessionmaker, upgrade
from kefu.storage.models import Product
from tests.lexicon import demo_lexicon, product_id

Found = list[tuple[str, str, str]]


def found(text: str, lexicon: CatalogLexicon | None = None) -> Found:
    result = EntityRecognizer(lexicon or demo_lexicon()).extract(text)
    for e in result:
        assert text[e.start:e.end] == e.text
    return [(e.kind, e.text, e.value) for e in result if e.kind in ("product", "option")]


def products(text: str) -> list[tuple[str, str]]:
    return [(t, v) for k, t, v in found(text) if k == "product"]


def options(text: str) -> list[tuple[str, str]]:
    return [(t, v) for k, t, v in found(text) if k == "option"]


# products -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "name"),
    [
        ("Where is my Mechanical Keyboard?", "Mechanical Keyboard", "Mechanical Keyboard"),
        ("the mechanical keyboards I bought", "mechanical keyboards", "Mechanical Keyboard"),
        ("MECHANICAL KEYBOARD", "MECHANICAL KEYBOARD", "Mechanical Keyboard"),
        ("my keyboard is broken", "keyboard", "Mechanical Keyboard"),
        ("the mechanical keybaord", "mechanical keybaord", "Mechanical Keyboard"),  # a typo
        ("noise canceling headphones", "noise canceling headphones",
         "Noise-Cancelling Headphones"),
        ("wireless earbuds", "wireless earbuds", "Wireless Earbuds"),
        ("a t-shirt", "t-shirt", "Cotton T-Shirt"),
        ("a tshirt", "tshirt", "Cotton T-Shirt"),
        ("the smartwatch", "smartwatch", "Smart Watch"),
        ("my power bank", "power bank", "Portable Power Bank"),
        ("chefs knife", "chefs knife", "Chef's Knife"),
        ("the bath towels", "bath towels", "Bath Towel Set"),
        ("the waterproof jacket", "waterproof jacket", "Waterproof Rain Jacket"),
        ("two hoodies", "hoodies", "Hoodie"),
        ("我的机械键盘坏了", "机械键盘", "Mechanical Keyboard"),
        ("键盘有问题", "键盘", "Mechanical Keyboard"),
        ("无线耳机", "无线耳机", "Wireless Earbuds"),
        ("蓝牙耳机", "蓝牙耳机", "Wireless Earbuds"),
        ("降噪耳机", "降噪耳机", "Noise-Cancelling Headphones"),
        ("USB-C 扩展坞", "USB-C 扩展坞", "USB-C Hub"),
        ("usb-c扩展坞", "usb-c扩展坞", "USB-C Hub"),
        ("牙刷", "牙刷", "Electric Toothbrush"),
        ("纯棉T恤", "纯棉T恤", "Cotton T-Shirt"),
        ("茶具", "茶具", "Tea Set"),
    ],
)
def test_products_in_either_language(text: str, span: str, name: str) -> None:
    assert products(text) == [(span, product_id(name))]


def test_an_ambiguous_name_goes_to_the_product_it_covers_most() -> None:
    # "耳机" ends 无线蓝牙耳机 (6 characters) and 降噪头戴式耳机 (7): one product per span
    assert products("耳机") == [("耳机", product_id("Wireless Earbuds"))]
    # "jacket" ends Down Jacket (half of it) and Waterproof Rain Jacket (a third)
    assert products("my jacket") == [("jacket", product_id("Down Jacket"))]
    # a tie goes to the product first in the catalog
    assert products("a backpack") == [("backpack", product_id("Hiking Backpack"))]


@pytest.mark.parametrize(
    "text",
    ["my bank charged me twice", "in case it is lost", "I'll watch for it", "the house",
     "你是机器人吗", "the box arrived", "mechanical", "I want to change my address",
     "电源"],
)
def test_everyday_words_are_not_products(text: str) -> None:
    assert products(text) == []


# options --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in blue", [("blue", "color=blue")]),
        ("Blue please", [("Blue", "color=blue")]),
        ("the gray one", [("gray", "color=grey")]),
        ("rose gold", [("rose gold", "color=rose gold")]),
        ("clicky switches", [("clicky", "switch type=clicky")]),
        ("XL", [("XL", "size=XL")]),
        ("size M", [("size M", "size=M")]),
        ("size: xs", [("size: xs", "size=XS")]),
        ("size 42", [("size 42", "size=42")]),
        ("waist 32", [("waist 32", "waist=32")]),
        ("large size", [("large size", "size=large")]),
        ("the 10000mAh one", [("10000mAh", "capacity=10000mAh")]),
        ("10000 mAh", [("10000 mAh", "capacity=10000mAh")]),
        ("4-in-1", [("4-in-1", "ports=4-in-1")]),
        ("white backlight", [("white backlight", "backlight=white")]),
        ("plug type US", [("plug type US", "plug type=US")]),
        ("蓝色", [("蓝色", "color=blue")]),
        ("青轴", [("青轴", "switch type=clicky")]),
        ("灰色", [("灰色", "color=grey")]),
        ("M码", [("M码", "size=M")]),
        ("xl号的", [("xl号", "size=XL")]),
        ("尺码M", [("尺码M", "size=M")]),
        ("42码", [("42码", "size=42")]),
        ("大号", [("大号", "size=large")]),
        ("不锈钢", [("不锈钢", "material=stainless steel")]),
    ],
)
def test_options_in_either_language(text: str, expected: list[tuple[str, str]]) -> None:
    assert options(text) == expected


@pytest.mark.parametrize(
    "text",
    ["no, thanks", "standard shipping please", "a large order", "I'm M", "ship to the US",
     "number 42", "标准配送", "in purple-ish", "magenta"],
)
def test_everyday_words_are_options_only_next_to_their_key(text: str) -> None:
    assert options(text) == ([("purple", "color=purple")] if "purple" in text else [])


def test_only_options_that_exist_in_the_catalog_are_reported() -> None:
    lexicon = CatalogLexicon([
        CatalogProduct("k1", "Mechanical Keyboard", "机械键盘",
                       ({"color": "black", "switch type": "clicky"},)),
    ])
    assert found("黑色 and blue, 红轴, 青轴", lexicon) == [
        ("option", "黑色", "color=black"),
        ("option", "青轴", "switch type=clicky"),
    ]


def test_a_value_under_several_keys_takes_the_named_products_key() -> None:
    # "white" is a colour of most products but also the keyboard's backlight; without a key
    # next to it, the most common key wins, even with the keyboard named
    assert options("white keyboard") == [("white", "color=white")]
    lexicon = CatalogLexicon([
        CatalogProduct("lamp", "Desk Lamp", None, ({"light": "warm"},)),
        CatalogProduct("mug", "Coffee Mug", None, ({"finish": "warm"}, {"finish": "cool"})),
        CatalogProduct("cup", "Tea Cup", None, ({"finish": "warm"},)),
    ])
    assert found("a warm one", lexicon) == [("option", "warm", "finish=warm")]
    assert found("a warm desk lamp", lexicon) == [
        ("option", "warm", "light=warm"), ("product", "desk lamp", "lamp"),
    ]


def test_product_names_beat_option_values_inside_them() -> None:
    # 无线 (wireless) and 蓝牙 (bluetooth) are options, but here they are part of the name
    assert found("无线蓝牙耳机") == [("product", "无线蓝牙耳机", product_id("Wireless Earbuds"))]
    assert found("Bluetooth Speaker") == [
        ("product", "Bluetooth Speaker", product_id("Bluetooth Speaker"))
    ]


def test_odd_catalog_rows_are_skipped_not_fatal() -> None:
    numbers: dict[str, object] = {"capacity": 180, "size": 5}  # JSON options need not be text
    lexicon = CatalogLexicon([
        CatalogProduct("blank", "", "  ", ({"": "x", "color": ""},)),
        CatalogProduct("n1", "Smart Scale", "智能秤", (numbers,)),  # type: ignore[arg-type]
    ])
    assert len(lexicon) == 2
    assert [(e.kind, e.text, e.value) for e in lexicon.find("智能秤, capacity 180, size 5")] == [
        ("product", "智能秤", "n1"),
        ("option", "capacity 180", "capacity=180"),
        ("option", "size 5", "size=5"),
    ]
    assert lexicon.find("x") == []


def test_an_empty_catalog_finds_nothing() -> None:
    lexicon = CatalogLexicon([])
    assert len(lexicon) == 0
    assert lexicon.find("mechanical keyboard 蓝色 size M") == []


# the live catalog -----------------------------------------------------------------------------


def test_from_session_reads_the_live_catalog(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        factory = make_sessionmaker(engine)
        with factory.begin() as session:
            seed_demo(session)
        with factory() as session:
            lexicon = CatalogLexicon.from_session(session)
            keyboard = session.scalars(
                select(Product.id).where(Product.name == "Mechanical Keyboard")
            ).one()
            count = len(session.scalars(select(Product.id)).all())
            # a product added to the shop is found by the next lexicon built from it
            session.add(Product(id="p-new", name="Bamboo Toothpick", name_zh="竹牙签"))
            session.flush()
            refreshed = CatalogLexicon.from_session(session)
    finally:
        engine.dispose()
    assert len(lexicon) == count > 0
    recognizer = EntityRecognizer(lexicon)
    got = [(e.kind, e.value) for e in recognizer.extract("我想买机械键盘，蓝色，M码")]
    assert ("product", keyboard) in got
    assert ("option", "size=M") in got
    assert ("option", "color=blue") in got
    assert lexicon.find("竹牙签") == []
    assert [(e.kind, e.value) for e in refreshed.find("竹牙签")] == [("product", "p-new")]


# the word matching underneath -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [("earbuds", "earbud"), ("glasses", "glass"), ("boxes", "box"), ("batteries", "battery"),
     ("hoodies", "hoody"), ("hoodie", "hoody"), ("shoes", "shoe"), ("citrus", "citrus"),
     ("gas", "gas"), ("10000", "10000")],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_edit_distance_counts_a_swap_as_one_edit() -> None:
    assert edit_distance("keybaord", "keyboard", 2) == 1
    assert edit_distance("kitten", "sitting", 3) == 3
    assert edit_distance("abc", "abcdef", 1) == 2  # over the limit: limit + 1


def test_fuzzy_vocabulary_tolerates_typos_in_long_words_only() -> None:
    vocab = FuzzyVocabulary(["keyboard", "mouse", "headphone", "speaker"])
    assert vocab.lookup("keyboard") == "keyboard"
    assert vocab.lookup("keybord") == "keyboard"
    assert vocab.lookup("heaphoone") == "headphone"  # two edits in a nine-letter word
    assert vocab.lookup("house") is None  # short words must match exactly
    assert vocab.lookup("jeyboard") is None  # the first letter must match
    assert vocab.lookup("speakers") == "speaker"
    assert vocab.lookup("x" * 10_000) is None
