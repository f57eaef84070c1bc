"""gateway/web/download.py over a plain ASGI app that writes a large file: the portal holds a few
chunks at a time, hands them on as they come, lets a finished app end on its own, and stops an app
whose reader went away."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Receive, Scope, Send

from gateway.web.download import QUEUED_MESSAGES, open_download

CHUNK = b"x" * 1024 * 1024  # 1 MiB
CHUNKS = 64


class LargeFile:
    """Writes CHUNKS chunks, counting them, and notes how it ended."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.written = 0
        self.ended = ""
        self.heard: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status, "headers": []})
            if self.status != 200:
                body = b'{"errors":[{"message":"\'to\' is before \'from\'.",'
                body += b'"extensions":{"code":"BAD_EXPORT_REQUEST"}}]}'
                await send({"type": "http.response.body", "body": body})
                self.ended = "refused"
                return
            for _ in range(CHUNKS):
                await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
                self.written += 1
            await send({"type": "http.response.body", "body": b""})
            await asyncio.sleep(0.05)  # its last act (the export's audit row) after the body
            self.ended = "finished"
        except asyncio.CancelledError:
            self.ended = "stopped"
            raise


def scope() -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}


async def test_a_large_body_is_passed_on_a_few_chunks_at_a_time() -> None:
    app = LargeFile()
    download = await open_download(app, scope())
    assert download.status == 200 and download.body is not None
    read = 0
    async for chunk in download.body:
        assert chunk == CHUNK
        read += 1
        await asyncio.sleep(0)  # let the app run ahead as far as it can
        assert app.written - read <= QUEUED_MESSAGES + 1
    assert read == CHUNKS
    assert app.ended == "finished"  # waited for, not cancelled


async def test_a_reader_that_goes_away_stops_the_app() -> None:
    app = LargeFile()
    download = await open_download(app, scope())
    assert download.body is not None
    body = download.body
    await anext(body)  # type: ignore[call-overload]
    await body.aclose()  # type: ignore[attr-defined]
    assert app.ended == "stopped"
    assert app.written < CHUNKS


async def test_a_refusal_is_read_as_the_gateway_errors() -> None:
    download = await open_download(LargeFile(status=400), scope())
    assert download.status == 400 and download.body is None
    assert [(e.code, e.message) for e in download.errors] == [
        ("BAD_EXPORT_REQUEST", "'to' is before 'from'.")
    ]
