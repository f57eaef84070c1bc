"""A small request body is sent at once (gateway/aiohttp_request.py): the bytes on the wire are the
ones aiohttp's own request sends, for every body size and method, and a small body costs no task
of its own where the short way applies (Python 3.11, aiohttp 3.14)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import aiohttp
import httpx
import pytest

from gateway.aiohttp_request import REQUEST_CLASS, PayerRequest
from gateway.aiohttp_transport import AiohttpTransport
from gateway.payer_client import PayerHTTPClient
from tests.resilience.test_http_engine import tcp_server

BODIES = [b'{"member": "LHP205517604"}', b"", b"x" * 65_536, b"y" * 70_000]


async def _recorded(send: Any) -> list[bytes]:
    """What a loopback server received for each request ``send(url, method, body)`` made."""
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            received.append((head + await reader.readexactly(length)).replace(host, b"payer"))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    host = b""
    async with tcp_server(serve) as port:
        host = f"127.0.0.1:{port}".encode()  # each server has its own port
        for method in ("POST", "PUT", "PATCH"):
            for body in BODIES:
                await send(f"http://127.0.0.1:{port}/v1/eligibility?x=1", method, body)
    return received


async def test_the_bytes_sent_are_those_aiohttp_s_own_request_sends() -> None:
    headers = {"Authorization": "Bearer k", "Content-Type": "application/json"}
    transport = AiohttpTransport(httpx.Limits(max_connections=10))
    async with PayerHTTPClient(transport=transport, timeout=httpx.Timeout(5.0)) as http:

        async def ours(url: str, method: str, body: bytes) -> None:
            response = await http.request(method, url, content=body, headers=headers)
            assert response.content == b"ok"

        sent = await _recorded(ours)

    # The reference: aiohttp's own ClientRequest, with the transport's session settings.
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
        skip_auto_headers={"User-Agent", "Accept", "Accept-Encoding", "Content-Type"},
    ) as session:
        assert session._request_class is aiohttp.ClientRequest

        async def reference(url: str, method: str, body: bytes) -> None:
            wire_headers = {
                "Host": url.split("/")[2],
                "Accept": "*/*",
                "Accept-Encoding": "gzip, deflate",
                "Connection": "keep-alive",
                "User-Agent": f"python-httpx/{httpx.__version__}",
                **headers,
            }
            async with session.request(method, url, data=body or None, headers=wire_headers) as r:
                assert await r.read() == b"ok"

        expected = await _recorded(reference)
    assert len(sent) == len(expected) == 12
    for ours_sent, theirs in zip(sent, expected, strict=True):
        assert ours_sent == theirs


@pytest.mark.skipif(REQUEST_CLASS is not PayerRequest, reason="aiohttp's own way applies here")
async def test_a_small_body_is_written_without_a_task_of_its_own() -> None:
    loop = asyncio.get_running_loop()
    writers: list[str] = []
    previous = loop.get_task_factory()

    def counting(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
    ) -> asyncio.Task[Any]:
        if getattr(coro, "__name__", "") == "write_bytes":
            writers.append(coro.__qualname__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting)  # type: ignore[arg-type]
    try:
        transport = AiohttpTransport(httpx.Limits(max_connections=10))
        async with PayerHTTPClient(transport=transport, timeout=httpx.Timeout(5.0)) as http:

            async def send(url: str, method: str, body: bytes) -> None:
                await http.request(method, url, content=body)

            await _recorded(send)
    finally:
        loop.set_task_factory(previous)
    assert len(writers) == 3  # the 70,000-byte body, once per method: aiohttp's own task
