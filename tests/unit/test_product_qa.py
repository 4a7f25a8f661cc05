"""The product graph and product Q&A on a small hand-built catalog: every value is known here."""

from __future__ import annotations

import pytest

from kefu.knowledge.graph import Edge, ProductGraph, ProductRecord, VariantRecord
from kefu.knowledge.product_qa import ProductAnswer, ProductFact, ProductQA
from kefu.nlu.catalog_match import CatalogLexicon, CatalogProduct

CATALOG = (
    ProductRecord(
        "kb", "Mechanical Keyboard", "机械键盘", "electronics",
        "A full-size keyboard with hot-swappable switches.", "全尺寸机械键盘，支持热插拔轴体。",
        (
            VariantRecord("kb1", {"switch type": "clicky", "color": "black"}, 8999, True, 40),
            VariantRecord("kb2", {"switch type": "linear", "color": "black"}, 9499, False, 0),
            VariantRecord("kb3", {"switch type": "clicky", "color": "white"}, 8999, True, 3),
        ),
    ),
    ProductRecord(
        "wr", "Wrist Rest", "腕托", "electronics",
        "A memory-foam rest sized for the Mechanical Keyboard.", "记忆棉腕托，尺寸适配机械键盘。",
        (
            VariantRecord("wr1", {"color": "black"}, 1999, True, 50),
            VariantRecord("wr2", {"color": "grey"}, 2199, True, 20),
        ),
    ),
    ProductRecord(
        "wb", "Water Bottle", "水杯", "kitchen",
        "A leak-proof bottle.", "防漏水杯。",
        (
            VariantRecord("wb1", {"material": "glass", "capacity": "500ml"}, 2499, True, 7),
            VariantRecord("wb2", {"material": "stainless steel", "capacity": "500ml"}, 2999,
                          False, 0),
            VariantRecord("wb3", {"material": "stainless steel", "capacity": "750ml"}, 3299,
                          True, None),
        ),
    ),
    ProductRecord(  # names the keyboard in English only: not evidence enough
        "mug", "Coffee Mug", "马克杯", "kitchen",
        "A stoneware mug. Keep it away from your keyboard.", "粗陶马克杯。",
        (VariantRecord("mug1", {"color": "white"}, 1299, True, 12),),
    ),
    ProductRecord(
        "tee", "Cotton T-Shirt", "纯棉T恤", "apparel", "A classic tee.", "经典T恤。",
        (
            VariantRecord("tee1", {"size": "S", "color": "navy"}, 1999, True, 9),
            VariantRecord("tee2", {"size": "M", "color": "navy"}, 1999, True, 0),
            VariantRecord("tee3", {"size": "M", "color": "grey"}, 1999, True, 2),
        ),
    ),
)


@pytest.fixture(scope="module")
def lexicon() -> CatalogLexicon:
    return CatalogLexicon(
        CatalogProduct(p.id, p.name, p.name_zh, tuple(v.options for v in p.variants))
        for p in CATALOG
    )


@pytest.fixture(scope="module")
def graph(lexicon: CatalogLexicon) -> ProductGraph:
    return ProductGraph(CATALOG, lexicon)


@pytest.fixture(scope="module")
def qa(graph: ProductGraph, lexicon: CatalogLexicon) -> ProductQA:
    return ProductQA(graph, lexicon)


def ask(qa: ProductQA, question: str, language: str = "en", context: str | None = None,
        recent: tuple[str, ...] = ()) -> ProductAnswer:
    answer = qa.answer(question, language, context, context_products=recent)  # type: ignore[arg-type]
    assert answer is not None, question
    assert answer.language == language
    return answer


def variant_facts(answer: ProductAnswer) -> dict[str, ProductFact]:
    return {f.variant_id: f for f in answer.facts if f.variant_id}


# the graph -----------------------------------------------------------------------------------


