"""Recommendations in conversation: the hybrid recommender fitted on the shop's own history
(refitted when orders change, at most every ``refresh_s``), its blend weights chosen on a
validation split of that history (kefu.recommend.evaluate.tune_weights), ranked by what the
request says it is for ("a gift for a runner", "送给喜欢喝咖啡的朋友"), led by the product the
customer names, constrained by what they ask ("something in blue", "under $50", "like the Desk
Lamp but cheaper") and by their profile (a stated budget, their size and colour, products
already bought), each pick with its reason in the customer's language."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.profile.builder import Profile
from kefu.recommend.base import Constraints, Recommendation
from kefu.recommend.content import ContentRecommender
from kefu.recommend.evaluate import make_parts, tune_weights
from kefu.recommend.history import History, ProductInfo, load_history
from kefu.recommend.hybrid import HybridRecommender, standardise
from kefu.recommend.matching import (
    COLOR_KEYS,
    FROM_CHINESE,
    SIZE_KEYS,
    matching_variants,
    pick_variant,
)
from kefu.recommend.reasons import Reason, texts
from kefu.recommend.scoring import Scores, rerank
from kefu.recommend.similar import like_this
from kefu.storage.db import storage_errors
from kefu.storage.models import Order, Product

_COLOURS_EN = ("black", "white", "blue", "red", "green", "grey", "gray", "silver", "navy",
               "pink", "rose gold", "space grey", "brown", "beige", "yellow", "purple", "orange")
# an English colour word before one of these is part of another name: "blue tooth" (Bluetooth),
# a "white board", "red switches" (a keyboard's linear ones), the headlamp's "red light" and
# "red night mode", "white rice", "no white cast", "black coffee", "green tea", "white noise"
_NOT_A_COLOUR_AFTER = ("tooth", "board", "boards", "rice", "noise", "light", "lights", "lit",
                       "backlight", "backlit", "backlighting", "switch", "switches", "coffee",
                       "tea", "wine", "juice", "friday", "card", "cast", "night", "mode",
                       "member", "membership", "tier", "level")
_COLOUR_EN = re.compile(
    r"(?<![a-z])(" + "|".join(re.escape(c) for c in sorted(_COLOURS_EN, key=len, reverse=True))
    + r")(?![a-z])(?![\s-]*(?:" + "|".join(_NOT_A_COLOUR_AFTER) + r")(?![a-z]))", re.I)
# One character names a colour only on its own ("蓝的", "蓝款", "白T恤"), never inside a word:
# 蓝牙 is Bluetooth, 红轴 a linear switch, 白板 a whiteboard, 灰尘 dust, 米饭 rice, 紫外线 UV.
# 米 (beige) and 棕 are too often something else (厘米, 小米, 棕榈) to count alone.
_COLOUR_CHARS = "黑白灰银蓝绿红粉紫橙黄"
_ZH_COLOURS = {zh: en for zh, en in FROM_CHINESE.items() if len(zh) >= 2 and (
    en in _COLOURS_EN or zh.endswith("色") or zh[-1] in _COLOUR_CHARS + "金青")}
# words with a colour character that are not colours: the catalogue's own (蓝牙, 红轴, 青轴 …
# from its option terms, 白板, 白米饭, 白鸭绒, 灰尘, 红光, 绿植 from its names and texts), and
# a few everyday ones (明白 "understand", 网红 "influencer", 美白 "whitening", 红茶 "black tea")
_NOT_COLOURS_ZH = tuple(sorted(
    {zh for zh, en in FROM_CHINESE.items() if len(zh) >= 2 and zh not in _ZH_COLOURS
     and any(c in zh for c in _COLOUR_CHARS + "青")}
    | {"白板", "白米", "米饭", "白鸭绒", "灰尘", "紫外线", "红光", "蓝光", "绿植", "黑头", "黑咖啡",
       "红茶", "绿茶", "白茶", "黑茶", "红酒", "明白", "网红", "美白", "黑科技", "红包"},
    key=len, reverse=True))
_COLOUR_ZH = re.compile(
    "|".join(re.escape(t) for t in sorted(_ZH_COLOURS, key=len, reverse=True))
    + r"|(?<![明坦告空洁清雪蛋网走爆通口奶面米底蜜散香花淀衣拉漆焦石])"
    + rf"[{_COLOUR_CHARS}](?=[的款系]|[^\u3400-\u9fff]|$)")
_NOT_COLOUR_ZH = re.compile("|".join(re.escape(t) for t in _NOT_COLOURS_ZH))
_CHEAPER = re.compile(r"cheaper|less expensive|lower price|budget|便宜|实惠|划算|低一点", re.I)
_LIKE = re.compile(r"\blike (?:the|this|that|my)\b|similar|像|类似|差不多", re.I)
_UNDER = re.compile(r"(?:under|below|less than|within|up to|max(?:imum)?)\s*[$¥￥]?\s*(\d+)|"
                    r"(\d+)\s*(?:元|块|美元|dollars?|usd|yuan|rmb)?\s*(?:以内|以下|之内)", re.I)
_MONEY = re.compile(r"[$¥￥]\s*\d[\d,.]*|\d[\d,.]*\s*(?:元|块钱?|美元|dollars?|bucks?|usd|yuan|"
                    r"rmb)|预算\s*\d*|budget(?:\s+of)?", re.I)
# what a request for suggestions says whatever it is for: asking, politeness, "something",
# "popular" (the ranking's own prior), in English and in Chinese
_ASKING_EN = re.compile(r"""(?<![a-z])(?:
    (?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?
        (?:recomm?end|suggest|help\s+me\s+(?:to\s+)?(?:pick|choose|find))
  | (?:would|do|should|could|can)\s+(?:you|i)\s+(?:recomm?end|suggest|get|buy|pick|choose)
  | (?:do\s+you\s+have|have\s+you\s+got|got)\s+any
  | (?:i'?m|i\s+am)\s+(?:looking|searching|shopping)\s+for | looking\s+for | trying\s+to\s+find
  | i\s+(?:need|want|would\s+like|'d\s+like) | (?:show|give|find|get|tell)\s+me
  | help\s+me\s+(?:to\s+)?(?:pick|choose|find)
  | (?:any\s+|some\s+)?(?:recomm?end(?:ations?|ed|s)? | suggest(?:ions?|ed|s)? | ideas?
        | advice | tips) | please
  | thanks? (?:\s+you)? | (?:most\s+)?popular | best[\s-]?sell(?:ing|ers?) | top\s+picks?
  | trending | right\s+now | something | anything | stuff | items? | products?
)(?![a-z])""", re.I | re.X)
_ASKING_ZH = re.compile(
    r"(?:请问|麻烦|能不能|能否|可不可以|可以)?(?:帮我|给我|帮忙|你)?求?推荐"
    r"(?:一下|下|一款|一个|一些|一点|点|些|个|款|几款|哪款|哪个)?"
    r"|有(?:什么|没有|啥|哪些)(?:好的|好用的|值得买的|好物)?"
    r"|(?:帮我|帮忙)(?:挑|选)(?:一个|一款|个|款|一下)?|我?想(?:买|要)(?:一个|一款|个|款|点)?"
    r"|热销款?|爆款|卖得最?好|最受欢迎|新品|值得买|(?:哪款|哪个|哪些|什么|啥)(?:比较)?(?:好|合适)?"
    r"|[吗呢吧呀啊]")
_FILLER_EN = frozenset(
    "a an the for to of in on at with and or my me i you your we is are be do does it this that "
    "there one some any what which who how can could would should will good great nice best "
    "new really just also so get buy what's whats it's i'm i'd that's there's".split())
_FILLER_ZH = re.compile(r"[的了个一款些点下我你您们是在和给请也都就很好有没用样要想买]")

# Ranking by the request (see _blend): the centred cosine of the request to a product. Any
# request scores some products up to about NOISE: on the demo shop "any recommendations?",
# "有什么推荐的吗？", "a gift for my cat", "给老婆的礼物" and "I need a car" top out at 0.10-0.15,
# whatever they get is chance. A product matches from FLOOR: "can you recommend a gift for a
# runner?" gives the Running Shoes 0.20, "I need a good tent for camping" the Camping Tent 0.39,
# "送给喜欢喝咖啡的朋友的礼物" the Drip Coffee Maker 0.32. Without the floor, a request the shop
# has nothing for would get its chance winners as "matching" (a scented candle for the cat).
NOISE = 0.12
FLOOR = 0.18
HISTORY_WEIGHT = 0.25  # the customer's standardised hybrid score, against relevance 1 at FLOOR
NEAR_WEIGHT = 3.0  # likeness (centred cosine) to a product the request matches
MATCHES_WIDENED = 3  # how many of the best matches the request is widened to
TOP_RELEVANT = 3  # a remembered product is the one named when the request is about it


@dataclass(frozen=True)
class Pick:
    product: ProductInfo
    variant_id: str | None
    price_cents: int | None
    reason: str


class Recommendations:
    def __init__(self, factory: sessionmaker[Session], encoder: Callable[[], object],
                 refresh_s: float = 600.0) -> None:
        self._factory = factory
        self._encoder = encoder
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._fitted: tuple[tuple[int, int], float, History, HybridRecommender] | None = None

    def _model(self) -> tuple[History, HybridRecommender]:
        with self._lock:
            with storage_errors(), self._factory() as session:
                mark = (session.scalar(select(func.count()).select_from(Order)) or 0,
                        session.scalar(select(func.count()).select_from(Product)) or 0)
                fresh = ((self._fitted is not None and self._fitted[0] == mark)
                         or (self._fitted is not None
                         and time.monotonic() - self._fitted[1] < self._refresh_s))
                if not fresh:
                    history = load_history(session)
                    parts = make_parts(self._encoder())  # type: ignore[arg-type]
                    weights, _ = tune_weights(history, parts, list(parts))
                    hybrid = HybridRecommender(parts, weights)
                    hybrid.fit(history)
                    self._fitted = (mark, time.monotonic(), history, hybrid)
            assert self._fitted is not None
            return self._fitted[2], self._fitted[3]

    def suggest(self, text: str, language: str, customer_id: str | None,
                profile: Profile | None, anchor_id: str | None = None, k: int = 3
                ) -> list[Pick]:
        """Up to ``k`` picks for the request ``text``.

        - "like X", "X but cheaper", "X in blue" about a product X (``anchor_id``): products
          like it (:func:`kefu.recommend.similar.like_this`).
        - X named without those: X itself first (in the customer's size and colour when it
          has them in stock), then the products most like it. ``anchor_id`` may be a product
          from earlier in the conversation: it leads only when this request is about it (its
          name is in the text, or it is among the products the request fits best), not when a
          bare "any recommendations?" follows a question about it.
        - a request that says what it is for ("a gift for a runner"): ranked by how well each
          product fits it, the customer's history and the best sellers breaking ties
          (:func:`_blend`). A request that fits no product of the shop ("a gift for my cat")
          or says nothing of what it is for ("any recommendations?") is ranked as before the
          request: the customer's hybrid score (history, co-purchases, popularity).

        Stock, a colour, a budget (asked or stated before) and, but for a named product, what
        the customer already bought always apply.
        """
        history, hybrid = self._model()
        colour = _colour(text)
        budget = _budget(text) or _stated_budget(profile)
        constraints = Constraints(color=colour, max_price_cents=budget)
        content = hybrid.parts["content"]
        assert isinstance(content, ContentRecommender)
        cheaper = bool(_CHEAPER.search(text))
        if anchor_id and anchor_id in history.products and (
                cheaper or colour or _LIKE.search(text)):
            found = like_this(content, anchor_id, k=k, cheaper=cheaper, color=colour,
                              constraints=Constraints(max_price_cents=budget))
            return [_pick(history, r, language) for r in found]
        request = _request(text)
        relevance = content.request_similarity(request) if request else None
        if relevance is not None and float(relevance.max(initial=0.0)) < FLOOR:
            relevance = None  # nothing in the shop is what they ask for
        anchor = history.products.get(anchor_id or "")
        if anchor is not None and (_names(anchor, text) or (
                relevance is not None and _among_best(history, relevance, anchor.id))):
            found = _named_first(content, anchor, profile, budget, customer_id, k)
            if found:  # else none of it in stock or within the budget: what the request fits
                return [_pick(history, r, language) for r in found]
        who = customer_id or ""
        if relevance is None:
            found = hybrid.recommend(who, k=k, constraints=constraints)
            if not found and (colour or budget):  # nothing fits: say so with what does
                found = hybrid.recommend(who, k=k)
        else:
            scores = _blend(hybrid, content, who, relevance)
            found = rerank(history, scores, hybrid.best_sellers, who, k, constraints=constraints)
            if not found and (colour or budget):
                found = rerank(history, scores, hybrid.best_sellers, who, k)
        return [_pick(history, r, language) for r in found]


def _blend(hybrid: HybridRecommender, content: ContentRecommender, customer_id: str,
           relevance: np.ndarray) -> Scores:
    """The request first, the customer's history second:
    ``fit + NEAR_WEIGHT * near + HISTORY_WEIGHT * prior``.

    - ``fit``, how well the product fits the request: ``max(0, cosine - NOISE) / (FLOOR -
      NOISE)``, 0 for what any request scores, 1 at the floor of a match, about 4.5 for the
      Camping Tent asked as "a tent for camping".
    - ``near``, the request widened to what is like what it matched: the product's centred
      cosine to the best matches (up to ``MATCHES_WIDENED``, weighted by their fit), so that
      after the Running Shoes a runner gets leggings, socks or a jump rope rather than the
      kitchen's best seller. A close neighbour (0.3) adds about a match's floor.
    - ``prior``, the customer's hybrid score (history, co-purchases, popularity)
      standardised over the products they have not bought; for a guest, whose hybrid score
      is flat when the tuned blend gives popularity no weight, the best sellers' (what the
      hybrid falls back on for them too). At 0.25 a best seller (about 3 standard
      deviations) adds 0.75: less than a clear match, enough to choose between products that
      fit about as well, and the order of those the request does not touch.

    Products from ``FLOOR`` give "matches what you asked for" as their reason; the others
    keep the hybrid's."""
    history = hybrid.history
    base = hybrid.scores(customer_id)
    bought = history.bought(customer_id)
    candidates = np.array([pid not in bought for pid in history.product_ids], dtype=bool)
    prior = standardise(base.values, candidates)
    if not prior.any():  # a guest, whose hybrid score is flat: the best sellers, as in rerank
        prior = standardise(hybrid.best_sellers.counts, candidates)
    fit = np.clip(relevance - NOISE, 0.0, None) / (FLOOR - NOISE)
    matched = [int(i) for i in np.argsort(-relevance, kind="stable")[:MATCHES_WIDENED]
               if relevance[i] >= FLOOR]
    near = np.zeros(len(relevance))
    if matched:
        sims = content.vectors @ content.vectors[matched].T  # products × matched
        sims[matched, np.arange(len(matched))] = 0.0  # a match is not near itself
        weights = fit[matched] / fit[matched].sum()
        near = np.clip(sims @ weights, 0.0, None)
    values = fit + NEAR_WEIGHT * near + HISTORY_WEIGHT * prior

    def reason(i: int) -> Reason | None:
        return Reason("request") if relevance[i] >= FLOOR else base.reason(i)

    return Scores(values, reason)


def _names(product: ProductInfo, text: str) -> bool:
    """Whether the text names the product: a word of its English name ("tent", "earbuds") or
    two characters of its Chinese name ("耳机" of 无线蓝牙耳机)."""
    lowered = text.lower()
    words = [w for w in re.findall(r"[a-z0-9]+", product.name.lower()) if len(w) >= 3]
    if any(re.search(rf"(?<![a-z0-9]){re.escape(w)}", lowered) for w in words):
        return True
    zh = re.sub(r"[^\u3400-\u9fff]", "", product.name_zh or "")
    return any(zh[i:i + 2] in text for i in range(len(zh) - 1))


def _among_best(history: History, relevance: np.ndarray, product_id: str) -> bool:
    """Whether the product matches the request and is among the ``TOP_RELEVANT`` it fits
    best: a product remembered from earlier in the conversation that the request is about."""
    rank = int((relevance > relevance[history.index[product_id]]).sum())
    return rank < TOP_RELEVANT and relevance[history.index[product_id]] >= FLOOR


def _named_first(content: ContentRecommender, anchor: ProductInfo, profile: Profile | None,
                 budget: int | None, customer_id: str | None, k: int) -> list[Recommendation]:
    """The named product (when in stock and within the budget), then the products like it
    that the customer has not bought."""
    history = content.history
    picks: list[Recommendation] = []
    first = _named_variant(anchor, profile, budget)
    if first is not None:
        variant_id, option = first
        en, zh = texts(Reason("named", anchor.id, option=option), history)
        picks.append(Recommendation(anchor.id, variant_id, 1.0, en, zh))
    if k > len(picks):
        bought = history.bought(customer_id) if customer_id else set()
        picks.extend(like_this(content, anchor.id, k=k - len(picks),
                               exclude=bought | {anchor.id},
                               constraints=Constraints(max_price_cents=budget)))
    return picks


def _named_variant(product: ProductInfo, profile: Profile | None,
                   budget: int | None) -> tuple[str | None, str | None] | None:
    """The variant to name: one in the customer's size and colour (their sizes first, as a
    wrong size is no use), else the product as it is (its cheapest fitting variant under a
    budget); with the options it was chosen for ("black / M"). None when no variant is in
    stock within the budget."""
    base = Constraints(exclude_bought=False, max_price_cents=budget)
    ok, variant_id = pick_variant(product, base)
    if not ok:
        return None
    sizes = profile.likes("size") if profile else []
    colours = profile.likes("colour") if profile else []
    for size in [*sizes, None]:
        for colour in [*colours, None]:
            if size is None and colour is None:
                continue
            found = matching_variants(product, Constraints(
                exclude_bought=False, max_price_cents=budget, size=size, color=colour))
            if found:
                variant = found[0]
                keys = (COLOR_KEYS if colour else frozenset()) | \
                    (SIZE_KEYS if size else frozenset())
                option = " / ".join(v for key, v in variant.options.items()
                                    if key.lower() in keys)
                return variant.id, option or None
    return variant_id, None


def _pick(history: History, r: Recommendation, language: str) -> Pick:
    product = history.products[r.product_id]
    variant = next((v for v in product.variants if v.id == r.variant_id), None)
    price = variant.price_cents if variant else product.min_price_cents
    return Pick(product, r.variant_id, price, r.reason_zh if language == "zh" else r.reason_en)


def _colours(text: str) -> list[tuple[int, int, str]]:
    """The colours the text asks for, with where: English colour words on their own ("blue",
    not "blue tooth" nor "bluetooth"), Chinese colour words (蓝色, 藏青, 玫瑰金) and colour
    characters that stand alone ("蓝的", "白T恤", not 蓝牙 nor 白板)."""
    found = [(m.start(), m.end(), m[1].lower()) for m in _COLOUR_EN.finditer(text)]
    masked = _NOT_COLOUR_ZH.sub(lambda m: "\u3000" * len(m[0]), text)  # same offsets
    for m in _COLOUR_ZH.finditer(masked):
        found.append((m.start(), m.end(), _ZH_COLOURS.get(m[0]) or FROM_CHINESE[m[0]]))
    return sorted((a, b, "grey" if c == "gray" else c) for a, b, c in found)


def _colour(text: str) -> str | None:
    """The first colour the text asks for, in the catalogue's words ("blue", "navy")."""
    found = _colours(text)
    return found[0][2] if found else None


def _request(text: str) -> str:
    """The request to rank products by: the text without its colours and budget (constraints
    of their own); "" when it says nothing of what it is for, once the asking ("can you
    recommend", "推荐一款", "any recommendations?") is left out too: "any recommendations?",
    "有什么推荐的吗？", "something in blue under $50". The asking stays in what is encoded: the
    floor was set on whole requests, and a bare fragment ("a car") scores higher against
    everything than the request it came from ("I need a car")."""
    kept = list(text)
    for a, b, _ in _colours(text):
        kept[a:b] = [" "] * (b - a)
    request = re.sub(r"\s+", " ", _MONEY.sub(" ", _UNDER.sub(" ", "".join(kept)))).strip()
    request = re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", request)
    rest = _ASKING_ZH.sub(" ", _ASKING_EN.sub(" ", request))
    words = [w for w in re.findall(r"[a-z][a-z'-]+", rest.lower()) if w not in _FILLER_EN]
    if words or re.search(r"[\u3400-\u9fff]", _FILLER_ZH.sub("", rest)):
        return request
    return ""


def _budget(text: str) -> int | None:
    found = _UNDER.search(text)
    if not found:
        return None
    amount = found.group(1) or found.group(2)
    return int(amount) * 100 if amount else None


def _stated_budget(profile: Profile | None) -> int | None:
    if profile is None:
        return None
    for fact in profile.preferences:
        if fact.kind == "price_max" and fact.polarity == "like":
            digits = fact.value.partition(" ")[0]  # "20000 CNY": cents, then the currency
            if digits.isdigit():
                return int(digits)
    return None


def render(picks: list[Pick], language: str, currency: str) -> str:
    if not picks:
        return ("抱歉，目前没有符合条件的商品。" if language == "zh"
                else "Sorry, I found nothing that fits right now.")
    lines = []
    for i, pick in enumerate(picks, 1):
        name = pick.product.display_name(language)
        price = f"{pick.price_cents / 100:,.2f} {currency}" if pick.price_cents else ""
        sep = "，" if language == "zh" else " — "
        lines.append(f"{i}. {name}（{price}）{sep}{pick.reason}" if language == "zh"
                     else f"{i}. {name} ({price}){sep}{pick.reason}")
    head = "为您推荐：" if language == "zh" else "Here are a few picks for you:"
    return "\n".join([head, *lines])
