"""The console's reports as the history grows: dashboard, gaps, CSV export, inbox.

    .venv/bin/python bench/console.py [--scales 1,10,40] [--repeats 3]

Seeds the demo shop and its made-up history (kefu/demo/history.py: about 260 conversations over
30 days) into a temporary SQLite file, then the same history at larger scales (the number of
conversations per day multiplied), and times each report over the whole 30 days. Prints the
medians over --repeats runs and the ratio to scale 1, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kefu.console import analytics
from kefu.demo import seed_demo
from kefu.demo.history import seed_history
from kefu.service import Kefu
from kefu.settings import Settings
from kefu.storage.db import upgrade


def median_s(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,40")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    print(f"$ python bench/console.py --scales {args.scales} --repeats {args.repeats}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, SQLite, medians of "
          f"{args.repeats}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), llm="none")
        upgrade(settings.resolved_database_url)
        kefu = Kefu.from_settings(settings)
        with kefu.factory.begin() as session:
            seed_demo(session)
        period = analytics.Period.parse(None, None)
        for scale in scales:
            with kefu.factory.begin() as session:
                made = seed_history(session, per_day=(4 * scale, 12 * scale))
            timed = {
                "dashboard": median_s(lambda: analytics.summary(kefu.factory, period),
                                      args.repeats),
                "gaps": median_s(lambda: kefu.console.gaps.clusters(period), args.repeats),
                "export messages": median_s(
                    lambda: analytics.export_csv(kefu.factory, period, "messages"),
                    args.repeats),
                "inbox": median_s(lambda: kefu.console.inbox.queue(True), args.repeats),
            }
            rows.append((scale, made, timed))
        kefu.close()
    base = rows[0][2]
    print(f"{'scale':>5} {'conversations':>13} " + " ".join(f"{k:>22}" for k in base))
    for scale, made, timed in rows:
        cells = [f"{timed[k] * 1000:9.0f} ms ({timed[k] / base[k]:5.1f}x)" for k in base]
        print(f"{scale:>5} {made:>13} " + " ".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
