"""The VectorIndex contract (kefu.knowledge.vector_index), written once and run on every
implementation: the exact brute-force index and the approximate HNSW one.

An approximate index is held to the exact one on the same vectors: recall@10 ≥ 0.95 and
cosines within quantisation error. A filter is never approximate: every id returned is allowed,
whatever share of the index the filter keeps.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from kefu.knowledge.vector_index import ExactIndex, HnswIndex, VectorIndex, quantise

DIM = 384
N = 2000
MakeIndex = Callable[[], VectorIndex]


def unit_rows(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


VECTORS = unit_rows(N, 1)
IDS = np.arange(N, dtype=np.int64) * 3 + 7  # ids need not be positions
QUERIES = unit_rows(50, 2)


def recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return float(np.mean([len(set(f.tolist()) & set(t.tolist())) / max(len(t), 1)
                          for f, t in zip(found, truth, strict=True)]))


class VectorIndexContract:
    @pytest.fixture
    def index(self, make_index: MakeIndex) -> VectorIndex:
        index = make_index()
        index.add(IDS[: N // 2], VECTORS[: N // 2])
        index.add(IDS[N // 2 :], VECTORS[N // 2 :])
        return index

    @pytest.fixture
    def exact(self) -> ExactIndex:
        exact = ExactIndex(DIM)
        exact.add(IDS, VECTORS)
        return exact

    def test_empty_index_finds_nothing(self, make_index: MakeIndex) -> None:
        empty = make_index()
        assert len(empty) == 0
        ids, scores = empty.search(QUERIES[0], 10)
        assert len(ids) == len(scores) == 0
        ids, _ = empty.search(QUERIES[0], 10, np.ones(10, dtype=bool))
        assert len(ids) == 0
        assert empty.memory_bytes >= 0

    def test_a_stored_vector_finds_itself(self, index: VectorIndex) -> None:
        assert len(index) == N
        ids, scores = index.search(VECTORS[123], 5)
        assert ids[0] == IDS[123]
        assert scores[0] == pytest.approx(1.0, abs=0.01)

    def test_ranked_at_most_k_typed(self, index: VectorIndex) -> None:
        ids, scores = index.search(QUERIES[0], 10)
        assert len(ids) == len(scores) == 10
        assert ids.dtype == np.int64 and scores.dtype == np.float32
        assert len(set(ids.tolist())) == 10 and set(ids.tolist()) <= set(IDS.tolist())
        assert list(scores) == sorted(scores, reverse=True)
        assert len(index.search(QUERIES[0], 0)[0]) == 0

    def test_k_larger_than_the_index_gives_every_vector(self, make_index: MakeIndex) -> None:
        small = make_index()
        small.add(IDS[:7], VECTORS[:7])
        ids, scores = small.search(QUERIES[0], 50)
        assert sorted(ids.tolist()) == sorted(IDS[:7].tolist())
        assert list(scores) == sorted(scores, reverse=True)
        ids, _ = small.search(QUERIES[0], 50, np.ones(IDS[6] + 1, dtype=bool))
        assert sorted(ids.tolist()) == sorted(IDS[:7].tolist())

    def test_same_results_as_exact(self, index: VectorIndex, exact: ExactIndex) -> None:
        found = [index.search(q, 10) for q in QUERIES]
        truth = [exact.search(q, 10) for q in QUERIES]
        assert recall([f[0] for f in found], [t[0] for t in truth]) >= 0.95
        for (ids, scores), (true_ids, true_scores) in zip(found, truth, strict=True):
            common = np.intersect1d(ids, true_ids)
            ours = dict(zip(ids.tolist(), scores.tolist(), strict=True))
            theirs = dict(zip(true_ids.tolist(), true_scores.tolist(), strict=True))
            assert all(abs(ours[i] - theirs[i]) < 0.01 for i in common.tolist())

    def test_filters_are_respected(self, index: VectorIndex, exact: ExactIndex) -> None:
        allowed = np.random.default_rng(3).random(IDS.max() + 1) < 0.3
        found = [index.search(q, 10, allowed)[0] for q in QUERIES]
        assert all(len(f) == 10 and allowed[f].all() for f in found)
        truth = [exact.search(q, 10, allowed)[0] for q in QUERIES]
        assert recall(found, truth) >= 0.95

    def test_a_filter_that_excludes_the_neighbourhood(self, index: VectorIndex,
                                                      exact: ExactIndex) -> None:
        near, _ = exact.search(QUERIES[0], 1000)
        allowed = np.ones(IDS.max() + 1, dtype=bool)
        allowed[near] = False
        ids, _ = index.search(QUERIES[0], 10, allowed)
        assert len(ids) == 10 and allowed[ids].all()

    def test_a_selective_filter_ranks_exactly_the_allowed(self, index: VectorIndex,
                                                          exact: ExactIndex) -> None:
        allowed = np.zeros(IDS.max() + 1, dtype=bool)
        allowed[IDS[[5, 50, 500, 1500]]] = True
        allowed[1] = True  # not an id of the index
        ids, _ = index.search(QUERIES[0], 10, allowed)
        assert ids.tolist() == exact.search(QUERIES[0], 10, allowed)[0].tolist()
        assert len(ids) == 4

    def test_a_short_or_empty_filter(self, index: VectorIndex) -> None:
        assert len(index.search(QUERIES[0], 10, np.zeros(IDS.max() + 1, dtype=bool))[0]) == 0
        short = np.ones(IDS[100], dtype=bool)  # ids from IDS[100] on lie beyond the mask
        ids, _ = index.search(QUERIES[0], 10, short)
        assert len(ids) == 10 and (ids < IDS[100]).all()

    def test_bad_input_is_refused(self, make_index: MakeIndex) -> None:
        index = make_index()
        index.add(IDS[:3], VECTORS[:3])
        with pytest.raises(ValueError):
            index.add(IDS[2:4], VECTORS[2:4])
        with pytest.raises(ValueError):
            index.add(np.array([1, 1]), VECTORS[:2])
        with pytest.raises(ValueError):
            index.add(np.array([10_000]), VECTORS[:1, :10])
        assert len(index) == 3


class TestExactIndex(VectorIndexContract):
    @pytest.fixture
    def make_index(self) -> MakeIndex:
        return lambda: ExactIndex(DIM)


class TestHnswIndex(VectorIndexContract):
    @pytest.fixture
    def make_index(self) -> MakeIndex:
        return lambda: HnswIndex(DIM)

    def test_graph_path_with_a_filter(self, exact: ExactIndex) -> None:
        """With exhaustive ranking of small filters switched off, the widened graph search
        alone still returns only allowed ids, and the right ones."""
        index = HnswIndex(DIM, exact_below=0)
        index.add(IDS, VECTORS)
        allowed = np.random.default_rng(4).random(IDS.max() + 1) < 0.05
        found = [index.search(q, 10, allowed)[0] for q in QUERIES]
        assert all(len(f) == 10 and allowed[f].all() for f in found)
        assert recall(found, [exact.search(q, 10, allowed)[0] for q in QUERIES]) >= 0.95


def test_quantise_uses_the_int8_range_and_keeps_the_direction() -> None:
    q = quantise(VECTORS[:10])
    assert q.dtype == np.int8 and (np.abs(q).max(axis=1) == 127).all()
    back = q.astype(np.float32) / np.linalg.norm(q.astype(np.float32), axis=1, keepdims=True)
    assert (np.sum(back * VECTORS[:10], axis=1) > 0.999).all()
