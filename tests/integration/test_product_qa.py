"""Product Q&A on the seeded demo shop, on SQLite and PostgreSQL: every answer's prices, stock
and variant ids are checked against the rows in the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kefu.demo import seed_demo
from kefu.knowledge.graph import ProductGraph
from kefu.knowledge.product_qa import ProductAnswer, ProductQA
from kefu.respond.templates import money
from kefu.storage.models import Product, Variant


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory.begin() as s:
        seed_demo(s)
    with session_factory() as s:
        yield s


@pytest.fixture
def qa(session: Session) -> ProductQA:
    return ProductQA.from_session(session)


def pid(session: Session, name: str) -> str:
    found = session.scalar(select(Product.id).where(Product.name == name))
    assert found is not None, name
    return found


def rows(session: Session, name: str, **options: str) -> list[Variant]:
    """The product's variants in catalog order, those with every option given."""
    variants = session.scalars(
        select(Variant).where(Variant.product_id == pid(session, name)).order_by(Variant.position)
    ).all()
    return [v for v in variants if all(v.options.get(k) == x for k, x in options.items())]


def in_stock(v: Variant) -> bool:
    return v.available and (v.stock is None or v.stock > 0)


def ask(qa: ProductQA, question: str, language: str, context: str | None = None,
        recent: tuple[str, ...] = ()) -> ProductAnswer:
    answer = qa.answer(question, language, context, context_products=recent)  # type: ignore[arg-type]
    assert answer is not None, question
    return answer


def check_variants(answer: ProductAnswer, expected: list[Variant]) -> None:
    """The answer lists exactly ``expected`` (the first three), each with its price and stock as
    stored, and cites each."""
    listed = {f.variant_id: f for f in answer.facts if f.variant_id}
    assert list(listed) == [v.id for v in expected[:3]]
    for v in expected[:3]:
        fact = listed[v.id]
        assert (fact.price_cents, fact.stock, fact.in_stock) == (v.price_cents, v.stock,
                                                                 in_stock(v))
        assert f"catalog:{v.product_id}/{v.id}" in answer.citations
        assert money(v.price_cents, "USD") in answer.text


def test_the_mechanical_keyboard_with_clicky_switches(session: Session, qa: ProductQA) -> None:
    clicky = rows(session, "Mechanical Keyboard", **{"switch type": "clicky"})
    assert clicky, "the demo keyboard has clicky variants"
    answer = ask(qa, "do you have the mechanical keyboard with clicky switches?", "en")
    assert answer.kind == "availability"
    stocked = [v for v in clicky if in_stock(v)]
    check_variants(answer, stocked or clicky)
    assert answer.text.startswith("Yes, we have" if stocked else "We do make")


def test_the_water_bottle_in_glass(session: Session, qa: ProductQA) -> None:
    glass = rows(session, "Water Bottle", material="glass")
    assert glass, "the demo water bottle comes in glass"
    bottle = pid(session, "Water Bottle")
    for context in (None, bottle):
        answer = ask(qa, "这个水杯有玻璃的吗？", "zh", context)
        stocked = [v for v in glass if in_stock(v)]
        check_variants(answer, stocked or glass)
        assert "水杯" in answer.text and "玻璃" in answer.text
        assert "Water Bottle" not in answer.text


def test_which_of_these_two_is_cheaper(session: Session, qa: ProductQA) -> None:
    names = ("Blender", "Electric Kettle")
    lows = {pid(session, name): min(v.price_cents for v in rows(session, name)) for name in names}
    cheaper = min(lows, key=lows.__getitem__)
    for question, language in (("which of these two is cheaper?", "en"), ("这两个哪个便宜", "zh")):
        answer = ask(qa, question, language, recent=tuple(lows))
        assert answer.kind == "compare"
        check_comparison(session, answer, lows, cheaper)


@pytest.mark.parametrize(
    ("question", "language", "names", "dearer"),
    [
        ("which is cheaper, the notebook or the fountain pen?", "en",
         ("Notebook", "Fountain Pen"), False),
        ("笔记本和钢笔哪个贵", "zh", ("Notebook", "Fountain Pen"), True),
        ("which is more expensive, the earbuds or the headphones?", "en",
         ("Wireless Earbuds", "Noise-Cancelling Headphones"), True),
        ("卫衣和纯棉T恤哪个便宜", "zh", ("Hoodie", "Cotton T-Shirt"), False),
    ],
)
def test_comparisons_follow_the_catalogs_lowest_prices(
    session: Session, qa: ProductQA, question: str, language: str, names: tuple[str, str],
    dearer: bool,
) -> None:
    lows = {pid(session, name): min(v.price_cents for v in rows(session, name)) for name in names}
    best = (max if dearer else min)(lows, key=lows.__getitem__)
    check_comparison(session, ask(qa, question, language), lows, best)


def check_comparison(
    session: Session, answer: ProductAnswer, lows: dict[str, int], best: str
) -> None:
    froms = {f.product_id: f.price_cents for f in answer.facts if f.attribute == "price_from"}
    assert froms == lows
    product = session.get(Product, best)
    assert product is not None
    name = product.name_zh if answer.language == "zh" else f"The {product.name}"
    assert answer.text.startswith(name)
    assert money(lows[best], "USD") in answer.text


