"""The rules of one deadline per payer call (payers/deadline.py, gateway/payer_client.py): a deadline
inside another that fires no earlier adds no timer, a shorter one keeps its own; the payer client
drops per-request timeouts that cannot fire before the deadline and keeps shorter ones; waiting for
a free connection counts against the deadline (both engines: tests/resilience/conftest.py)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from gateway.aiohttp_transport import AiohttpTransport
from gateway.payer_client import PayerHTTPClient
from payers.deadline import payer_deadline, remaining
from tests.resilience.test_http_engine import tcp_server
from tests.resilience.test_one_deadline import timers_started

pytestmark = pytest.mark.timed  # wall-clock bounds: see tests/conftest.py


async def test_an_inner_deadline_that_fires_no_earlier_adds_no_timer() -> None:
    loop = asyncio.get_running_loop()
    assert remaining() is None
    with timers_started(loop) as delays:
        async with payer_deadline(1.0) as outer:
            async with payer_deadline(1.0) as same, payer_deadline(5.0) as longer:
                left = remaining()
                assert left is not None and 0.9 < left <= 1.0
            async with payer_deadline(None) as unbounded:
                pass
    assert (outer.owns_timer, same.owns_timer, longer.owns_timer) == (True, False, False)
    assert not unbounded.owns_timer
    assert len(delays) == 1
    assert remaining() is None


async def test_a_shorter_inner_deadline_keeps_its_own_timer_and_fires_first() -> None:
    started = time.perf_counter()
    async with payer_deadline(2.0):
        with pytest.raises(TimeoutError):
            async with payer_deadline(0.1) as inner:
                assert inner.owns_timer
                await asyncio.sleep(1.0)
        left = remaining()
        assert left is not None and 1.5 < left < 2.0  # the outer deadline is back in force
    assert time.perf_counter() - started < 0.5


async def test_the_client_drops_the_timeouts_that_cannot_fire_before_the_deadline() -> None:
    async with PayerHTTPClient(timeout=httpx.Timeout(5.0, connect=0.2)) as http:
        outside = http.build_request("GET", "http://payer.test/ping").extensions["timeout"]
        async with payer_deadline(1.0):
            inside = http.build_request("GET", "http://payer.test/ping").extensions["timeout"]
            own = http.build_request("GET", "http://payer.test/ping", timeout=0.5)
    assert outside == {"connect": 0.2, "read": 5.0, "write": 5.0, "pool": 5.0}
    assert inside == {"connect": 0.2, "read": None, "write": None, "pool": None}
    assert own.extensions["timeout"] == {"connect": 0.5, "read": 0.5, "write": 0.5, "pool": 0.5}


async def test_waiting_for_a_free_connection_counts_against_the_deadline(http_engine: str) -> None:
    received = asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        received.set()
        await asyncio.sleep(1.0)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    limits = httpx.Limits(max_connections=1)
    transport = AiohttpTransport(limits) if http_engine == "aiohttp" else None
    async with (
        tcp_server(slow) as port,
        PayerHTTPClient(transport=transport, limits=limits, timeout=httpx.Timeout(5.0)) as http,
    ):
        url = f"http://127.0.0.1:{port}/"
        first = asyncio.create_task(http.get(url))  # holds the only connection for a second
        await received.wait()
        started = time.perf_counter()
        with timers_started(asyncio.get_running_loop()) as delays:
            with pytest.raises(TimeoutError):
                async with payer_deadline(0.3):
                    await http.get(url)
        elapsed = time.perf_counter() - started
        assert (await first).text == "ok"
    assert 0.29 <= elapsed < 0.5, elapsed  # not the pool timeout (5 s): the deadline
    assert len(delays) == 1, delays  # the deadline's: no timer for the wait itself
