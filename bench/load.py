"""Soak: 200 concurrent clients for 30 s on a mix of cached and uncached headline queries, with one of
two payers failing half its requests. The gateway runs in a uvicorn subprocess; the clients run in
another process. Expected: no errors but the failing payer's own (PAYER_UNAVAILABLE / PAYER_TIMEOUT
at that payer), and the gateway's memory at the end within 10% of its memory after warm-up.

    .venv/bin/python bench/load.py [--clients 200] [--seconds 30] [--warmup 5] [--patients 20] [--uncached 0.3]

Last line: {"requests", "unexpected_errors", "rss_warm_mb", "rss_end_mb", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rig import HEADLINE, MEMORY_DIR, gateway_process, payers_config, rest_sandboxes, rss_mb, seed

FAILING_PAYER = "p02"
EXPECTED_CODES = {"PAYER_UNAVAILABLE", "PAYER_TIMEOUT"}

CLIENTS = r"""
import asyncio, json, random, sys, time, httpx
url, key, ids, clients, seconds, uncached, query, failing, expected = json.loads(sys.argv[1])
expected = set(expected)
async def client(c, rng, stop, tally):
    while time.perf_counter() < stop:
        fresh = rng.random() < uncached
        payload = {"query": query, "variables": {"id": rng.choice(ids), "fresh": fresh}}
        try:
            r = await c.post(url, json=payload, headers={"Authorization": "Bearer " + key})
        except httpx.HTTPError as exc:
            tally["requests"] += 1; tally["unexpected"] += 1; tally["kinds"][type(exc).__name__] = tally["kinds"].get(type(exc).__name__, 0) + 1
            continue
        tally["requests"] += 1
        tally["cached" if r.headers.get("x-response-cache") == "hit" else "executed"] += 1
        body = r.json() if r.status_code == 200 else {}
        bad = r.status_code != 200 or any(
            (e.get("extensions") or {}).get("payer") != failing or (e.get("extensions") or {}).get("code") not in expected
            for e in body.get("errors", []))
        if bad:
            tally["unexpected"] += 1
            kind = str(r.status_code) if r.status_code != 200 else ",".join(sorted({(e.get("extensions") or {}).get("code", "?") for e in body["errors"]}))
            tally["kinds"][kind] = tally["kinds"].get(kind, 0) + 1
        elif body.get("errors"):
            tally["expected_payer_errors"] += 1
async def main():
    tally = {"requests": 0, "unexpected": 0, "cached": 0, "executed": 0, "expected_payer_errors": 0, "kinds": {}}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as c:
        start = time.perf_counter(); stop = start + seconds
        await asyncio.gather(*(client(c, random.Random(i), stop, tally) for i in range(clients)))
        tally["wall_s"] = round(time.perf_counter() - start, 2)
    print(json.dumps(tally))
asyncio.run(main())
"""


def run_clients(
    url: str, key: str, ids: list[str], clients: int, seconds: int, uncached: float
) -> dict:
    spec = json.dumps(
        [url, key, ids, clients, seconds, uncached, HEADLINE, FAILING_PAYER, sorted(EXPECTED_CODES)]
    )
    out = subprocess.run(
        [sys.executable, "-c", CLIENTS, spec], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument(
        "--uncached", type=float, default=0.3, help="share of queries with fresh: true"
    )
    args = parser.parse_args()
    from payers.sandbox.faults import FaultSettings

    with tempfile.TemporaryDirectory(prefix="pgw-load-", dir=MEMORY_DIR) as tmp:
        async with rest_sandboxes(2) as sandboxes:
            sandboxes.apps[FAILING_PAYER].state.sandbox_control.set_faults(
                FaultSettings(error_rate=0.5, seed=7)
            )
            database_url = f"sqlite:///{Path(tmp) / 'load.db'}"
            key, ids, _ = await seed(database_url, sandboxes, patients=args.patients)
            config = Path(tmp) / "payers.toml"
            config.write_text(payers_config(sandboxes.base_urls, timeout_seconds=10))
            gateway = gateway_process(database_url, config)
            try:
                await gateway.ready()
                url = gateway.url + "/graphql"
                warm = await asyncio.to_thread(
                    run_clients, url, key, ids, args.clients, args.warmup, args.uncached
                )
                rss_warm = rss_mb(gateway.process.pid)
                tally = await asyncio.to_thread(
                    run_clients, url, key, ids, args.clients, args.seconds, args.uncached
                )
                rss_end = rss_mb(gateway.process.pid)
            finally:
                gateway.stop()
            stats = sandboxes.apps[FAILING_PAYER].state.sandbox_control.stats.snapshot()
    result = {
        "requests": tally["requests"],
        "unexpected_errors": tally["unexpected"],
        "rss_warm_mb": rss_warm,
        "rss_end_mb": rss_end,
        "rss_growth": round(rss_end / rss_warm - 1, 3),
        "rps": round(tally["requests"] / tally["wall_s"], 1),
        "cached_responses": tally["cached"],
        "executed": tally["executed"],
        "expected_payer_errors": tally["expected_payer_errors"],
        "unexpected_kinds": tally["kinds"],
        "failing_payer_faults": stats["faults_injected"].get("error", 0),
        "warmup_requests": warm["requests"],
        "clients": args.clients,
        "seconds": args.seconds,
    }
    print(
        f"{result['requests']} requests in {args.seconds} s from {args.clients} clients ({result['rps']} req/s): "
        f"{result['cached_responses']} replayed from the response cache, {result['expected_payer_errors']} with "
        f"the failing payer's own errors, {result['unexpected_errors']} unexpected {tally['kinds'] or ''}"
    )
    print(
        f"gateway RSS after warm-up {rss_warm} MB, at the end {rss_end} MB ({result['rss_growth']:+.1%})"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