def test_graph_has_variant_value_category_and_compatibility_edges(graph: ProductGraph) -> None:
    edges = set(graph.edges())
    assert Edge("variant:kb1", "variant_of", "product:kb") in edges
    assert Edge("variant:kb1", "has_value", "value:switch type=clicky") in edges
    assert Edge("product:wb", "in_category", "category:kitchen") in edges
    assert Edge("product:wr", "compatible_with", "product:kb") in edges
    compat = {(e.source, e.target) for e in edges if e.relation == "compatible_with"}
    assert compat == {("product:wr", "product:kb")}  # the mug names the keyboard in English only


def test_compatibility_is_symmetric_and_keeps_its_evidence(graph: ProductGraph) -> None:
    link = graph.compatibility("kb", "wr")
    assert link is not None and link == graph.compatibility("wr", "kb")
    assert link.source == "wr"
    assert link.evidence == {"en": "A memory-foam rest sized for the Mechanical Keyboard.",
                             "zh": "记忆棉腕托，尺寸适配机械键盘。"}
    assert graph.compatibility("kb", "mug") is None
    assert [c.other("kb") for c in graph.compatible("kb")] == ["wr"]


def test_variants_values_prices_and_stock(graph: ProductGraph) -> None:
    assert [v.id for v in graph.variants("kb", {"switch type": "clicky"})] == ["kb1", "kb3"]
    assert [v.id for v in graph.variants("kb", {"color": ["white", "black"],
                                                "switch type": "LINEAR"})] == ["kb2"]
    assert graph.attributes("kb") == ["switch type", "color"]
    assert graph.values("kb", "color") == ["black", "white"]
    assert graph.values("kb", "color", {"switch type": "linear"}) == ["black"]
    assert graph.price_range("kb") == (8999, 9499)
    assert graph.price_range("kb", {"color": "red"}) is None
    assert [v.id for v in graph.in_stock("wb")] == ["wb1", "wb3"]  # stock None: not counted
    assert graph.resolve("kb", "backlight", "White") == ("color", "white")
    assert graph.resolve("kb", "color", "red") is None
    assert graph.products_with("color", "black") == ["kb", "wr"]
    assert graph.product("nope") is None and graph.variants("nope") == []


def test_cheapest_and_most_expensive_by_starting_price(graph: ProductGraph) -> None:
    assert graph.by_price(["kb", "wb", "wr"]) == [("wr", 1999), ("wb", 2499), ("kb", 8999)]
    assert graph.cheapest(["kb", "wb", "wr"]) == ["wr"]
    assert graph.most_expensive(["kb", "wb", "wr"]) == ["kb"]
    assert graph.cheapest(["wr", "tee"]) == ["wr", "tee"]  # a tie


# availability ---------------------------------------------------------------------------------


def test_availability_of_an_option_lists_the_variants_in_stock(qa: ProductQA) -> None:
    answer = ask(qa, "Do you have the mechanical keyboard with clicky switches?")
    assert answer.kind == "availability"
    assert set(variant_facts(answer)) == {"kb1", "kb3"}
    assert variant_facts(answer)["kb3"].stock == 3
    assert answer.text.startswith("Yes, we have the Mechanical Keyboard (switch type: clicky)")
    assert "$89.99" in answer.text and "only 3 left" in answer.text
    assert "catalog:kb/kb1" in answer.citations and "catalog:kb" in answer.citations


def test_availability_in_chinese_uses_chinese_names(qa: ProductQA) -> None:
    answer = ask(qa, "这个水杯有玻璃的吗？", "zh")
    assert set(variant_facts(answer)) == {"wb1"}
    assert answer.text.startswith("有的，水杯（材质：玻璃）有货")
    assert "Water Bottle" not in answer.text and "glass" not in answer.text


def test_an_option_the_product_lacks_gets_an_honest_no(qa: ProductQA) -> None:
    answer = ask(qa, "do you have the keyboard in grey?")
    assert ProductFact("kb", attribute="color", value="grey", offered=False) in answer.facts
    assert answer.text == ("Sorry, the Mechanical Keyboard doesn't come in grey; its color "
                           "options are black or white.")
    zh = ask(qa, "机械键盘有灰色的吗", "zh")
    assert zh.text == "抱歉，机械键盘没有灰色款，颜色可选：黑色或白色。"


