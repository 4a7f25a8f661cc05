"""Rate limits kept in this process: right for one worker (``make run``), not for many."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from kefu.ratelimit.base import Verdict, check_policy, verdict

#: Expired keys are swept after this many calls at least (more when many keys are held, so a
#: sweep costs O(1) per call on average and memory stays within a small multiple of live keys).
SWEEP_EVERY = 1024


@dataclass
class _Log:
    window_s: int
    times: deque[float] = field(default_factory=deque)

    def prune(self, now: float) -> None:
        while self.times and now - self.times[0] >= self.window_s:
            self.times.popleft()


class MemoryRateLimiter:
    """A sliding log per key in a dict, guarded by one lock.

    The default clock is ``time.monotonic``, which wall-clock jumps cannot move.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._logs: dict[str, _Log] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        return self._check(key, limit, window_s, record=True)

    def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        return self._check(key, limit, window_s, record=False)

    def reset(self, key: str) -> None:
        with self._lock:
            self._logs.pop(key, None)

    def close(self) -> None:
        with self._lock:
            self._logs.clear()

    def __len__(self) -> int:
        """How many keys are held (expired ones linger until the next sweep)."""
        with self._lock:
            return len(self._logs)

    def _check(self, key: str, limit: int, window_s: int, *, record: bool) -> Verdict:
        check_policy(limit, window_s)
        with self._lock:
            now = self._clock()
            self._maybe_sweep(now)
            log = self._logs.get(key) or _Log(window_s)
            log.window_s = window_s
            log.prune(now)
            count = len(log.times)
            blocker = log.times[count - limit] if count >= limit else 0.0
            answer = verdict(count, limit, window_s, now, blocker)
            if record and answer.allowed:
                log.times.append(now)
            if log.times:
                self._logs[key] = log
            else:
                self._logs.pop(key, None)
            return answer

    def _maybe_sweep(self, now: float) -> None:
        self._calls += 1
        if self._calls < max(SWEEP_EVERY, len(self._logs)):
            return
        self._calls = 0
        for key in [k for k, log in self._logs.items() if now - log.times[-1] >= log.window_s]:
            del self._logs[key]
