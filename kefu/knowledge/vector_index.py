"""The vector-index seam (GUIDE §2): integer ids with vectors in, the nearest allowed ids out.

``ExactIndex`` keeps a float32 matrix and ranks every row: exact, 4·dim bytes a vector, and
linear time (1.4 GiB at 1M chunks of 384 dims; 8 ms a filtered query at 100k on 2 cores). A
vector already of unit length (the encoder's, within float32 rounding) is kept as it is, so its
scores are the plain dot products, bit for bit. ``HnswIndex`` is a usearch HNSW graph over int8
vectors: about half the memory and sub-linear search, at the cost of approximate results
(recall@10 ≥ 0.95 against exact on the conformance set; lower on large, hard sets:
bench/retrieval_scale.py) and of cosines computed on int8 vectors (within about 0.001 of the
float32 ones on the demo shop's pages). Both score by cosine similarity, so a caller can swap
one for the other.

``HybridRetriever`` (kefu/knowledge/hybrid.py) takes its dense index through this seam: an
``ExactIndex`` below ``HNSW_FROM`` chunks (200k), an ``HnswIndex`` at and above it.

Filtering (``allowed``, a boolean mask indexed by id) is exact in both. usearch's Python API
(2.26) takes no predicate, so ``HnswIndex`` searches wider and filters afterwards: it asks for
``k`` divided by the allowed share of the index (twice over), widens 8× once if that left fewer
than ``k``, and ranks the allowed vectors exhaustively when even that fails or when few ids are
allowed (≤ ``exact_below``). A selective filter therefore costs a scan of the allowed ids, never
a wrong answer.
"""

from __future__ import annotations

import math
from typing import Protocol, cast

import numpy as np

# Load order matters: with usearch 2.26 loaded first, a later `import onnxruntime` (1.32) dies
# with a segmentation fault in the same process (seen here); onnxruntime first is fine.
import onnxruntime  # noqa: F401  isort: skip
from usearch.index import Index  # isort: skip

Hits = tuple[np.ndarray, np.ndarray]  # ids (int64) and cosine scores (float32), best first


class VectorIndex(Protocol):
    """Vectors under unique non-negative integer ids, searched by cosine similarity."""

    dim: int

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Index ``vectors`` (n, dim) under ``ids`` (n,); an id already present is an error."""
        ...

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        """At most ``k`` ids nearest ``query`` with their cosines, best first. With ``allowed``
        (bool, indexed by id), only ids ``i < len(allowed)`` with ``allowed[i]`` qualify."""
        ...

    def __len__(self) -> int: ...

    @property
    def memory_bytes(self) -> int:
        """What the index holds in memory (vectors, ids, graph)."""
        ...


_UNIT_TOLERANCE = 1e-6  # a float32 unit vector's norm is 1 within a few 1e-7


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; a row already of unit length (within float32 rounding) is
    kept as it is, so that its cosines are its plain dot products, bit for bit."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    near = np.abs(norms - 1.0) <= _UNIT_TOLERANCE
    if near.all():
        return v
    return np.where(near, v, v / np.maximum(norms, 1e-12)).astype(np.float32)


def _empty() -> Hits:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)


def _best(ids: np.ndarray, scores: np.ndarray, k: int) -> Hits:
    """The ``k`` best of ``ids`` by score, ties broken by the lower id."""
    if len(ids) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[part], scores[part]
    order = np.lexsort((ids, -scores))
    return ids[order].astype(np.int64), scores[order].astype(np.float32)


def _allowed_of(ids: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Which of ``ids`` the mask lets through (ids beyond the mask do not pass)."""
    inside = ids < len(allowed)
    out = np.zeros(len(ids), dtype=bool)
    out[inside] = allowed[ids[inside]]
    return out


def _check_new(ids: np.ndarray, vectors: np.ndarray, dim: int) -> None:
    if vectors.ndim != 2 or vectors.shape != (len(ids), dim):
        raise ValueError(f"expected vectors of shape ({len(ids)}, {dim}), got {vectors.shape}")
    if len(ids) and int(ids.min()) < 0:
        raise ValueError("ids must be non-negative")
    if len(np.unique(ids)) != len(ids):
        raise ValueError("duplicate ids")


