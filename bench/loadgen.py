"""A closed-loop HTTP load generator in a process of its own, on uvloop with aiohttp (bench/throughput.py,
bench/cache.py).

Why not wrk: a GraphQL error comes back as HTTP 200, and wrk counts only statuses, so a run in which
payers time out would pass for a fast one; rotating practices (API key and patient per request) needs a
Lua ``request`` hook that runs per request anyway. This generator checks every answer's body for
``errors``, takes the prepared requests in turn, and reports its own CPU, so a reader can tell when
the generator rather than the server was the limit (on a shared 2-core machine it competes for the
same cores). Why aiohttp on uvloop: the leanest Python client at hand (httpx costs about twice the
CPU per request), the engine bench/batch_floor.py uses too.

``connections`` workers share one keep-alive pool of that many connections; each sends its next
request as soon as the previous one is answered. After ``warmup_s`` the generator prints
``measuring``; after ``seconds`` more, ``done``; the parent samples the server's CPU at both lines.
Only answers that arrive inside that window count (as wrk counts them). Then one JSON line: {requests,
answered_in_all, errors, error_kinds, seconds, rps, p50_ms, p99_ms, cpu_s}.

    echo SPEC_JSON | python bench/loadgen.py
    SPEC: {"url", "requests": [{"body", "headers"}, ...], "connections", "warmup_s", "seconds"}

From Python: ``await run_load(url, requests, connections, warmup_s, seconds, on_mark)``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from itertools import cycle
from pathlib import Path
from typing import Any

MEASURING, DONE = "measuring", "done"
SCRIPT = str(Path(__file__).resolve())


async def generate(spec: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    prepared = [(r["body"].encode(), r["headers"]) for r in spec["requests"]]
    turns = cycle(prepared)  # one shared rotation: consecutive requests differ
    connections = spec["connections"]
    clock = time.perf_counter  # not loop.time(): uvloop's clock moves in whole milliseconds
    start = clock()
    opens, closes = start + spec["warmup_s"], start + spec["warmup_s"] + spec["seconds"]
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    answered_in_all = 0
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:

        async def worker() -> None:
            nonlocal answered_in_all
            while (sent := clock()) < closes:
                body, headers = next(turns)
                failure: str | None
                try:
                    async with session.post(spec["url"], data=body, headers=headers) as response:
                        raw = await response.read()
                        status = response.status
                except aiohttp.ClientError as exc:
                    failure = type(exc).__name__
                else:
                    failure = _failure(status, raw)
                answered = clock()
                answered_in_all += 1
                if opens <= answered <= closes:  # answers in the window, as wrk counts them
                    latencies.append(answered - sent)
                    if failure:
                        kinds[failure] += 1

        cpu = 0.0

        async def marks() -> None:
            nonlocal cpu
            await asyncio.sleep(opens - clock())
            print(MEASURING, flush=True)
            cpu = time.process_time()
            await asyncio.sleep(closes - clock())
            cpu = time.process_time() - cpu  # the generator's own CPU over the window
            print(DONE, flush=True)

        await asyncio.gather(marks(), *(worker() for _ in range(connections)))
    latencies.sort()
    return {
        "requests": len(latencies),
        "answered_in_all": answered_in_all,  # warm-up and the window's edges included
        "errors": sum(kinds.values()),
        "error_kinds": dict(kinds),
        "seconds": spec["seconds"],
        "rps": round(len(latencies) / spec["seconds"], 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "cpu_s": round(cpu, 2),
    }


def _failure(status: int, raw: bytes) -> str | None:
    """Why an answer does not count as served: its status, or the GraphQL error codes it carries."""
    if status != 200:
        return f"HTTP {status}"
    try:
        errors = json.loads(raw).get("errors")
    except (ValueError, AttributeError):
        return "not JSON"
    if not errors:
        return None
    return ",".join(sorted({str((e.get("extensions") or {}).get("code", "?")) for e in errors}))


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


async def run_load(
    url: str,
    requests: list[dict[str, Any]],
    connections: int,
    warmup_s: float,
    seconds: float,
    on_mark: Callable[[str], None] = lambda mark: None,
) -> dict[str, Any]:
    """Run the generator in its own process against ``url``; ``on_mark`` sees ``measuring`` and
    ``done`` as the measured window opens and closes. Returns the generator's figures."""
    spec = {
        "url": url,
        "requests": requests,
        "connections": connections,
        "warmup_s": warmup_s,
        "seconds": seconds,
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        SCRIPT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps(spec).encode())
    child.stdin.close()
    last = b""
    async for line in child.stdout:
        text = line.decode().strip()
        if text in (MEASURING, DONE):
            on_mark(text)
        elif text:
            last = line
    if await child.wait() != 0 or not last:
        raise RuntimeError(f"the load generator failed (exit {child.returncode})")
    return dict(json.loads(last))


def main() -> None:
    import uvloop

    spec = json.loads(sys.stdin.read())
    print(json.dumps(uvloop.run(generate(spec))), flush=True)


if __name__ == "__main__":
    main()
