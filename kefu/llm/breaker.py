"""A circuit breaker: after repeated failures stop calling the model for a while, then let
one trial call through; a success closes the circuit again. No restart needed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """closed → (``failures`` consecutive failures) → open → (``reset_after_s``) → half-open:
    one caller may try; its success closes the circuit, its failure opens it again."""

    def __init__(self, failures: int = 3, reset_after_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if failures < 1 or reset_after_s < 0:
            raise ValueError("failures must be ≥ 1 and reset_after_s ≥ 0")
        self.failures = failures
        self.reset_after_s = reset_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._count = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_after_s:
            return "half-open"
        return "open"

    def allow(self) -> bool:
        """May a call go through now? In half-open, only the first asker gets ``True``."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half-open" and not self._trial:
                self._trial = True
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self._count, self._opened_at, self._trial = 0, None, False

    def failure(self) -> None:
        with self._lock:
            self._count += 1
            if self._trial or self._count >= self.failures:
                self._opened_at = self._clock()
            self._trial = False