def test_which_colours(session: Session, qa: ProductQA) -> None:
    stored = {v.options["color"] for v in rows(session, "Water Bottle")}
    zh = {"black": "黑色", "blue": "蓝色", "green": "绿色"}
    for question, language in (("what colours does the water bottle come in?", "en"),
                               ("水杯有哪些颜色", "zh")):
        answer = ask(qa, question, language)
        assert answer.kind == "options"
        assert {f.value for f in answer.facts if f.attribute == "color"} == stored
        for color in stored:
            assert (zh[color] if language == "zh" else color) in answer.text


def test_price_of_a_variant(session: Session, qa: ProductQA) -> None:
    leather = rows(session, "Smart Watch", strap="leather")
    assert leather
    prices = [v.price_cents for v in leather]
    for question, language in (("how much is the smart watch with a leather strap?", "en"),
                               ("智能手表皮革表带多少钱", "zh")):
        answer = ask(qa, question, language)
        assert answer.kind == "price"
        facts = {f.attribute: f.price_cents for f in answer.facts if f.attribute}
        assert (facts["price_from"], facts["price_to"]) == (min(prices), max(prices))
        check_variants(answer, sorted(leather, key=lambda v: (not in_stock(v), v.price_cents)))


def test_stock_in_a_size(session: Session, qa: ProductQA) -> None:
    size_m = rows(session, "Hoodie", size="M")
    assert size_m
    stocked = [v for v in size_m if in_stock(v)]
    for question, language in (("is the hoodie in stock in size M?", "en"),
                               ("卫衣还有M码吗", "zh")):
        answer = ask(qa, question, language)
        assert answer.kind == "stock"
        check_variants(answer, stocked or size_m)
        if not stocked:
            assert "out of stock" in answer.text or "缺货" in answer.text


def test_this_one_uses_the_context_product(session: Session, qa: ProductQA) -> None:
    bottle = pid(session, "Water Bottle")
    answer = ask(qa, "这个还有货吗", "zh", bottle)
    assert answer.kind == "stock"
    check_variants(answer, [v for v in rows(session, "Water Bottle") if in_stock(v)])
    assert answer.text.startswith("水杯")
    price = ask(qa, "how much is this one?", "en", bottle)
    low = min(v.price_cents for v in rows(session, "Water Bottle"))
    assert price.kind == "price"
    assert price.text.startswith(f"The Water Bottle costs {money(low, 'USD')}")


def test_an_option_the_product_does_not_have(session: Session, qa: ProductQA) -> None:
    assert not rows(session, "Water Bottle", color="red")
    bottle = pid(session, "Water Bottle")
    colors = {v.options["color"] for v in rows(session, "Water Bottle")}
    for question, language, start in (
        ("do you have the water bottle in red?", "en",
         "Sorry, the Water Bottle doesn't come in red"),
        ("水杯有红色的吗", "zh", "抱歉，水杯没有红色款"),
    ):
        answer = ask(qa, question, language)
        refused = [(f.product_id, f.attribute, f.value) for f in answer.facts if not f.offered]
        assert refused == [(bottle, "color", "red")]
        assert {f.value for f in answer.facts if f.offered and f.attribute == "color"} == colors
        assert answer.text.startswith(start)


def test_compatibility_stated_by_the_catalog(session: Session, qa: ProductQA) -> None:
    jacket = session.get(Product, pid(session, "Waterproof Rain Jacket"))
    helmet = pid(session, "Bicycle Helmet")
    assert jacket is not None and jacket.description and jacket.description_zh
    for question, language, quoted, stored in (
        ("does the rain jacket work with the bicycle helmet?", "en", "helmet-compatible hood",
         jacket.description),
        ("冲锋衣和头盔兼容吗", "zh", "帽子可容纳头盔", jacket.description_zh),
    ):
        answer = ask(qa, question, language)
        assert answer.kind == "compatibility"
        assert [(f.product_id, f.value, f.offered) for f in answer.facts] == [
            (jacket.id, helmet, True)]
        assert quoted in answer.text and quoted in stored


def test_compatibility_the_catalog_does_not_state(qa: ProductQA) -> None:
    for question, language in (("does the wireless charging pad work with the smart watch?", "en"),
                               ("无线充电板和智能手表兼容吗", "zh")):
        answer = ask(qa, question, language)
        assert [f.offered for f in answer.facts] == [False]
        assert answer.text.startswith(("Our catalog doesn't say", "商品资料中没有说明"))


def test_the_demo_graphs_links_are_stated_in_both_languages(session: Session) -> None:
    graph = ProductGraph.from_session(session)
    names = {p.id: p.name for p in graph}
    links = {(names[c.source], names[c.target]) for p in graph for c in graph.compatible(p.id)}
    assert ("Waterproof Rain Jacket", "Bicycle Helmet") in links
    assert ("Notebook", "Fountain Pen") in links
    assert ("Portable Power Bank", "Down Jacket") not in links  # "a jacket pocket", English only
    assert ("USB-C Hub", "Notebook") not in links  # 笔记本 (a laptop), Chinese only
    variants = session.scalars(select(Variant)).all()
    assert sum(1 for e in graph.edges() if e.relation == "variant_of") == len(variants)


def test_no_product_is_none(qa: ProductQA) -> None:
    for question, language in (("do you have a drone?", "en"), ("你们有无人机吗", "zh"),
                               ("is it in stock?", "en"), ("这个有货吗", "zh")):
        assert qa.answer(question, language) is None, question  # type: ignore[arg-type]
