"""Learning from the console's intent corrections (``kefu train nlu --from-feedback``).

The corrections are split into a training part and a held-out part (a seeded 30 %, by a hash
of the text, so the same message never sits on both sides). The current model is scored on
the held-out part, a new intent head is trained on kefu's utterances plus the training part
(each correction counted ``WEIGHT`` times: one agent's correction stands for many customers'
phrasings), and the new model is scored on the same held-out part. Both accuracies are
reported; the new artefact is written only when it is not worse, unless forced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kefu.errors import InvalidInput
from kefu.nlu.encoder.base import TextEncoder
from kefu.nlu.model import NluModel
from kefu.nlu.recognizer import EncoderRecognizer
from kefu.storage.db import storage_errors
from kefu.storage.models import IntentCorrection
from kefu.training.datasets import Example

HELD_OUT = 0.3
WEIGHT = 3
MIN_CORRECTIONS = 10


@dataclass(frozen=True)
class Split:
    train: list[Example]
    test: list[Example]


def corrections(factory: sessionmaker[Session]) -> list[Example]:
    """Every correction (the latest per message), oldest first; the same text with two
    labels keeps the later one."""
    with storage_errors(), factory() as session:
        rows = session.execute(select(IntentCorrection.text, IntentCorrection.intent)
                               .order_by(IntentCorrection.created_at, IntentCorrection.id)
                               ).all()
    latest = {" ".join(text.split()): intent for text, intent in rows if text.strip()}
    return [Example(text, intent) for text, intent in latest.items()]


def split(examples: Sequence[Example], held_out: float = HELD_OUT) -> Split:
    if len(examples) < MIN_CORRECTIONS:
        raise InvalidInput(f"{len(examples)} corrections so far; at least {MIN_CORRECTIONS} "
                           "are needed to hold some out and measure the change")
    train: list[Example] = []
    test: list[Example] = []
    for e in examples:
        bucket = int(hashlib.sha256(e.text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        (test if bucket < held_out else train).append(e)
    if not test or not train:  # tiny sets: put the hashes' order to use
        ordered = sorted(examples, key=lambda e: hashlib.sha256(e.text.encode()).hexdigest())
        cut = max(1, round(len(ordered) * held_out))
        test, train = list(ordered[:cut]), list(ordered[cut:])
    return Split(train, test)


def accuracy(encoder: TextEncoder, model: NluModel, rows: Sequence[Example]) -> float:
    found = EncoderRecognizer(encoder, model).recognize_many([e.text for e in rows])
    return round(sum(r.intent.name == e.label for r, e in zip(found, rows, strict=True))
                 / max(len(rows), 1), 4)


def weighted(rows: Sequence[Example], weight: int = WEIGHT) -> list[Example]:
    return [e for e in rows for _ in range(weight)]
