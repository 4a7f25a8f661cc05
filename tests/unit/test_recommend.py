"""Recommendations on a tiny hand-made shop: co-purchase finds the obvious pair, content finds
the product like the one bought, the constraints filter, "like this but cheaper / in blue",
reasons in both languages, the best sellers, and the evaluation's split and metrics; a request
ranks what fits it, a named product comes in the customer's size, and a colour inside a word
("蓝牙", "blue tooth") is no colour."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kefu.errors import NotFound
from kefu.knowledge.vector_cache import VectorCache
from kefu.nlu.encoder import load_encoder
from kefu.profile.builder import Fact, Profile
from kefu.recommend import (
    Constraints,
    ContentRecommender,
    CoPurchaseRecommender,
    History,
    HybridRecommender,
    PopularityRecommender,
    ProductInfo,
    Purchase,
    Recommender,
    VariantInfo,
    like_this,
)
from kefu.recommend.evaluate import leave_last_order_out, random_metrics, ranking_metrics
from kefu.recommend.matching import canonical_value
from kefu.recommend.reasons import Reason, texts
from kefu.recommend.scoring import rerank
from kefu.recommend.service import FLOOR, _blend, _colour, _named_variant, _request
from kefu.settings import Settings


def _v(vid: str, cents: int, available: bool = True, **options: str) -> VariantInfo:
    return VariantInfo(vid, dict(options), cents, available)


CATALOG = [
    ProductInfo("kb", "Mechanical Keyboard", (_v("kb-b", 8999, color="black"),
                                              _v("kb-w", 8999, color="white")),
                "机械键盘", "electronics", "A full-size keyboard with hot-swappable switches.",
                "全尺寸机械键盘，支持热插拔轴体。"),
    ProductInfo("mouse", "Wireless Mouse", (_v("m-b", 2499, color="black"),
                                            _v("m-u", 2699, available=False, color="blue")),
                "无线鼠标", "electronics", "A quiet ergonomic wireless mouse.",
                "静音人体工学鼠标。"),
    ProductInfo("speaker", "Bluetooth Speaker", (_v("s-r", 4499, color="red"),),
                "蓝牙音箱", "electronics", "A waterproof speaker with deep bass.",
                "防水便携音箱，低音浑厚。"),
    ProductInfo("desk", "Desk Lamp", (_v("d-w", 3999, color="white"),), "台灯", "lighting",
                "A dimmable LED desk lamp with a flexible arm.", "可调光 LED 台灯，灯臂可弯折。"),
    ProductInfo("floor", "Floor Lamp", (_v("f-b", 5999, color="black"),
                                        _v("f-u", 6499, color="blue")),
                "落地灯", "lighting", "A tall floor lamp with a linen shade.",
                "亚麻灯罩的高落地灯。"),
    ProductInfo("clip", "Clip Light", (_v("c-u", 1999, color="blue"),), "夹灯", "lighting",
                "A small clip-on reading light.", "小巧的夹式阅读灯。"),
    ProductInfo("tee", "T-Shirt", (_v("t-s", 1999, size="S", color="white"),
                                   _v("t-m", 1999, available=False, size="M", color="white"),
                                   _v("t-l", 1999, size="L", color="blue")),
                "T恤", "apparel", "A soft cotton crew-neck tee.", "柔软纯棉圆领T恤。"),
    ProductInfo("hoodie", "Hoodie", (_v("h-m", 4999, size="M", color="grey"),
                                     _v("h-l", 4999, size="L", color="blue")),
                "连帽衫", "apparel", "A warm fleece hoodie.", "保暖抓绒连帽衫。"),
]


def _orders(*baskets: tuple[str, int, tuple[str, ...]]) -> list[Purchase]:
    return [Purchase(customer, f"{customer}-{seq}", seq, pid)
            for customer, seq, products in baskets for pid in products]


# Keyboard and mouse go together; the speaker is the best seller of electronics.
PURCHASES = _orders(
    ("a", 0, ("kb", "mouse")), ("b", 0, ("kb", "mouse", "speaker")), ("c", 0, ("kb",)),
    ("c", 1, ("mouse",)), ("d", 0, ("speaker",)), ("e", 0, ("speaker", "tee")),
    ("f", 0, ("speaker",)), ("g", 0, ("desk",)), ("h", 0, ("kb",)), ("i", 0, ("speaker",)),
)


@pytest.fixture(scope="module")
def history() -> History:
    return History(CATALOG, PURCHASES)


@pytest.fixture(scope="module")
def vectors() -> VectorCache:
    settings = Settings()
    encoder = load_encoder("onnx", settings.cache_dir, settings.encoder_threads)
    return VectorCache(encoder, None, "test-recommend")


@pytest.fixture(scope="module")
def content(history: History, vectors: VectorCache) -> ContentRecommender:
    recommender = ContentRecommender(vectors)
    recommender.fit(history)
    return recommender


def _fitted(recommender: Recommender, history: History) -> Recommender:
    recommender.fit(history)
    return recommender


def test_co_purchase_finds_the_obvious_pair(history: History) -> None:
    behaviour = _fitted(CoPurchaseRecommender(), history)
    top = behaviour.recommend("h", k=3)  # h bought the keyboard only
    assert top[0].product_id == "mouse"
    assert top[0].reason_en == "popular with customers who bought the Mechanical Keyboard"
    assert top[0].reason_zh == "买过机械键盘的顾客也常买"
    assert "kb" not in [r.product_id for r in top]  # already bought


def test_co_purchase_is_symmetric_and_shrunk(history: History) -> None:
    behaviour = CoPurchaseRecommender(shrinkage=5.0)
    behaviour.fit(history)
    kb, mouse = behaviour.neighbours("kb"), behaviour.neighbours("mouse")
    i, j = history.index["kb"], history.index["mouse"]
    assert kb[j] == pytest.approx(mouse[i])
    # 3 of the 4 keyboard buyers bought the mouse (3 buyers): cosine 3/√12, shrunk by 3/(3+5)
    assert kb[j] == pytest.approx(3 / math.sqrt(12) * 3 / 8)
    assert kb[i] == 0


def test_content_suggests_what_is_like_the_purchase(
        history: History, content: ContentRecommender) -> None:
    top = content.recommend("g", k=2)  # g bought the desk lamp
    assert {r.product_id for r in top} == {"floor", "clip"}
    assert top[0].reason_en == "because you bought the Desk Lamp"
    assert top[0].reason_zh == "因为您买过台灯"


def test_content_weighs_recent_orders_more(vectors: VectorCache) -> None:
    recent = ContentRecommender(vectors)
    recent.fit(History(CATALOG, _orders(("x", 0, ("tee",)), ("x", 1, ("desk",)))))
    assert recent.recommend("x", k=1)[0].product_id in {"floor", "clip"}
    recent.fit(History(CATALOG, _orders(("x", 0, ("desk",)), ("x", 1, ("tee",)))))
    top = recent.recommend("x", k=1)[0]
    assert (top.product_id, top.reason_en) == ("hoodie", "because you bought the T-Shirt")


def test_best_sellers_and_their_reasons(history: History) -> None:
    popular = _fitted(PopularityRecommender(), history)
    top = popular.recommend("nobody", k=3)  # unknown customer: the best sellers
    assert [r.product_id for r in top] == ["speaker", "kb", "mouse"]
    assert (top[0].reason_en, top[0].reason_zh) == ("best seller in Electronics",
                                                    "数码电子类最畅销")
    assert (top[1].reason_en, top[1].reason_zh) == ("popular in Electronics", "数码电子类热销")


def test_constraints_filter(history: History) -> None:
    popular = _fitted(PopularityRecommender(), history)

    def ids(c: Constraints, customer: str = "nobody") -> list[str]:
        return [r.product_id for r in popular.recommend(customer, k=10, constraints=c)]

    assert "tee" not in ids(Constraints(size="M"))  # its M is out of stock
    assert ids(Constraints(size="M码")) == ids(Constraints(size="m")) == ["hoodie"]
    assert ids(Constraints(size="M", in_stock=False)) == ["tee", "hoodie"]
    cheap = ids(Constraints(max_price_cents=3000))
    assert set(cheap) == {"mouse", "clip", "tee"}
    assert set(ids(Constraints(min_price_cents=5000))) == {"kb", "floor"}
    assert "speaker" not in ids(Constraints(), customer="d")  # d bought it
    assert "speaker" in ids(Constraints(exclude_bought=False), customer="d")
    assert set(ids(Constraints(category="lighting"))) == {"desk", "floor", "clip"}


def test_a_wanted_colour_in_either_language_names_the_variant(history: History) -> None:
    popular = _fitted(PopularityRecommender(), history)
    blue = popular.recommend("nobody", k=10, constraints=Constraints(color="蓝色"))
    # the mouse's blue is out of stock; the others have a blue variant in stock
    assert {(r.product_id, r.variant_id) for r in blue} == {
        ("floor", "f-u"), ("clip", "c-u"), ("tee", "t-l"), ("hoodie", "h-l")}
    assert [r.product_id for r in popular.recommend(
        "nobody", k=10, constraints=Constraints(options={"colour": "blue"}))] == \
        [r.product_id for r in blue]
    sized = popular.recommend("nobody", constraints=Constraints(size="L", color="blue"))
    assert {(r.product_id, r.variant_id) for r in sized} == {("tee", "t-l"), ("hoodie", "h-l")}
    plain = popular.recommend("nobody", k=3)
    assert all(r.variant_id is None for r in plain)  # nothing variant-level asked


def test_colour_words() -> None:
    assert canonical_value("蓝色") == canonical_value("蓝") == canonical_value("Blue") == "blue"
    assert canonical_value("gray") == canonical_value("灰色") == "grey"


def test_like_this_but_cheaper(content: ContentRecommender) -> None:
    picks = like_this(content, "floor", cheaper=True)
    assert {p.product_id for p in picks} == {"desk", "clip"}  # lighting, under $59.99
    desk = next(p for p in picks if p.product_id == "desk")
    assert desk.variant_id == "d-w"
    assert desk.reason_en == "similar to the Floor Lamp but $20.00 cheaper"
    assert desk.reason_zh == "与落地灯相似，但便宜$20.00"
    assert like_this(content, "clip", cheaper=True) == []  # the cheapest lamp


def test_like_this_in_blue(content: ContentRecommender) -> None:
    picks = like_this(content, "desk", color="蓝色")
    assert {(p.product_id, p.variant_id) for p in picks} == {("floor", "f-u"), ("clip", "c-u")}
    assert {p.reason_en for p in picks} == {"like the Desk Lamp, in blue"}
    assert {p.reason_zh for p in picks} == {"与台灯相似，有蓝色款"}
    same = like_this(content, "floor", anchor_variant_id="f-b", color="blue")
    assert (same[0].product_id, same[0].variant_id) == ("floor", "f-u")
    assert (same[0].reason_en, same[0].reason_zh) == ("the Floor Lamp in blue", "落地灯的蓝色款")
    both = like_this(content, "floor", anchor_variant_id="f-u", cheaper=True, color="blue")
    assert [(p.product_id, p.reason_en) for p in both] == [
        ("clip", "similar to the Floor Lamp but $45.00 cheaper, in blue")]


def test_hybrid_blends_and_explains(history: History) -> None:
    parts = {"behaviour": CoPurchaseRecommender(), "popularity": PopularityRecommender()}
    hybrid = _fitted(HybridRecommender(parts, {"behaviour": 0.8, "popularity": 0.2}), history)
    top = hybrid.recommend("h", k=2)
    assert top[0].product_id == "mouse"
    assert top[0].reason_zh == "买过机械键盘的顾客也常买"
    only_pop = _fitted(HybridRecommender(parts, {"popularity": 1.0}), history)
    assert [r.product_id for r in only_pop.recommend("h", k=2)] == ["speaker", "mouse"]
    with pytest.raises(ValueError, match="content"):
        HybridRecommender(parts, {"content": 1.0})


def test_the_last_order_is_held_out_and_repeats_are_not_scored(history: History) -> None:
    split = leave_last_order_out(history)
    assert split.customers_with_two_orders == 1  # c
    assert split.held_out == {"c": {"mouse"}}
    assert "c-1" not in {p.order_id for p in split.train.purchases}
    repeat = History(CATALOG, _orders(("r", 0, ("kb",)), ("r", 1, ("kb",))))
    assert leave_last_order_out(repeat).repeat_only == 1


def test_ranking_metrics() -> None:
    assert ranking_metrics(["a", "b", "c"], {"c"}) == (1.0, pytest.approx(0.5))
    assert ranking_metrics(["a", "b"], {"z"}) == (0.0, 0.0)
    hit, ndcg = ranking_metrics(["x", "y"], {"x", "y"})
    assert (hit, ndcg) == (1.0, pytest.approx(1.0))
    assert random_metrics(5, 1) == (1.0, pytest.approx(
        sum(0.2 / math.log2(r + 2) for r in range(5))))
    assert random_metrics(20, 1)[0] == pytest.approx(0.5)


@pytest.mark.parametrize("kind", ["content", "behaviour", "popularity", "hybrid"])
def test_every_recommender_keeps_the_contract(kind: str, history: History,
                                              vectors: VectorCache) -> None:
    parts = {"content": ContentRecommender(vectors), "behaviour": CoPurchaseRecommender(),
             "popularity": PopularityRecommender()}
    made: Recommender = (HybridRecommender(parts, {"content": 0.4, "behaviour": 0.4,
                                                   "popularity": 0.2})
                         if kind == "hybrid" else parts[kind])
    made.fit(history)
    for customer in ("b", "g", "nobody"):
        picks = made.recommend(customer, k=3, exclude={"floor"})
        assert 0 < len(picks) <= 3
        ids = [p.product_id for p in picks]
        assert len(set(ids)) == len(ids)
        assert "floor" not in ids and not set(ids) & history.bought(customer)
        assert [p.score for p in picks] == sorted((p.score for p in picks), reverse=True)
        assert all(p.reason_en and any("\u4e00" <= ch <= "\u9fff" for ch in p.reason_zh)
                   for p in picks)
    assert len(made.recommend("b", k=100)) == len(CATALOG) - len(history.bought("b"))


def test_like_this_needs_a_known_product(content: ContentRecommender) -> None:
    with pytest.raises(NotFound):
        like_this(content, "nope")


@pytest.mark.parametrize(("text", "colour"), [
    ("推荐一款蓝牙耳机", None),  # 蓝牙 is Bluetooth
    ("有蓝色的蓝牙音箱吗", "blue"),
    ("我要蓝的", "blue"),
    ("白T恤有吗", "white"),
    ("推荐一个白板", None),  # a whiteboard
    ("红轴的机械键盘", None),  # linear switches
    ("能去除灰尘的空气净化器", None),  # dust
    ("适合煮白米饭的电饭煲", None),
    ("防紫外线的防晒霜", None),  # UV
    ("我不明白", None),
    ("酒红色的钢笔", "burgundy"),  # not the red in it
    ("藏青色卫衣", "navy"),
    ("a blue tooth speaker", None),
    ("blue-tooth earbuds", None),
    ("a bluetooth speaker in red", "red"),
    ("a white board for the office", None),
    ("a keyboard with red switches", None),
    ("a headlamp with a red light", None),
    ("something for black coffee", None),
    ("a Redmi phone case", None),
    ("something in Gray", "grey"),
    ("the rose gold watch", "rose gold"),
])
def test_a_colour_inside_a_word_is_not_a_colour(text: str, colour: str | None) -> None:
    assert _colour(text) == colour


def test_what_a_request_is_for() -> None:
    for bare in ("any recommendations?", "Can you recommend something for me?", "有什么推荐的吗？",
                 "推荐一下热销款", "what's popular right now?", "something in blue under $50",
                 "预算500，推荐个什么", "求推荐"):
        assert _request(bare) == "", bare
    assert _request("I need a good tent for camping, any recommendation?") == \
        "I need a good tent for camping, any recommendation?"  # the asking is encoded too
    assert _request("recommend something for running under $40 in blue") == \
        "recommend something for running in"
    assert _request("推荐一款蓝色的蓝牙耳机") == "推荐一款的蓝牙耳机"


def test_a_request_ranks_what_fits_it(history: History, vectors: VectorCache) -> None:
    content = ContentRecommender(vectors)
    parts = {"content": content, "behaviour": CoPurchaseRecommender(),
             "popularity": PopularityRecommender()}
    hybrid = _fitted(HybridRecommender(parts, {"content": 0.4, "behaviour": 0.4,
                                               "popularity": 0.2}), history)
    assert isinstance(hybrid, HybridRecommender)

    def picks(relevance: np.ndarray, customer: str = "nobody") -> list[tuple[str, str]]:
        scores = _blend(hybrid, content, customer, relevance)
        return [(r.product_id, r.reason_en)
                for r in rerank(history, scores, hybrid.best_sellers, customer, 3)]

    lamps = picks(content.request_similarity("a lamp to read in bed"))
    assert {pid for pid, _ in lamps[:2]} == {"desk", "clip"}  # not the best-selling speaker
    assert lamps[0][1] == "matches what you asked for"
    assert picks(content.request_similarity("推荐一款适合看书的灯"))[0][0] in {"desk", "clip"}
    assert picks(content.request_similarity("warm clothes for winter"))[0] == \
        ("hoodie", "matches what you asked for")
    # a request the shop has nothing for matches nothing: suggest() keeps the hybrid's ranking
    assert content.request_similarity("a gift for my cat").max() < FLOOR
    zero = np.zeros(len(history.product_ids))
    for customer in ("nobody", "h"):
        assert [pid for pid, _ in picks(zero, customer)] == \
            [r.product_id for r in hybrid.recommend(customer, k=3)]
    assert texts(Reason("request"), history) == ("matches what you asked for", "符合您的需求")


def _profile(*facts: tuple[str, str]) -> Profile:
    return Profile("c", "Casey", "en", "member", 0, "USD", 1, preferences=[
        Fact(kind, value, "like", "order", "o1", None) for kind, value in facts])


def test_a_named_product_comes_in_the_customers_size(history: History) -> None:
    tee = history.products["tee"]  # S white, M white (sold out), L blue
    assert _named_variant(tee, None, None) == (None, None)
    assert _named_variant(tee, _profile(("size", "l"), ("colour", "white")), None) == \
        ("t-l", "L")  # the size first: white comes only in S
    assert _named_variant(tee, _profile(("size", "m"), ("colour", "white")), None) == \
        ("t-s", "white")  # no M in stock
    assert _named_variant(tee, _profile(("size", "s")), 1000) is None  # over the budget
    assert texts(Reason("named", "tee", option="L / blue"), history) == (
        "the one you asked about, in L / blue", "您问到的这款，L/蓝色有货")
