"""Offline evaluation: each customer's last order is held out.

Protocol (the usual one for next-basket recommendation):

- customers with at least two orders have their last order held out; everything else (their
  earlier orders and every order of the customers with one) is what the recommenders learn
  from. Time is the order of each customer's orders: ``created_at`` on the demo shop, the order
  of the user's order list on tau-bench (its orders have no timestamps).
- a recommender ranks the products the customer has not bought before (re-suggesting what they
  own is not what a shop assistant is for), stock ignored (the purchase happened);
- the held-out products are those of the last order not bought before; a held-out order with
  only repeat purchases has nothing to find and is skipped (counted in the report);
- hit-rate@10: any held-out product in the top 10; NDCG@10 with binary relevance.

The hybrid's weights are chosen on a validation split made the same way inside the training
data (each customer's last *training* order held out), then the hybrid is refitted on all the
training data: the test orders never choose anything. Popularity, content, behaviour and the
hybrids are measured in the same run on the same customers, with a random ranking's expected
figures and a paired bootstrap interval for hybrid − popularity.
"""

from __future__ import annotations

import itertools
import math
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kefu.knowledge.vector_cache import VectorCache
from kefu.nlu.encoder import TextEncoder
from kefu.recommend.base import Constraints
from kefu.recommend.behaviour import CoPurchaseRecommender
from kefu.recommend.content import ContentRecommender
from kefu.recommend.history import History, load_history
from kefu.recommend.hybrid import HybridRecommender, blend
from kefu.recommend.popularity import PopularityRecommender
from kefu.recommend.scoring import ScoringRecommender
from kefu.settings import Settings

__all__ = [
    "Split",
    "demo_history",
    "evaluate_history",
    "leave_last_order_out",
    "ranking_metrics",
    "settings_encoder",
    "tau_history",
    "tune_weights",
]

K = 10
EVAL_CONSTRAINTS = Constraints(in_stock=False, exclude_bought=True)
HYBRIDS: dict[str, tuple[str, ...]] = {
    "hybrid": ("content", "behaviour", "popularity"),
    "hybrid_content_behaviour": ("content", "behaviour"),
}
Encoder = TextEncoder | VectorCache


@dataclass(frozen=True)
class Split:
    train: History
    held_out: dict[str, set[str]]  # customer → products of their last order new to them
    repeat_only: int  # last orders skipped: every product bought before
    customers_with_two_orders: int


def leave_last_order_out(history: History) -> Split:
    """Hold out the last order of every customer with two or more."""
    test_orders: set[str] = set()
    held_out: dict[str, set[str]] = {}
    repeat_only = eligible = 0
    for customer in history.customers:
        orders = history.orders_of(customer)
        if len(orders) < 2:
            continue
        eligible += 1
        last = orders[-1]
        test_orders.add(last[0].order_id)
        before = {p.product_id for order in orders[:-1] for p in order}
        new = {p.product_id for p in last} - before
        if new:
            held_out[customer] = new
        else:
            repeat_only += 1
    train = history.with_purchases(p for p in history.purchases if p.order_id not in test_orders)
    return Split(train, held_out, repeat_only, eligible)


def ranking_metrics(ranked: Sequence[str], relevant: set[str], k: int = K) -> tuple[float, float]:
    """(hit, NDCG) of the top ``k`` with binary relevance."""
    gains = [1.0 / math.log2(r + 2) for r, pid in enumerate(ranked[:k]) if pid in relevant]
    ideal = sum(1.0 / math.log2(r + 2) for r in range(min(k, len(relevant))))
    return (1.0 if gains else 0.0), (sum(gains) / ideal if ideal else 0.0)


def random_metrics(candidates: int, relevant: int, k: int = K) -> tuple[float, float]:
    """A uniformly random ranking's expected (hit, NDCG) among ``candidates`` products."""
    if candidates <= 0 or relevant <= 0:
        return 0.0, 0.0
    top = min(k, candidates)
    miss = math.comb(candidates - relevant, top) / math.comb(candidates, top)
    ideal = sum(1.0 / math.log2(r + 2) for r in range(min(k, relevant)))
    dcg = sum(relevant / candidates / math.log2(r + 2) for r in range(top))
    return 1.0 - miss, dcg / ideal


