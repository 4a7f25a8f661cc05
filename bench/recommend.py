"""Recommendations offline, the figures behind BENCHMARKS.md: hit-rate@10 and NDCG@10 of the
content, behaviour (co-purchase), hybrid and popularity recommenders, each customer's last order
held out (kefu.recommend.evaluate), on the demo shop and on the tau-bench retail store
(../shared/data; skipped with a message when absent), plus a history with planted structure
(the demo catalogue, made-up customers with favourite categories and product pairs) that shows
what the same code finds when there is something to find.

    .venv/bin/python bench/recommend.py [--data ../shared/data/tau_retail] [--repeats 3] [--json]

Popularity is the baseline, run in the same process on the same customers; "random" is a
random ranking's expected figures. Time: the whole evaluation (split, validation grid for the
hybrids' weights, fits, every method's top 10 for every held-out customer; product vectors come
from the machine's vector cache after the first run), median of --repeats runs; and one
``recommend(customer, k=10)`` call, median over the held-out customers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kefu.recommend.evaluate import (
    EVAL_CONSTRAINTS,
    demo_history,
    evaluate_history,
    leave_last_order_out,
    make_parts,
    settings_encoder,
    tau_history,
)
from kefu.recommend.history import History
from kefu.recommend.hybrid import HybridRecommender
from kefu.recommend.synthetic import planted_history
from kefu.settings import Settings
from kefu.training.corpora import SHARED

METHODS = ("popularity", "content", "behaviour", "hybrid", "hybrid_content_behaviour", "random")


def _call_ms(history: History, encoder: Any, weights: dict[str, float]) -> dict[str, float]:
    """Median milliseconds of one recommend() per method, on the held-out customers."""
    split = leave_last_order_out(history)
    parts = make_parts(encoder)
    hybrid = HybridRecommender(parts, weights)
    hybrid.fit(split.train)
    out = {}
    for name, method in (*parts.items(), ("hybrid", hybrid)):
        times = []
        for customer in split.held_out:
            start = time.perf_counter()
            method.recommend(customer, 10, constraints=EVAL_CONSTRAINTS)
            times.append((time.perf_counter() - start) * 1000)
        out[name] = round(statistics.median(times), 3) if times else 0.0
    return out


def _measure(load: Callable[[], History], encoder: Any, repeats: int) -> dict[str, Any]:
    started = time.perf_counter()
    history = load()
    load_s = time.perf_counter() - started
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        report = evaluate_history(history, encoder)
        runs.append(time.perf_counter() - start)
    report["load_seconds"] = round(load_s, 2)
    report["evaluation_seconds_median"] = round(statistics.median(runs), 2)
    report["recommend_ms_median"] = _call_ms(history, encoder, report["hybrid_weights"]["hybrid"])
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED / "tau_retail")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    encoder = settings_encoder(settings)
    stores: dict[str, Callable[[], History]] = {"demo": demo_history}
    skipped = []
    if (args.data / "orders.json").is_file():
        stores["tau-retail"] = lambda: tau_history(args.data)
    else:
        skipped.append(f"tau-retail: no store at {args.data} (../shared/data is absent)")
    stores["planted (demo catalogue)"] = lambda: planted_history(demo_history())
    result = {
        "command": " ".join(["python bench/recommend.py", *sys.argv[1:]]),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
                   f"{platform.python_version()}, encoder {settings.encoder}",
        "stores": {name: _measure(load, encoder, args.repeats) for name, load in stores.items()},
        "skipped": skipped,
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    _print(result)


def _print(result: dict[str, Any]) -> None:
    print(f"command: {result['command']}")
    print(f"machine: {result['machine']}")
    for line in result["skipped"]:
        print(f"skipped {line}")
    for name, r in result["stores"].items():
        print(f"\n{name}: {r['customers_evaluated']} held-out last orders "
              f"({r['skipped_repeat_only']} repeat-only skipped), {r['products']} products, "
              f"{r['purchases']} order lines, time from {r['time_order']}")
        print(f"  {'method':<26}{'hit@10':>8}{'ndcg@10':>9}{'×pop hit':>10}{'×pop ndcg':>11}"
              f"{'ms/call':>9}")
        for method in METHODS:
            m, ratio = r["methods"][method], r["ratio_to_popularity"][method]
            ms = r["recommend_ms_median"].get(method)
            print(f"  {method:<26}{m['hit_rate_at_10']:>8.4f}{m['ndcg_at_10']:>9.4f}"
                  f"{ratio['hit_rate']:>10.3f}{ratio['ndcg']:>11.3f}"
                  f"{'' if ms is None else f'{ms:.2f}':>9}")
        for hybrid, weights in r["hybrid_weights"].items():
            print(f"  {hybrid} weights (validation): "
                  + ", ".join(f"{n} {w:.1f}" for n, w in weights.items()))
        ci = r["hybrid_minus_popularity_ci95"]
        print(f"  hybrid − popularity, 95 % paired bootstrap: hit-rate {ci['hit_rate']}, "
              f"NDCG {ci['ndcg']}")
        print(f"  load {r['load_seconds']} s; evaluation {r['evaluation_seconds_median']} s "
              f"(median)")


if __name__ == "__main__":
    main()
