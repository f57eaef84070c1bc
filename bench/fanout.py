"""Fan-out: the headline query over N sandbox payers that each answer in L ms.

N sandbox REST payers run on loopback ports (payers/sandbox/fleet.py), each delayed L ms by its fault
layer; one patient is covered by all N; the gateway runs in a uvicorn subprocess. The headline query
(eligibility, claims and payments at every payer: 3 x N payer calls) is sent over real HTTP with
``fresh: true`` so the cache does not hide the fan-out. Targets: p50 within 1.2 x L at N = 10 with
the defaults (L = 50 ms), 1.15 x L for the N = 1, 5, 10, 20 run.

    .venv/bin/python bench/fanout.py [--latency-ms 50] [--payers 1,5,10,20] [--requests 20]

Prints a table, then one JSON line: [{n, latency_ms, p50_ms, p95_ms, ratio_p50}, ...].
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rig import (
    HEADLINE,
    MEMORY_DIR,
    cpu_seconds,
    gateway_process,
    payers_config,
    percentile,
    rest_sandboxes,
    seed,
)


async def measure(n: int, latency_ms: int, requests: int, workdir: Path) -> dict[str, float]:
    import httpx

    from payers.sandbox.faults import FaultSettings

    async with rest_sandboxes(n, FaultSettings(latency_ms=latency_ms)) as sandboxes:
        database_url = f"sqlite:///{workdir / f'fanout-{n}.db'}"
        key, (patient_id,), _ = await seed(database_url, sandboxes)
        config = workdir / f"payers-{n}.toml"
        config.write_text(payers_config(sandboxes.base_urls, timeout_seconds=10))
        gateway = gateway_process(database_url, config)
        try:
            await gateway.ready()
            payload = {"query": HEADLINE, "variables": {"id": patient_id, "fresh": True}}
            headers = {"Authorization": f"Bearer {key}"}
            timings = []
            async with httpx.AsyncClient(base_url=gateway.url, timeout=60) as client:
                for i in range(requests + 2):
                    started = time.perf_counter()
                    response = await client.post("/graphql", json=payload, headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    body = response.json()
                    if response.status_code != 200 or body.get("errors"):
                        raise RuntimeError(f"N={n}: {response.status_code} {body.get('errors')}")
                    answered = len(body["data"]["patient"]["eligibility"])
                    if answered != n:
                        raise RuntimeError(f"N={n}: {answered} eligibility answers")
                    if i == 1:
                        cpu_before = cpu_seconds(gateway.process.pid)
                    if i >= 2:  # the first two warm connections and caches up
                        timings.append(elapsed)
            cpu_ms = (cpu_seconds(gateway.process.pid) - cpu_before) * 1000 / requests
        finally:
            gateway.stop()
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    return {
        "n": n,
        "latency_ms": latency_ms,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "ratio_p50": round(p50 / latency_ms, 3),
        "gateway_cpu_ms": round(cpu_ms, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-ms", type=int, default=50, help="each payer's answer delay L")
    parser.add_argument("--payers", default="1,5,10,20", help="the values of N")
    parser.add_argument(
        "--requests", type=int, default=20, help="timed requests per N (one at a time)"
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="pgw-fanout-", dir=MEMORY_DIR) as tmp:
        for n in (int(v) for v in args.payers.split(",")):
            result = await measure(n, args.latency_ms, args.requests, Path(tmp))
            results.append(result)
            print(
                f"N={n:>2}  payer calls={3 * n:>2}  L={args.latency_ms} ms  p50={result['p50_ms']:7.1f} ms  "
                f"p95={result['p95_ms']:7.1f} ms  p50/L={result['ratio_p50']:.3f}  "
                f"gateway CPU/request={result['gateway_cpu_ms']:.0f} ms",
                flush=True,
            )
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
