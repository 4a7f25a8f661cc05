"""PII detection: precision, recall and F1 per kind, and the cost of redacting one message.

    .venv/bin/python bench/pii.py [--data ../shared/data/pii] [--repeats 5] [--json]

Two sets:
- the Presidio research synthetic set (``synth_dataset_v2.json``, English, 1,500 sentences; read
  from ../shared/data/pii, skipped with a message when absent). Its types map to kefu's kinds:
  PERSON→PERSON, STREET_ADDRESS→ADDRESS, CREDIT_CARD→CARD, PHONE_NUMBER→PHONE,
  EMAIL_ADDRESS→EMAIL, IBAN_CODE/IBAN→IBAN, US_SSN→US_SSN, IP_ADDRESS→IP. Every other type
  (GPE, ORGANIZATION, DATE_TIME, NRP, TITLE, AGE, ZIP_CODE, DOMAIN_NAME, US_DRIVER_LICENSE…) is
  out of scope: those spans are not scored, and a prediction overlapping one of them is dropped
  before scoring (kefu is not asked to find them, nor blamed for touching them);
- kefu's own bilingual set (``kefu/privacy/eval/pii_bilingual.jsonl``, Chinese and English,
  every kind, with negatives: order numbers, prices, dates, tracking numbers).

A prediction matches a gold span of the same kind exactly (same start and end; the gold span's
surrounding whitespace trimmed first), or, as the second figure, when they overlap by at least
half of the longer of the two. Matching is one to one.

The baseline, run in the same process on the same messages: Presidio's stock pattern recognizers
on their own (EmailRecognizer with its domain check made offline, CreditCardRecognizer,
PhoneRecognizer, IbanRecognizer, IpRecognizer, UsSsnRecognizer; no names, addresses, Chinese IDs
or secrets). Cost: ``redact`` per message, median over every message of both sets, each run's
median then the median of --repeats runs; the baseline's ``analyze`` calls the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)

from kefu.privacy.pii import KINDS, PiiDetector, Span, _suffixes, redact

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pii"
BILINGUAL = ROOT / "kefu" / "privacy" / "eval" / "pii_bilingual.jsonl"
PRESIDIO_TYPES = {
    "PERSON": "PERSON", "STREET_ADDRESS": "ADDRESS", "CREDIT_CARD": "CARD",
    "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "IBAN_CODE": "IBAN", "IBAN": "IBAN",
    "US_SSN": "US_SSN", "IP_ADDRESS": "IP",
}


@dataclass(frozen=True)
class Example:
    text: str
    gold: tuple[tuple[str, int, int], ...]  # (kind, start, end)
    ignored: tuple[tuple[int, int], ...]  # out-of-scope spans
    language: str


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def load_presidio(folder: Path) -> list[Example]:
    rows = json.loads((folder / "synth_dataset_v2.json").read_text(encoding="utf-8"))
    examples = []
    for row in rows:
        text = row["full_text"]
        gold, ignored = [], []
        for span in row["spans"]:
            start, end = trimmed(text, span["start_position"], span["end_position"])
            kind = PRESIDIO_TYPES.get(span["entity_type"])
            if kind is None:
                ignored.append((start, end))
            else:
                gold.append((kind, start, end))
        examples.append(Example(text, tuple(gold), tuple(ignored), "en"))
    return examples


def load_bilingual(path: Path = BILINGUAL) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold = tuple((s["kind"], s["start"], s["end"]) for s in row["spans"])
            examples.append(Example(row["text"], gold, (), row["language"]))
    return examples


def overlap_ok(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter * 2 >= max(a[1] - a[0], b[1] - b[0])


def score(examples: Sequence[Example], predict: Callable[[str], list[Span]]) -> dict[str, dict]:
    """Per kind and overall: gold, predicted, exact and overlap TP, with P/R/F1 for both."""
    counts: dict[str, Counter[str]] = {}
    for ex in examples:
        preds = [p for p in predict(ex.text)
                 if not any(min(p.end, ig[1]) > max(p.start, ig[0]) for ig in ex.ignored)]
        for mode, same in (("exact", lambda a, b: a == b), ("overlap", overlap_ok)):
            free = list(ex.gold)
            for p in preds:
                hit = next((g for g in free if g[0] == p.kind and same((p.start, p.end),
                                                                      (g[1], g[2]))), None)
                if hit is not None:
                    free.remove(hit)
                    counts.setdefault(p.kind, Counter())[f"tp_{mode}"] += 1
        for kind, *_ in ex.gold:
            counts.setdefault(kind, Counter())["gold"] += 1
        for p in preds:
            counts.setdefault(p.kind, Counter())["pred"] += 1
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    return {kind: figures(c) for kind, c in sorted(counts.items())} | {"ALL": figures(total)}


def figures(c: Counter[str]) -> dict[str, float | int]:
    out: dict[str, float | int] = {"gold": c["gold"], "pred": c["pred"]}
    for mode in ("exact", "overlap"):
        tp = c[f"tp_{mode}"]
        p = tp / c["pred"] if c["pred"] else 0.0
        r = tp / c["gold"] if c["gold"] else 0.0
        out[f"p_{mode}"], out[f"r_{mode}"] = round(p, 3), round(r, 3)
        out[f"f1_{mode}"] = round(2 * p * r / (p + r), 3) if p + r else 0.0
    return out


class _OfflineEmail(EmailRecognizer):
    def validate_result(self, pattern_text: str) -> bool:
        return bool(_suffixes()(pattern_text).fqdn)


def presidio_stock() -> Callable[[str], list[Span]]:
    """Presidio's stock pattern recognizers, each with its own entity mapped to kefu's kind."""
    recognizers: list[tuple[str, EntityRecognizer]] = [
        ("EMAIL", _OfflineEmail()), ("CARD", CreditCardRecognizer()), ("PHONE", PhoneRecognizer()),
        ("IBAN", IbanRecognizer()), ("IP", IpRecognizer()), ("US_SSN", UsSsnRecognizer()),
    ]

    def predict(text: str) -> list[Span]:
        found = []
        for kind, rec in recognizers:
            for r in rec.analyze(text, rec.supported_entities, None):
                if r.score >= 0.3:  # the SSN recognizer's 0.05 guesses are not predictions
                    found.append(Span(kind, r.start, r.end, text[r.start:r.end], r.score))
        return found

    return predict


def cost_us(fn: Callable[[str], object], texts: Iterable[str], repeats: int) -> tuple[float, float]:
    """Median and 95th percentile per message, each the median over ``repeats`` runs."""
    texts = list(texts)
    medians, p95s = [], []
    for _ in range(repeats):
        times = []
        for text in texts:
            start = time.perf_counter()
            fn(text)
            times.append(time.perf_counter() - start)
        medians.append(statistics.median(times))
        p95s.append(statistics.quantiles(times, n=20)[18])
    return statistics.median(medians) * 1e6, statistics.median(p95s) * 1e6


def table(name: str, results: dict[str, dict], kinds: Iterable[str]) -> None:
    print(f"\n{name}")
    print(f"{'kind':<9}{'gold':>6}{'pred':>6}   {'P':>6}{'R':>6}{'F1':>6}   "
          f"{'P≥50%':>6}{'R≥50%':>6}{'F1≥50%':>7}")
    for kind in [*kinds, "ALL"]:
        r = results.get(kind)
        if r is None:
            continue
        print(f"{kind:<9}{r['gold']:>6}{r['pred']:>6}   {r['p_exact']:>6.3f}{r['r_exact']:>6.3f}"
              f"{r['f1_exact']:>6.3f}   {r['p_overlap']:>6.3f}{r['r_overlap']:>6.3f}"
              f"{r['f1_overlap']:>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    detector = PiiDetector()
    baseline = presidio_stock()
    sets = {"bilingual": load_bilingual()}
    if (args.data / "synth_dataset_v2.json").exists():
        sets["presidio_synth"] = load_presidio(args.data)
    else:
        print(f"skipped the Presidio synthetic set: {args.data}/synth_dataset_v2.json is absent",
              file=sys.stderr)
    report: dict[str, object] = {
        "command": " ".join(["python bench/pii.py", *sys.argv[1:]]),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, "
                   f"Python {platform.python_version()}",
    }
    for name, examples in sets.items():
        report[name] = {"kefu": score(examples, detector.find),
                        "presidio_stock": score(examples, baseline),
                        "messages": len(examples)}
    texts = [ex.text for examples in sets.values() for ex in examples]
    redact(texts[0])  # builds the default detector
    kefu_us, kefu_p95 = cost_us(redact, texts, args.repeats)
    stock_us, stock_p95 = cost_us(baseline, texts, args.repeats)
    report["cost_us_per_message"] = {
        "kefu_redact_median": round(kefu_us, 1), "kefu_redact_p95": round(kefu_p95, 1),
        "presidio_stock_median": round(stock_us, 1), "presidio_stock_p95": round(stock_p95, 1),
        "messages": len(texts), "repeats": args.repeats,
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print(f"command: {report['command']}")
    print(f"machine: {report['machine']}")
    for name in sets:
        results = report[name]
        assert isinstance(results, dict)
        table(f"{name} ({results['messages']} messages), kefu", results["kefu"], KINDS)
        table(f"{name}, baseline: Presidio stock pattern recognizers", results["presidio_stock"],
              KINDS)
    print(f"\nredaction cost per message over {len(texts)} messages (median of {args.repeats} "
          f"runs): kefu redact median {kefu_us:.0f} µs, p95 {kefu_p95:.0f} µs; Presidio stock "
          f"analyze median {stock_us:.0f} µs, p95 {stock_p95:.0f} µs; kefu / baseline "
          f"{kefu_us / stock_us:.2f} (median)")


if __name__ == "__main__":
    main()
