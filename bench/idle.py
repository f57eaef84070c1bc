"""Idle: the CPU a serving gateway uses when nobody asks it anything.

The gateway runs as the other benchmarks run it (bench/rig.py: one uvicorn worker, heap settled,
SQLite in memory, its background work on: batch runner, claim dispatcher, webhooks, remittance
pulls), over N sandbox payers in a process of their own; no request is sent. Its CPU over the window
comes from its own accounting (/proc). What it measures: the wake-ups of background loops. It matters
twice: an idle process is most of a small practice's day, and `bench/fanout.py` charges every
millisecond of it to the requests it times (one request every ~140 ms at N = 10).

    .venv/bin/python bench/idle.py [--payers 10] [--seconds 30] [--rounds 1]

Last line: {"payers", "seconds", "rounds", "cpu_ms_per_second": [one per round]}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rig import MEMORY_DIR, gateway_process, payers_config, remote_sandboxes, seed, tree_cpu_seconds

#: After start-up, before the window: the first rounds of every background loop are not idling.
SETTLE_SECONDS = 3.0


async def measure(payers: int, seconds: float, rounds: int) -> list[float]:
    from payers.sandbox.faults import FaultSettings

    with tempfile.TemporaryDirectory(prefix="pgw-idle-", dir=MEMORY_DIR) as tmp:
        async with remote_sandboxes(payers, FaultSettings(latency_ms=50)) as sandboxes:
            database_url = f"sqlite:///{Path(tmp) / 'idle.db'}"
            await seed(database_url, sandboxes)
            config = Path(tmp) / "payers.toml"
            config.write_text(payers_config(sandboxes.base_urls, timeout_seconds=10))
            gateway = gateway_process(database_url, config, "memory://")
            try:
                await gateway.ready()
                await asyncio.sleep(SETTLE_SECONDS)
                figures = []
                for _ in range(rounds):
                    before = tree_cpu_seconds(gateway.process.pid)
                    await asyncio.sleep(seconds)
                    used = tree_cpu_seconds(gateway.process.pid) - before
                    figures.append(round(used * 1000 / seconds, 2))
            finally:
                gateway.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payers", type=int, default=10, help="sandbox payers configured")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of one window")
    parser.add_argument("--rounds", type=int, default=1, help="windows, one after another")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    figures = uvloop.run(measure(args.payers, args.seconds, args.rounds))
    for figure in figures:
        print(f"idle gateway, {args.payers} payers: {figure:.2f} ms of CPU a second", flush=True)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    print(
        json.dumps(
            {
                "payers": args.payers,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "cpu_ms_per_second": figures,
            }
        )
    )


if __name__ == "__main__":
    main()
