"""Customers who bought X also bought Y: item-to-item cosine over the customer × product
matrix of who bought what, shrunk towards zero when few customers bought both.

    sim(i, j) = n_ij / sqrt(n_i · n_j) · n_ij / (n_ij + shrinkage)

where n_ij is the number of customers who bought both. A customer's score for j sums sim(i, j)
over the products i they bought, each weighted by how recent its order was.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from kefu.recommend.history import History
from kefu.recommend.reasons import Reason
from kefu.recommend.scoring import Scores, ScoringRecommender, recency_weights

__all__ = ["CoPurchaseRecommender", "co_purchase_similarity"]


def co_purchase_similarity(history: History, shrinkage: float) -> sparse.csr_matrix:
    """Products × products, zero on the diagonal."""
    customers = {c: n for n, c in enumerate(history.customers)}
    rows = [customers[p.customer_id] for p in history.purchases]
    cols = [history.index[p.product_id] for p in history.purchases]
    shape = (len(customers), len(history.product_ids))
    bought = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    bought.sum_duplicates()
    bought.data[:] = 1.0
    both = (bought.T @ bought).tocoo()
    alone = both.diagonal() if both.nnz else np.zeros(shape[1])
    off = both.row != both.col
    r, c, n = both.row[off], both.col[off], both.data[off]
    sim = n / np.sqrt(alone[r] * alone[c]) * n / (n + shrinkage)
    return sparse.csr_matrix((sim, (r, c)), shape=(shape[1], shape[1]))


class CoPurchaseRecommender(ScoringRecommender):
    name = "behaviour"

    def __init__(self, shrinkage: float = 5.0, decay: float = 0.7) -> None:
        super().__init__()
        self.shrinkage, self.decay = shrinkage, decay
        self._sim = sparse.csr_matrix((0, 0))

    def _fit(self, history: History) -> None:
        self._sim = co_purchase_similarity(history, self.shrinkage)

    def neighbours(self, product_id: str) -> np.ndarray:
        """The product's similarity to every product of the catalogue."""
        row = self._sim[self.history.index[product_id]]
        return np.asarray(row.toarray()).ravel()

    def scores(self, customer_id: str) -> Scores:
        history = self.history
        weights = recency_weights(history, customer_id, self.decay)
        if not weights:
            return Scores(np.zeros(len(history.product_ids)), lambda _: None)
        idx = np.fromiter(weights, dtype=np.int64)
        w = np.fromiter(weights.values(), dtype=np.float64)
        contrib = np.asarray(self._sim[idx].toarray()) * w[:, None]
        values = contrib.sum(axis=0)
        anchors = idx[contrib.argmax(axis=0)]

        def reason(i: int) -> Reason | None:
            if values[i] <= 0:
                return None
            return Reason("also_bought", product_id=history.product_ids[int(anchors[i])])

        return Scores(values, reason)