def test_an_attribute_the_product_lacks_lists_what_it_has(qa: ProductQA) -> None:
    answer = ask(qa, "do you have the t-shirt in glass?")
    assert ProductFact("tee", attribute="material", value="glass", offered=False) in answer.facts
    assert "doesn't come in glass" in answer.text and "size (S, M)" in answer.text


def test_a_combination_that_does_not_exist(qa: ProductQA) -> None:
    answer = ask(qa, "is there a glass water bottle in 750ml?")
    assert any(f.attribute == "combination" and not f.offered for f in answer.facts)
    assert "doesn't come in that combination" in answer.text
    assert {"wb1", "wb3"} <= set(variant_facts(answer))


def test_availability_of_a_product_out_of_stock_variant(qa: ProductQA) -> None:
    answer = ask(qa, "do you have the keyboard with linear switches?")
    assert variant_facts(answer)["kb2"].in_stock is False
    assert "out of stock" in answer.text


# options, price, stock ------------------------------------------------------------------------


def test_which_values_an_attribute_has(qa: ProductQA) -> None:
    answer = ask(qa, "What colours does the keyboard come in?")
    assert answer.kind == "options"
    assert {(f.attribute, f.value) for f in answer.facts} == {("color", "black"),
                                                              ("color", "white")}
    assert answer.text == "The Mechanical Keyboard comes in color: black and white."
    zh = ask(qa, "纯棉T恤有哪些尺码", "zh")
    assert zh.text == "纯棉T恤可选尺码：S、M。"


def test_values_out_of_stock_are_said(qa: ProductQA) -> None:
    answer = ask(qa, "which materials does the water bottle come in?")
    assert ProductFact("wb", attribute="material", value="glass", in_stock=True) in answer.facts
    assert answer.text == "The Water Bottle comes in material: glass and stainless steel."
    switch = ask(qa, "what switch types does the keyboard have?")
    assert "(out of stock: linear)" in switch.text


def test_price_of_a_product_and_of_a_named_variant(qa: ProductQA) -> None:
    answer = ask(qa, "how much is the water bottle?")
    assert answer.kind == "price"
    assert ProductFact("wb", attribute="price_from", price_cents=2499) in answer.facts
    assert ProductFact("wb", attribute="price_to", price_cents=3299) in answer.facts
    assert answer.text.startswith("The Water Bottle costs $24.99 to $32.99")
    one = ask(qa, "how much is the keyboard with linear switches?")
    assert variant_facts(one)["kb2"].price_cents == 9499
    assert one.text == ("The Mechanical Keyboard (switch type: linear) costs $94.99 "
                        "(out of stock).")
    zh = ask(qa, "机械键盘多少钱", "zh")
    assert zh.text.startswith("机械键盘售价 $89.99–$94.99")


def test_prices_in_the_shop_currency(graph: ProductGraph, lexicon: CatalogLexicon) -> None:
    answer = ProductQA(graph, lexicon, currency="CNY").answer("水杯多少钱", "zh")
    assert answer is not None and "¥24.99" in answer.text


def test_stock_of_a_size(qa: ProductQA) -> None:
    answer = ask(qa, "is the t-shirt in stock in size M?")
    assert answer.kind == "stock"
    assert set(variant_facts(answer)) == {"tee3"}  # the navy M has none left
    assert answer.text == "Yes, the Cotton T-Shirt (size: M) is in stock: grey — $19.99 " \
                          "(only 2 left)."
    zh = ask(qa, "纯棉T恤还有M码吗", "zh")
    assert zh.text == "有货，纯棉T恤（尺码：M）：灰色：$19.99（仅剩 2 件）。"


