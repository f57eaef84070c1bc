"""One deadline per payer call (payers/deadline.py): the guard's timer is the only one a call starts,
on every protocol and both HTTP engines, and it holds: a payer that never answers is cut at its
deadline, a slow one within it is not, a refused connection stays PAYER_UNAVAILABLE.

The sandbox payers run on real loopback sockets in a thread with an event loop of its own, so the
timers counted on the test's loop are the gateway side's only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from gateway.errors import PayerCallFailed
from gateway.payers import PayerDirectory
from payers.contract import Capability
from payers.registry import AdapterRegistry, parse_payers_config
from payers.sandbox.fleet import serving
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import World
from tests.cache.fixtures import member_query

pytestmark = pytest.mark.timed  # wall-clock bounds: see tests/conftest.py

#: One payer per protocol the sandboxes speak.
PAYERS = {"rest": "lakeshore", "fhir": "northwind", "x12": "summit"}
DEADLINE = 0.6
SLACK = 0.25  # scheduling on a shared 2-core machine; the payer's own answer is instant


@contextlib.contextmanager
def sandboxes_in_a_thread(world: World) -> Iterator[dict[str, str]]:
    """The PAYERS' sandbox servers on loopback, served by another thread's event loop."""
    plan = plan_sandboxes(world, only=set(PAYERS.values()))
    os.environ.update(plan.environ)
    urls: dict[str, str] = {}
    ready = threading.Event()
    stop: list[Callable[[], None]] = []

    async def serve() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        stop.append(lambda: loop.call_soon_threadsafe(stopping.set))
        async with serving(plan.apps) as running:
            urls.update({key: server.base_url for key, server in running.items()})
            ready.set()
            await stopping.wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(20), "the sandbox payers did not start"
    try:
        yield urls
    finally:
        stop[0]()
        thread.join(20)


@pytest.fixture
def sandbox_urls(world: World) -> Iterator[dict[str, str]]:
    with sandboxes_in_a_thread(world) as urls:
        yield urls


@contextlib.asynccontextmanager
async def directory(
    world: World, urls: dict[str, str], timeout_seconds: float = DEADLINE
) -> AsyncIterator[PayerDirectory]:
    settings = parse_payers_config(payers_toml(world, urls, timeout_seconds))
    payers = PayerDirectory.build(settings, AdapterRegistry.discover())
    try:
        yield payers
    finally:
        await payers.aclose()


async def set_faults(url: str, **faults: Any) -> None:
    async with httpx.AsyncClient() as control:
        answer = await control.put(f"{url}/_control/faults", json=faults)
        assert answer.status_code == 200, answer.text


async def eligibility(payers: PayerDirectory, world: World, payer: str) -> Any:
    person = next(
        key
        for key in world.people
        if any(m.payer_key == payer and m.active for m in world.coverages_of(key))
    )
    member = member_query(world, person, payer)
    return await payers.call(
        "practice-1", payer, Capability.ELIGIBILITY, member, ("30",), date.today(), cached=False
    )


@contextlib.contextmanager
def timers_started(loop: asyncio.AbstractEventLoop) -> Iterator[list[float]]:
    """Every timer the loop schedules meanwhile (``call_later`` and ``asyncio.timeout`` end in
    ``call_at``), by its delay."""
    delays: list[float] = []
    schedule = loop.call_at

    def counted(when: float, callback: Any, *args: Any, context: Any = None) -> Any:
        delays.append(when - loop.time())
        return schedule(when, callback, *args, context=context)

    loop.call_at = counted  # type: ignore[method-assign]
    try:
        yield delays
    finally:
        del loop.call_at  # back to the class's own


@pytest.mark.parametrize("protocol", list(PAYERS))
async def test_a_payer_call_starts_one_timer(
    protocol: str, world: World, sandbox_urls: dict[str, str]
) -> None:
    payer = PAYERS[protocol]
    async with directory(world, sandbox_urls) as payers:
        await eligibility(payers, world, payer)  # opens the connection (and fetches a token)
        loop = asyncio.get_running_loop()
        for _ in range(3):
            with timers_started(loop) as delays:
                answer = await eligibility(payers, world, payer)
            assert answer.value.member_id
            # The guard's, for the payer's whole timeout: no adapter, client or engine timer.
            assert len(delays) == 1, delays
            assert DEADLINE - 0.05 < delays[0] <= DEADLINE


@pytest.mark.parametrize("protocol", list(PAYERS))
async def test_a_payer_that_never_answers_is_cut_at_its_deadline(
    protocol: str, world: World, sandbox_urls: dict[str, str]
) -> None:
    payer = PAYERS[protocol]
    async with directory(world, sandbox_urls) as payers:
        await eligibility(payers, world, payer)  # a token (FHIR) before the payer hangs
        await set_faults(sandbox_urls[payer], hang=True)
        started = time.perf_counter()
        with pytest.raises(PayerCallFailed) as failed:
            await eligibility(payers, world, payer)
        elapsed = time.perf_counter() - started
    assert failed.value.code == "PAYER_TIMEOUT"
    assert DEADLINE - 0.01 <= elapsed < DEADLINE + SLACK, elapsed


@pytest.mark.parametrize("protocol", list(PAYERS))
async def test_a_slow_answer_within_the_deadline_is_not_cut(
    protocol: str, world: World, sandbox_urls: dict[str, str]
) -> None:
    payer = PAYERS[protocol]
    async with directory(world, sandbox_urls, timeout_seconds=1.0) as payers:
        await eligibility(payers, world, payer)
        await set_faults(sandbox_urls[payer], latency_ms=700)
        started = time.perf_counter()
        answer = await eligibility(payers, world, payer)
        elapsed = time.perf_counter() - started
    assert answer.value.member_id
    assert 0.7 <= elapsed < 1.0


async def test_a_refused_connection_is_unavailable_at_once(world: World) -> None:
    with sandboxes_in_a_thread(world) as urls:
        pass  # stopped: their ports now refuse connections
    async with directory(world, urls) as payers:
        for payer in PAYERS.values():
            started = time.perf_counter()
            with pytest.raises(PayerCallFailed) as failed:
                await eligibility(payers, world, payer)
            assert failed.value.code == "PAYER_UNAVAILABLE", payer
            assert time.perf_counter() - started < DEADLINE / 2, payer
