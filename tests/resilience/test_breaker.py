"""Circuit breakers: open after repeated failures, answer at once while open, half-open to probe."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from gateway.resilience.breaker import BreakerState, CircuitBreaker
from tests.cache.fixtures import (
    CacheGateway,
    active_payers,
    covered_people,
    member_query,
    open_gateway,
    sandbox_requests,
)

pytestmark = pytest.mark.timed  # wall-clock bounds: see tests/conftest.py

ELIGIBILITY = """
query E($id: ID!) { patient(id: $id) { eligibility(fresh: true) { payer { id } memberId active } } }"""
HEALTH = "{ payers { id health { status breaker latencyP50 lastError lastErrorAt } } }"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_states_follow_failures_time_and_probes() -> None:
    clock = Clock()
    changes: list[BreakerState] = []
    breaker = CircuitBreaker(
        failure_threshold=3, reset_seconds=10, clock=clock, on_change=changes.append
    )
    for _ in range(2):
        assert breaker.try_acquire()
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    breaker.record_success()  # a success in between starts the count again
    for _ in range(3):
        assert breaker.try_acquire()
        breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.try_acquire()
    clock.now += 9.9
    assert not breaker.try_acquire()
    clock.now += 0.1
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.try_acquire()  # the one probe
    assert not breaker.try_acquire()  # nobody else while it runs
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN  # a failed probe opens it again at once
    clock.now += 10
    assert breaker.try_acquire()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert changes == [
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.OPEN,
        BreakerState.HALF_OPEN,
        BreakerState.CLOSED,
    ]


async def _health(gateway: CacheGateway) -> dict[str, Any]:
    body = await gateway.query(HEALTH)
    return {p["id"]: p["health"] for p in body["data"]["payers"]}


async def _eligibility(gateway: CacheGateway, patient_id: str) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    body = await gateway.query(ELIGIBILITY, {"id": patient_id})
    return body, time.perf_counter() - started


def _errors(body: dict[str, Any]) -> dict[str, str]:
    return {e["extensions"]["payer"]: e["extensions"]["code"] for e in body.get("errors", [])}


async def test_breaker_opens_answers_at_once_then_half_opens_and_closes(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        breaker_failure_threshold=3,
        breaker_reset_seconds=2.0,  # the steps before the check below fit in it on a loaded machine
        retry_attempts=0,
    ) as gateway:
        person = covered_people(gateway, world, 2)[0]
        broken, healthy = active_payers(gateway, world, person)[:2]
        patient_id = gateway.patient_ids[person]
        await gateway.faults(broken, error_rate=1.0)
        for _ in range(3):
            body, _ = await _eligibility(gateway, patient_id)
            assert _errors(body) == {broken: "PAYER_UNAVAILABLE"}
        assert await sandbox_requests(gateway, broken, "eligibility") == 3
        health = (await _health(gateway))[broken]
        assert (health["status"], health["breaker"], health["lastError"]) == (
            "DOWN",
            "OPEN",
            "PAYER_UNAVAILABLE",
        )
        body, elapsed = await _eligibility(gateway, patient_id)
        assert _errors(body) == {broken: "PAYER_UNAVAILABLE"}
        assert "circuit breaker is open" in body["errors"][0]["message"]
        assert [a["payer"]["id"] for a in body["data"]["patient"]["eligibility"] if a] == [healthy]
        assert await sandbox_requests(gateway, broken, "eligibility") == 3  # not asked at all
        assert elapsed < 0.5
        await asyncio.sleep(2.05)
        health = (await _health(gateway))[broken]
        assert (health["status"], health["breaker"]) == ("DEGRADED", "HALF_OPEN")
        await gateway.faults(broken)  # the payer is back
        body, _ = await _eligibility(gateway, patient_id)
        assert "errors" not in body
        assert await sandbox_requests(gateway, broken, "eligibility") == 4
        health = (await _health(gateway))[broken]
        assert (health["status"], health["breaker"], health["lastError"]) == (
            "UP",
            "CLOSED",
            "PAYER_UNAVAILABLE",
        )
        assert (await _health(gateway))[healthy]["lastError"] is None


async def test_a_failed_probe_reopens_and_hangs_stop_costing_time(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        timeout_seconds=0.4,
        breaker_failure_threshold=2,
        breaker_reset_seconds=2.0,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        broken = active_payers(gateway, world, person)[0]
        patient_id = gateway.patient_ids[person]
        await gateway.faults(broken, hang=True)
        for _ in range(2):
            body, elapsed = await _eligibility(gateway, patient_id)
            assert _errors(body)[broken] == "PAYER_TIMEOUT"
            assert 0.35 < elapsed < 0.9  # timeouts are not retried: one timeout's worth
        body, elapsed = await _eligibility(gateway, patient_id)
        assert _errors(body)[broken] == "PAYER_UNAVAILABLE" and elapsed < 0.3
        await asyncio.sleep(2.05)
        body, elapsed = await _eligibility(gateway, patient_id)  # the probe, into the hang
        assert _errors(body)[broken] == "PAYER_TIMEOUT"
        assert (await _health(gateway))[broken]["breaker"] == "OPEN"
        body, elapsed = await _eligibility(gateway, patient_id)
        assert _errors(body)[broken] == "PAYER_UNAVAILABLE" and elapsed < 0.3
        assert await sandbox_requests(gateway, broken, "eligibility") == 3


async def test_an_open_breaker_answers_at_once_past_a_lock_left_by_another_process(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    """A replica that died (or lost its cache connection) mid-fetch leaves its lock until it expires;
    while the payer's breaker is open nothing waits on that lock: the failure is immediate."""
    from gateway.cache.keys import lock_key, payer_call_key
    from gateway.errors import PayerCallFailed
    from payers.contract import Capability

    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        breaker_failure_threshold=1,
        breaker_reset_seconds=60,
        retry_attempts=0,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        args = (member_query(world, person, payer), ("30",), world.today)
        payers = gateway.services.payers
        await gateway.faults(payer, error_rate=1.0)
        with pytest.raises(PayerCallFailed) as first:
            await payers.call(gateway.practice_id, payer, Capability.ELIGIBILITY, *args)
        assert first.value.code == "PAYER_UNAVAILABLE"
        assert payers.health.of(payer).breaker.state is BreakerState.OPEN
        key = payer_call_key(
            payers.cache.namespace, gateway.practice_id, payer, "eligibility", args
        )
        assert await payers.cache.store.lock(lock_key(key.key), 30) is not None  # the stray lock
        started = time.perf_counter()
        with pytest.raises(PayerCallFailed, match="circuit breaker is open"):
            await payers.call(gateway.practice_id, payer, Capability.ELIGIBILITY, *args)
        assert time.perf_counter() - started < 0.5
        assert await sandbox_requests(gateway, payer, "eligibility") == 1