def test_out_of_stock_is_said_plainly(qa: ProductQA) -> None:
    answer = ask(qa, "is the keyboard with linear switches in stock?")
    assert answer.text == "Sorry, the Mechanical Keyboard (switch type: linear) is out of " \
                          "stock right now."
    assert variant_facts(answer)["kb2"].in_stock is False


# comparisons ----------------------------------------------------------------------------------


def test_which_is_cheaper(qa: ProductQA) -> None:
    answer = ask(qa, "which is cheaper, the water bottle or the keyboard?")
    assert answer.kind == "compare"
    assert answer.text.startswith("The Water Bottle is cheaper, from $24.99.")
    dearer = ask(qa, "水杯和机械键盘哪个贵", "zh")
    assert dearer.text.startswith("机械键盘更贵，$89.99起。")


def test_which_of_these_two_uses_the_recent_products(qa: ProductQA) -> None:
    answer = ask(qa, "which of these two is cheaper?", recent=("kb", "wr"))
    assert answer.text.startswith("The Wrist Rest is cheaper, from $19.99.")
    assert {f.product_id for f in answer.facts} == {"kb", "wr"}
    zh = ask(qa, "这两个哪个便宜", "zh", recent=("kb", "wr"))
    assert zh.text.startswith("腕托更便宜，$19.99起。")


def test_a_tie_is_a_tie(qa: ProductQA) -> None:
    answer = ask(qa, "compare the wrist rest and the t-shirt")
    assert answer.text.startswith("They start at the same price, $19.99.")


# compatibility --------------------------------------------------------------------------------


def test_compatibility_from_the_catalog_text(qa: ProductQA) -> None:
    answer = ask(qa, "does the wrist rest work with the mechanical keyboard?")
    assert answer.kind == "compatibility"
    assert ProductFact("wr", attribute="compatible_with", value="kb") in answer.facts
    assert "sized for the Mechanical Keyboard" in answer.text
    zh = ask(qa, "腕托和机械键盘兼容吗", "zh")
    assert zh.text.startswith("可以。") and "尺寸适配机械键盘" in zh.text


def test_compatibility_the_catalog_does_not_state_is_not_claimed(qa: ProductQA) -> None:
    answer = ask(qa, "does the coffee mug work with the keyboard?")
    assert ProductFact("mug", attribute="compatible_with", value="kb", offered=False) \
        in answer.facts
    assert answer.text.startswith("Our catalog doesn't say")


def test_what_goes_with_a_product(qa: ProductQA) -> None:
    answer = ask(qa, "what goes with the keyboard?")
    assert answer.text.startswith("According to our catalog, the Mechanical Keyboard goes with "
                                  "the Wrist Rest")


# context and refusal --------------------------------------------------------------------------


def test_this_one_uses_the_context_product(qa: ProductQA) -> None:
    answer = ask(qa, "这个有白色的吗", "zh", context="kb")
    assert set(variant_facts(answer)) == {"kb3"}
    assert answer.text.startswith("有的，机械键盘（颜色：白色）有货")
    assert ask(qa, "is it in stock?", context="wb").kind == "stock"
    assert ask(qa, "它多少钱", "zh", context="wr").text.startswith("腕托售价")


def test_a_named_product_wins_over_the_context(qa: ProductQA) -> None:
    answer = ask(qa, "how much is the water bottle?", context="kb")
    assert {f.product_id for f in answer.facts} == {"wb"}


@pytest.mark.parametrize(
    ("question", "context"),
    [
        ("do you have a drone?", None),
        ("你们有无人机吗", None),
        ("is it in stock?", None),
        ("is it in stock?", "unknown-product"),
        ("where is my keyboard order?", None),
        ("I want to return the water bottle", None),
        ("thanks!", "kb"),
        ("my keyboard", None),
    ],
)
def test_no_product_or_no_product_question_is_none(
    qa: ProductQA, question: str, context: str | None
) -> None:
    assert qa.answer(question, "en", context) is None
