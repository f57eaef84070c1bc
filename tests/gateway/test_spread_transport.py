"""A batch's payer client keeps its calls on as many connections as it has calls in flight, reused
call after call, and never more than its bound (gateway/spread_transport.py), against a real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from gateway.payer_client import payer_client
from gateway.spread_transport import SpreadTransport


@dataclass
class Counts:
    connections: int = 0
    requests: int = 0
    in_flight: int = 0
    peak: int = 0


@asynccontextmanager
async def keepalive_server(answer_seconds: float) -> AsyncIterator[tuple[str, Counts]]:
    """An HTTP/1.1 server on loopback that answers every GET with ``ok`` after a pause, keeping each
    connection open, and counts connections and requests in flight."""
    counts = Counts()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counts.connections += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                counts.requests += 1
                counts.in_flight += 1
                counts.peak = max(counts.peak, counts.in_flight)
                await asyncio.sleep(answer_seconds)
                counts.in_flight -= 1
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", counts
    finally:
        server.close()
        await server.wait_closed()


async def _ask(client, url: str, calls: int, at_once: int) -> list[str]:  # type: ignore[no-untyped-def]
    gate = asyncio.Semaphore(at_once)

    async def one() -> str:
        async with gate:
            response = await client.get(url)
            return str(response.text)

    return await asyncio.gather(*(one() for _ in range(calls)))


async def test_a_batch_client_reuses_one_connection_per_call_in_flight() -> None:
    async with keepalive_server(0.01) as (url, counts):
        client = payer_client(5.0, in_flight=50)
        try:
            answers = await _ask(client, url + "/eligibility", calls=600, at_once=50)
        finally:
            await client.aclose()
    assert answers == ["ok"] * 600 and counts.requests == 600
    # 50 in flight: 50 connections, each carrying about 12 calls, none opened per call.
    assert counts.peak == 50
    assert counts.connections <= 50


async def test_the_transport_never_has_more_calls_in_flight_than_its_bound() -> None:
    async with keepalive_server(0.02) as (url, counts):
        client = payer_client(5.0, transport=SpreadTransport(max_connections=3))
        try:
            answers = await _ask(client, url, calls=40, at_once=10)
        finally:
            await client.aclose()
    assert answers == ["ok"] * 40
    assert counts.peak <= 3 and counts.connections <= 3
