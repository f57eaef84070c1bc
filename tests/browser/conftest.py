"""A real gateway on a loopback port (uvicorn in a thread) and Debian's Chromium driven by Playwright.

Playwright cannot download its own browsers here, so it launches ``/usr/bin/chromium``. Without
Chromium or Playwright the browser tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from payers.registry import parse_payers_config
from payers.sandbox.launch import payers_toml, plan_sandboxes

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).with_name("screenshots")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: the browser tests cannot run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class LiveGateway:
    url: str  # http://127.0.0.1:<port>
    key: str
    payer_ids: tuple[str, ...]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_gateway(tmp_path_factory: pytest.TempPathFactory, world: Any) -> Iterator[LiveGateway]:
    """The gateway (GraphiQL on) over the in-process sandbox payers, served by uvicorn on loopback."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'gateway.db'}"
    plan = plan_sandboxes(world)
    os.environ.update(plan.environ)
    payer_settings = parse_payers_config(
        payers_toml(world, {key: f"http://{key}.sandbox" for key in plan.apps})
    )
    port = _free_port()
    ready = threading.Event()
    found: dict[str, Any] = {}

    async def serve() -> None:
        database = Database(database_url)
        await upgrade(database)
        practice_id = await create_practice(database, *demo_practice(world))
        found["key"] = await create_api_key(database, practice_id, "browser")
        await database.dispose()
        services = build_services(
            GatewaySettings(database_url=database_url, graphiql=True),
            payer_settings,
            transport_for=lambda s: httpx.ASGITransport(app=plan.apps[s.id]),
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(services), host="127.0.0.1", port=port, log_config=None, lifespan="on"
            )
        )
        found["server"] = server
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.02)
        ready.set()
        await serving

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(60), "the gateway did not start"
    assert found["server"].started, "the gateway failed to start"
    try:
        yield LiveGateway(
            f"http://127.0.0.1:{port}", found["key"], tuple(s.id for s in payer_settings)
        )
    finally:
        found["server"].should_exit = True
        thread.join(30)
