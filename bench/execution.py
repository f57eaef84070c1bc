"""The GraphQL execution layer alone: the headline query over N payers' answers already cached.

N sandbox REST payers (in this process, on loopback) answer once to fill the payer-call cache; then
the headline query runs ``--requests`` times through the gateway's own schema (``schema.execute``,
with the request context an API key's caller gets) and its result is serialized as the HTTP view
does. No HTTP, no payer calls: what is left is parsing/validation (cached), execution, field
authorization, audit notes, the coverage load and serialization. ``--profile`` prints cProfile's
top functions instead of timing.

    .venv/bin/python bench/execution.py [--payers 10] [--requests 300] [--profile] [--answer FILE]

Prints one JSON line: {n, fields, cpu_ms_per_request, serialize_ms_per_request}.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rig import HEADLINE, MEMORY_DIR, payers_config, rest_sandboxes, seed


def count_fields(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0


async def run(
    n: int, requests: int, profile: str | None, workdir: Path
) -> tuple[dict[str, Any], bytes]:
    from gateway.config import GatewaySettings
    from gateway.graphql.context import RequestContext
    from gateway.graphql.schema import build_schema
    from gateway.http.app import GatewayGraphQL, build_services
    from gateway.http.rate_limit import limiter_for
    from gateway.identity import KEY_SCOPES, Principal
    from payers.registry import parse_payers_config

    async with rest_sandboxes(n) as sandboxes:
        database_url = f"sqlite:///{workdir / f'execution-{n}.db'}"
        _, (patient_id,), practice_id = await seed(database_url, sandboxes)
        settings = GatewaySettings(database_url=database_url)
        services = build_services(
            settings, parse_payers_config(payers_config(sandboxes.base_urls, 10))
        )
        view = GatewayGraphQL(services, limiter_for(settings))
        schema = build_schema(settings)
        principal = Principal(practice_id, "bench", "api_key", frozenset(KEY_SCOPES))
        variables = {"id": patient_id, "fresh": False}

        async def once() -> tuple[float, bytes]:
            context = RequestContext(services=services, principal=principal, request_id="bench")
            result = await schema.execute(
                HEADLINE, variable_values=variables, context_value=context
            )
            if result.errors:
                raise RuntimeError(result.errors)
            started = time.thread_time()
            data = await view.process_result(None, result)
            body = view.create_response(data, await view.get_sub_response(None)).body
            return time.thread_time() - started, body

        try:
            first = (await once())[1]  # fills the payer-call cache
            answer = json.loads(first)
            for _ in range(20):
                await once()
            profiler = cProfile.Profile() if profile else None
            serialize = 0.0
            started = time.thread_time()
            if profiler:
                profiler.enable()
            for _ in range(requests):
                serialize += (await once())[0]
            if profiler:
                profiler.disable()
            cpu = time.thread_time() - started
        finally:
            await services.payers.aclose()
            await services.database.dispose()
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(profile)
        stats.print_stats(40)
    return {
        "n": n,
        "fields": count_fields(answer["data"]),
        "cpu_ms_per_request": round(cpu * 1000 / requests, 2),
        "serialize_ms_per_request": round(serialize * 1000 / requests, 2),
    }, first


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payers", type=int, default=10)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--profile", nargs="?", const="tottime", choices=["tottime", "cumulative"], default=None
    )
    parser.add_argument("--answer", help="write the first answer (the HTTP body) to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pgw-execution-", dir=MEMORY_DIR) as tmp:
        summary, answer = asyncio.run(run(args.payers, args.requests, args.profile, Path(tmp)))
    if args.answer:
        Path(args.answer).write_bytes(answer)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
