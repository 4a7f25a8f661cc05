"""Heads, calibration, abstention and scoring, on small synthetic vectors (no encoder)."""

from __future__ import annotations

import numpy as np
import pytest

from kefu.nlu.heads import LinearHead, fit_head, fit_temperature, softmax
from kefu.nlu.language import detect_script
from kefu.nlu.model import NluModel
from kefu.nlu.recognizer import EncoderRecognizer
from kefu.training.evaluate import render, score
from kefu.training.nlu import abstention_threshold


def _clusters(seed: int = 0, n: int = 40) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = {"track_order": 0, "cancel_order": 1, "out_of_scope": 2}
    rows, labels = [], []
    for label, axis in centres.items():
        for _ in range(n):
            v = rng.normal(0, 0.35, 8)
            v[axis] += 2.0
            rows.append(v / np.linalg.norm(v))
            labels.append(label)
    return np.array(rows, dtype=np.float32), labels


def test_a_head_learns_separable_classes_and_reports_out_of_fold_probabilities() -> None:
    x, y = _clusters()
    head, oof = fit_head(x, y, c=10.0)
    assert head.labels == ("cancel_order", "out_of_scope", "track_order")
    predicted = [head.labels[i] for i in head.probabilities(x).argmax(axis=1)]
    assert np.mean([p == t for p, t in zip(predicted, y, strict=True)]) > 0.95
    assert oof.shape == (len(y), 3)
    assert np.allclose(oof.sum(axis=1), 1.0)
    assert head.temperature > 0


def test_temperature_scaling_lowers_confidence_of_overconfident_logits() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 300)
    logits = rng.normal(0, 1, (300, 3))
    logits[np.arange(300), y] += 1.0
    logits *= 10  # far too sure of itself
    assert fit_temperature(logits, y) > 2.0


def test_the_abstention_threshold_turns_away_the_asked_share_of_in_scope_examples() -> None:
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.55, 0.45], [0.3, 0.7]])
    truth = ["a", "a", "a", "a", "out_of_scope"]
    tau = abstention_threshold(("a", "out_of_scope"), probs, truth, reject=0.25)
    assert 0.55 < tau < 0.6
    assert abstention_threshold(("a",), probs, truth, reject=0.0) == 0.0


class _FixedEncoder:
    dim = 8

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def encode(self, texts: list[str], kind: str = "query") -> np.ndarray:
        return np.array([self.table[t] for t in texts], dtype=np.float32)


def test_the_recognizer_abstains_below_the_threshold() -> None:
    x, y = _clusters()
    head, _ = fit_head(x, y, c=10.0)
    between = (x[0] + x[40]) / np.linalg.norm(x[0] + x[40])  # halfway track/cancel
    encoder = _FixedEncoder({"clear": x[0], "between": between})
    sure = EncoderRecognizer(encoder, NluModel(head, threshold=0.0))
    clear = sure.recognize("clear", "en").intent
    assert clear.name == "track_order"
    guess = sure.recognize("between", "en").intent
    assert guess.name in {"track_order", "cancel_order"}
    assert clear.confidence > guess.confidence
    middle = (clear.confidence + guess.confidence) / 2
    careful = EncoderRecognizer(encoder, NluModel(head, threshold=middle))
    assert careful.recognize("clear", "en").intent.name == "track_order"
    abstained = careful.recognize("between", "en")
    assert abstained.intent.name == "out_of_scope"
    assert abstained.alternatives[0].name in {"track_order", "cancel_order"}
    assert careful.recognize("", "en").intent.name == "out_of_scope"  # never encoded


def test_softmax_is_stable_for_large_logits() -> None:
    p = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.isfinite(p).all() and p[0, 0] == pytest.approx(1.0)


def test_a_head_saves_as_plain_arrays() -> None:
    head = LinearHead(("a", "b"), np.ones((4, 2), np.float32), np.zeros(2, np.float32), 0.5)
    back = LinearHead.from_arrays(head.to_arrays("intent"), "intent")
    assert back.labels == head.labels and back.temperature == 0.5


def test_scores_accuracy_macro_f1_confusions_and_out_of_scope() -> None:
    truth = ["a", "a", "b", "b", "out_of_scope", "out_of_scope"]
    guess = ["a", "b", "b", "b", "out_of_scope", "a"]
    s = score(truth, guess)
    assert s.n == 6 and s.accuracy == pytest.approx(4 / 6, abs=1e-4)
    assert s.oos_recall == 0.5 and s.oos_precision == 1.0
    assert s.per_intent["b"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert ("a", "b", 1) in s.confused
    assert 0 < s.macro_f1 < 1
    assert {"accuracy", "macro_f1", "oos_recall", "n"} <= set(s.as_json())
    assert "most confused" in render(s, "t")


def test_without_out_of_scope_rows_its_recall_is_null() -> None:
    s = score(["a", "b"], ["a", "a"])
    assert s.oos_recall is None and s.as_json()["oos_recall"] is None


@pytest.mark.parametrize(
    ("text", "script"),
    [("where is my order", "en"), ("我的订单在哪里", "zh"), ("我的 order 到哪了 please", "mixed"),
     ("帮我查一下订单状态 KF20261234", "zh"), ("KF20261234", "unknown"), ("😀", "unknown"),
     ("", "unknown"), ("can you check 快递", "mixed")],
)
def test_script_detection(text: str, script: str) -> None:
    assert detect_script(text) == script
