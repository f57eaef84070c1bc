"""Sandbox REST payers in a process of their own, on uvloop: the payers the benchmarks measure against.

When the sandboxes shared the bench process with the client that timed them, the client and 30
sandbox answers competed for one event loop and the "no gateway" floor was 58 ms at N = 10 with
L = 50 ms. Here they have their own process (bench/rig.py ``remote_sandboxes`` starts one or more),
so the bench process only times.

    python bench/sandboxes.py --names p01,p02 --date YYYY-MM-DD [--book lakeshore] [--faults JSON]

Serves one copy of the payer book per name (API key from ``BENCH_SANDBOX_API_KEY``), prints one
JSON line ``{name: base_url}`` once every server listens, and serves until its stdin closes (the
parent's end, or its death) or it is terminated.

Every server also answers ``GET /_bench/recorded``: the last request of each kind (method + path) it
received, with its query, headers and body, so bench/fanout.py can send exactly what the gateway
sent. Recording keeps references only; the JSON is built when asked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import uvloop
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

API_KEY_ENV = "BENCH_SANDBOX_API_KEY"
RECORDED_PATH = "/_bench/recorded"


class RequestRecorder:
    """ASGI wrapper: keeps the last payer API request (``/v1/...``) of each method + path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: dict[str, tuple[Scope, list[bytes]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == RECORDED_PATH:
            await JSONResponse(self.recorded())(scope, receive, send)
            return
        if not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def reading() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        self.seen[f"{scope['method']} {scope['path']}"] = (scope, chunks)
        await self.app(scope, reading, send)

    def recorded(self) -> list[dict[str, Any]]:
        return [
            {
                "method": scope["method"],
                "path": scope["path"],
                "query": scope["query_string"].decode("latin-1"),
                "headers": [
                    [k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]
                ],
                "body": b"".join(chunks).decode("utf-8"),
            }
            for scope, chunks in self.seen.values()
        ]


async def serve(names: list[str], book_key: str, today: date, faults: Any) -> None:
    from payers.sandbox.fleet import serving
    from payers.sandbox.rest_app import create_rest_app
    from payers.sandbox.world import build_world

    book = build_world(today).books[book_key]
    key = os.environ[API_KEY_ENV]
    apps: dict[str, ASGIApp] = {
        name: RequestRecorder(create_rest_app(book, api_key=key, faults=faults)) for name in names
    }
    async with serving(apps) as running:
        print(json.dumps({name: r.base_url for name, r in running.items()}), flush=True)
        # the parent holds our stdin: EOF means it is done with us (or gone)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", required=True, help="comma-separated payer ids, one server each")
    parser.add_argument("--date", required=True, help="the world's today (as the seeding process)")
    parser.add_argument("--book", default="lakeshore")
    parser.add_argument("--faults", default=None, help="FaultSettings as JSON (e.g. latency_ms)")
    args = parser.parse_args()
    from payers.sandbox.faults import FaultSettings

    faults = FaultSettings.from_json(json.loads(args.faults)) if args.faults else None
    uvloop.run(serve(args.names.split(","), args.book, date.fromisoformat(args.date), faults))


if __name__ == "__main__":
    main()
