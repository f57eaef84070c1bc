"""Nothing answers 500 text/plain: a real part that fails (a database without the gateway's tables)
answers 500 JSON with INTERNAL_ERROR and the request id, and is logged by type, with no data. The
same holds over a real uvicorn socket, for a walk of nasty requests."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from gateway.config import GatewaySettings
from gateway.http.app import build_services, create_app
from tests.gateway.conftest import Gateway

LEAKS = ("api_keys", "SELECT", "sqlite", "Traceback", "no such table", "pgw_")


@asynccontextmanager
async def broken_app(tmp_path: Path) -> AsyncIterator[Starlette]:
    """The real app on a database nobody migrated: authenticating an API key raises inside BearerAuth."""
    settings = GatewaySettings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    services = build_services(settings, payer_settings=[])
    try:
        yield create_app(services)
    finally:
        await services.database.dispose()


async def test_an_exception_in_a_middleware_answers_json_500_logged_by_type_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with (
        broken_app(tmp_path) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.post(
            "/graphql",
            json={"query": "{ payers { id } }"},
            headers={"Authorization": "Bearer pgw_not-checked-because-the-table-is-missing"},
        )
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "INTERNAL_ERROR",
        "requestId": response.headers["x-request-id"],
    }
    for leak in LEAKS:
        assert leak not in response.text
    [record] = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert record.error_type == "OperationalError"  # type: ignore[attr-defined]
    assert record.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert record.exc_info is None
    ours = [r for r in caplog.records if r.name.startswith("gateway")]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    for leak in ("api_keys", "SELECT", "no such table", "pgw_not-checked"):
        assert leak not in logged


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """The app on a real loopback socket (uvicorn handles bodies and errors its own way)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def nasty_requests(key: str) -> list[tuple[str, str, bytes, dict[str, str]]]:
    auth = {"Authorization": f"Bearer {key}"}
    as_json = {**auth, "Content-Type": "application/json"}
    deep = (
        b'{"query": "{ payers { id } }", "variables": {"a": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}"
    )
    return [
        ("POST", "/graphql", b'{"query": "\xff"}', as_json),
        ("POST", "/graphql", deep, as_json),
        (
            "POST",
            "/graphql",
            b'{"query": "{ payers { id } }", "variables": {"n": ' + b"1" * 100_000 + b"}}",
            as_json,
        ),
        (
            "POST",
            "/graphql",
            b'{"query": "{ patients(first: ' + b"1" * 100_000 + b') { edges { node { id } } } }"}',
            as_json,
        ),
        ("POST", "/graphql", b"[]", as_json),
        ("POST", "/graphql", b'"x"', as_json),
        ("POST", "/graphql", b"null", as_json),
        ("POST", "/graphql", b"", as_json),
        (
            "POST",
            "/graphql",
            b'{"query": "{ payers { id } }"}',
            {**auth, "Content-Type": "text/plain"},
        ),
        # (Control characters in a header never reach the app: uvicorn's parser answers 400 text/plain.)
        (
            "POST",
            "/graphql",
            b'{"query": "{ payers { id } }"}',
            {**as_json, "Authorization": "Bearer eyJ.eyJ.sig"},
        ),
        ("POST", "/graphql", b'{"query": "' + b"{ payers { id } }" * 3 + b'"}', as_json),
        (
            "POST",
            "/graphql",
            b'{"query": "query($d: DateTime) { auditEvents(since: $d) { edges { node { id } } } }", "variables": {"d": "yesterday"}}',
            as_json,
        ),
        ("GET", "/graphql?query=%7Bpayers%7Bid%7D%7D&variables=%7B", b"", auth),
        ("GET", "/graphql?query=%7Bpayers%7Bid%7D%7D", b"", auth),
        ("DELETE", "/graphql", b"", auth),
        ("GET", "/../../etc/passwd", b"", {}),
        ("PATCH", "/metrics", b"", {}),
    ]


async def test_no_nasty_request_gets_a_text_plain_500_over_a_real_socket(
    gateway: Gateway, tmp_path: Path
) -> None:
    async with broken_app(tmp_path) as broken:
        for app, key in ((create_app(gateway.services), gateway.key), (broken, "pgw_x")):
            await walk(app, key)


async def walk(app: Starlette, key: str) -> None:
    """Every nasty request answers JSON with a code and the request id, and no 500 is text/plain."""
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        for method, path, body, headers in nasty_requests(key):
            response = await client.request(method, path, content=body, headers=headers)
            where = (method, path[:40], body[:40], response.status_code, response.text[:200])
            assert response.headers.get("content-type", "").startswith("application/json"), where
            assert (
                response.status_code < 500
                or response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_ERROR"
            ), where
            if response.status_code >= 400:
                error = response.json()["errors"][0]
                assert error["extensions"]["code"], where
                assert error["extensions"]["requestId"] == response.headers["x-request-id"], where
            for leak in LEAKS:
                assert leak not in response.text, (leak, where)
