"""The trained recognizer: one encoder pass, three heads (intent, polarity, emotion)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from kefu.nlu.encoder import TextEncoder
from kefu.nlu.identifiers import find_emails, find_order_ids, find_phones
from kefu.nlu.model import NluModel
from kefu.nlu.taxonomy import OUT_OF_SCOPE
from kefu.types import Intent, Language, Recognition, Sentiment

MAX_CHARS = 1000  # what a customer wants is said early; the rest costs time, not accuracy
_CONTENT = re.compile(r"[^\W\d_]")  # a letter of any script (Han included), not a digit
_PLACEHOLDERS = {"order_id": "<ORDER>", "email": "<EMAIL>", "phone": "<PHONE>"}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in _PLACEHOLDERS.values()))


def encoder_text(text: str) -> str:
    """What the heads see of a message: identifiers (order ids, emails, phones) become
    placeholders, since they say nothing about intent or mood and their many sub-word pieces
    drown a short message. Training applies the same function."""
    spans = sorted((e.start, e.end, _PLACEHOLDERS[e.kind])
                   for e in find_order_ids(text) + find_emails(text) + find_phones(text))
    out, at = [], 0
    for start, end, mark in spans:
        if start >= at:
            out += [text[at:start], mark]
            at = end
    out.append(text[at:])
    return "".join(out)[:MAX_CHARS]


class EncoderRecognizer:
    """Intent with calibrated abstention: the best intent when its (temperature-scaled)
    probability reaches the model's threshold, else ``out_of_scope``."""

    def __init__(self, encoder: TextEncoder, model: NluModel) -> None:
        self.encoder = encoder
        self.model = model

    def recognize(self, text: str, language: Language) -> Recognition:
        return self.recognize_many([text])[0]

    def recognize_many(self, texts: Sequence[str]) -> list[Recognition]:
        """Messages with nothing to read (empty, only emoji, digits or punctuation, or only an
        order id, email or phone — an answer to a question, which names no intent of its own) are
        ``out_of_scope`` at confidence 0 without encoding; the others go in one batch."""
        seen = [encoder_text(t or "") for t in texts]
        out: list[Recognition | None] = [None] * len(texts)
        todo = [i for i, t in enumerate(seen) if _CONTENT.search(_PLACEHOLDER.sub(" ", t))]
        for i in set(range(len(texts))) - set(todo):
            out[i] = Recognition(Intent(OUT_OF_SCOPE, 0.0))
        if todo:
            vectors = self.encoder.encode([seen[i] for i in todo])
            for i, row in zip(todo, self.read(vectors), strict=True):
                out[i] = row
        return [r for r in out if r is not None]

    def read(self, vectors: np.ndarray) -> list[Recognition]:
        """Apply the heads to encoded messages."""
        probs = self.model.intent.probabilities(vectors)
        sentiments = self._sentiments(vectors)
        return [self._recognition(p, s) for p, s in zip(probs, sentiments, strict=True)]

    def _recognition(self, probs: np.ndarray, sentiment: Sentiment) -> Recognition:
        labels = self.model.intent.labels
        ranked = np.argsort(-probs)[:3]
        alternatives = tuple(Intent(labels[i], round(float(probs[i]), 4)) for i in ranked)
        best = alternatives[0]
        if best.name != OUT_OF_SCOPE and best.confidence < self.model.threshold:
            oos = float(probs[labels.index(OUT_OF_SCOPE)]) if OUT_OF_SCOPE in labels else 0.0
            best = Intent(OUT_OF_SCOPE, round(max(oos, 1.0 - best.confidence), 4))
        return Recognition(best, sentiment, alternatives)

    def _sentiments(self, vectors: np.ndarray) -> list[Sentiment]:
        n = len(vectors)
        pol, emo = self.model.polarity, self.model.emotion
        if pol is None or emo is None:
            return [Sentiment()] * n
        p, e = pol.probabilities(vectors), emo.probabilities(vectors)
        neg, pos = pol.labels.index("negative"), pol.labels.index("positive")
        out = []
        for pr, er in zip(p, e, strict=True):
            top, etop = int(np.argmax(pr)), int(np.argmax(er))
            out.append(Sentiment(
                pol.labels[top], round(float(pr[pos] - pr[neg]), 4),  # type: ignore[arg-type]
                emo.labels[etop], round(float(er[etop]), 4),
            ))
        return out
