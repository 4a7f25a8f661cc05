"""Linear heads over the encoder's vectors: softmax regression with a fitted temperature.

A head is three arrays and a number; it is saved in an ``.npz`` (no pickle) and applied with one
matrix product. Training uses scikit-learn's logistic regression; the temperature is fitted on
out-of-fold predictions so that the confidence it reports is calibrated (a 0.8 is right about
80 % of the time), which is what the out-of-scope threshold relies on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_TEMPERATURES = np.exp(np.linspace(np.log(0.05), np.log(5.0), 60))


@dataclass(frozen=True)
class LinearHead:
    labels: tuple[str, ...]
    weight: np.ndarray  # (dim, k)
    bias: np.ndarray  # (k,)
    temperature: float = 1.0

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors @ self.weight + self.bias, dtype=np.float64)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        return softmax(self.logits(vectors) / self.temperature)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}.labels": np.array(self.labels),
            f"{prefix}.weight": self.weight.astype(np.float32),
            f"{prefix}.bias": self.bias.astype(np.float32),
            f"{prefix}.temperature": np.array(self.temperature),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> LinearHead:
        return cls(
            tuple(str(x) for x in arrays[f"{prefix}.labels"]),
            np.asarray(arrays[f"{prefix}.weight"], dtype=np.float32),
            np.asarray(arrays[f"{prefix}.bias"], dtype=np.float32),
            float(arrays[f"{prefix}.temperature"]),
        )


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def fit_head(
    vectors: np.ndarray, labels: Sequence[str], c: float = 20.0, seed: int = 0,
    folds: int = 5, weights: np.ndarray | None = None,
) -> tuple[LinearHead, np.ndarray]:
    """Train a head; returns it and its out-of-fold probabilities (for calibration and
    thresholds), computed by ``folds``-fold cross-validation on the same data."""
    from sklearn.model_selection import StratifiedKFold

    names = tuple(sorted(set(labels)))
    y = np.array([names.index(label) for label in labels])
    oof_logits = np.zeros((len(y), len(names)))
    counts = np.bincount(y, minlength=len(names))
    k = int(min(folds, counts.min())) if counts.min() >= 2 else 0
    if k >= 2:
        splits = StratifiedKFold(k, shuffle=True, random_state=seed).split(vectors, y)
        for train, test in splits:
            model = _logistic(c, seed).fit(vectors[train], y[train], _sub(weights, train))
            oof_logits[test] = _full_logits(model, vectors[test], len(names))
    final = _logistic(c, seed).fit(vectors, y, weights)
    weight = np.zeros((vectors.shape[1], len(names)))
    bias = np.zeros(len(names))
    weight[:, final.classes_] = final.coef_.T
    bias[final.classes_] = final.intercept_
    temperature = fit_temperature(oof_logits, y) if k >= 2 else 1.0
    head = LinearHead(names, weight.astype(np.float32), bias.astype(np.float32), temperature)
    return head, softmax(oof_logits / temperature) if k >= 2 else head.probabilities(vectors)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the true labels."""
    best, best_nll = 1.0, np.inf
    for t in _TEMPERATURES:
        p = softmax(logits / t)[np.arange(len(y)), y]
        nll = float(-np.log(np.maximum(p, 1e-12)).mean())
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def _logistic(c: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000, random_state=seed)


def _sub(weights: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    return None if weights is None else weights[index]


def _full_logits(model: Any, vectors: np.ndarray, k: int) -> np.ndarray:
    out = np.full((len(vectors), k), -1e4)
    raw = model.decision_function(vectors)
    if raw.ndim == 1:  # two classes
        raw = np.stack([-raw / 2, raw / 2], axis=1)
    out[:, model.classes_] = raw
    return out
