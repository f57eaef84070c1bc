"""The payer HTTP engine (gateway/payer_client.py): aiohttp and httpx's own engine behave alike, at
real loopback servers (each test runs on both, set by PAYER_GATEWAY_HTTP_ENGINE: the ``http_engine``
fixture in tests/resilience/conftest.py): failures map to the same httpx errors and payer codes, no
cookie comes back, stream bodies arrive whole, connection limits hold and environment proxies are honoured."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.aiohttp_transport import AiohttpTransport
from gateway.config import SettingsError
from gateway.payer_client import KEEPALIVE_CONNECTIONS, MAX_CONNECTIONS, payer_client
from gateway.payer_client import http_engine as engine_setting
from payers.contract import PayerSettings, PayerTimeout, PayerUnavailable
from payers.model import MemberQuery
from payers.rest.adapter import RestPayerAdapter

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def tcp_server(serve: Serve) -> AsyncIterator[int]:
    """A loopback server; on exit every connection it still holds is closed and its handler ended
    (Python 3.11's ``wait_closed`` does not wait for them)."""
    handlers: set[asyncio.Task[None]] = set()
    writers: list[asyncio.StreamWriter] = []

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.add(asyncio.current_task())  # type: ignore[arg-type]
        writers.append(writer)
        await serve(reader, writer)

    server = await asyncio.start_server(tracked, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in writers:
            writer.close()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


@asynccontextmanager
async def asgi_server(app: Starlette) -> AsyncIterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await serving
        sock.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def _adapter(base_url: str, http: httpx.AsyncClient) -> RestPayerAdapter:
    settings = PayerSettings(
        id="lakeshore",
        name="Lakeshore Health Plan",
        adapter="rest",
        base_url=base_url,
        timeout_seconds=0.5,
        credentials={"api_key": "k"},
    )
    return RestPayerAdapter(settings, http)


MEMBER = MemberQuery(
    member_id="LHP205517604", first_name="Oscar", last_name="Diaz", birth_date=date(1980, 1, 2)
)


# -- failures ------------------------------------------------------------------------------------


async def test_a_refused_connection_is_a_connect_error_and_payer_unavailable(
    http_engine: str,
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    async with payer_client(2.0) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(url + "/ping")
        with pytest.raises(PayerUnavailable, match="ConnectError") as caught:
            await _adapter(url, http).check_eligibility(MEMBER, ["30"], date(2025, 11, 27))
    assert not isinstance(caught.value, PayerTimeout)
    assert caught.value.code == "PAYER_UNAVAILABLE"


async def test_a_connection_dropped_before_the_answer_is_payer_unavailable(
    http_engine: str,
) -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.close()

    async with tcp_server(drop) as port, payer_client(2.0) as http:
        url = f"http://127.0.0.1:{port}"
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url + "/ping")
        with pytest.raises(PayerUnavailable, match="RemoteProtocolError") as caught:
            await _adapter(url, http).check_eligibility(MEMBER, ["30"], date(2025, 11, 27))
    assert caught.value.code == "PAYER_UNAVAILABLE"


async def test_a_connection_dropped_inside_the_body_is_a_protocol_error(http_engine: str) -> None:
    async def half(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 10)
        await writer.drain()
        writer.close()

    async with tcp_server(half) as port, payer_client(2.0) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"http://127.0.0.1:{port}/ping")


async def test_a_reply_that_is_not_http_is_a_remote_protocol_error(http_engine: str) -> None:
    async def ssh(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n")
        await writer.drain()
        writer.close()

    async with tcp_server(ssh) as port, payer_client(2.0) as http:
        url = f"http://127.0.0.1:{port}"
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url + "/ping")
        with pytest.raises(PayerUnavailable) as caught:
            await _adapter(url, http).check_eligibility(MEMBER, ["30"], date(2025, 11, 27))
    assert caught.value.code == "PAYER_UNAVAILABLE"


async def test_no_answer_within_the_read_timeout_is_a_read_timeout(http_engine: str) -> None:
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await reader.read()  # no answer: wait until the client gives up and closes
        writer.close()

    async with tcp_server(hang) as port, payer_client(0.3) as http:
        url = f"http://127.0.0.1:{port}"
        with pytest.raises(httpx.ReadTimeout):
            await http.get(url + "/ping")
        with pytest.raises(PayerTimeout) as caught:
            await _adapter(url, http).check_eligibility(MEMBER, ["30"], date(2025, 11, 27))
    assert caught.value.code == "PAYER_TIMEOUT"


async def test_waiting_past_the_pool_timeout_for_a_connection_is_a_pool_timeout(
    http_engine: str,
) -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(0.5)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    limits = httpx.Limits(max_connections=1)
    transport = AiohttpTransport(limits) if http_engine == "aiohttp" else None
    timeout = httpx.Timeout(2.0, pool=0.1)
    async with (
        tcp_server(slow) as port,
        httpx.AsyncClient(transport=transport, limits=limits, timeout=timeout) as http,
    ):
        url = f"http://127.0.0.1:{port}/"
        first, second = await asyncio.gather(http.get(url), http.get(url), return_exceptions=True)
    assert isinstance(first, httpx.Response) and first.text == "ok"
    assert isinstance(second, httpx.PoolTimeout)


# -- cookies, bodies -----------------------------------------------------------------------------


async def test_a_cookie_a_payer_sets_is_never_sent_again(http_engine: str) -> None:
    seen: list[str | None] = []

    async def login(request: Request) -> JSONResponse:
        seen.append(request.headers.get("cookie"))
        response = JSONResponse({"calls": len(seen)})
        response.set_cookie("session", f"practice-{len(seen)}", domain=None, path="/")
        return response

    app = Starlette(routes=[Route("/{rest:path}", login)])
    async with asgi_server(app) as port, payer_client(2.0) as http:
        # A host name, not an IP: cookie jars store cookies only for names.
        for path in ("/eligibility", "/eligibility", "/claims"):
            response = await http.get(f"http://localhost:{port}{path}")
            assert response.headers["set-cookie"].startswith("session=practice-")
        assert dict(http.cookies) == {}
    assert seen == [None, None, None]


def _form_app() -> Starlette:
    async def receive(request: Request) -> JSONResponse:
        raw = await request.body()
        answer: dict[str, object] = {
            "declared_length": request.headers.get("content-length"),
            "received_length": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
        }
        if request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()
            payload = str(form["Payload"])
            answer["payload_sha256"] = hashlib.sha256(payload.encode()).hexdigest()
            answer["payload_length"] = len(payload)
            answer["fields"] = sorted(form.keys())
        return JSONResponse(answer)

    return Starlette(routes=[Route("/core", receive, methods=["POST"])])


X12 = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *" + "~".join(
    f"EB*1*IND*30**PLAN {n:06d}" for n in range(12_000)
)


