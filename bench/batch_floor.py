"""The batch benchmark's floor: the same eligibility calls from a bare client, no gateway.

Run by bench/batch.py in its own process (as the worker is), against the same sandbox payers:
``checks`` POSTs of /v1/eligibility spread over the payers, ``budget`` in flight per payer, on one
plain ``httpx.AsyncClient`` on uvloop (what the worker uses). No database, no audit, no
parsing into the model: what this machine, these sandboxes and that client can do at the budget.
Prints one JSON line: {floor_s, cpu_s}.

    python bench/batch_floor.py --checks N --budget 50 --api-key K --member JSON URL [URL...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx
import uvloop


async def floor(urls: list[str], checks: int, budget: int, api_key: str, member: dict) -> float:
    body = json.dumps({"member": member, "serviceTypes": ["30"], "asOf": None}).encode()
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    limits = httpx.Limits(max_connections=budget * len(urls), max_keepalive_connections=budget)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def lane(url: str, count: int) -> None:
            left = iter(range(count))

            async def asker() -> None:
                for _ in left:
                    response = await client.post(
                        f"{url}/v1/eligibility", content=body, headers=headers
                    )
                    response.raise_for_status()
                    response.json()

            await asyncio.gather(*(asker() for _ in range(budget)))

        share = -(-checks // len(urls))
        started = time.perf_counter()
        await asyncio.gather(*(lane(url, share) for url in urls))
        return time.perf_counter() - started


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, required=True)
    parser.add_argument("--budget", type=int, required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--member", required=True)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    cpu = time.process_time()
    wall = uvloop.run(
        floor(args.urls, args.checks, args.budget, args.api_key, json.loads(args.member))
    )
    print(json.dumps({"floor_s": round(wall, 2), "cpu_s": round(time.process_time() - cpu, 2)}))
