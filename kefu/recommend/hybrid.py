"""The hybrid: a weighted blend of its parts' scores (content, behaviour, popularity), each
standardised over the customer's candidates (the products they have not bought) so that the
weights compare like with like. A pick's reason is that of the part that added most to it.

The weights are learned on a validation split (``kefu.recommend.evaluate.tune_weights``), never
on the data the recommender is tested on.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kefu.recommend.history import History
from kefu.recommend.reasons import Reason
from kefu.recommend.scoring import Scores, ScoringRecommender

__all__ = ["HybridRecommender", "blend", "standardise"]


def standardise(values: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """(values − mean) / std over the candidates (a boolean mask); zeros when they are equal."""
    if not candidates.any():
        return np.zeros_like(values, dtype=np.float64)
    pool = values[candidates]
    std = float(pool.std())
    if std <= 1e-12:
        return np.zeros_like(values, dtype=np.float64)
    return (values - float(pool.mean())) / std


def blend(parts: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    total: np.ndarray | None = None
    for name, z in parts.items():
        w = weights.get(name, 0.0)
        if w:
            total = w * z if total is None else total + w * z
    if total is None:
        return np.zeros_like(next(iter(parts.values())), dtype=np.float64)
    return total


class HybridRecommender(ScoringRecommender):
    name = "hybrid"

    def __init__(self, parts: Mapping[str, ScoringRecommender], weights: Mapping[str, float],
                 fit_parts: bool = True) -> None:
        """``fit_parts=False``: the parts are already fitted on the history ``fit`` gets (one
        set of parts shared by several blends)."""
        super().__init__()
        unknown = set(weights) - set(parts)
        if unknown:
            raise ValueError(f"weights for parts the hybrid does not have: {sorted(unknown)}")
        self.parts, self.weights, self.fit_parts = dict(parts), dict(weights), fit_parts

    def _fit(self, history: History) -> None:
        if self.fit_parts:
            for part in self.parts.values():
                part.fit(history)

    def part_scores(self, customer_id: str) -> dict[str, tuple[np.ndarray, Scores]]:
        """Each part's standardised scores and its raw :class:`Scores`."""
        history = self.history
        bought = history.bought(customer_id)
        candidates = np.array([pid not in bought for pid in history.product_ids], dtype=bool)
        out = {}
        for name, part in self.parts.items():
            raw = part.scores(customer_id)
            out[name] = (standardise(raw.values, candidates), raw)
        return out

    def scores(self, customer_id: str) -> Scores:
        parts = self.part_scores(customer_id)
        values = blend({n: z for n, (z, _) in parts.items()}, self.weights)
        active = [(n, self.weights[n] * z, raw) for n, (z, raw) in parts.items()
                  if self.weights.get(n)]

        def reason(i: int) -> Reason | None:
            if not active:
                return None
            _, _, raw = max(active, key=lambda part: part[1][i])
            return raw.reason(i)

        return Scores(values, reason)