async def test_a_multipart_x12_body_arrives_whole(http_engine: str) -> None:
    form = {"PayloadType": "X12_270_Request_005010X279A1", "Payload": X12}
    boundary = "payer-gateway-test-boundary"
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    files = {k: (None, v) for k, v in form.items()}
    expected = httpx.Request("POST", "http://x/core", files=files, headers=headers).read()
    async with asgi_server(_form_app()) as port, payer_client(5.0) as http:
        answer = (
            await http.post(f"http://127.0.0.1:{port}/core", files=files, headers=headers)
        ).json()
    assert len(X12) > 300_000  # larger than a socket buffer: sent in many writes
    assert answer == {
        "declared_length": str(len(expected)),
        "received_length": len(expected),
        "sha256": hashlib.sha256(expected).hexdigest(),
        "payload_sha256": hashlib.sha256(X12.encode()).hexdigest(),
        "payload_length": len(X12),
        "fields": ["Payload", "PayloadType"],
    }


async def test_a_body_streamed_by_a_generator_arrives_whole(http_engine: str) -> None:
    chunks = [f"ST*270*{n:04d}~".encode() * 500 for n in range(40)]

    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            await asyncio.sleep(0)
            yield chunk

    async with asgi_server(_form_app()) as port, payer_client(5.0) as http:
        answer = (await http.post(f"http://127.0.0.1:{port}/core", content=stream())).json()
    body = b"".join(chunks)
    assert answer["received_length"] == len(body) == 40 * 500 * 12
    assert answer["sha256"] == hashlib.sha256(body).hexdigest()


# -- connection limits ---------------------------------------------------------------------------


