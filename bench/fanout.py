"""Fan-out: the headline query over N sandbox payers that each answer in L ms, against its floor.

N sandbox REST payers run in a process of their own on uvloop (bench/sandboxes.py), each delayed L ms
by its fault layer; one patient is covered by all N; the gateway runs in a uvicorn subprocess. The
headline query (eligibility, claims and payments at every payer: 3 x N payer calls) is sent over real
HTTP with ``fresh: true`` so the cache does not hide the fan-out, one request at a time.

The floor, in the same run: the same 3 x N payer requests (the sandboxes record what the gateway
sent: method, URL, headers, body) sent straight from this process, no gateway, all at once on one
keep-alive aiohttp session on uvloop, each answer's JSON parsed; one floor sample is the time until
the last of them is answered. Gateway requests and floor samples alternate, so both see the same
machine. overhead = p50 - floor (floor = the floor samples' p50): the gateway's own share, which is
what it can change. Gateway CPU per request comes from the gateway process's own accounting (/proc).

    .venv/bin/python bench/fanout.py [--latency-ms 50] [--payers 1,5,10,20] [--requests 40]
                                     [--gateway-workers N] [--sandbox-processes K]
                                     [--cache-url redis://...] [--gateway-tree DIR]

``--gateway-tree DIR`` serves the gateway of another checkout (e.g. ``git worktree add DIR <commit>``)
against the same sandboxes and floor: before and after measured by one benchmark.

Prints a table, then one JSON line:
[{n, latency_ms, p50_ms, p95_ms, floor_ms, overhead_ms, cpu_ms_per_request}, ...].
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rig import (
    HEADLINE,
    MEMORY_DIR,
    add_gateway_tree,
    gateway_process,
    payers_config,
    percentile,
    remote_sandboxes,
    seed,
    tree_cpu_seconds,
)
from sandboxes import RECORDED_PATH

#: Headers the client sets for itself on every connection and request.
_OWN_HEADERS = {"host", "content-length", "connection", "transfer-encoding"}


@dataclass(frozen=True)
class PayerRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


async def recorded_requests(
    session: aiohttp.ClientSession, base_urls: dict[str, str]
) -> list[PayerRequest]:
    """What the gateway last sent each sandbox, as the sandboxes received it."""
    found = []
    for base in base_urls.values():
        async with session.get(base + RECORDED_PATH) as response:
            for seen in await response.json():
                query = f"?{seen['query']}" if seen["query"] else ""
                found.append(
                    PayerRequest(
                        seen["method"],
                        base + seen["path"] + query,
                        {k: v for k, v in seen["headers"] if k.lower() not in _OWN_HEADERS},
                        seen["body"].encode() or None,
                    )
                )
    return found


async def floor_sample(session: aiohttp.ClientSession, requests: list[PayerRequest]) -> float:
    """Milliseconds until every one of ``requests``, sent at once, is answered and parsed."""

    async def one(request: PayerRequest) -> None:
        async with session.request(
            request.method, request.url, headers=request.headers, data=request.body
        ) as response:
            raw = await response.read()
            if response.status != 200:
                raise RuntimeError(f"floor: {request.method} {request.url}: {response.status}")
            json.loads(raw)

    started = time.perf_counter()
    await asyncio.gather(*(one(r) for r in requests))
    return (time.perf_counter() - started) * 1000


async def gateway_sample(
    session: aiohttp.ClientSession, url: str, payload: bytes, headers: dict[str, str], n: int
) -> float:
    """Milliseconds for one headline query through the gateway, checked for n answers and no error."""
    started = time.perf_counter()
    async with session.post(url, data=payload, headers=headers) as response:
        raw = await response.read()
    elapsed = (time.perf_counter() - started) * 1000
    body = json.loads(raw)
    if response.status != 200 or body.get("errors"):
        raise RuntimeError(f"N={n}: {response.status} {body.get('errors')}")
    answered = len(body["data"]["patient"]["eligibility"])
    if answered != n:
        raise RuntimeError(f"N={n}: {answered} eligibility answers")
    return elapsed


async def measure(
    n: int,
    latency_ms: int,
    requests: int,
    workdir: Path,
    workers: int | None,
    processes: int,
    cache_url: str = "memory://",
    tree: Path | None = None,
) -> dict[str, Any]:
    from payers.sandbox.faults import FaultSettings

    async with remote_sandboxes(
        n, FaultSettings(latency_ms=latency_ms), processes=processes
    ) as sandboxes:
        database_url = f"sqlite:///{workdir / f'fanout-{n}.db'}"
        key, (patient_id,), _ = await seed(database_url, sandboxes)
        config = workdir / f"payers-{n}.toml"
        config.write_text(payers_config(sandboxes.base_urls, timeout_seconds=10))
        gateway = gateway_process(database_url, config, cache_url, workers=workers, tree=tree)
        try:
            await gateway.ready()
            payload = json.dumps(
                {"query": HEADLINE, "variables": {"id": patient_id, "fresh": True}}
            ).encode()
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            url = gateway.url + "/graphql"
            connector = aiohttp.TCPConnector(limit=0)  # 3 x N at once, as the gateway sends them
            async with aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            ) as session:
                for _ in range(2):  # warm connections and caches up
                    await gateway_sample(session, url, payload, headers, n)
                calls = await recorded_requests(session, sandboxes.base_urls)
                if len(calls) != 3 * n:
                    raise RuntimeError(f"N={n}: the sandboxes saw {len(calls)} kinds of request")
                for _ in range(2):
                    await floor_sample(session, calls)
                timings, floors = [], []
                cpu_before = tree_cpu_seconds(gateway.process.pid)
                for _ in range(requests):
                    timings.append(await gateway_sample(session, url, payload, headers, n))
                    floors.append(await floor_sample(session, calls))
                cpu_ms = (tree_cpu_seconds(gateway.process.pid) - cpu_before) * 1000 / requests
        finally:
            gateway.stop()
    p50 = round(percentile(timings, 0.5), 1)
    floor = round(percentile(floors, 0.5), 1)
    return {
        "n": n,
        "latency_ms": latency_ms,
        "p50_ms": p50,
        "p95_ms": round(percentile(timings, 0.95), 1),
        "floor_ms": floor,
        "overhead_ms": round(p50 - floor, 1),
        "cpu_ms_per_request": round(cpu_ms, 1),
        "floor_p95_ms": round(percentile(floors, 0.95), 1),  # for the table only
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-ms", type=int, default=50, help="each payer's answer delay L")
    parser.add_argument("--payers", default="1,5,10,20", help="the values of N")
    parser.add_argument(
        "--requests", type=int, default=40, help="timed requests per N (one at a time)"
    )
    parser.add_argument(
        "--gateway-workers",
        type=int,
        default=None,
        help="run `payer-gateway serve` (--workers N when N > 1) instead of rig.py's one worker",
    )
    parser.add_argument(
        "--sandbox-processes",
        type=int,
        default=1,
        help="processes serving the sandboxes (payers dealt out in turn)",
    )
    parser.add_argument(
        "--cache-url",
        default="memory://",
        help="the gateway's cache (redis://HOST:6379/DB: needed by --gateway-workers K > 1)",
    )
    add_gateway_tree(parser)
    args = parser.parse_args()
    if (args.gateway_workers or 1) > 1 and not args.cache_url.startswith("redis"):
        parser.error("--gateway-workers K > 1 needs --cache-url redis://HOST:6379/DB")
    results = []
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="pgw-fanout-", dir=MEMORY_DIR) as tmp:
        for n in (int(v) for v in args.payers.split(",")):
            result = await measure(
                n,
                args.latency_ms,
                args.requests,
                Path(tmp),
                args.gateway_workers,
                args.sandbox_processes,
                args.cache_url,
                args.gateway_tree,
            )
            floor_p95 = result.pop("floor_p95_ms")
            results.append(result)
            print(
                f"N={n:>2}  payer calls={3 * n:>2}  L={args.latency_ms} ms  p50={result['p50_ms']:6.1f} ms  "
                f"p95={result['p95_ms']:6.1f} ms  floor={result['floor_ms']:5.1f} ms (p95 {floor_p95:.1f})  "
                f"overhead={result['overhead_ms']:5.1f} ms  gateway CPU/request={result['cpu_ms_per_request']:.1f} ms",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    uvloop.run(main())
