"""Instructions per headline request: the gateway's CPU cost in a unit the machine's speed does not change.

CPU seconds on a shared 2-core virtual machine drift from run to run and from machine to machine
(the same commit measured 22 to 35 ms per request at N = 10 on different days). The count of machine
instructions the gateway executes for a request varies far less: valgrind's callgrind counts them.
The same commit gave 69.9 M twice at N = 10, and 13.9, 14.5 and 14.9 M at N = 1, probably because the
gateway's background work (pollers, uvicorn's tick) runs by the clock inside the counted window and
weighs most where a request is small. So before/after comparisons of the request path (``--gateway-tree``
serves another checkout's gateway) are made in this unit, at N = 10 or more.

The sandboxes (bench/sandboxes.py, on uvloop) and the seeded database are as in bench/fanout.py; the
gateway is ``rig.py serve-gateway`` under ``valgrind --tool=callgrind --instr-atstart=no``. After
``--warmup`` headline requests (``fresh: true``, one at a time), counting is switched on for
``--requests`` more, then off, and the counts are dumped and read. The count covers the gateway's
process (every thread: aiosqlite's included), user space only: system calls are not counted, and
what the kernel does for them is not either. Under valgrind the gateway runs some 50 times slower, so
payer timeouts are set to 60 s here; the payers' own delay L is what bench/fanout.py uses.

    .venv/bin/python bench/instructions.py [--payers 10] [--requests 20] [--warmup 5]
                                           [--gateway-tree DIR]

Needs valgrind (``apt-get install valgrind``). Prints one line per N, then one JSON line:
[{n, requests, instructions_per_request}, ...] (instructions in millions, one decimal).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fanout import gateway_sample
from rig import (
    HEADLINE,
    MEMORY_DIR,
    ServerProcess,
    add_gateway_tree,
    free_port,
    gateway_command,
    payers_config,
    remote_sandboxes,
    seed,
)


def callgrind_control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True)


def dumped_instructions(out: Path) -> int:
    """The event total of the dump asked for (``<out>.1``; valgrind writes ``<out>`` at exit)."""
    dump = out.with_name(out.name + ".1")
    if not dump.is_file():
        raise RuntimeError("callgrind wrote no dump")
    for line in dump.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"{dump}: no totals line")


async def measure(
    n: int, latency_ms: int, requests: int, warmup: int, workdir: Path, tree: Path | None
) -> dict[str, Any]:
    from payers.sandbox.faults import FaultSettings

    async with remote_sandboxes(n, FaultSettings(latency_ms=latency_ms)) as sandboxes:
        database_url = f"sqlite:///{workdir / f'instructions-{n}.db'}"
        key, (patient_id,), _ = await seed(database_url, sandboxes)
        config = workdir / f"payers-{n}.toml"
        config.write_text(payers_config(sandboxes.base_urls, timeout_seconds=60))
        port = free_port()
        argv, env, cwd = gateway_command(database_url, config, port, tree=tree)
        out = workdir / f"callgrind-{n}.out"
        valgrind = [
            "valgrind",
            "--quiet",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
        ]
        gateway = ServerProcess([*valgrind, *argv], port, env=env, cwd=cwd)
        pid = str(gateway.process.pid)  # valgrind runs the gateway in its own process
        try:
            await gateway.ready(seconds=600)
            payload = json.dumps(
                {"query": HEADLINE, "variables": {"id": patient_id, "fresh": True}}
            ).encode()
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            timeout = aiohttp.ClientTimeout(total=300)
            async with aiohttp.ClientSession(timeout=timeout) as session:

                async def headline() -> None:
                    await gateway_sample(session, gateway.url + "/graphql", payload, headers, n)

                for _ in range(warmup):
                    await headline()
                callgrind_control("--zero", pid)
                callgrind_control("--instr=on", pid)
                for _ in range(requests):
                    await headline()
                callgrind_control("--instr=off", pid)
                callgrind_control("--dump", pid)
        finally:
            gateway.stop()
        counted = dumped_instructions(out)
    return {
        "n": n,
        "requests": requests,
        "instructions_per_request": round(counted / requests / 1e6, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payers", default="10", help="the values of N")
    parser.add_argument("--latency-ms", type=int, default=50, help="each payer's answer delay L")
    parser.add_argument("--requests", type=int, default=20, help="counted requests per N")
    parser.add_argument("--warmup", type=int, default=5, help="requests before counting")
    add_gateway_tree(parser)
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        parser.error("needs valgrind and callgrind_control (apt-get install valgrind)")
    results = []
    with tempfile.TemporaryDirectory(prefix="pgw-instructions-", dir=MEMORY_DIR) as tmp:
        for n in (int(v) for v in args.payers.split(",")):
            result = await measure(
                n, args.latency_ms, args.requests, args.warmup, Path(tmp), args.gateway_tree
            )
            results.append(result)
            print(
                f"N={n:>2}  {args.requests} requests  "
                f"{result['instructions_per_request']:.1f} M instructions per request",
                flush=True,
            )
    print(json.dumps(results))


if __name__ == "__main__":
    uvloop.run(main())