@dataclass
class Connections:
    opened: int = 0
    open_now: int = 0
    peak_open: int = 0
    requests: int = 0
    ports: set[int] = field(default_factory=set)


@asynccontextmanager
async def counting_server(answer_seconds: float) -> AsyncIterator[tuple[int, Connections]]:
    counts = Connections()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counts.opened += 1
        counts.open_now += 1
        counts.peak_open = max(counts.peak_open, counts.open_now)
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                counts.requests += 1
                await asyncio.sleep(answer_seconds)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            counts.open_now -= 1
            writer.close()

    async with tcp_server(serve) as port:
        yield port, counts


async def _burst(http: httpx.AsyncClient, url: str, calls: int) -> list[str]:
    async def one() -> str:
        return (await http.get(url)).text

    return await asyncio.gather(*(one() for _ in range(calls)))


async def test_connections_stay_within_the_limits_and_idle_ones_within_keepalive(
    http_engine: str,
) -> None:
    async with (
        counting_server(0.05) as (port, counts),
        payer_client(5.0) as http,
    ):
        url = f"http://127.0.0.1:{port}/eligibility"
        assert await _burst(http, url, 150) == ["ok"] * 150
        assert counts.peak_open == MAX_CONNECTIONS  # 150 asked at once, 100 connections at most
        for _ in range(100):  # the server sees the extra connections close
            if counts.open_now <= KEEPALIVE_CONNECTIONS:
                break
            await asyncio.sleep(0.02)
        assert counts.open_now == KEEPALIVE_CONNECTIONS
        opened = counts.opened
        assert await _burst(http, url, KEEPALIVE_CONNECTIONS) == ["ok"] * KEEPALIVE_CONNECTIONS
        assert counts.opened == opened  # the kept connections carried the next calls
    assert counts.requests == 150 + KEEPALIVE_CONNECTIONS


async def test_a_batch_client_keeps_one_connection_per_call_in_flight(http_engine: str) -> None:
    async with (
        counting_server(0.01) as (port, counts),
        payer_client(5.0, in_flight=120) as http,
    ):
        url = f"http://127.0.0.1:{port}/eligibility"
        for _ in range(3):
            assert await _burst(http, url, 120) == ["ok"] * 120
    assert counts.requests == 360
    assert counts.peak_open == 120 and counts.opened == 120


# -- environment proxies -------------------------------------------------------------------------


@asynccontextmanager
async def recording_proxy() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A forward proxy that answers itself and records each request line it receives (and the
    Proxy-Authorization header, if any)."""
    lines: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_request(reader)
        lines.append(head.split(b"\r\n", 1)[0])
        auth = [h for h in head.split(b"\r\n") if h.lower().startswith(b"proxy-authorization:")]
        lines.extend(auth)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nvia proxy")
        await writer.drain()
        writer.close()

    async with tcp_server(serve) as port:
        yield port, lines


async def test_environment_proxies_are_used_except_for_no_proxy_hosts(
    http_engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def direct(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ndirect")
        await writer.drain()
        writer.close()

    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with recording_proxy() as (proxy_port, lines), tcp_server(direct) as port:
        monkeypatch.setenv("HTTP_PROXY", f"http://relay:s3cret@127.0.0.1:{proxy_port}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,.internal.test")
        async with payer_client(2.0) as http:
            far = await http.get("http://payer.example.org:8080/eligibility?member=1")
            near = await http.get(f"http://127.0.0.1:{port}/eligibility")
            with pytest.raises(httpx.ConnectError):  # NO_PROXY domain: direct, and no such host
                await http.get("http://edi.internal.test:1/x")
    assert (far.text, near.text) == ("via proxy", "direct")
    assert lines == [
        b"GET http://payer.example.org:8080/eligibility?member=1 HTTP/1.1",
        b"Proxy-Authorization: Basic " + base64.b64encode(b"relay:s3cret"),
    ]


def test_the_engine_setting_names_one_of_two_engines() -> None:
    assert engine_setting({}) == "aiohttp"
    assert engine_setting({"PAYER_GATEWAY_HTTP_ENGINE": " HTTPX "}) == "httpx"
    with pytest.raises(
        SettingsError, match="PAYER_GATEWAY_HTTP_ENGINE must be one of aiohttp, httpx"
    ):
        engine_setting({"PAYER_GATEWAY_HTTP_ENGINE": "curl"})
