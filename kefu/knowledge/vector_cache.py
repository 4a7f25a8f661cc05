"""Passage vectors, cached by the text's digest: a chunk is encoded once per machine, whatever
process or index asks for it. Kept in a SQLite file under the cache directory (concurrent
processes share it) and in memory for the process's own hits."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kefu.nlu.encoder import TextEncoder

_MEMORY_LIMIT = 200_000


class VectorCache:
    def __init__(self, encoder: TextEncoder, path: Path | None, namespace: str) -> None:
        self.encoder = encoder
        self._ns = namespace
        self._memory: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, v BLOB)")

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` encoded as passages, (n, dim) float32."""
        keys = [self._key(t) for t in texts]
        found = self._lookup(set(keys))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            fresh = self.encoder.encode([t for _, t in missing], "passage")
            new = {k: fresh[i] for i, (k, _) in enumerate(missing)}
            self._store(new)
            found.update(new)
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._ns}\n{text}".encode()).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        assert self._path is not None
        return sqlite3.connect(self._path, timeout=30)

    def _lookup(self, keys: set[str]) -> dict[str, np.ndarray]:
        with self._lock:
            found = {k: self._memory[k] for k in keys if k in self._memory}
        wanted = [k for k in keys if k not in found]
        if wanted and self._path is not None:
            with self._connect() as db:
                for start in range(0, len(wanted), 500):
                    part = wanted[start : start + 500]
                    marks = ",".join("?" * len(part))
                    for key, blob in db.execute(
                        f"SELECT key, v FROM vectors WHERE key IN ({marks})", part
                    ):
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, new: dict[str, np.ndarray]) -> None:
        with self._lock:
            if len(self._memory) + len(new) > _MEMORY_LIMIT:
                self._memory.clear()
            self._memory.update(new)
        if self._path is not None:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                               [(k, v.astype(np.float32).tobytes()) for k, v in new.items()])
