"""Preference extraction: precision, recall and F1 per kind and overall, and its cost.

    .venv/bin/python bench/preferences.py [--data kefu/profile/eval/preferences.jsonl]
        [--repeats 5] [--json]

The set is kefu's own bilingual one (``kefu/profile/eval/preferences.jsonl``: English and
Chinese messages, each with the preferences it states, and negatives that state none: order
questions that mention colours and sizes, greetings, complaints). A predicted preference is
correct when its kind, value and polarity match a gold one that no other prediction has taken
(multisets, per message); spans are not scored. Also printed: the share of messages whose
predictions are exactly the gold ones, and of the negatives that get any prediction at all.

Baseline, in the same process on the same messages: every value the lexicons find, cued or not,
taken as a "like" (``kefu.profile.preferences.candidates``) — what the cue rule adds. Cost: the
median time of ``extract_preferences`` per message over every message, the median of --repeats
runs, against the baseline's; then the time for 10,000-character messages (values without cues,
cues with values, mixed scripts), which should grow linearly with the length.

False alarms on public customer-service text that states no product preference: the Bitext
customer-support utterances (orders, accounts, refunds, shipping…) and BANKING77's questions,
read from ../shared/data (skipped with a message when absent). Every message there that gets a
prediction is counted; --errors lists them (BANKING77 has a few real payment-card preferences,
"I prefer Mastercard", which a shop's profile has no use for either).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kefu.profile.preferences import KINDS, Preference, candidates, extract_preferences

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kefu" / "profile" / "eval" / "preferences.jsonl"
SHARED = ROOT.parent / "shared" / "data"
PUBLIC = {  # file → the column with the customer's message
    "bitext/bitext_customer_service_8k_training.csv": "utterance",
    "bitext/bitext_customer_support_20k_utterances.csv": "utterance",
    "banking77/train.csv": "text",
    "banking77/test.csv": "text",
}
Extract = Callable[[str, str], list[Preference]]
Key = tuple[str, str, str]


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def gold_keys(row: dict) -> Counter[Key]:
    return Counter((p["kind"], p["value"], p["polarity"]) for p in row["preferences"])


def predicted_keys(extract: Extract, row: dict) -> Counter[Key]:
    return Counter((p.kind, p.value, p.polarity) for p in extract(row["text"], row["language"]))


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
            "tp": tp, "fp": fp, "fn": fn, "support": tp + fn}


def score(extract: Extract, rows: Sequence[dict]) -> dict:
    counts = {k: Counter[str]() for k in (*KINDS, "overall", "en", "zh")}
    exact = negatives = false_alarms = 0
    errors: list[dict] = []
    for row in rows:
        gold, predicted = gold_keys(row), predicted_keys(extract, row)
        tp, fp, fn = gold & predicted, predicted - gold, gold - predicted
        for name, bag in (("tp", tp), ("fp", fp), ("fn", fn)):
            for (kind, _, _), n in bag.items():
                for bucket in (kind, "overall", row["language"]):
                    counts[bucket][name] += n
        exact += gold == predicted
        if not gold:
            negatives += 1
            false_alarms += bool(predicted)
        if fp or fn:
            errors.append({"text": row["text"], "missed": sorted(fn.elements()),
                           "wrong": sorted(fp.elements())})
    report: dict[str, Any] = {name: prf(c["tp"], c["fp"], c["fn"]) for name, c in counts.items()}
    report["messages"] = len(rows)
    report["exact_match"] = round(exact / len(rows), 3) if rows else 0.0
    report["negatives"] = negatives
    report["negatives_with_a_prediction"] = false_alarms
    report["errors"] = errors
    return report


def false_alarms(shared: Path) -> dict[str, dict] | None:
    """Predictions on public messages that state no product preference; None when absent."""
    if not all((shared / name).exists() for name in PUBLIC):
        return None
    report = {}
    for name, column in PUBLIC.items():
        with (shared / name).open(encoding="utf-8-sig", newline="") as f:
            texts = [row[column] for row in csv.DictReader(f)]
        hits = [{"text": t, "predicted": [(p.kind, p.value, p.polarity)
                                          for p in extract_preferences(t, "en")]}
                for t in texts]
        hits = [h for h in hits if h["predicted"]]
        report[name] = {"messages": len(texts), "with_a_prediction": len(hits), "hits": hits}
    return report


LONG = {
    "values without cues": "black M under $5 黑色的 " * 500,
    "cues with values": "I like black, 我不要粉色. " * 500,
    "mixed, no punctuation": "I love black and want size M under $50 我喜欢蓝色 不要粉色 " * 200,
}


def long_ms(repeats: int) -> dict[str, dict[int, float]]:
    """Median milliseconds for the first 2,500 and 10,000 characters of each long message."""
    out: dict[str, dict[int, float]] = {}
    for name, text in LONG.items():
        out[name] = {}
        for n in (2_500, 10_000):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                extract_preferences(text[:n])
                times.append((time.perf_counter() - start) * 1000)
            out[name][n] = round(statistics.median(times), 1)
    return out


def per_message_us(extract: Extract, rows: Sequence[dict]) -> list[float]:
    times = []
    for row in rows:
        start = time.perf_counter()
        extract(row["text"], row["language"])
        times.append((time.perf_counter() - start) * 1e6)
    return times


def cost(extract: Extract, rows: Sequence[dict], repeats: int) -> float:
    per_message_us(extract, rows)  # warm up
    return statistics.median(statistics.median(per_message_us(extract, rows))
                             for _ in range(repeats))


def show(name: str, report: dict) -> None:
    print(f"{name}: {report['messages']} messages, exact match {report['exact_match']:.3f}, "
          f"negatives with a prediction {report['negatives_with_a_prediction']}"
          f"/{report['negatives']}")
    print(f"  {'kind':<11}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
    for kind in (*KINDS, "en", "zh", "overall"):
        r = report[kind]
        print(f"  {kind:<11}{r['precision']:>7.3f}{r['recall']:>7.3f}{r['f1']:>7.3f}"
              f"{r['support']:>9}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the public data sets")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--errors", action="store_true", help="list the messages it gets wrong")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rows = load(args.data)
    systems: dict[str, Extract] = {
        "extract_preferences": lambda t, lang: extract_preferences(t, lang),
        "baseline (every value found, as a like)": lambda t, lang: candidates(t, lang),
    }
    command = "python bench/preferences.py " + " ".join(sys.argv[1:])
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    reports = {name: score(fn, rows) for name, fn in systems.items()}
    timing = {name: cost(fn, rows, args.repeats) for name, fn in systems.items()}
    public = false_alarms(args.shared)
    long = long_ms(args.repeats)
    if args.json:
        out: dict[str, Any] = {
            "command": command.strip(), "machine": machine, "data": str(args.data),
            "median_us_per_message": {k: round(v, 1) for k, v in timing.items()},
            "long_message_ms": long,
        }
        out |= {name: {k: v for k, v in r.items() if k != "errors" or args.errors}
                for name, r in reports.items()}
        out["public_false_alarms"] = public and {
            name: {k: v for k, v in r.items() if k != "hits" or args.errors}
            for name, r in public.items()
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    print(f"command: {command.strip()}")
    print(f"machine: {machine}; data: {args.data}")
    for name, report in reports.items():
        show(name, report)
    base = timing["baseline (every value found, as a like)"]
    for name, us in timing.items():
        print(f"{name}: median {us:.0f} µs per message ({us / base:.2f}x the baseline)")
    for name, by_length in long.items():
        print(f"long message, {name}: " + ", ".join(
            f"{n:,} characters {ms:.1f} ms" for n, ms in by_length.items()))
    if public is None:
        print(f"skipped the public false-alarm check: {args.shared}/bitext or banking77 is absent")
    else:
        for name, r in public.items():
            print(f"public, no product preference: {name}: {r['with_a_prediction']} of "
                  f"{r['messages']:,} messages get a prediction")
    if args.errors:
        for e in reports["extract_preferences"]["errors"]:
            print(json.dumps(e, ensure_ascii=False))
        for r in (public or {}).values():
            for h in r["hits"]:
                print(json.dumps(h, ensure_ascii=False))


if __name__ == "__main__":
    main()
