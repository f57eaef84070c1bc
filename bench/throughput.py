"""Throughput: the uncached headline query under concurrent load, with call merging defeated.

N sandbox REST payers (each answering in L ms) run in processes of their own on uvloop
(bench/sandboxes.py); the gateway runs on one uvicorn worker in a subprocess (``--gateway-workers K``:
``payer-gateway serve`` instead, with ``--workers K`` when K > 1); the load generator is a third process
(bench/loadgen.py: aiohttp on uvloop, every answer checked for GraphQL errors; why not wrk is said
there). ``--practices`` practices each have their own API key and patient, and the generator takes
them in turn, so no two queries in flight can share a payer call (calls are merged and cached per
practice) and every query makes all its 3 x N payer calls, with ``fresh: true``. After a warm-up the
window is measured: requests answered per second, their p50 and p99, and the gateway's CPU over the
window (its processes' own accounting, /proc) per request. The table also shows the payer calls the
sandboxes received per request (3 x N when nothing was merged) and the CPU the sandboxes and the
generator used: on a shared 2-core machine they compete with the gateway for the same cores.

    .venv/bin/python bench/throughput.py [--payers 1,3,10] [--latency-ms 50] [--connections 16]
        [--practices 32] [--warmup 3] [--seconds 15] [--gateway-workers K] [--sandbox-processes 1]
        [--cache-url redis://...] [--gateway-tree DIR]

``--gateway-tree DIR`` serves the gateway of another checkout (an older commit) instead of this one.

Prints a table, then one JSON line: [{n, rps, p50_ms, p99_ms, cpu_ms_per_request}, ...].
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import DONE, MEASURING, run_load
from rig import (
    HEADLINE,
    MEMORY_DIR,
    Sandboxes,
    add_gateway_tree,
    gateway_process,
    payers_config,
    remote_sandboxes,
    seed_practices,
    tree_cpu_seconds,
)


async def payer_calls_received(sandboxes: Sandboxes) -> int:
    """Payer API requests all the sandboxes have answered so far (their /_control/stats)."""
    total = 0
    async with aiohttp.ClientSession() as session:
        for base in sandboxes.base_urls.values():
            async with session.get(base + "/_control/stats") as response:
                total += sum((await response.json())["requests"].values())
    return total


async def warm(url: str, requests: list[dict[str, Any]], n: int) -> None:
    """One query per practice before the window: connections, caches of code tables, and a check
    that every practice's query is answered by all N payers without error."""
    async with aiohttp.ClientSession() as session:
        for request in requests:
            async with session.post(url, data=request["body"], headers=request["headers"]) as r:
                body = await r.json()
            if r.status != 200 or body.get("errors"):
                raise RuntimeError(f"N={n}: {r.status} {body.get('errors')}")
            if len(body["data"]["patient"]["eligibility"]) != n:
                raise RuntimeError(f"N={n}: not every payer answered")


async def measure(n: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from payers.sandbox.faults import FaultSettings

    async with remote_sandboxes(
        n, FaultSettings(latency_ms=args.latency_ms), processes=args.sandbox_processes
    ) as sandboxes:
        database_url = f"sqlite:///{workdir / f'throughput-{n}.db'}"
        seeded = await seed_practices(database_url, sandboxes, args.practices)
        config = workdir / f"payers-{n}.toml"
        config.write_text(payers_config(sandboxes.base_urls, timeout_seconds=10))
        requests = [
            {
                "body": json.dumps(
                    {"query": HEADLINE, "variables": {"id": patient_id, "fresh": True}}
                ),
                "headers": {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            }
            for key, patient_id in seeded
        ]
        gateway = gateway_process(
            database_url,
            config,
            args.cache_url,
            workers=args.gateway_workers,
            tree=args.gateway_tree,
        )
        try:
            await gateway.ready()
            url = gateway.url + "/graphql"
            await warm(url, requests, n)
            pids = {"gateway": [gateway.process.pid], "sandboxes": list(sandboxes.pids)}
            cpu: dict[str, dict[str, float]] = {}

            def sample(mark: str) -> None:
                cpu[mark] = {k: sum(tree_cpu_seconds(p) for p in v) for k, v in pids.items()}

            calls_before = await payer_calls_received(sandboxes)
            load = await run_load(
                url, requests, args.connections, args.warmup, args.seconds, on_mark=sample
            )
            calls = await payer_calls_received(sandboxes) - calls_before
        finally:
            gateway.stop()
    if load["errors"]:
        raise RuntimeError(f"N={n}: {load['errors']} answers with errors: {load['error_kinds']}")
    served = load["requests"]

    def per_request(who: str) -> float:
        return round((cpu[DONE][who] - cpu[MEASURING][who]) * 1000 / served, 1)

    return {
        "n": n,
        "rps": load["rps"],
        "p50_ms": round(load["p50_ms"], 1),
        "p99_ms": round(load["p99_ms"], 1),
        "cpu_ms_per_request": per_request("gateway"),
        # for the table only
        "_sandbox_cpu_ms": per_request("sandboxes"),
        "_generator_cpu_s": load["cpu_s"],
        "_calls_per_query": round(calls / load["answered_in_all"], 2),  # 3 x N: nothing merged
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payers", default="1,3,10", help="the values of N")
    parser.add_argument("--latency-ms", type=int, default=50, help="each payer's answer delay L")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--practices", type=int, default=32, help="practices taken in turn (own key and patient)"
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before the window")
    parser.add_argument("--seconds", type=float, default=15.0, help="the measured window")
    parser.add_argument(
        "--gateway-workers",
        type=int,
        default=None,
        help="run `payer-gateway serve` (--workers K when K > 1) instead of rig.py's one worker",
    )
    parser.add_argument("--sandbox-processes", type=int, default=1)
    parser.add_argument(
        "--cache-url",
        default="memory://",
        help="the gateway's cache (redis://HOST:6379/DB: needed by --gateway-workers K > 1)",
    )
    add_gateway_tree(parser)
    args = parser.parse_args()
    if (args.gateway_workers or 1) > 1 and not args.cache_url.startswith("redis"):
        parser.error("--gateway-workers K > 1 needs --cache-url redis://HOST:6379/DB")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="pgw-throughput-", dir=MEMORY_DIR) as tmp:
        for n in (int(v) for v in args.payers.split(",")):
            result = await measure(n, args, Path(tmp))
            extra = {k: result.pop(k) for k in [k for k in result if k.startswith("_")]}
            results.append(result)
            print(
                f"N={n:>2}  L={args.latency_ms} ms  {args.connections} connections  "
                f"{result['rps']:7.1f} req/s  p50={result['p50_ms']:6.1f} ms  "
                f"p99={result['p99_ms']:6.1f} ms  gateway CPU/request={result['cpu_ms_per_request']:.1f} ms  "
                f"sandboxes CPU/request={extra['_sandbox_cpu_ms']:.1f} ms  "
                f"generator CPU={extra['_generator_cpu_s']:.1f} s  "
                f"payer calls/query={extra['_calls_per_query']}",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    uvloop.run(main())
