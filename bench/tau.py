"""tau-bench retail, the full runs behind BENCHMARKS.md: kefu's order-action flows with the
scripted customer (kefu.tau.customer), judged on the final store (kefu.tau.judge).

    .venv/bin/python bench/tau.py [--data ../shared/data/tau_retail] [--dev-runs 5]
                                  [--train-runs 1] [--json]

The same as `kefu eval tau-retail --tasks FILE --runs K`, for both task files, with the
failures grouped by what differed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from kefu.tau.run import evaluate

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tau_retail"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--dev-runs", type=int, default=5)
    parser.add_argument("--train-runs", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reports = {}
    for name, runs in (("tasks_dev.json", args.dev_runs), ("tasks_train.json", args.train_runs)):
        reports[name] = evaluate(args.data / name, args.data, runs=runs)
    if args.json:
        print(json.dumps(reports, indent=2))
        return
    print(f"{'tasks':<18}{'n':>5}{'k':>4}{'pass^1':>9}{'pass^k':>9}{'turns':>7}{'seconds':>9}")
    for name, r in reports.items():
        print(f"{name:<18}{r['n_tasks']:>5}{r['k']:>4}{r['pass_1']:>9.3f}{r['pass_k']:>9.3f}"
              f"{r['turns_mean']:>7.1f}{r['seconds']:>9.0f}")
        kinds = Counter(d.split(":")[0].split("/")[-1] for f in r["failures"]
                        for d in (f["diff"] or ["outputs"]))
        for kind, count in kinds.most_common(8):
            print(f"    {count:>3} failed runs differ in {kind}")


if __name__ == "__main__":
    main()
