"""Single flight when callers go away: the first caller fetches, the others await its answer.

A first caller that is cancelled mid-fetch stops its fetch; its waiters start over (one fetches, the
rest await that one) instead of hanging. A waiter that gives up changes nothing for the others.
On memory and on Redis (where the first caller also holds the cross-process lock).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.payers import PayerAnswer
from payers.contract import Capability
from tests.cache.fixtures import (
    CacheGateway,
    active_payers,
    covered_people,
    member_query,
    open_gateway,
    sandbox_requests,
)

#: The payer's answer time: long enough that, on a loaded machine too, the other callers have
#: joined the first one's flight (JOIN_SECONDS) well before its answer comes.
SLOW_MS = 2000
JOIN_SECONDS = 0.5
TIMEOUT_SECONDS = 6.0  # the payers' deadline, above SLOW_MS


def _asker(gateway: CacheGateway, world: Any, person: str, payer: str) -> Any:
    query = member_query(world, person, payer)

    def ask() -> asyncio.Task[PayerAnswer]:
        return asyncio.create_task(
            gateway.services.payers.call(
                gateway.practice_id, payer, Capability.ELIGIBILITY, query, ("30",), world.today
            )
        )

    return ask


async def _until_asked(gateway: CacheGateway, payer: str, times: int) -> None:
    for _ in range(200):
        if await sandbox_requests(gateway, payer, "eligibility") >= times:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the payer was not asked {times} time(s)")


async def test_when_the_first_caller_is_cancelled_a_waiter_fetches_and_the_others_share_it(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        timeout_seconds=TIMEOUT_SECONDS,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await gateway.faults(payer, latency_ms=SLOW_MS)
        ask = _asker(gateway, world, person, payer)
        first = ask()
        await _until_asked(gateway, payer, 1)  # the first caller's fetch is at the payer
        waiters = [ask(), ask()]
        await asyncio.sleep(JOIN_SECONDS)  # both have joined the first caller's flight
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        answers = await asyncio.wait_for(asyncio.gather(*waiters), SLOW_MS / 1000 * 5)
        assert all(a.value.active and not a.from_cache for a in answers)
        assert answers[0].fetched_at == answers[1].fetched_at  # one fetch, shared
        # the abandoned fetch, then the one a waiter started over with
        assert await sandbox_requests(gateway, payer, "eligibility") == 2
        cached = await ask()
        assert cached.from_cache and cached.fetched_at == answers[0].fetched_at


async def test_a_waiter_that_gives_up_leaves_the_fetch_to_the_others(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        timeout_seconds=TIMEOUT_SECONDS,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await gateway.faults(payer, latency_ms=SLOW_MS)
        ask = _asker(gateway, world, person, payer)
        first = ask()
        await _until_asked(gateway, payer, 1)
        leaving, staying = ask(), ask()
        await asyncio.sleep(JOIN_SECONDS)
        leaving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await leaving
        answers = await asyncio.gather(first, staying)
        assert answers[0].fetched_at == answers[1].fetched_at
        assert await sandbox_requests(gateway, payer, "eligibility") == 1


async def test_a_failed_fetch_fails_its_waiters_with_the_same_error(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    from gateway.errors import PayerCallFailed

    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        timeout_seconds=TIMEOUT_SECONDS,
        retry_attempts=0,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await gateway.faults(payer, latency_ms=SLOW_MS, error_rate=1.0)
        ask = _asker(gateway, world, person, payer)
        first = ask()
        await _until_asked(gateway, payer, 1)
        waiter = ask()
        results = await asyncio.gather(first, waiter, return_exceptions=True)
        assert all(isinstance(r, PayerCallFailed) for r in results), results
        assert {r.code for r in results if isinstance(r, PayerCallFailed)} == {"PAYER_UNAVAILABLE"}
        assert await sandbox_requests(gateway, payer, "eligibility") == 1
