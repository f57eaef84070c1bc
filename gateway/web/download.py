"""A file the API streams (``GET /exports/history``), passed through to the browser as it is written.

httpx's ASGITransport collects a whole response before handing it over, which for an export of a
few hundred megabytes would hold all of it in the portal's memory. So the portal calls the API's
ASGI app itself: the app's messages go through a small bounded queue, the status and headers are
read first (a refusal is a short JSON body the page turns into messages at its fields), and an
answered download's body chunks are yielded to the browser as they come; the app waits while the
queue is full, so memory holds a few chunks whatever the file's size.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message

from gateway.web.api import ApiError, PortalApi, SessionEnded

QUEUED_MESSAGES = 2  # chunks (one per batch of rows) the API may write ahead of the browser
MAX_REFUSAL_BYTES = 64 * 1024  # a refusal is a short JSON error; more than this is not read


class DownloadFailed(Exception):
    """The API's app ended without answering (it raised before its response started)."""


@dataclass
class Download:
    """The API's answer: its status and headers; ``body`` streams a 200's bytes, ``errors`` holds
    a refusal's errors (each with its code)."""

    status: int
    headers: dict[str, str]
    body: AsyncIterator[bytes] | None = None
    errors: list[ApiError] = field(default_factory=list)


_END: Message = {"type": "download.end"}


async def open_export(api: PortalApi, request: Request, query: str, token: str) -> Download:
    """``GET /exports/history?<query>`` as the signed-in user (``token``), streamed; raises
    :class:`SessionEnded` when the API refuses the token."""
    if api.export_app is None:
        raise DownloadFailed
    client = request.scope.get("client") or ("unknown", 0)
    request_id = str(request.scope.get("state", {}).get("request_id", ""))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/exports/history",
        "raw_path": b"/exports/history",
        "root_path": "",
        "query_string": query.encode("ascii"),
        "headers": [
            (b"host", b"gateway.portal"),
            (b"authorization", f"Bearer {token}".encode("latin-1")),
            (b"x-request-id", request_id.encode("latin-1")),
        ],
        "client": (str(client[0]), int(client[1])),
        "server": ("gateway.portal", 80),
        "state": {},
    }
    download = await open_download(api.export_app, scope)
    if download.status == 401:
        raise SessionEnded
    return download


async def open_download(app: ASGIApp, scope: dict[str, Any]) -> Download:
    """Start ``app`` on the GET request ``scope``; returns once its status is known. A 200's
    ``body`` must be iterated to its end or closed (it stops the app when the browser goes)."""
    queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=QUEUED_MESSAGES)
    gone = asyncio.Event()

    async def receive() -> Message:
        # A GET has no body: the only thing left to hear is that the browser went away.
        await gone.wait()
        return {"type": "http.disconnect"}

    async def run() -> None:
        try:
            await app(scope, receive, queue.put)
        finally:
            with contextlib.suppress(asyncio.CancelledError):
                await queue.put(_END)

    task = asyncio.create_task(run())

    async def stop(finished: bool) -> None:
        # Finished: let the app end on its own (it writes its audit row last). Otherwise the
        # browser went away or the page is done with it: tell the app, and stop it.
        if not finished:
            gone.set()
            task.cancel()
        await asyncio.wait({task})  # raises only if this request is itself cancelled
        if not task.cancelled():
            task.exception()  # retrieved: the export logs its own failures (by type only)

    try:
        start = await queue.get()
    except BaseException:
        await stop(finished=False)
        raise
    if start is _END:
        await stop(finished=True)
        raise DownloadFailed
    status = int(start["status"])
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
    if status == 200:
        return Download(status, headers, body=_chunks(queue, stop))
    try:
        text = b""
        async for chunk in _chunks(queue, stop):
            text += chunk
            if len(text) > MAX_REFUSAL_BYTES:
                break
    finally:
        await stop(finished=False)
    return Download(status, headers, errors=_errors(text, status))


async def _chunks(
    queue: asyncio.Queue[Message], stop: Callable[[bool], Awaitable[None]]
) -> AsyncIterator[bytes]:
    finished = False
    try:
        while True:
            message = await queue.get()
            if message is _END:
                finished = True
                return
            if message["type"] != "http.response.body":
                continue
            body = message.get("body", b"")
            if body:
                yield body
            if not message.get("more_body", False):
                finished = True
                return
    finally:
        await stop(finished)


def _errors(text: bytes, status: int) -> list[ApiError]:
    """The gateway's JSON errors (``errors[].extensions.code``); never the body itself otherwise."""
    try:
        payload = json.loads(text)
    except ValueError:
        payload = {}
    found = [
        ApiError(
            code=str((e.get("extensions") or {}).get("code", "GATEWAY_ERROR")),
            message=str(e.get("message", "")),
        )
        for e in (payload.get("errors") or () if isinstance(payload, dict) else ())
        if isinstance(e, dict)
    ]
    return found or [ApiError("GATEWAY_ERROR", f"The gateway answered {status}.")]