class ExactIndex:
    """Brute force over a float32 matrix: exact, and the baseline every other index is held to."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, dim), dtype=np.float32)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        _check_new(ids, np.asarray(vectors), self.dim)
        if np.isin(ids, self._ids).any():
            raise ValueError("an id is already in the index")
        self._ids = np.concatenate([self._ids, ids])
        self._matrix = np.vstack([self._matrix, _unit(vectors)])

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        if k <= 0 or not len(self._ids):
            return _empty()
        ids, scores = self._ids, self._matrix @ _unit(query)  # every row, then the filter:
        if allowed is not None:  # no copy of the allowed rows, and the same bits either way
            keep = _allowed_of(ids, allowed)
            ids, scores = ids[keep], scores[keep]
        return _best(ids, scores, k)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def memory_bytes(self) -> int:
        return int(self._matrix.nbytes + self._ids.nbytes)


def quantise(vectors: np.ndarray) -> np.ndarray:
    """int8 rows scaled so each row's largest component is ±127: cosine ignores a row's scale.

    usearch's own float→int8 cast maps [-1, 1] onto [-127, 127]; a 384-dim unit vector's
    components are ≈ ±0.05, which leaves a handful of levels (exact recall@10 ≈ 0.73 on e5-like
    vectors, against 0.96 with this scaling).
    """
    v = np.asarray(vectors, dtype=np.float32).reshape(-1, np.shape(vectors)[-1])
    peak = np.maximum(np.abs(v).max(axis=1, keepdims=True), 1e-12)
    return np.rint(v * (127.0 / peak)).astype(np.int8)


class HnswIndex:
    """usearch HNSW over int8 vectors, cosine metric: approximate, ≈ 800 bytes a vector at 1M
    (384 dims, connectivity 16; usearch's own count).

    ``expansion_search`` trades latency for recall. Against exact search of synthetic e5-like
    vectors filtered to half (bench/retrieval_scale.py, 2 cores), recall@10 at ef 256 / 512 /
    1024 is 0.90 / 0.94 / 0.96 at 100k (2.2 / 4.0 / 6.4 ms) and 0.62 / 0.75 / 0.84 at 1M (5.6 /
    9.5 / 16.5 ms), where int8 alone allows 0.96; on 2k uniform random vectors 0.95 at 128 and
    0.98 at 256.
    ``expansion_add`` trades build time for graph quality (64 builds twice as fast as usearch's
    default 128 at the same recall, measured). Searches may run concurrently; adds may not run
    alongside searches.
    """

    def __init__(self, dim: int, *, connectivity: int = 16, expansion_add: int = 64,
                 expansion_search: int = 512, threads: int = 0, exact_below: int = 2048) -> None:
        self.dim = dim
        self.threads = threads
        self.exact_below = exact_below
        self._index = Index(ndim=dim, metric="cos", dtype="i8", connectivity=connectivity,
                            expansion_add=expansion_add, expansion_search=expansion_search)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        _check_new(ids, np.asarray(vectors), self.dim)
        if not len(ids):
            return
        if np.any(self._index.contains(ids.astype(np.uint64))):
            raise ValueError("an id is already in the index")
        self._index.add(ids.astype(np.uint64), quantise(vectors), threads=self.threads)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        size = len(self._index)
        if k <= 0 or not size:
            return _empty()
        q = quantise(query)[0]
        if allowed is None:
            return self._graph(q, min(k, size))
        share = int(np.count_nonzero(allowed))
        if share == 0:
            return _empty()
        if share <= self.exact_below:
            return self._scan(q, np.flatnonzero(allowed), k)
        want = min(size, max(k, math.ceil(2 * k * size / share)))
        for count in (want, min(size, 8 * want)):
            ids, scores = self._graph(q, count)
            keep = _allowed_of(ids, allowed)
            if keep.sum() >= k or count == size:
                return _best(ids[keep], scores[keep], k)
        return self._scan(q, np.flatnonzero(allowed), k)

    def _graph(self, q: np.ndarray, count: int) -> Hits:
        found = self._index.search(q, count, threads=1)
        return (np.asarray(found.keys, dtype=np.int64),
                1.0 - np.asarray(found.distances, dtype=np.float32))

    def _scan(self, q: np.ndarray, candidates: np.ndarray, k: int, block: int = 65536) -> Hits:
        """Exact cosine of ``q`` against the stored (int8) vectors of ``candidates``."""
        candidates = candidates[self._index.contains(candidates.astype(np.uint64))]
        if not len(candidates):
            return _empty()
        unit_q = q.astype(np.float32) / max(float(np.linalg.norm(q.astype(np.float32))), 1e-12)
        best = _empty()
        for start in range(0, len(candidates), block):
            part = candidates[start : start + block]
            rows = self._index.get(part.astype(np.uint64), dtype="i8")  # one array per id
            stored = _unit(np.vstack(cast(tuple[np.ndarray, ...], rows)))
            ids = np.concatenate([best[0], part])
            best = _best(ids, np.concatenate([best[1], stored @ unit_q]), k)
        return best

    @property
    def expansion_search(self) -> int:
        return int(self._index.expansion_search)

    @expansion_search.setter
    def expansion_search(self, value: int) -> None:
        self._index.expansion_search = value  # type: ignore[misc]  # usearch has a setter

    def __len__(self) -> int:
        return len(self._index)

    @property
    def memory_bytes(self) -> int:
        return int(self._index.memory_usage)
