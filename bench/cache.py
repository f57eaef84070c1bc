"""Cached headline query: the gateway on one uvicorn worker vs a bare strawberry app, under load.

Both servers run in subprocesses on loopback, the sandbox payers in a process of their own on uvloop
(bench/sandboxes.py); the load generator is another process (wrk when it is installed,
`apt-get install wrk`, else bench/loadgen.py: aiohttp on uvloop, as bench/throughput.py uses, with
a 2 s warm-up before its window). The gateway answers the headline query (2 sandbox payers by
default) from its whole-response cache after a warm-up; the bare app answers the same document with
the same JSON from memory, without auth, cache or fan-out, so it parses, validates and executes what
the gateway replays. Target (issue 14): gateway throughput >= 3 x bare; cached p50 < 5 ms.

    .venv/bin/python bench/cache.py [--seconds 10] [--connections 8] [--payers 2]

Last line: {"gateway_rps", "bare_rps", "ratio", "p50_ms", "p99_ms", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import run_load
from rig import (
    CACHED_HEADLINE,
    MEMORY_DIR,
    ROOT,
    ServerProcess,
    free_port,
    gateway_process,
    payers_config,
    remote_sandboxes,
    seed,
)

#: Seconds of load before the generator's window opens (connections open, caches warm).
WARMUP_SECONDS = 2

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(
    url: str, body: str, headers: dict[str, str], seconds: int, connections: int, workdir: Path
) -> dict[str, float]:
    script = workdir / "post.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    lines += [
        "done = function(summary, latency, requests)",
        '  io.write(string.format("P50 %f\\nP99 %f\\nERRORS %d\\n", latency:percentile(50), '
        "latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read "
        "+ summary.errors.write + summary.errors.timeout))",
        "end",
    ]
    script.write_text("\n".join(lines))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = float(re.search(r"P50 ([\d.]+)", out)[1]) / 1000  # type: ignore[index]  # wrk: microseconds
    p99 = float(re.search(r"P99 ([\d.]+)", out)[1]) / 1000  # type: ignore[index]
    errors = int(re.search(r"ERRORS (\d+)", out)[1])  # type: ignore[index]
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors}


async def load(
    url: str, body: str, headers: dict[str, str], seconds: int, connections: int, workdir: Path
) -> dict[str, float]:
    headers = {"Content-Type": "application/json", **headers}
    if shutil.which("wrk"):
        # wrk in a thread: this loop stays free while it runs (it is a process of its own anyway)
        return await asyncio.to_thread(_wrk, url, body, headers, seconds, connections, workdir)
    figures = await run_load(
        url, [{"body": body, "headers": headers}], connections, WARMUP_SECONDS, seconds
    )
    return {k: figures[k] for k in ("rps", "p50_ms", "p99_ms", "errors", "cpu_s")}


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--payers", type=int, default=2)
    args = parser.parse_args()
    import httpx

    with tempfile.TemporaryDirectory(prefix="pgw-cache-", dir=MEMORY_DIR) as tmp:
        workdir = Path(tmp)
        async with remote_sandboxes(args.payers) as sandboxes:
            database_url = f"sqlite:///{workdir / 'cache.db'}"
            key, (patient_id,), _ = await seed(database_url, sandboxes)
            config = workdir / "payers.toml"
            config.write_text(payers_config(sandboxes.base_urls, timeout_seconds=10))
            body = json.dumps({"query": CACHED_HEADLINE, "variables": {"id": patient_id}})
            headers = {"Authorization": f"Bearer {key}"}
            gateway = gateway_process(database_url, config)
            try:
                await gateway.ready()
                async with httpx.AsyncClient(base_url=gateway.url) as client:
                    for _ in range(3):  # miss (payers), miss (payer cache: stored), hit
                        response = await client.post(
                            "/graphql",
                            content=body,
                            headers={**headers, "Content-Type": "application/json"},
                        )
                    assert response.headers.get("x-response-cache") == "hit", response.headers
                    data = response.json()["data"]
                gateway_figures = await load(
                    gateway.url + "/graphql", body, headers, args.seconds, args.connections, workdir
                )
            finally:
                gateway.stop()
        (workdir / "query.graphql").write_text(CACHED_HEADLINE)
        (workdir / "data.json").write_text(json.dumps(data))
        port = free_port()
        bare = ServerProcess(
            [
                sys.executable,
                str(ROOT / "bench" / "bare_app.py"),
                str(workdir / "query.graphql"),
                str(workdir / "data.json"),
                str(port),
            ],
            port,
            ready_path="/graphql",
        )
        try:
            await bare.ready()
            async with httpx.AsyncClient() as client:
                check = (
                    await client.post(
                        bare.url + "/graphql",
                        content=body,
                        headers={"Content-Type": "application/json"},
                    )
                ).json()
            assert check.get("data") == data, "the bare app must answer the same JSON"
            bare_figures = await load(
                bare.url + "/graphql", body, {}, args.seconds, args.connections, workdir
            )
        finally:
            bare.stop()
    generator = "wrk" if shutil.which("wrk") else "bench/loadgen.py"
    result = {
        "gateway_rps": round(gateway_figures["rps"], 1),
        "bare_rps": round(bare_figures["rps"], 1),
        "ratio": round(gateway_figures["rps"] / bare_figures["rps"], 3),
        "p50_ms": round(gateway_figures["p50_ms"], 2),
        "p99_ms": round(gateway_figures["p99_ms"], 2),
        "bare_p50_ms": round(bare_figures["p50_ms"], 2),
        "gateway_errors": int(gateway_figures["errors"]),
        "connections": args.connections,
        "seconds": args.seconds,
        "generator": generator,
        # the generator's own CPU over each run (bench/loadgen.py only): near its window's length,
        # the generator, not the server, was the limit
        "generator_cpu_s": [gateway_figures.get("cpu_s"), bare_figures.get("cpu_s")],
        "response_bytes": len(json.dumps({"data": data})),
    }
    print(
        f"gateway (cached): {result['gateway_rps']} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )
    print(f"bare strawberry:  {result['bare_rps']} req/s, p50 {result['bare_p50_ms']} ms")
    print(
        f"ratio gateway/bare: {result['ratio']}  ({generator}, {args.connections} connections, {args.seconds} s)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
