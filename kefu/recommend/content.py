"""Content-based: products are alike when their text is, as the multilingual e5 encoder reads
it — name, category, description and option values, in English and in Chinese (a product's two
texts are encoded apart and averaged). A customer's profile is the recency-weighted sum of the
vectors of what they bought; a product's score is its cosine to that profile.

The encoder's cosines bunch together (0.75–0.9 for any two shop products), so the vectors are
centred on the catalogue's mean before comparing: what is left is what sets a product apart.
A customer's request is encoded as an e5 "query" and centred on the same mean
(:meth:`ContentRecommender.request_similarity`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kefu.knowledge.vector_cache import VectorCache
from kefu.nlu.encoder import TextEncoder, l2_normalise
from kefu.recommend.history import History, ProductInfo
from kefu.recommend.reasons import CATEGORY_ZH, Reason
from kefu.recommend.scoring import Scores, ScoringRecommender, recency_weights
from kefu.respond.option_terms import option_in

__all__ = ["ContentRecommender", "product_texts"]


def _option_values(product: ProductInfo) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for variant in product.variants:
        for key, value in variant.options.items():
            seen = values.setdefault(key, [])
            if value not in seen:
                seen.append(value)
    return values


def product_texts(product: ProductInfo) -> list[str]:
    """The product's passages: one in English, and one in Chinese when it has a Chinese name."""
    options = _option_values(product)
    en_opts = "; ".join(f"{k}: {', '.join(vs)}" for k, vs in options.items())
    parts = [product.name, product.category or "", product.description or "", en_opts]
    texts = [". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())]
    if product.name_zh:
        zh_opts = "；".join(f"{k}：{'、'.join(option_in(v, 'zh') for v in vs)}"
                           for k, vs in options.items())
        category = CATEGORY_ZH.get((product.category or "").lower(), product.category or "")
        zh_parts = [product.name_zh, category, product.description_zh or "", zh_opts]
        texts.append("。".join(p.strip().rstrip("。") for p in zh_parts if p and p.strip()))
    return texts


class ContentRecommender(ScoringRecommender):
    name = "content"

    def __init__(self, encoder: TextEncoder | VectorCache, decay: float = 0.7,
                 centre: bool = True) -> None:
        super().__init__()
        self._encoder, self.decay, self.centre = encoder, decay, centre
        self._known: dict[str, np.ndarray] = {}  # text → vector, so a refit encodes nothing
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.mean = np.zeros(0, dtype=np.float32)  # what centring took off every product

    def _encode(self, texts: Sequence[str]) -> None:
        missing = sorted({t for t in texts if t not in self._known})
        if not missing:
            return
        if isinstance(self._encoder, VectorCache):
            fresh = self._encoder.passages(missing)
        else:
            fresh = self._encoder.encode(missing, "passage")
        self._known.update(zip(missing, fresh, strict=True))

    def _fit(self, history: History) -> None:
        per_product = [product_texts(history.products[pid]) for pid in history.product_ids]
        self._encode([t for texts in per_product for t in texts])
        if not per_product:
            self.vectors = np.zeros((0, 0), dtype=np.float32)
            self.mean = np.zeros(0, dtype=np.float32)
            return
        vectors = np.vstack([np.mean([self._known[t] for t in texts], axis=0)
                             for texts in per_product])
        self.mean = (vectors.mean(axis=0) if self.centre and len(vectors) > 2
                     else np.zeros(vectors.shape[1], dtype=vectors.dtype))
        self.vectors = l2_normalise(vectors - self.mean)

    def similarity(self, product_id: str) -> np.ndarray:
        """The product's cosine to every product of the catalogue (1 to itself)."""
        return self.vectors @ self.vectors[self.history.index[product_id]]

    def request_similarity(self, text: str) -> np.ndarray:
        """The cosine of a customer's request ("something for running") to every product of
        the catalogue: one encoder call, the text encoded as an e5 "query" (products are
        "passages") and centred on the catalogue's mean like the products, so that what every
        shop product shares does not count."""
        if not len(self.vectors) or not text.strip():
            return np.zeros(len(self.history.product_ids))
        encoder = self._encoder.encoder if isinstance(self._encoder, VectorCache) \
            else self._encoder
        query = encoder.encode([text], "query")[0]
        centred = l2_normalise((query - self.mean)[None, :])[0]
        return np.asarray(self.vectors @ centred, dtype=np.float64)

    def scores(self, customer_id: str) -> Scores:
        history = self.history
        weights = recency_weights(history, customer_id, self.decay)
        if not weights:
            return Scores(np.zeros(len(history.product_ids)), lambda _: None)
        idx = np.fromiter(weights, dtype=np.int64)
        w = np.fromiter(weights.values(), dtype=np.float64)
        contrib = (self.vectors[idx] @ self.vectors.T).astype(np.float64) * w[:, None]
        values = contrib.sum(axis=0) / w.sum()
        best = contrib.argmax(axis=0)
        anchors, strongest = idx[best], contrib[best, np.arange(contrib.shape[1])]

        def reason(i: int) -> Reason | None:
            if strongest[i] <= 0:  # no more like the purchase than the average product
                return None
            return Reason("bought", product_id=history.product_ids[int(anchors[i])])

        return Scores(values, reason)
