"""The portal under test: the real app over the sandbox payers, staff of every role whose TOTP secrets
the tests know, and (for browser tests) the app served by uvicorn on loopback with Chromium.

httpx-level tests use :func:`portal` (in process, ASGITransport); browser tests use ``live_portal``
(one server per module) and the helpers in tests/web/browsing.py.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp
import pytest
import uvicorn

from gateway.config import GatewaySettings
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from tests.gateway.conftest import Gateway, start_gateway
from tests.gateway.people import PASSWORD, add_person
from tests.web.browsing import chromium, page  # noqa: F401  # fixtures for the browser tests

COOKIE_NAME = "pgw_portal"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROLES = ("practice_admin", "front_desk", "biller", "analyst")


@dataclass
class Staff:
    email: str
    role: str
    totp_secret: str
    last_step: int = -1

    def code(self) -> str:
        """A code the API has not seen yet (a code works once; one step of drift is accepted)."""
        totp = pyotp.TOTP(self.totp_secret)
        current = int(time.time() // totp.interval)
        step = max(current, self.last_step + 1)
        if step > current + 1:  # both usable steps are spent: wait until ``step`` is usable
            time.sleep((current + 1) * totp.interval - time.time() + 0.05)
        self.last_step = step
        return str(totp.at(step * totp.interval))


async def add_staff(gateway: Gateway) -> dict[str, Staff]:
    staff = {}
    for role in ROLES:
        person = await add_person(gateway, gateway.practice_id, role, f"{role}@portal.example")
        staff[role] = Staff(person.email, role, person.totp_secret)
    return staff


@dataclass
class Portal:
    gateway: Gateway
    staff: dict[str, Staff]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.gateway.client

    async def csrf(self, path: str = "/login") -> str:
        answer = await self.client.get(path)
        found = CSRF.search(answer.text)
        assert found, answer.text
        return found.group(1)

    async def login(self, role: str = "front_desk") -> None:
        """The real two steps through the pages; the client keeps the cookie."""
        person = self.staff[role]
        token = await self.csrf("/login")
        first = await self.client.post(
            "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
        )
        assert first.status_code == 303 and first.headers["location"] == "/login/code", first.text
        token = await self.csrf("/login/code")
        second = await self.client.post(
            "/login/code", data={"code": person.code(), "csrf_token": token}
        )
        assert second.status_code == 303, second.text


def portal_settings(database: Database, **overrides: Any) -> GatewaySettings:
    return GatewaySettings(
        database_url=database.url, anonymous_rate_limit_per_minute=100_000, **overrides
    )


async def start_portal(database: Database, world: Any, **overrides: Any) -> AsyncIterator[Portal]:
    settings = portal_settings(database, **overrides)
    async for gateway in start_gateway(database, world, settings=settings):
        yield Portal(gateway, await add_staff(gateway))


#: The idle timeout of the ``short_idle`` portal; ``idle_out()`` moves the session's clock past it.
SHORT_IDLE_SECONDS = 60


class _SessionClock:
    """``time`` as gateway/web/session.py reads it, ``offset`` seconds ahead of the real one."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
async def short_idle(database: Database, world: Any) -> AsyncIterator[Portal]:
    """A portal whose sessions end after a minute without a request."""
    async for running in start_portal(database, world, portal_idle_seconds=SHORT_IDLE_SECONDS):
        yield running


@pytest.fixture
def idle_out(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Calling it lets the ``short_idle`` portal's idle timeout pass at once, however slowly the
    requests before it ran: only the portal session's idle check sees the time move (tokens,
    cookies' own ages and everything else keep the real clock)."""
    import gateway.web.session

    clock = _SessionClock()
    monkeypatch.setattr(gateway.web.session, "time", clock)

    def idle_out() -> None:
        clock.offset += SHORT_IDLE_SECONDS + 1

    return idle_out


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    """The portal's tests run on SQLite only: the API beneath them is tested on both databases."""
    return f"sqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture
async def portal(database: Database, world: Any) -> AsyncIterator[Portal]:
    async for running in start_portal(database, world):
        yield running


# ---- a live server for the browser tests ----------------------------------------------------


@dataclass
class LivePortal:
    url: str
    staff: dict[str, Staff]
    gateway: Gateway
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Any) -> Any:
        """Run a coroutine on the server's loop (sandbox faults, database reads) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_portal(tmp_path_factory: pytest.TempPathFactory, world: Any) -> Iterator[LivePortal]:
    """The portal served by uvicorn on a loopback port (one per test module), over the sandboxes."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('portal') / 'gateway.db'}"
    port = _free_port()
    ready = threading.Event()
    found: dict[str, Any] = {}

    async def serve() -> None:
        database = Database(database_url)
        await upgrade(database)
        settings = GatewaySettings(
            database_url=database_url, anonymous_rate_limit_per_minute=100_000
        )
        async for gateway in start_gateway(database, world, settings=settings):
            found["staff"] = await add_staff(gateway)
            found["gateway"] = gateway
            found["loop"] = asyncio.get_running_loop()
            app = gateway.client._transport.app  # type: ignore[attr-defined]
            server = uvicorn.Server(
                uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
            )
            found["server"] = server
            serving = asyncio.create_task(server.serve())
            while not server.started and not serving.done():
                await asyncio.sleep(0.02)
            ready.set()
            await serving
        await database.dispose()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(60), "the portal did not start"
    assert found["server"].started, "the portal failed to start"
    try:
        yield LivePortal(
            f"http://127.0.0.1:{port}", found["staff"], found["gateway"], found["loop"]
        )
    finally:
        found["server"].should_exit = True
        thread.join(30)
