"""The RateLimiter contract, written once and run on memory and on a real Redis."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis

from kefu.ratelimit import MemoryRateLimiter, RateLimiter, Verdict, make_rate_limiter
from kefu.ratelimit.redis_limiter import RedisRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/15"


class FakeClock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class RateLimiterContract:
    def test_allows_up_to_the_limit_then_refuses(self, limiter: RateLimiter) -> None:
        verdicts = [limiter.hit("k", 3, 10) for _ in range(3)]
        assert verdicts == [Verdict(True, 2, 0), Verdict(True, 1, 0), Verdict(True, 0, 0)]
        refused = limiter.hit("k", 3, 10)
        assert not refused.allowed and refused.remaining == 0
        assert 1 <= refused.retry_after_s <= 10

    def test_retry_after_counts_down_to_the_oldest_event(
        self, limiter: RateLimiter, clock: FakeClock
    ) -> None:
        for _ in range(2):
            limiter.hit("k", 2, 10)
            clock.advance(3)
        assert limiter.hit("k", 2, 10) == Verdict(False, 0, 4)  # first event at 0, now 6
        clock.advance(3.5)
        assert limiter.hit("k", 2, 10) == Verdict(False, 0, 1)  # rounded up, never 0

    def test_window_slides(self, limiter: RateLimiter, clock: FakeClock) -> None:
        limiter.hit("k", 2, 10)
        clock.advance(4)
        limiter.hit("k", 2, 10)
        clock.advance(5.9)
        assert not limiter.hit("k", 2, 10).allowed
        clock.advance(0.1)  # the first event is exactly window_s old: it has left
        assert limiter.hit("k", 2, 10) == Verdict(True, 0, 0)
        assert limiter.hit("k", 2, 10) == Verdict(False, 0, 4)
        clock.advance(10)
        assert limiter.peek("k", 2, 10) == Verdict(True, 1, 0)

    def test_refused_hits_are_not_counted(self, limiter: RateLimiter, clock: FakeClock) -> None:
        limiter.hit("k", 1, 10)
        for _ in range(5):
            clock.advance(1)
            assert not limiter.hit("k", 1, 10).allowed
        clock.advance(5)
        assert limiter.hit("k", 1, 10).allowed

    def test_keys_are_independent(self, limiter: RateLimiter) -> None:
        limiter.hit("a", 1, 60)
        assert not limiter.hit("a", 1, 60).allowed
        assert limiter.hit("b", 1, 60).allowed
        assert not limiter.peek("b", 1, 60).allowed

    def test_reset_forgets_the_key(self, limiter: RateLimiter) -> None:
        limiter.hit("a", 2, 60)
        limiter.hit("a", 2, 60)
        limiter.hit("b", 2, 60)
        limiter.reset("a")
        limiter.reset("never-seen")
        assert limiter.hit("a", 2, 60) == Verdict(True, 1, 0)
        assert limiter.hit("b", 2, 60) == Verdict(True, 0, 0)

    def test_peek_tells_without_counting(self, limiter: RateLimiter, clock: FakeClock) -> None:
        for _ in range(5):
            assert limiter.peek("k", 2, 10) == Verdict(True, 1, 0)
        assert limiter.hit("k", 2, 10) == Verdict(True, 1, 0)
        assert limiter.peek("k", 2, 10) == Verdict(True, 0, 0)
        assert limiter.hit("k", 2, 10) == Verdict(True, 0, 0)
        clock.advance(2)
        assert limiter.peek("k", 2, 10) == Verdict(False, 0, 8)
        assert limiter.hit("k", 2, 10) == Verdict(False, 0, 8)

    def test_concurrent_hits_never_exceed_the_limit(self, limiter: RateLimiter) -> None:
        allowed: list[bool] = []
        start = threading.Barrier(8)

        def worker() -> None:
            start.wait()
            mine = [limiter.hit("shared", 50, 60).allowed for _ in range(25)]
            allowed.extend(mine)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(allowed) == 200 and sum(allowed) == 50
        assert not limiter.peek("shared", 50, 60).allowed

    @pytest.mark.parametrize(("limit", "window_s"), [(0, 10), (5, 0), (-1, -1)])
    def test_rejects_a_policy_no_window_can_honour(
        self, limiter: RateLimiter, limit: int, window_s: int
    ) -> None:
        with pytest.raises(ValueError, match="limit"):
            limiter.hit("k", limit, window_s)
        with pytest.raises(ValueError, match="limit"):
            limiter.peek("k", limit, window_s)


class TestMemoryRateLimiter(RateLimiterContract):
    @pytest.fixture
    def limiter(self, clock: FakeClock) -> Iterator[MemoryRateLimiter]:
        limiter = MemoryRateLimiter(clock=clock)
        yield limiter
        limiter.close()

    def test_expired_keys_are_dropped(self, limiter: MemoryRateLimiter, clock: FakeClock) -> None:
        for i in range(3000):
            limiter.hit(f"ip:{i}", 5, 10)
        assert len(limiter) == 3000
        clock.advance(10)
        for _ in range(3000):
            limiter.peek("other", 5, 10)
        assert len(limiter) == 0

    def test_default_factory_is_in_memory(self) -> None:
        limiter = make_rate_limiter(None)
        assert isinstance(limiter, MemoryRateLimiter)
        assert limiter.hit("k", 1, 1).allowed
        limiter.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"kefu:test:rl:{uuid.uuid4().hex[:10]}:"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:  # the service is part of every dev and CI machine
        client.close()
        pytest.fail(f"Redis at {REDIS_URL} is not reachable: {exc}")
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.mark.integration
class TestRedisRateLimiter(RateLimiterContract):
    @pytest.fixture
    def limiter(self, redis_prefix: str, clock: FakeClock) -> Iterator[RedisRateLimiter]:
        limiter = RedisRateLimiter(REDIS_URL, prefix=redis_prefix, clock=clock)
        yield limiter
        limiter.close()

    def test_workers_share_the_count(self, redis_prefix: str, clock: FakeClock) -> None:
        one = RedisRateLimiter(REDIS_URL, prefix=redis_prefix, clock=clock)
        two = RedisRateLimiter(REDIS_URL, prefix=redis_prefix, clock=clock)
        try:
            assert one.hit("signin", 3, 60).allowed
            assert two.hit("signin", 3, 60) == Verdict(True, 1, 0)
            assert one.hit("signin", 3, 60) == Verdict(True, 0, 0)
            assert not two.hit("signin", 3, 60).allowed
            two.reset("signin")
            assert one.peek("signin", 3, 60) == Verdict(True, 2, 0)
        finally:
            one.close()
            two.close()

    def test_server_clock_and_key_expiry(self, redis_prefix: str) -> None:
        made = make_rate_limiter(REDIS_URL)
        assert isinstance(made, RedisRateLimiter)
        made.close()
        limiter = RedisRateLimiter(REDIS_URL, prefix=redis_prefix)  # the server's clock
        client = redis.Redis.from_url(REDIS_URL)
        try:
            assert limiter.hit("k", 2, 30) == Verdict(True, 1, 0)
            assert limiter.hit("k", 2, 30) == Verdict(True, 0, 0)
            refused = limiter.hit("k", 2, 30)
            assert not refused.allowed and 29 <= refused.retry_after_s <= 30
            assert 0 < client.pttl(f"{redis_prefix}k") <= 30_000
        finally:
            client.close()
            limiter.close()
