"""A bm25s index built batch by batch in numpy: the same scores as ``bm25s.BM25().index``,
without holding every chunk's tokens as Python lists.

``bm25s.BM25.index`` takes the whole corpus as lists of token strings (≈ 60 bytes a token: at
1M chunks of 60 tokens, 4 GB before it starts) and scores it one document at a time in Python.
Here each batch of chunks becomes, at once, its (chunk, distinct term, count) triples — 8 bytes
each — and the scores and the term-major (CSC) matrix bm25s searches are computed in numpy and
scipy at the end. The result is an ordinary ``bm25s.BM25`` (method "lucene", k1 1.5, b 0.75,
bm25s's defaults), so ``retrieve`` and ``weight_mask`` work as before.

``top_k`` is ``retrieve`` for one question without bm25s's top-k selection, which calls
``np.argpartition(scores, -k)``: over a million mostly-zero scores numpy 2.4 takes 45–80 ms for
some questions (measured), against ~3 ms for ``np.argpartition(-scores, k - 1)``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterable, Sequence

import bm25s
import numpy as np
import scipy.sparse as sp

_EMPTY_TOKEN = ""  # bm25s adds it to every vocabulary, with the last id and no postings


class CompactBM25Builder:
    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self._terms: list[np.ndarray] = []  # int32, per batch, ordered by chunk then term
        self._counts: list[np.ndarray] = []  # float32 term counts, aligned with _terms
        self._distinct: list[np.ndarray] = []  # distinct terms of each chunk
        self._lengths: list[np.ndarray] = []  # tokens of each chunk

    def __len__(self) -> int:
        return sum(len(n) for n in self._lengths)

    def add(self, chunks: Iterable[Sequence[str]]) -> None:
        """Index a batch of tokenised chunks, after those already added."""
        ids: list[int] = []
        lengths: list[int] = []
        vocab = self.vocab
        for tokens in chunks:
            ids.extend(vocab.setdefault(t, len(vocab)) for t in tokens)
            lengths.append(len(tokens))
        self.add_ids(np.array(ids, dtype=np.int32), np.array(lengths, dtype=np.int64))

    def add_ids(self, token_ids: np.ndarray, lengths: np.ndarray) -> None:
        """Index a batch given as the ids (from ``vocab``) of its chunks' tokens, end to end,
        and each chunk's token count."""
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.sum() != len(token_ids):
            raise ValueError("lengths do not add up to the tokens given")
        width = int(token_ids.max(initial=0)) + 1
        chunk = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        keys, counts = np.unique(chunk * width + token_ids, return_counts=True)
        self._terms.append((keys % width).astype(np.int32))
        self._counts.append(counts.astype(np.float32))
        self._distinct.append(np.bincount(keys // width, minlength=len(lengths)))
        self._lengths.append(lengths)

    def build(self) -> bm25s.BM25:
        """The index of every chunk added, in order (chunk i has id i). Frees the builder."""
        n_vocab = len(self.vocab)
        lengths = np.concatenate([np.zeros(0, dtype=np.int64), *self._lengths])
        indptr = np.concatenate([[0], np.cumsum(np.concatenate(
            [np.zeros(0, dtype=np.int64), *self._distinct]))]).astype(np.int64)
        terms = _take_all(self._terms, np.int32)
        scores = _take_all(self._counts, np.float32)
        n_docs = len(lengths)
        df = np.bincount(terms, minlength=n_vocab)
        idf = np.zeros(n_vocab, dtype=np.float32)
        seen = df > 0
        idf[seen] = np.log(1 + (n_docs - df[seen] + 0.5) / (df[seen] + 0.5))
        avg = lengths.mean() if n_docs else 1.0
        step = 1 << 16
        for start in range(0, n_docs, step):  # scores in place, a slice of chunks at a time
            lo, hi = indptr[start], indptr[min(start + step, n_docs)]
            norm = self.k1 * ((1 - self.b) + self.b * lengths[start : start + step] / avg)
            tf = scores[lo:hi].astype(np.float64)
            per = np.repeat(norm, np.diff(indptr[start : start + step + 1]))
            scores[lo:hi] = idf[terms[lo:hi]] * (tf / (per + tf))
        matrix = sp.csr_matrix((scores, terms, indptr), shape=(n_docs, n_vocab))
        del scores, terms
        csc = matrix.tocsc()
        del matrix
        index = bm25s.BM25(k1=self.k1, b=self.b)
        index.scores = {"data": csc.data, "indices": csc.indices.astype(np.int32),
                        "indptr": csc.indptr, "num_docs": n_docs}
        index.vocab_dict = {_EMPTY_TOKEN: n_vocab, **self.vocab}
        index.unique_token_ids_set = set(index.vocab_dict.values())
        index.nonoccurrence_array = None
        self.vocab, self._distinct, self._lengths = {}, [], []
        release_free_memory()
        return index


def top_k(index: bm25s.BM25, tokens: Sequence[str], k: int,
          weight_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best chunks for ``tokens`` (each in the index's vocabulary) and their scores,
    best first; the same as ``index.retrieve([tokens], k, weight_mask=...)`` but for ties."""
    scores = index.get_scores(list(tokens), weight_mask=weight_mask)
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=scores.dtype)
    top = np.argpartition(-scores, k - 1)[:k]
    order = np.lexsort((top, -scores[top]))
    return top[order].astype(np.int64), scores[top[order]]


def release_free_memory() -> None:
    """Hand memory freed by Python back to the system (glibc only; elsewhere nothing).

    Building from batches leaves the heap full of freed blocks under 32 MB that glibc keeps:
    at 1M chunks, 865 MiB resident after a build against 480 MiB after this.
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


def _take_all(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The parts end to end, emptying ``parts`` as it goes (one copy, not two)."""
    out: np.ndarray = np.empty(sum(len(p) for p in parts), dtype=dtype)
    at = 0
    while parts:
        part = parts.pop(0)
        out[at : at + len(part)] = part
        at += len(part)
    return out
