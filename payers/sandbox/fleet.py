"""Run sandbox payer servers on real loopback sockets (demo, end-to-end tests, benchmarks).

Each server is a uvicorn instance in the current event loop, bound to port 0 so the OS picks a free
port; :attr:`RunningSandbox.base_url` says where it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp


@dataclass
class RunningSandbox:
    name: str
    server: uvicorn.Server
    task: asyncio.Task[None]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def start_server(
    name: str, app: ASGIApp, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this. asyncio only sets TCP_NODELAY itself on sockets whose proto is
    # IPPROTO_TCP (this one's is 0): without it Nagle + delayed ACK add ~40 ms to every answer.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # re-raise why it could not start
        await asyncio.sleep(0.01)
    return RunningSandbox(name=name, server=server, task=task, port=sock.getsockname()[1])


async def stop_server(running: RunningSandbox) -> None:
    running.server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await running.task


@contextlib.asynccontextmanager
async def serving(apps: dict[str, ASGIApp]) -> AsyncIterator[dict[str, RunningSandbox]]:
    """Start every app on its own loopback port; stop them all on exit."""
    running: dict[str, RunningSandbox] = {}
    try:
        for name, app in apps.items():
            running[name] = await start_server(name, app)
        yield running
    finally:
        await asyncio.gather(*(stop_server(r) for r in running.values()))
