"""The text-encoder seam: texts in, L2-normalised vectors out (GUIDE §2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np

Kind = Literal["query", "passage"]


class TextEncoder(Protocol):
    """Embeds texts as rows of an (n, dim) float32 array, each of unit length.

    ``kind`` picks the e5 prefix: "query" for what a customer asks, "passage" for documents.
    """

    dim: int

    def encode(self, texts: Sequence[str], kind: Kind = "query") -> np.ndarray: ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
