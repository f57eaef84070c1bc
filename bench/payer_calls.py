"""CPU per payer call in the gateway's own code: ``PayerDirectory.call`` alone, no GraphQL, no HTTP server.

N sandbox REST payers run in a process of their own on uvloop (bench/sandboxes.py, no added
latency); this process builds the gateway's ``PayerDirectory`` as ``build_services`` does (its
payer-call cache, breakers, metrics, the default HTTP engine) and, ``--rounds`` times, asks every
payer for one member's eligibility, claims and payments together (the headline's 3 x N calls) with
``fresh=True``, as bench/fanout.py does, so every call reaches the payer, parses its answer and
stores it. The heap is settled (``gc.freeze``) after warming up, as ``payer-gateway serve`` does. CPU is this process's own (``time.process_time``): the payer side is not in it.
``--profile`` prints cProfile's top functions (sorted by that key) instead of timing.

    .venv/bin/python bench/payer_calls.py [--payers 10] [--rounds 300] [--profile tottime]

Prints one JSON line: {n, calls, cpu_us_per_call, cpu_ms_per_headline}.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rig import payers_config, remote_sandboxes


async def run(n: int, rounds: int, profile: str | None) -> dict[str, Any]:
    from gateway.cache import open_payer_cache
    from gateway.cli.commands import settle_heap
    from gateway.config import GatewaySettings
    from gateway.observability.metrics import GatewayMetrics
    from gateway.payers import PayerDirectory
    from payers.contract import Capability
    from payers.model import ClaimStatusFilter, MemberQuery
    from payers.registry import AdapterRegistry, parse_payers_config

    async with remote_sandboxes(n) as sandboxes:
        member = next(
            m for m in sandboxes.world.books[sandboxes.book_key].members.values() if m.active
        )
        query = MemberQuery(
            member.member_id,
            member.person.first_name,
            member.person.last_name,
            member.person.birth_date,
            member.group_number,
        )
        today = datetime.now(UTC).date()
        since = today - timedelta(days=365)
        settings = parse_payers_config(payers_config(sandboxes.base_urls, 10))
        metrics = GatewayMetrics()
        payers = PayerDirectory.build(
            settings,
            AdapterRegistry.discover(),
            cache=open_payer_cache(GatewaySettings(), metrics, settings),
            metrics=metrics,
        )
        calls = [
            (Capability.ELIGIBILITY, (query, ("30",), today)),
            (Capability.CLAIM_SEARCH, (query, None, ClaimStatusFilter.ALL)),
            (Capability.PAYMENTS, (query, since)),
        ]

        async def headline() -> None:
            await asyncio.gather(
                *(
                    payers.call("bench", p.id, capability, *args, fresh=True)
                    for p in payers.all()
                    for capability, args in calls
                )
            )

        try:
            for _ in range(20):  # connections, caches and code paths warmed up
                await headline()
            settle_heap()  # as a serving process does after start-up
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            started = time.process_time()
            for _ in range(rounds):
                await headline()
            cpu = time.process_time() - started
            if profiler:
                profiler.disable()
        finally:
            await payers.aclose()
    if profiler:
        pstats.Stats(profiler).sort_stats(profile).print_stats(45)
    total = rounds * n * len(calls)
    return {
        "n": n,
        "calls": total,
        "cpu_us_per_call": round(cpu * 1e6 / total, 1),
        "cpu_ms_per_headline": round(cpu * 1000 / rounds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payers", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--profile", default=None, help="a pstats sort key, e.g. tottime")
    args = parser.parse_args()
    result = uvloop.run(run(args.payers, args.rounds, args.profile))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
