"""The embedded chat model: llama-cpp-python in the server process.

One llama.cpp context is not thread-safe, so calls are serialised by a lock; a caller that
cannot get the model within ``queue_timeout_s`` gets ``ModelUnavailable`` (and its fallback)
rather than a long wait. The model loads on first use. llama.cpp reuses the evaluated prefix
of the previous prompt, so a fixed system prompt at the start of every prompt is read once.

Deadlines are checked between generated pieces: ``first_token_timeout_s`` for the first piece
(prompt reading included) and ``timeout_s`` for the whole answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kefu.llm.base import ChatMessage, ModelUnavailable


class LlamaCppModel:
    def __init__(self, path: Path, *, n_ctx: int = 2048, threads: int = 2,
                 timeout_s: float = 30.0, first_token_timeout_s: float = 15.0,
                 queue_timeout_s: float = 10.0, seed: int = 7) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.n_ctx = n_ctx
        self.threads = threads
        self.timeout_s = timeout_s
        self.first_token_timeout_s = first_token_timeout_s
        self.queue_timeout_s = queue_timeout_s
        self.seed = seed
        self._lock = threading.Lock()
        self._llm: Any = None

    def load(self) -> None:
        """Load the model now (otherwise the first call does)."""
        with self._lock:
            self._ensure_loaded()

    def _ensure_loaded(self) -> Any:
        if self._llm is not None:
            return self._llm
        if not self.path.is_file():
            raise ModelUnavailable(f"no model file at {self.path}")
        try:
            import llama_cpp
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ModelUnavailable(
                "llama-cpp-python is not installed: run `make install` (it builds llama.cpp "
                "once and caches the wheel)") from exc
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.threads,
                n_threads_batch=self.threads, seed=self.seed, verbose=False)
        except Exception as exc:  # llama.cpp reports a bad file as ValueError/RuntimeError
            raise ModelUnavailable(f"the model {self.path} failed to load: {exc}") from exc
        return self._llm

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int,
               temperature: float = 0.0, stop: Sequence[str] = (),
               json_schema: dict[str, Any] | None = None,
               cancel: threading.Event | None = None) -> Iterator[str]:
        if not self._lock.acquire(timeout=self.queue_timeout_s):
            raise ModelUnavailable(
                f"the embedded model stayed busy for {self.queue_timeout_s:g} s")
        try:
            llm = self._ensure_loaded()
            start = time.monotonic()
            kwargs: dict[str, Any] = {
                "messages": list(messages), "max_tokens": max_tokens,
                "temperature": temperature, "stop": list(stop) or None, "stream": True,
                "seed": self.seed,
            }
            if json_schema is not None:
                kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
            try:
                chunks = llm.create_chat_completion(**kwargs)
            except Exception as exc:
                raise ModelUnavailable(f"the embedded model failed: {exc}") from exc
            first = True
            try:
                for chunk in _guarded(chunks):
                    if cancel is not None and cancel.is_set():
                        return
                    elapsed = time.monotonic() - start
                    if first and elapsed > self.first_token_timeout_s:
                        raise ModelUnavailable(
                            f"no first token within {self.first_token_timeout_s:g} s")
                    if elapsed > self.timeout_s:
                        raise ModelUnavailable(f"no complete answer within {self.timeout_s:g} s")
                    piece = chunk["choices"][0].get("delta", {}).get("content") or ""
                    if piece:
                        first = False
                        yield piece
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None


def _guarded(chunks: Iterator[Any]) -> Iterator[Any]:
    try:
        yield from chunks
    except ModelUnavailable:
        raise
    except Exception as exc:
        raise ModelUnavailable(f"the embedded model failed mid-answer: {exc}") from exc


def system_info() -> str:
    """llama.cpp's build features (the build must list neither AMX nor AVX512 here)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info()
    return info.decode() if isinstance(info, bytes) else str(info)
