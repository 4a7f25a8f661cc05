"""Entity extraction latency per message, short messages and a 10,000-character one.

    .venv/bin/python bench/entities.py [--repeats 5] [--rounds 200]

Three extractors on the same messages (English and Chinese customer messages, 20 to 120
characters): order ids, emails and zips only (the first extractor's three regexes, the baseline
for the ratios), every pattern kind without a catalog, and every kind with the demo catalog
(EntityRecognizer with a CatalogLexicon). Prints the p50 and p95 per message over --rounds
passes, medians of --repeats runs, then the time for one 10,000-character mixed message.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time
from datetime import date

from kefu.demo.catalog import PRODUCT_SPECS
from kefu.nlu.catalog_match import CatalogLexicon, CatalogProduct
from kefu.nlu.entities import EntityRecognizer
from kefu.nlu.identifiers import find_emails, find_order_ids, find_zips
from kefu.nlu.spans import resolve
from kefu.types import Entity

MESSAGES = [
    "Where is my order KF20261234? My email is noah.brown@example.com",
    "Hi, I'm Noah Brown. I ordered 2 blue wireless earbuds last Friday for $59.99",
    "Can I exchange the mechanical keyboard for the white one, size M? zip 80279",
    "call me on +1 415 555 0100 tomorrow",
    "thanks, that's all",
    "我叫王芳，上周五买了两个机械键盘，青轴白色，花了199元",
    "我的订单KF20260001到哪了？手机13812345678，邮编200031",
    "想把无线耳机换成蓝色的，M码",
    "三天前下的单，还没发货",
    "谢谢",
]
LONG = ("Order KF20261234 蓝色机械键盘 2 pairs $25 昨天 noah@example.com +86 138 1234 5678 "
        "我叫王芳 😀 size M, x3 " * 200)[:10_000]


class FirstExtractor:
    """What the first extractor did: order ids, emails and zips, three regexes."""

    def extract(self, text: str) -> tuple[Entity, ...]:
        return resolve(find_order_ids(text) + find_emails(text) + find_zips(text))


def demo_lexicon() -> CatalogLexicon:
    return CatalogLexicon(
        CatalogProduct(
            f"p{1001 + i}", spec.name, spec.name_zh,
            tuple(dict(zip(spec.options, combo, strict=True))
                  for combo in itertools.product(*spec.options.values())),
        )
        for i, spec in enumerate(PRODUCT_SPECS)
    )


def per_message_ms(extract: object, rounds: int) -> list[float]:
    fn = extract.extract  # type: ignore[attr-defined]
    times = []
    for _ in range(rounds):
        for text in MESSAGES:
            start = time.perf_counter()
            fn(text)
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    today = date(2026, 11, 25)
    lexicon = demo_lexicon()
    extractors = {
        "order_id/email/zip (baseline)": FirstExtractor(),
        "every pattern kind, no catalog": EntityRecognizer(today=today),
        "every kind, demo catalog": EntityRecognizer(lexicon, today=today),
    }
    print(f"command: python bench/entities.py --repeats {args.repeats} --rounds {args.rounds}")
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, "
          f"Python {platform.python_version()}; {len(MESSAGES)} messages x {args.rounds} rounds")
    results: dict[str, tuple[float, float]] = {}
    for name, extractor in extractors.items():
        per_message_ms(extractor, 10)  # warm up
        runs = [per_message_ms(extractor, args.rounds) for _ in range(args.repeats)]
        p50 = statistics.median(statistics.median(r) for r in runs)
        p95 = statistics.median(statistics.quantiles(r, n=20)[18] for r in runs)
        results[name] = (p50, p95)
    base = results["order_id/email/zip (baseline)"][0]
    print(f"{'extractor':<34}{'p50 ms':>9}{'p95 ms':>9}{'p50 / baseline':>16}")
    for name, (p50, p95) in results.items():
        print(f"{name:<34}{p50:>9.3f}{p95:>9.3f}{p50 / base:>16.1f}")
    full = extractors["every kind, demo catalog"]
    long_ms = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        found = full.extract(LONG)
        long_ms.append((time.perf_counter() - start) * 1000)
    print(f"one {len(LONG):,}-character mixed message, every kind: "
          f"{statistics.median(long_ms):.1f} ms ({len(found)} entities)")


if __name__ == "__main__":
    main()
