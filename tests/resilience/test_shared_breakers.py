"""Breaker openings shared through Redis (gateway/resilience/shared_breakers.py): two boards on one
Redis stand for two gateway processes, each with its own breakers, as ``serve --workers 2`` has."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

from gateway.resilience.breaker import BreakerState, CircuitBreaker
from gateway.resilience.shared_breakers import SharedBreakers, shared_breakers_for
from tests.resilience.test_breaker import Clock

PAYERS = ("lakeshore", "cascade", "northwind")


@pytest.fixture(autouse=True)
def http_engine() -> str:
    """No payer is called here: one run instead of one per HTTP engine."""
    return "none"


@pytest.fixture
def namespace(redis_url: str) -> Iterator[str]:
    name = f"pgw-test-{uuid.uuid4().hex[:12]}"
    yield name
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{name}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def breakers(reset_seconds: float = 30.0) -> dict[str, CircuitBreaker]:
    return {p: CircuitBreaker(failure_threshold=2, reset_seconds=reset_seconds) for p in PAYERS}


def trip(breaker: CircuitBreaker) -> None:
    while breaker.state is BreakerState.CLOSED:
        assert breaker.try_acquire()
        breaker.record_failure()


def test_an_opening_elsewhere_only_lengthens_and_then_half_opens_here() -> None:
    clock = Clock()
    changes: list[BreakerState] = []
    tripped: list[float] = []
    breaker = CircuitBreaker(3, reset_seconds=10, clock=clock, on_change=changes.append)
    breaker.on_trip = tripped.append
    assert breaker.open_seconds_left == 0
    assert breaker.open_elsewhere(4.0)
    assert breaker.state is BreakerState.OPEN and not breaker.try_acquire()
    assert breaker.open_seconds_left == pytest.approx(4.0)
    assert not breaker.open_elsewhere(2.0)  # shorter than ours: nothing changes
    clock.now += 4.0
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.try_acquire()  # this process's own probe
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert tripped == []  # an adopted opening is never published again
    for _ in range(3):
        breaker.try_acquire()
        breaker.record_failure()
    assert tripped == [10]
    assert changes == [
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
        BreakerState.OPEN,
    ]


async def test_an_opening_in_one_process_holds_in_the_other_until_its_ttl(
    redis_url: str, namespace: str
) -> None:
    here, there = breakers(reset_seconds=2.0), breakers(reset_seconds=2.0)
    a = SharedBreakers(redis_url, namespace, here)
    b = SharedBreakers(redis_url, namespace, there)
    async with a.running(), b.running():
        await asyncio.sleep(0.1)
        trip(here["cascade"])
        started = time.monotonic()
        while there["cascade"].state is not BreakerState.OPEN:
            assert time.monotonic() - started < 2.5, "the opening never reached the other process"
            await asyncio.sleep(0.02)
        seen_after = time.monotonic() - started
        assert seen_after < 1.5  # published at once, read within one refresh
        assert not there["cascade"].try_acquire()
        assert there["lakeshore"].state is BreakerState.CLOSED  # other payers untouched
        assert there["cascade"].open_seconds_left <= 2.0
        while there["cascade"].state is BreakerState.OPEN:
            assert time.monotonic() - started < 3.5, "the adopted opening outlived its TTL"
            await asyncio.sleep(0.05)
        assert there["cascade"].try_acquire()  # the other process probes on its own
        assert not there["cascade"].try_acquire()
        there["cascade"].record_success()
        assert there["cascade"].state is BreakerState.CLOSED
        # Our own opening, read back, changes nothing here.
        assert await a.refresh() == 0


async def test_a_breaker_adopts_a_later_opening_but_not_its_own_echo(
    redis_url: str, namespace: str
) -> None:
    here, there = breakers(), breakers()
    a = SharedBreakers(redis_url, namespace, here, refresh_seconds=60)
    b = SharedBreakers(redis_url, namespace, there, refresh_seconds=60)
    trip(here["northwind"])
    assert await a.refresh() == 0  # written; read back as our own
    assert await b.refresh() == 1
    assert there["northwind"].open_seconds_left == pytest.approx(30, abs=1)
    assert await b.refresh() == 0  # nothing new
    trip(there["lakeshore"])
    assert await b.refresh() == 0
    assert await a.refresh() == 1 and here["lakeshore"].state is BreakerState.OPEN
    await a.aclose()
    await b.aclose()


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A port that accepts connections and never answers: every Redis command waits its timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


@pytest.mark.timed
async def test_redis_that_never_answers_leaves_breakers_local_and_requests_unslowed(
    silent_redis: str, caplog: pytest.LogCaptureFixture
) -> None:
    own = breakers()
    caplog.set_level(logging.INFO, logger="gateway.resilience.shared_breakers")
    shared = SharedBreakers(silent_redis, "pgw-test", own, refresh_seconds=0.1)
    async with shared.running():
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        trip(own["cascade"])  # the guard's path: no Redis round trip, so no wait
        for _ in range(1000):
            own["lakeshore"].try_acquire()
            own["lakeshore"].record_success()
        assert time.perf_counter() - started < 0.05
        assert own["cascade"].state is BreakerState.OPEN  # still works, locally
        await asyncio.sleep(1.5)  # several refreshes, each timing out
        assert not shared.reachable
    warnings = [r for r in caplog.records if r.name == "gateway.resilience.shared_breakers"]
    assert [r.getMessage() for r in warnings] == [
        "shared breaker view unavailable; payer breakers are this process's own"
    ]


def test_only_a_redis_cache_shares_breakers(redis_url: str) -> None:
    assert shared_breakers_for("memory://", "pgw", breakers()) is None
    assert shared_breakers_for(redis_url, "pgw", {}) is None
    assert isinstance(shared_breakers_for(redis_url, "pgw", breakers()), SharedBreakers)


async def test_an_opening_is_written_with_what_is_left_of_it_or_not_at_all(
    redis_url: str, namespace: str
) -> None:
    """Writes wait for the refresh task (and for Redis, when it is away): what reaches Redis is the
    time the opening still has then, and an opening already over is not written."""
    import redis.asyncio as redis

    own = breakers(reset_seconds=1.0)
    shared = SharedBreakers(redis_url, namespace, own, refresh_seconds=60)
    client = redis.from_url(redis_url)
    try:
        trip(own["lakeshore"])
        await asyncio.sleep(0.4)
        trip(own["cascade"])
        await asyncio.sleep(0.7)  # lakeshore's opening is over, cascade's has about 0.3 s left
        await shared.refresh()
        assert await client.pttl(f"{namespace}:breaker:lakeshore") == -2  # never written
        assert 0 < await client.pttl(f"{namespace}:breaker:cascade") <= 400
    finally:
        await shared.aclose()
        await client.aclose()
