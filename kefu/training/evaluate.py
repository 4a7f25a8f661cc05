"""Scoring intent predictions: accuracy, macro-F1, per-intent scores, the most confused pairs,
and out-of-scope precision and recall (rows labelled ``out_of_scope`` are the positives)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from kefu.nlu.taxonomy import OUT_OF_SCOPE


@dataclass(frozen=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    oos_recall: float | None
    oos_precision: float | None
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    confused: list[tuple[str, str, int]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["confused"] = [{"true": t, "predicted": p, "count": c} for t, p, c in self.confused]
        extra = data.pop("extra")
        return {**data, **extra}


def score(truth: Sequence[str], predicted: Sequence[str], top_confused: int = 10) -> Scores:
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    n = len(truth)
    labels = sorted(set(truth) | set(predicted))
    per = {label: _prf(truth, predicted, label) for label in labels}
    in_truth = [label for label in labels if label in set(truth)]
    macro = sum(per[label]["f1"] for label in in_truth) / max(len(in_truth), 1)
    pairs = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    has_oos = OUT_OF_SCOPE in set(truth)
    oos = per.get(OUT_OF_SCOPE, {"precision": 0.0, "recall": 0.0})
    return Scores(
        n=n,
        accuracy=round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(n, 1), 4),
        macro_f1=round(macro, 4),
        oos_recall=oos["recall"] if has_oos else None,
        oos_precision=oos["precision"] if has_oos else None,
        per_intent={k: v for k, v in per.items() if v["support"] > 0},
        confused=[(t, p, c) for (t, p), c in pairs.most_common(top_confused)],
    )


def _prf(truth: Sequence[str], predicted: Sequence[str], label: str) -> dict[str, float]:
    tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
    said = sum(p == label for p in predicted)
    real = sum(t == label for t in truth)
    precision = tp / said if said else 0.0
    recall = tp / real if real else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": real}


def render(scores: Scores, title: str) -> str:
    """The report ``kefu eval nlu`` prints."""
    lines = [title, f"  n            {scores.n}", f"  accuracy     {scores.accuracy:.4f}",
             f"  macro-F1     {scores.macro_f1:.4f}"]
    if scores.oos_recall is not None:
        lines += [f"  out-of-scope recall    {scores.oos_recall:.4f}",
                  f"  out-of-scope precision {scores.oos_precision:.4f}"]
    for key, value in scores.extra.items():
        lines.append(f"  {key:<12} {value}")
    lines.append("  per intent (precision recall f1 support):")
    for label, s in sorted(scores.per_intent.items()):
        lines.append(f"    {label:<26} {s['precision']:.3f} {s['recall']:.3f} {s['f1']:.3f} "
                     f"{int(s['support'])}")
    if scores.confused:
        lines.append("  most confused (true -> predicted: count):")
        lines += [f"    {t} -> {p}: {c}" for t, p, c in scores.confused]
    return "\n".join(lines)
