"""The rate-limit seam: how many events a key may have in a sliding window.

Every implementation keeps a *sliding log*: the time of each allowed event per key. An event is
in the window while ``now - t < window_s``; so the count is exact, not an estimate from fixed
buckets. Refused hits are not logged, which keeps a key's log at most ``limit`` entries long
however hard a client hammers it, and lets it back in as soon as the oldest event leaves the
window (``retry_after_s`` says when).

Keys are the caller's to name and should carry the policy, e.g. ``"signin:ip:203.0.113.7"``:
one key is meant to be used with one ``limit`` and ``window_s``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Verdict:
    """The answer for one event: ``retry_after_s`` is 0 when allowed, at least 1 when refused."""

    allowed: bool
    remaining: int
    retry_after_s: int


class RateLimiter(Protocol):
    """At most ``limit`` events per key in any ``window_s`` seconds."""

    def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        """Count one event for ``key`` if the window has room for it, and say whether it had."""
        ...

    def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        """The verdict ``hit`` would give now, without counting anything."""
        ...

    def reset(self, key: str) -> None:
        """Forget every event of ``key`` (e.g. after a successful sign-in)."""
        ...

    def close(self) -> None:
        """Release connections; the limiter is not used afterwards."""
        ...


def check_policy(limit: int, window_s: int) -> None:
    """Reject a policy no window could honour: a programming mistake, not a user's."""
    if limit < 1 or window_s < 1:
        raise ValueError(f"rate limit needs limit >= 1 and window_s >= 1, got {limit}/{window_s}s")


def verdict(count: int, limit: int, window_s: int, now: float, blocker: float) -> Verdict:
    """The verdict for one more event when ``count`` events are in the window.

    ``blocker`` is the time of the event that must leave the window before the next one fits:
    the ``count - limit``-th oldest (0-based); it is read only when the window is full.
    """
    if count < limit:
        return Verdict(allowed=True, remaining=limit - count - 1, retry_after_s=0)
    wait = math.ceil(blocker + window_s - now)
    return Verdict(allowed=False, remaining=0, retry_after_s=max(1, wait))
