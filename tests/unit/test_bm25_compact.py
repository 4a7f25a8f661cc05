"""CompactBM25Builder gives the index bm25s.BM25().index gives: the same scores, to the bit."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from kefu.knowledge.bm25_compact import CompactBM25Builder, top_k
from kefu.knowledge.tokenize import tokenize
from tests.shop import SHIPPING_EN, SHIPPING_ZH

WORDS = [f"w{i}" for i in range(2000)]
ZIPF = 1 / np.arange(1, len(WORDS) + 1)


def corpus() -> list[list[str]]:
    rng = np.random.default_rng(0)
    docs = [list(rng.choice(WORDS, int(rng.integers(0, 80)), p=ZIPF / ZIPF.sum()))
            for _ in range(3000)]
    paragraphs = [p for text in (SHIPPING_EN, SHIPPING_ZH) for p in text.split("\n\n")]
    return docs + [tokenize(p) for p in paragraphs]


@pytest.fixture(scope="module")
def both() -> tuple[bm25s.BM25, bm25s.BM25]:
    docs = corpus()
    reference = bm25s.BM25()
    reference.index(docs, show_progress=False)
    builder = CompactBM25Builder()
    for start in range(0, len(docs), 700):  # batches need not align with anything
        builder.add(docs[start : start + 700])
    assert len(builder) == len(docs)
    return reference, builder.build()


@pytest.mark.parametrize("query", [["w0"], ["w3", "w1999", "w40"], tokenize("运费 包邮"),
                                   tokenize("express shipping costs")])
def test_same_scores_as_bm25s(both: tuple[bm25s.BM25, bm25s.BM25], query: list[str]) -> None:
    reference, compact = both
    assert query and all(t in compact.vocab_dict for t in query)
    assert np.array_equal(reference.get_scores(query), compact.get_scores(query))
    mask = (np.arange(compact.scores["num_docs"]) % 3 == 0).astype(np.float32)
    ids, scores = compact.retrieve([query], k=10, show_progress=False, weight_mask=mask)
    ref_ids, ref_scores = reference.retrieve([query], k=10, show_progress=False, weight_mask=mask)
    assert np.array_equal(scores, ref_scores) and np.array_equal(ids, ref_ids)


def test_same_vocabulary(both: tuple[bm25s.BM25, bm25s.BM25]) -> None:
    reference, compact = both
    assert set(reference.vocab_dict) == set(compact.vocab_dict)
    assert compact.vocab_dict[""] == len(compact.vocab_dict) - 1


def test_ids_and_lengths_must_agree() -> None:
    with pytest.raises(ValueError):
        CompactBM25Builder().add_ids(np.array([0, 1, 2], dtype=np.int32), np.array([1, 1]))


def test_top_k_is_retrieve(both: tuple[bm25s.BM25, bm25s.BM25]) -> None:
    _, compact = both
    query = ["w3", "w40", "w7"]
    mask = (np.arange(compact.scores["num_docs"]) % 2 == 0).astype(np.float32)
    ids, scores = top_k(compact, query, 20, mask)
    ref_ids, ref_scores = compact.retrieve([query], k=20, show_progress=False, weight_mask=mask)
    assert np.array_equal(scores, ref_scores[0])
    assert set(ids.tolist()) == set(ref_ids[0].tolist()) and mask[ids].all()
    assert len(top_k(compact, query, 10**6)[0]) == compact.scores["num_docs"]
