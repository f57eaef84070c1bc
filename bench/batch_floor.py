"""The batch benchmark's floor: the same eligibility calls from a bare client, no gateway.

Run by bench/batch.py in its own process (as the worker is), against the same sandbox payers:
``checks`` POSTs of /v1/eligibility spread over the payers, ``budget`` in flight per payer, on one
aiohttp session on uvloop (the engine and loop the worker uses), each answer's JSON parsed. No
database, no audit, no model: what this machine, these sandboxes and a lean client can do at the
budget. A call that fails is asked again (a loaded machine drops the odd connection) and counted.
Prints one JSON line: {floor_s, cpu_s, retried}.

    python bench/batch_floor.py --checks N --budget 50 --api-key K --member JSON URL [URL...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import aiohttp
import uvloop


async def floor(
    urls: list[str], checks: int, budget: int, api_key: str, member: dict[str, Any]
) -> tuple[float, int]:
    body = json.dumps({"member": member, "serviceTypes": ["30"], "asOf": None}).encode()
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    retried = 0
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=budget)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:

        async def ask(url: str) -> None:
            nonlocal retried
            for attempt in range(3):
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        response.raise_for_status()
                        json.loads(await response.read())
                        return
                except aiohttp.ClientError:
                    retried += 1
                    if attempt == 2:
                        raise

        async def lane(url: str, count: int) -> None:
            left = iter(range(count))

            async def asker() -> None:
                for _ in left:
                    await ask(f"{url}/v1/eligibility")

            await asyncio.gather(*(asker() for _ in range(budget)))

        share = -(-checks // len(urls))
        started = time.perf_counter()
        await asyncio.gather(*(lane(url, share) for url in urls))
        return time.perf_counter() - started, retried


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, required=True)
    parser.add_argument("--budget", type=int, required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--member", required=True)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    cpu = time.process_time()
    wall, retried = uvloop.run(
        floor(args.urls, args.checks, args.budget, args.api_key, json.loads(args.member))
    )
    print(
        json.dumps(
            {
                "floor_s": round(wall, 2),
                "cpu_s": round(time.process_time() - cpu, 2),
                "retried": retried,
            }
        )
    )
