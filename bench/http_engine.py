"""CPU per payer call and calls a second on each payer HTTP engine (gateway/payer_client.py).

The sandbox REST payer (Lakeshore) serves from a child process, so only the client's CPU is counted
here: ``CALLS`` eligibility checks through ``RestPayerAdapter`` on the gateway's own client,
``AT_ONCE`` in flight, per engine, after a warm-up; each engine both as an interactive client and as
a batch client (``in_flight=AT_ONCE``: on httpx, gateway/spread_transport.py). The machine may be shared: the load average is
printed with the figures, and ``ROUNDS`` > 1 runs every configuration that many times in turn and
keeps each one's least CPU per call (and most calls a second): others' load only ever adds.
``python bench/http_engine.py [CALLS] [AT_ONCE] [ROUNDS]``; last line is JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from datetime import date

from gateway.payer_client import ENGINES, payer_client
from payers.contract import PayerSettings
from payers.model import MemberQuery
from payers.rest.adapter import RestPayerAdapter
from payers.sandbox.world import build_world

TODAY = date(2025, 11, 27)
API_KEY = "bench-key"
SERVER = """
import sys, uvicorn
from datetime import date
from payers.sandbox.rest_app import create_rest_app
from payers.sandbox.world import build_world
app = create_rest_app(build_world(date(2025, 11, 27)).books["lakeshore"], api_key=sys.argv[2])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the sandbox payer did not start")


async def _run(engine: str, url: str, calls: int, at_once: int, in_flight: int) -> dict[str, float]:
    oscar = build_world(TODAY).people["oscar"]
    member = MemberQuery(
        member_id="LHP205517604",
        first_name=oscar.first_name,
        last_name=oscar.last_name,
        birth_date=oscar.birth_date,
    )
    settings = PayerSettings(
        id="lakeshore",
        name="Lakeshore Health Plan",
        adapter="rest",
        base_url=url,
        timeout_seconds=10.0,
        credentials={"api_key": API_KEY},
    )
    async with payer_client(settings.timeout_seconds, engine=engine, in_flight=in_flight) as http:
        adapter = RestPayerAdapter(settings, http)
        gate = asyncio.Semaphore(at_once)

        async def one() -> None:
            async with gate:
                result = await adapter.check_eligibility(member, ["30"], TODAY)
                assert result.benefits, "the sandbox answered without benefits"

        await asyncio.gather(*(one() for _ in range(min(200, calls))))  # warm: connections open
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one() for _ in range(calls)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "cpu_ms_per_call": round(cpu * 1000 / calls, 3),
        "calls_per_second": round(calls / wall),
    }


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    at_once = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), API_KEY])
    try:
        _wait_for(port)
        url = f"http://127.0.0.1:{port}"
        results: dict[str, dict[str, float]] = {}
        for _ in range(rounds):
            # interactive clients, and batch clients (SpreadTransport on the httpx engine)
            for engine in ENGINES:
                for kind, in_flight in (("", 0), ("_batch", at_once)):
                    found = asyncio.run(_run(engine, url, calls, at_once, in_flight))
                    best = results.setdefault(f"{engine}{kind}", found)
                    best["cpu_ms_per_call"] = min(best["cpu_ms_per_call"], found["cpu_ms_per_call"])
                    best["calls_per_second"] = max(
                        best["calls_per_second"], found["calls_per_second"]
                    )
    finally:
        server.terminate()
        server.wait()
    load = os.getloadavg()
    print(
        json.dumps(
            {"calls": calls, "at_once": at_once, "rounds": rounds, "load_average": load, **results}
        )
    )


if __name__ == "__main__":
    main()
