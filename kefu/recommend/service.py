"""Recommendations in conversation: the hybrid recommender fitted on the shop's own history
(refitted when orders change, at most every ``refresh_s``), its blend weights chosen on a
validation split of that history (kefu.recommend.evaluate.tune_weights), constrained by what
the customer asks ("something in blue", "under $50", "like the Desk Lamp but cheaper") and by
their profile (a stated budget, products already bought), each pick with its reason in the
customer's language."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kefu.profile.builder import Profile
from kefu.recommend.base import Constraints, Recommendation
from kefu.recommend.content import ContentRecommender
from kefu.recommend.evaluate import make_parts, tune_weights
from kefu.recommend.history import History, ProductInfo, load_history
from kefu.recommend.hybrid import HybridRecommender
from kefu.recommend.matching import FROM_CHINESE
from kefu.recommend.similar import like_this
from kefu.storage.db import storage_errors
from kefu.storage.models import Order, Product

_COLOURS_EN = ("black", "white", "blue", "red", "green", "grey", "gray", "silver", "navy",
               "pink", "rose gold", "space grey", "brown", "beige", "yellow", "purple", "orange")
_CHEAPER = re.compile(r"cheaper|less expensive|lower price|budget|便宜|实惠|划算|低一点", re.I)
_LIKE = re.compile(r"\blike (?:the|this|that|my)\b|similar|像|类似|差不多", re.I)
_UNDER = re.compile(r"(?:under|below|less than|within|up to|max(?:imum)?)\s*[$¥￥]?\s*(\d+)|"
                    r"(\d+)\s*(?:元|块|美元|dollars?|usd|yuan|rmb)?\s*(?:以内|以下|之内)", re.I)


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
        history, hybrid = self._model()
        colour = _colour(text)
        budget = _budget(text) or _stated_budget(profile)
        constraints = Constraints(color=colour, max_price_cents=budget)
        if anchor_id and anchor_id in history.products and (
                _CHEAPER.search(text) or colour or _LIKE.search(text)):
            content = hybrid.parts["content"]
            assert isinstance(content, ContentRecommender)
            found = like_this(content, anchor_id, k=k, cheaper=bool(_CHEAPER.search(text)),
                              color=colour, constraints=Constraints(max_price_cents=budget))
        else:
            found = hybrid.recommend(customer_id or "", k=k, constraints=constraints)
            if not found and (colour or budget):  # nothing fits: say so with what does
                found = hybrid.recommend(customer_id or "", k=k)
        return [_pick(history, r, language) for r in found]


def _pick(history: History, r: Recommendation, language: str) -> Pick:
    product = history.products[r.product_id]
    variant = next((v for v in product.variants if v.id == r.variant_id), None)
    price = variant.price_cents if variant else product.min_price_cents
    return Pick(product, r.variant_id, price, r.reason_zh if language == "zh" else r.reason_en)


def _colour(text: str) -> str | None:
    lowered = text.lower()
    for zh, en in FROM_CHINESE.items():
        if zh in text and en in _COLOURS_EN:
            return en
    for name in sorted(_COLOURS_EN, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", lowered):
            return "grey" if name == "gray" else name
    return None


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
