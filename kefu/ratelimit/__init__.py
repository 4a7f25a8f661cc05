"""Rate limits: in this process by default, in Redis when many workers must share them."""

from __future__ import annotations

from kefu.ratelimit.base import RateLimiter, Verdict
from kefu.ratelimit.memory import MemoryRateLimiter

__all__ = ["MemoryRateLimiter", "RateLimiter", "Verdict", "make_rate_limiter"]


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    """A limiter for the configured deployment: Redis at ``redis_url``, else in memory."""
    if not redis_url:
        return MemoryRateLimiter()
    from kefu.ratelimit.redis_limiter import RedisRateLimiter

    return RedisRateLimiter(redis_url)
