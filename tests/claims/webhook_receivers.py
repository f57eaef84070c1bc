"""A partner's webhook receiver on a real loopback socket, and the GraphQL calls the webhook tests share."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from payers.sandbox.fleet import start_server, stop_server
from tests.gateway.conftest import Gateway

REGISTER = """mutation($url: String!) {
  registerWebhook(input: {url: $url, events: [CLAIM_STATUS_CHANGED]}) {
    secret errors { code field message } webhook { id url events active createdAt } } }"""


@dataclass
class Receiver:
    """What reached the receiver: (path, headers) per request. ``/redirect`` answers 302."""

    port: int
    hits: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str = "/hooks/claims", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@contextlib.asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    hits: list[tuple[str, dict[str, str]]] = []
    redirect_to: list[str] = []

    async def hook(request: Request) -> Response:
        hits.append((request.url.path, dict(request.headers)))
        if request.url.path == "/redirect":
            return Response(status_code=302, headers={"location": redirect_to[0]})
        return Response(status_code=204)

    app = Starlette(routes=[Route("/{path:path}", hook, methods=["GET", "POST"])])
    running = await start_server("partner", app)
    try:
        found = Receiver(port=running.port, hits=hits)
        redirect_to.append(found.url("/elsewhere"))
        yield found
    finally:
        await stop_server(running)


async def register(gateway: Gateway, url: str, *, key: str | None = None) -> dict[str, Any]:
    """registerWebhook's payload for ``url``."""
    body = await gateway.query(REGISTER, {"url": url}, key=key)
    assert "errors" not in body, body
    return body["data"]["registerWebhook"]  # type: ignore[no-any-return]
