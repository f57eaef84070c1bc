"""An httpx transport for many calls in flight to one payer: one connection per pool, many pools.

httpcore's connection pool re-examines every connection it holds each time a call starts or ends
(expiry, idleness, and a count of all connections inside that loop), so its cost grows with the
square of the connections open: at a batch's 50 calls in flight it was most of the worker's CPU.
Its keep-alive cap also counts busy connections, so past that cap nearly every call closed its
connection and the next opened a new one. Here each pool holds one connection, so that scan is
constant; a call takes an idle pool (the most recently used: its connection is warm) or opens one,
and gives it back when the response is closed. At most ``max_connections`` calls are in flight.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import httpx


class SpreadTransport(httpx.AsyncBaseTransport):
    def __init__(self, max_connections: int, keepalive_expiry: float = 5.0) -> None:
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[httpx.AsyncHTTPTransport] = []
        self._open: set[httpx.AsyncHTTPTransport] = set()
        self._limits = httpx.Limits(
            max_connections=1, max_keepalive_connections=1, keepalive_expiry=keepalive_expiry
        )
        self._ssl: ssl.SSLContext | None = None  # made once, shared by every pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._slots.acquire()
        pool = self._idle.pop() if self._idle else self._new_pool()
        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            self._give_back(pool)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_GivenBackOnClose(response.stream, self, pool),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        pools, self._open, self._idle = self._open, set(), []
        for pool in pools:
            await pool.aclose()

    def _new_pool(self) -> httpx.AsyncHTTPTransport:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        pool = httpx.AsyncHTTPTransport(verify=self._ssl, limits=self._limits)
        self._open.add(pool)
        return pool

    def _give_back(self, pool: httpx.AsyncHTTPTransport) -> None:
        if pool in self._open:  # not closed meanwhile by aclose()
            self._idle.append(pool)
        self._slots.release()


class _GivenBackOnClose(httpx.AsyncByteStream):
    def __init__(
        self, stream: httpx.AsyncByteStream, owner: SpreadTransport, pool: httpx.AsyncHTTPTransport
    ) -> None:
        self._stream = stream
        self._owner = owner
        self._pool: httpx.AsyncHTTPTransport | None = pool

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()  # no generator of our own in between: one less hop a chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            pool, self._pool = self._pool, None
            if pool is not None:
                self._owner._give_back(pool)
