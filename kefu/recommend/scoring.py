"""What the recommenders share: a score for every product of the catalogue, the best sellers
(the tie-break and the fallback), recency weights, and the re-ranking that applies the
constraints and writes the reasons."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from kefu.recommend.base import Constraints, Recommendation
from kefu.recommend.history import History
from kefu.recommend.matching import pick_variant
from kefu.recommend.reasons import Reason, texts

__all__ = ["BestSellers", "Scores", "ScoringRecommender", "recency_weights", "rerank"]

TOP_IN_CATEGORY = 3  # "popular in <category>" for the first three of a category
TOP_SHARE = 0.2  # "popular" for the top fifth of a catalogue without categories


@dataclass(frozen=True)
class Scores:
    """One score per product of the history (its catalogue order) and, for a product, why."""

    values: np.ndarray
    reason: Callable[[int], Reason | None]


class BestSellers:
    """How many customers bought each product, and where that puts it in its category."""

    def __init__(self, history: History) -> None:
        buyers: list[set[str]] = [set() for _ in history.product_ids]
        for purchase in history.purchases:
            buyers[history.index[purchase.product_id]].add(purchase.customer_id)
        self.counts = np.array([len(b) for b in buyers], dtype=np.float64)
        self._history = history
        self._rank = self._category_ranks(history)
        ranked = np.sort(self.counts)[::-1]
        top = max(1, int(len(ranked) * TOP_SHARE))
        self._popular_floor = float(ranked[top - 1]) if len(ranked) else 0.0

    def _category_ranks(self, history: History) -> dict[int, int]:
        by_category: dict[str, list[int]] = {}
        for i, pid in enumerate(history.product_ids):
            category = history.products[pid].category
            if category:
                by_category.setdefault(category, []).append(i)
        ranks: dict[int, int] = {}
        for members in by_category.values():
            for rank, i in enumerate(sorted(members, key=lambda j: (-self.counts[j], j))):
                ranks[i] = rank
        return ranks

    def reason(self, i: int) -> Reason:
        category = self._history.products[self._history.product_ids[i]].category
        if self.counts[i] <= 0:
            return Reason("pick")
        if category and i in self._rank:
            rank = self._rank[i]
            if rank == 0:
                return Reason("best_seller", category=category)
            return Reason("popular_in", category=category) if rank < TOP_IN_CATEGORY \
                else Reason("pick")
        return Reason("popular") if self.counts[i] >= self._popular_floor else Reason("pick")


def recency_weights(history: History, customer_id: str, decay: float) -> dict[int, float]:
    """Product index → weight of the customer's purchases of it: 1 for their latest order,
    ``decay`` for the one before, ``decay**2`` before that (the highest when bought twice)."""
    lines = history.purchases_of(customer_id)
    if not lines:
        return {}
    last = max(p.seq for p in lines)
    weights: dict[int, float] = {}
    for p in lines:
        i = history.index[p.product_id]
        weights[i] = max(weights.get(i, 0.0), decay ** (last - p.seq))
    return weights


def rerank(
    history: History,
    scores: Scores,
    best: BestSellers,
    customer_id: str,
    k: int,
    exclude: Collection[str] = (),
    constraints: Constraints | None = None,
) -> list[Recommendation]:
    """The ``k`` best products that meet the constraints (ties broken by sales), each with the
    variant the constraints name and its reason in both languages."""
    c = constraints or Constraints()
    banned = set(exclude) | (history.bought(customer_id) if c.exclude_bought else set())
    order = np.lexsort((np.arange(len(scores.values)), -best.counts, -scores.values))
    picks: list[Recommendation] = []
    for i in order:
        pid = history.product_ids[int(i)]
        if pid in banned:
            continue
        ok, variant = pick_variant(history.products[pid], c)
        if not ok:
            continue
        reason = scores.reason(int(i)) or best.reason(int(i))
        en, zh = texts(reason, history)
        picks.append(Recommendation(pid, variant, float(scores.values[i]), en, zh))
        if len(picks) >= k:
            break
    return picks


class ScoringRecommender(ABC):
    """A recommender that scores the whole catalogue for a customer; ``recommend`` re-ranks."""

    name: str

    def __init__(self) -> None:
        self._history: History | None = None
        self._best: BestSellers | None = None

    @property
    def history(self) -> History:
        if self._history is None:
            raise RuntimeError(f"{type(self).__name__}.fit has not been called")
        return self._history

    @property
    def best_sellers(self) -> BestSellers:
        if self._best is None:
            raise RuntimeError(f"{type(self).__name__}.fit has not been called")
        return self._best

    def fit(self, history: History) -> None:
        self._history, self._best = history, BestSellers(history)
        self._fit(history)

    def _fit(self, history: History) -> None:  # noqa: B027 (optional hook)
        """Learn what the scores need."""

    @abstractmethod
    def scores(self, customer_id: str) -> Scores:
        """A score for every product of the history; higher is better."""

    def recommend(
        self,
        customer_id: str,
        k: int = 10,
        exclude: Collection[str] = (),
        constraints: Constraints | None = None,
    ) -> list[Recommendation]:
        return rerank(self.history, self.scores(customer_id), self.best_sellers, customer_id, k,
                      exclude, constraints)
