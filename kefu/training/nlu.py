"""Training the NLU heads (``kefu train nlu``): intent with calibrated abstention, polarity and
emotion, all over one encoder's vectors.

- Intent: softmax regression on the utterances given (by default the ones kefu ships, both
  languages, out_of_scope included as a class). The temperature and the abstention threshold
  come from 5-fold out-of-fold predictions: the threshold is the confidence under which only
  ``reject`` (5 %) of in-scope utterances fall, so out-of-scope is decided by a calibrated
  confidence, not a guess.
- Polarity (negative / neutral / positive): the review sets (Chinese shopping reviews,
  English product reviews; 80 % for training), plus kefu's emotion utterances (angry and
  frustrated count as negative, satisfied as positive, neutral as neutral) and neutral shop
  questions, so that "where is my parcel?" reads as neutral, not as a bad review.
- Emotion (angry / frustrated / neutral / satisfied): kefu's own emotion utterances.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kefu.nlu.encoder import TextEncoder
from kefu.nlu.heads import LinearHead, fit_head
from kefu.nlu.model import NluModel
from kefu.nlu.recognizer import encoder_text
from kefu.nlu.taxonomy import OUT_OF_SCOPE
from kefu.training.clean import stratified_split
from kefu.training.datasets import Example

_NEUTRAL_INTENTS = {
    "track_order", "delivery_options", "delivery_period", "check_payment_methods",
    "create_account", "product_question", "recommend_product", "place_order",
    "check_invoice", "get_invoice", "newsletter_subscription", "set_up_shipping_address",
}
_EMOTION_POLARITY = {
    "angry": "negative", "frustrated": "negative", "neutral": "neutral", "satisfied": "positive",
}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class IntentTraining:
    head: LinearHead
    threshold: float
    report: dict[str, Any]


def train_intents(encoder: TextEncoder, examples: Sequence[Example], c: float = 30.0,
                  reject: float = 0.05, seed: int = 0) -> IntentTraining:
    vectors = encoder.encode([encoder_text(e.text) for e in examples])
    labels = [e.label for e in examples]
    head, oof = fit_head(vectors, labels, c=c, seed=seed)
    threshold = abstention_threshold(head.labels, oof, labels, reject)
    y = np.array([head.labels.index(label) for label in labels])
    report = {
        "examples": len(examples), "intents": len(head.labels), "c": c, "reject": reject,
        "temperature": round(head.temperature, 4), "threshold": round(threshold, 4),
        "cross_validated_accuracy": round(float((oof.argmax(1) == y).mean()), 4),
    }
    return IntentTraining(head, threshold, report)


def abstention_threshold(labels: Sequence[str], oof: np.ndarray, truth: Sequence[str],
                         reject: float) -> float:
    """The confidence under which ``reject`` of the in-scope utterances fall (out of fold)."""
    inside = np.array([t != OUT_OF_SCOPE for t in truth])
    if reject <= 0 or not inside.any():
        return 0.0
    return float(np.quantile(oof[inside].max(axis=1), reject))


@dataclass(frozen=True)
class SentimentTraining:
    polarity: LinearHead
    emotion: LinearHead
    report: dict[str, Any]


def train_sentiment(encoder: TextEncoder, reviews: dict[str, list[Example]],
                    emotions: Sequence[Example], intents: Sequence[Example],
                    seed: int = 0, progress: Progress = lambda _: None) -> SentimentTraining:
    train: list[Example] = []
    held_out: dict[str, list[Example]] = {}
    for lang, rows in reviews.items():
        tr, te = stratified_split(rows, test_size=0.2, seed=seed)
        train += tr
        held_out[lang] = te
    rng = random.Random(seed)
    shop = [e for e in intents if e.label in _NEUTRAL_INTENTS]
    train += [Example(e.text, "neutral") for e in rng.sample(shop, min(len(shop), 600))]
    train += [Example(e.text, _EMOTION_POLARITY[e.label]) for e in emotions]
    progress(f"encoding {len(train)} polarity examples")
    vectors = encoder.encode([encoder_text(e.text) for e in train])
    polarity, _ = fit_head(vectors, [e.label for e in train], c=5.0, seed=seed, folds=0)
    emotion, oof = fit_head(encoder.encode([encoder_text(e.text) for e in emotions]),
                            [e.label for e in emotions], c=10.0, seed=seed)
    y = np.array([emotion.labels.index(e.label) for e in emotions])
    report: dict[str, Any] = {
        "polarity_examples": len(train), "emotion_examples": len(emotions),
        "emotion_cross_validated_accuracy": round(float((oof.argmax(1) == y).mean()), 4),
    }
    for lang, rows in held_out.items():
        progress(f"scoring {len(rows)} held-out {lang} reviews")
        report[f"reviews_{lang}_held_out_accuracy"] = review_accuracy(encoder, polarity, rows)
        report[f"reviews_{lang}_held_out_n"] = len(rows)
    return SentimentTraining(polarity, emotion, report)


def review_accuracy(encoder: TextEncoder, polarity: LinearHead, rows: Sequence[Example]) -> float:
    """Accuracy on reviews labelled positive/negative: which of the two is more probable."""
    probs = polarity.probabilities(encoder.encode([encoder_text(e.text) for e in rows]))
    pos, neg = polarity.labels.index("positive"), polarity.labels.index("negative")
    guess = np.where(probs[:, pos] >= probs[:, neg], "positive", "negative")
    return round(float((guess == np.array([e.label for e in rows])).mean()), 4)


def digest(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.text}\t{e.label}\n".encode())
    return h.hexdigest()


def new_version(examples: Sequence[Example]) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + digest(examples)[:8]


def build_model(intent: IntentTraining, sentiment: SentimentTraining | None,
                base: NluModel | None, source: str, examples: Sequence[Example],
                encoder_name: str) -> NluModel:
    """The artefact: the new intent head, new sentiment heads or else ``base``'s."""
    polarity = sentiment.polarity if sentiment else (base.polarity if base else None)
    emotion = sentiment.emotion if sentiment else (base.emotion if base else None)
    meta: dict[str, Any] = {
        "version": new_version(examples), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                    time.gmtime()),
        "encoder": encoder_name, "data": source, "data_sha256": digest(examples),
        "intent": intent.report,
        "sentiment": sentiment.report if sentiment else (
            base.meta.get("sentiment", {}) if base else {}),
    }
    return NluModel(intent.head, intent.threshold, polarity, emotion, meta)
