"""Rate limits in Redis, shared by every worker that points at the same server.

Each key is a sorted set of event times (the sliding log of ``base``), checked and updated by
one Lua script, so concurrent workers never both take the last slot. Times come from the Redis
server's clock unless a clock is injected (tests); either way every worker reads one clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import redis

from kefu.errors import StorageUnavailable
from kefu.ratelimit.base import Verdict, check_policy, verdict

# KEYS[1]: the key's log. ARGV: limit, window_s, now ("" for the server's clock), a unique
# member name, record ("1" to log the event when it is allowed).
# Returns the count in the window before this event, the blocker's time and the time used.
_CHECK = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local blocker = 0
if count >= limit then
  local at = count - limit
  blocker = tonumber(redis.call('ZRANGE', KEYS[1], at, at, 'WITHSCORES')[2])
elseif ARGV[5] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
end
return {count, string.format('%.17g', blocker), string.format('%.17g', now)}
"""


class RedisRateLimiter:
    """The sliding log in Redis; keys expire on their own one window after their last event."""

    def __init__(
        self,
        url: str,
        prefix: str = "kefu:rl:",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._prefix = prefix
        self._clock = clock
        self._client = redis.Redis.from_url(url)
        self._script = self._client.register_script(_CHECK)

    def hit(self, key: str, limit: int, window_s: int) -> Verdict:
        return self._check(key, limit, window_s, record=True)

    def peek(self, key: str, limit: int, window_s: int) -> Verdict:
        return self._check(key, limit, window_s, record=False)

    def reset(self, key: str) -> None:
        try:
            self._client.delete(self._prefix + key)
        except redis.RedisError as exc:
            raise StorageUnavailable(f"Redis rate limiter: {exc}") from exc

    def close(self) -> None:
        self._client.close()

    def _check(self, key: str, limit: int, window_s: int, *, record: bool) -> Verdict:
        check_policy(limit, window_s)
        now = "" if self._clock is None else repr(float(self._clock()))
        args: list[str | int] = [limit, window_s, now, uuid.uuid4().hex, "1" if record else "0"]
        try:
            count, blocker, used = self._script(keys=[self._prefix + key], args=args)
        except redis.RedisError as exc:
            raise StorageUnavailable(f"Redis rate limiter: {exc}") from exc
        return verdict(int(count), limit, window_s, float(used), float(blocker))
