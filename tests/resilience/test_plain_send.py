"""The payer client's short way to send (gateway/payer_client.py ``PayerHTTPClient.send``, and the
aiohttp transport handing over answers already read) gives what httpx's own client and engine give:
the same answers byte for byte (status, headers, body, decoding, version, reason, redirects offered),
the same request on the wire, streaming kept for ``client.stream``, and httpx's own way taken when
auth, event hooks or redirects are in play. Each test runs on both engines (tests/resilience/conftest.py)
at real loopback servers."""

from __future__ import annotations

import asyncio
import datetime
import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from gateway.payer_client import PayerHTTPClient, payer_client
from tests.resilience.test_http_engine import tcp_server

BODY = b'{"member": "LHP205517604", "name": "J\xc3\xbcrgen", "active": true}'
ZIPPED = gzip.compress(BODY)


def _answer(head: str, body: bytes = b"") -> bytes:
    return head.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body


ANSWERS = {
    "json": _answer(
        f"HTTP/1.1 200 OK\nContent-Type: application/json; charset=utf-8\nContent-Length: {len(BODY)}\n",
        BODY,
    ),
    "gzip": _answer(
        f"HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Encoding: gzip\nContent-Length: {len(ZIPPED)}\n",
        ZIPPED,
    ),
    "chunked": _answer(
        "HTTP/1.1 200 OK\nContent-Type: text/plain; charset=latin-1\nTransfer-Encoding: chunked\n",
        b"5\r\nhello\r\n6\r\n w\xf6rld\r\n0\r\n\r\n",
    ),
    "reason": _answer(
        "HTTP/1.1 404 Nothing Here For You\nContent-Length: 9\nX-Dup: a\nX-Dup: b\n"
        "Set-Cookie: s=1; Path=/\nSet-Cookie: t=2; Path=/\nX-Name: caf\xe9\n",
        b"not found",
    ),
    "http10": _answer("HTTP/1.0 200 OK\nContent-Type: application/json\nConnection: close\n", BODY),
    "redirect": _answer("HTTP/1.1 302 Found\nLocation: /elsewhere?x=1\nContent-Length: 0\n"),
    "empty": _answer("HTTP/1.1 204 No Content\n"),
}


@asynccontextmanager
async def canned_server(answer: bytes) -> AsyncIterator[tuple[int, list[bytes]]]:
    """Answers every request on a connection with ``answer``; records each request's head."""
    heads: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            heads.append(head + await reader.readexactly(length))
            writer.write(answer)
            await writer.drain()
            if b"Connection: close" in answer:
                break
        writer.close()

    async with tcp_server(serve) as port:
        yield port, heads


def _seen(response: httpx.Response) -> dict[str, object]:
    """Everything a caller can read off a response httpx's ``send`` returned."""
    assert isinstance(response.elapsed, datetime.timedelta)
    seen: dict[str, object] = {
        "status": response.status_code,
        "headers": response.headers.raw,
        "multi": response.headers.multi_items(),
        "content": response.content,
        "text": response.text,
        "encoding": response.encoding,
        "http_version": response.http_version,
        "reason": response.reason_phrase,
        "closed": (response.is_closed, response.is_stream_consumed),
        "next": None if response.next_request is None else str(response.next_request.url),
        "url": str(response.url),
        "history": response.history,
    }
    if response.headers.get("content-type", "").startswith("application/json"):
        seen["json"] = response.json()
    return seen


@pytest.mark.parametrize("kind", sorted(ANSWERS))
async def test_an_answer_reads_as_httpx_s_own_client_reads_it(http_engine: str, kind: str) -> None:
    async with canned_server(ANSWERS[kind]) as (port, _):
        url = f"http://127.0.0.1:{port}/eligibility?member=1"
        async with httpx.AsyncClient() as reference, payer_client(5.0) as http:
            expected = _seen(await reference.get(url))
            for _ in range(2):  # a fresh connection, then a kept one (where the answer keeps it)
                response = await http.get(url)
                assert _seen(response) == expected
                assert response.request.url == url


async def test_the_request_on_the_wire_is_the_one_httpx_sends(http_engine: str) -> None:
    calls = [
        ("GET", {"Authorization": "Bearer k", "X-Trace": "a"}, None),
        ("POST", {"Content-Type": "application/json"}, BODY),
        ("POST", {}, None),
        ("PUT", {"X-Empty": ""}, b""),
    ]
    async with canned_server(ANSWERS["json"]) as (port, heads):
        url = f"http://127.0.0.1:{port}/claims/7"
        for client in (httpx.AsyncClient(), payer_client(5.0)):
            async with client:
                for method, headers, content in calls:
                    await client.request(method, url, headers=headers, content=content)
    assert len(heads) == 2 * len(calls)

    def fields(head: bytes) -> tuple[bytes, list[bytes], bytes]:
        top, _, body = head.partition(b"\r\n\r\n")
        request_line, *lines = top.split(b"\r\n")
        return request_line, sorted(line.lower() for line in lines), body

    assert [fields(h) for h in heads[len(calls) :]] == [fields(h) for h in heads[: len(calls)]]


@asynccontextmanager
async def held_stream_server(release: asyncio.Event) -> AsyncIterator[int]:
    """Sends the head and a first chunk, then the rest only once ``release`` is set."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            await writer.drain()
            await release.wait()
            writer.write(b"4\r\nlast\r\n0\r\n\r\n")
            await writer.drain()

    async with tcp_server(serve) as port:
        yield port


async def test_a_streamed_answer_arrives_chunk_by_chunk(http_engine: str) -> None:
    release = asyncio.Event()
    async with held_stream_server(release) as port, payer_client(5.0) as http:
        async with http.stream("GET", f"http://127.0.0.1:{port}/") as response:
            chunks = response.aiter_bytes()
            # Read whole before handing over, the first chunk would never come.
            assert await asyncio.wait_for(anext(chunks), 2.0) == b"first"
            release.set()
            assert [chunk async for chunk in chunks] == [b"last"]
        assert response.is_closed
        # The same request object sent again without streaming is read whole.
        again = await http.send(response.request)
        assert again.content == b"firstlast"


async def test_hooks_and_credentials_in_the_url_go_httpx_s_own_way(http_engine: str) -> None:
    async with canned_server(ANSWERS["redirect"]) as (port, heads):
        hooked: list[int] = []

        async def on_response(response: httpx.Response) -> None:
            hooked.append(response.status_code)

        async with payer_client(5.0) as http:
            http.event_hooks = {"response": [on_response]}
            await http.get(f"http://user:secret@127.0.0.1:{port}/")
            assert hooked == [302]
            http.event_hooks = {}
            with pytest.raises(httpx.TooManyRedirects):  # httpx's own loop followed them
                await http.get(f"http://127.0.0.1:{port}/", follow_redirects=True)
    assert b"\r\nAuthorization: Basic dXNlcjpzZWNyZXQ=\r\n" in heads[0]


async def test_a_refused_connection_names_its_request_and_a_closed_client_refuses(
    http_engine: str,
) -> None:
    async with canned_server(b"") as (port, _):
        pass  # the port is free again: nothing listens
    http = payer_client(5.0)
    assert isinstance(http, PayerHTTPClient)
    async with http:
        request = http.build_request("GET", f"http://127.0.0.1:{port}/")
        with pytest.raises(httpx.ConnectError) as caught:
            await http.send(request)
        assert caught.value.request is request
    with pytest.raises(RuntimeError, match="client has been closed"):
        await http.get(f"http://127.0.0.1:{port}/")