def make_parts(encoder: Encoder) -> dict[str, ScoringRecommender]:
    return {"content": ContentRecommender(encoder), "behaviour": CoPurchaseRecommender(),
            "popularity": PopularityRecommender()}


def _simplex(names: Sequence[str], step: float) -> list[dict[str, float]]:
    n = round(1 / step)
    grid = []
    for combo in itertools.product(range(n + 1), repeat=len(names)):
        if sum(combo) == n:
            grid.append({name: c / n for name, c in zip(names, combo, strict=True)})
    return grid


def _top(values: np.ndarray, counts: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """The indices of the ``k`` best candidates, ties broken by sales then catalogue order —
    as :func:`kefu.recommend.scoring.rerank` breaks them."""
    order = np.lexsort((np.arange(len(values)), -counts, -values))
    return order[candidates[order]][:k]


def tune_weights(
    train: History,
    parts: Mapping[str, ScoringRecommender],
    names: Sequence[str],
    k: int = K,
    step: float = 0.1,
) -> tuple[dict[str, float], dict[str, float]]:
    """The blend of ``names`` (weights on a grid of ``step`` summing to 1) with the best
    NDCG@k on a validation split of ``train``; returns it and its validation figures."""
    split = leave_last_order_out(train)
    hybrid = HybridRecommender(parts, {})
    hybrid.fit(split.train)
    history, counts = split.train, hybrid.best_sellers.counts
    cases = []
    for customer, relevant in split.held_out.items():
        bought = history.bought(customer)
        candidates = np.array([pid not in bought for pid in history.product_ids], dtype=bool)
        z = {n: s for n, (s, _) in hybrid.part_scores(customer).items() if n in names}
        cases.append((z, candidates, relevant))
    best: tuple[float, float, dict[str, float]] | None = None
    for weights in _simplex(names, step):
        hits, gains = [], []
        for z, candidates, relevant in cases:
            top = _top(blend(z, weights), counts, candidates, k)
            hit, ndcg = ranking_metrics([history.product_ids[i] for i in top], relevant, k)
            hits.append(hit)
            gains.append(ndcg)
        score = (float(np.mean(gains)) if gains else 0.0, float(np.mean(hits)) if hits else 0.0)
        if best is None or score > best[:2]:
            best = (*score, weights)
    assert best is not None
    return best[2], {"ndcg_at_10": round(best[0], 4), "hit_rate_at_10": round(best[1], 4),
                     "customers": len(cases)}


def _bootstrap(a: np.ndarray, b: np.ndarray, rounds: int, seed: int) -> list[float]:
    """A 95 % paired bootstrap interval of mean(a − b) over customers."""
    if len(a) == 0:
        return [0.0, 0.0]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(a), size=(rounds, len(a)))
    diffs = (a - b)[picks].mean(axis=1)
    low, high = np.percentile(diffs, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def evaluate_history(history: History, encoder: Encoder, *, k: int = K, step: float = 0.1,
                     bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Every method's hit-rate@k and NDCG@k on the last-order split of ``history``."""
    started = time.perf_counter()
    split = leave_last_order_out(history)
    parts = make_parts(encoder)
    tuned = {name: tune_weights(split.train, parts, names, k, step)
             for name, names in HYBRIDS.items()}
    for part in parts.values():  # refitted on all the training data
        part.fit(split.train)
    methods: dict[str, ScoringRecommender] = dict(parts)
    for name, (weights, _) in tuned.items():
        methods[name] = HybridRecommender(parts, weights, fit_parts=False)
        methods[name].fit(split.train)
    per_customer = _score_methods(methods, split, k)
    report = _report(history, split, per_customer, k, bootstrap, seed)
    report["hybrid_weights"] = {n: w for n, (w, _) in tuned.items()}
    report["validation"] = {n: v for n, (_, v) in tuned.items()}
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def _score_methods(methods: Mapping[str, ScoringRecommender], split: Split,
                   k: int) -> dict[str, np.ndarray]:
    """Method → (customers × 2) array of (hit, NDCG); "random" → its expected figures."""
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    out["random"] = []
    n_products = len(split.train.product_ids)
    for customer, relevant in split.held_out.items():
        for name, method in methods.items():
            ranked = [r.product_id for r in method.recommend(customer, k,
                                                             constraints=EVAL_CONSTRAINTS)]
            out[name].append(ranking_metrics(ranked, relevant, k))
        candidates = n_products - len(split.train.bought(customer))
        out["random"].append(random_metrics(candidates, len(relevant), k))
    return {name: np.array(rows, dtype=np.float64).reshape(-1, 2) for name, rows in out.items()}


def _report(history: History, split: Split, scores: Mapping[str, np.ndarray], k: int,
            bootstrap: int, seed: int) -> dict[str, Any]:
    def mean(name: str, col: int) -> float:
        values = scores[name][:, col]
        return round(float(values.mean()), 4) if len(values) else 0.0

    methods = {name: {f"hit_rate_at_{k}": mean(name, 0), f"ndcg_at_{k}": mean(name, 1)}
               for name in scores}
    pop_hit, pop_ndcg = mean("popularity", 0), mean("popularity", 1)
    ratios = {name: {"hit_rate": round(m[f"hit_rate_at_{k}"] / pop_hit, 3) if pop_hit else None,
                     "ndcg": round(m[f"ndcg_at_{k}"] / pop_ndcg, 3) if pop_ndcg else None}
              for name, m in methods.items()}
    return {
        f"hit_rate_at_{k}": methods["hybrid"][f"hit_rate_at_{k}"],
        f"ndcg_at_{k}": methods["hybrid"][f"ndcg_at_{k}"],
        f"popularity_hit_rate_at_{k}": pop_hit,
        f"popularity_ndcg_at_{k}": pop_ndcg,
        "methods": methods,
        "ratio_to_popularity": ratios,
        "hybrid_minus_popularity_ci95": {
            "hit_rate": _bootstrap(scores["hybrid"][:, 0], scores["popularity"][:, 0],
                                   bootstrap, seed),
            "ndcg": _bootstrap(scores["hybrid"][:, 1], scores["popularity"][:, 1], bootstrap,
                               seed),
        },
        "customers_evaluated": len(split.held_out),
        "customers_with_two_orders": split.customers_with_two_orders,
        "skipped_repeat_only": split.repeat_only,
        "products": len(history.product_ids),
        "purchases": len(history.purchases),
        "training_purchases": len(split.train.purchases),
        "time_order": history.time_source,
    }


def settings_encoder(settings: Settings) -> VectorCache:
    """The configured encoder, its passage vectors cached on this machine (shared with the
    knowledge index: same namespace)."""
    from kefu.nlu.encoder import load_encoder
    from kefu.nlu.encoder.onnx_build import BUILDER_VERSION

    encoder = load_encoder(settings.encoder, settings.cache_dir, settings.encoder_threads)
    namespace = f"e5-small-{settings.encoder}-b{BUILDER_VERSION}"
    return VectorCache(encoder, settings.cache_dir.expanduser() / "vectors.sqlite3", namespace)


def _temp_history(fill: Callable[[Any], object]) -> History:
    from kefu.storage.db import make_engine, make_sessionmaker, upgrade

    with tempfile.TemporaryDirectory(prefix="kefu-recommend-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'shop.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            with make_sessionmaker(engine).begin() as session:
                fill(session)
            with make_sessionmaker(engine)() as session:
                return load_history(session)
        finally:
            engine.dispose()


def demo_history(seed: int = 7) -> History:
    """The demo shop for ``seed``, generated in a temporary SQLite database."""
    from kefu.demo import seed_demo

    return _temp_history(lambda session: seed_demo(session, seed))


def tau_history(directory: Path) -> History:
    """The tau-bench retail store in ``directory``, imported into a temporary SQLite database."""
    from kefu.store.tau import import_tau_retail

    return _temp_history(lambda session: import_tau_retail(session, directory))
