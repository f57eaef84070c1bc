"""What the benchmarks share: sandbox REST payers on loopback, a seeded SQLite gateway database, the
gateway (or a bare strawberry app) in a uvicorn subprocess, process memory, and percentiles.

``python bench/rig.py serve-gateway --database URL --payers FILE --port P [--cache-url URL]`` runs the
gateway on one uvicorn worker (the benchmarks start it that way, as a separate process).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

API_KEY_ENV = "BENCH_SANDBOX_API_KEY"
#: Benchmark databases live in memory when /dev/shm exists: we measure the gateway, not the disk.
MEMORY_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None

HEADLINE = """query Summary($id: ID!, $fresh: Boolean) {
  patient(id: $id) {
    firstName lastName birthDate
    coverages { payer { id name } memberId priority }
    eligibility(fresh: $fresh) {
      payer { id } memberId active fetchedAt fromCache
      plan { name groupNumber }
      benefits { kind network coverageLevel amount percent remaining serviceTypes { code description } }
    }
    claims(status: ALL, fresh: $fresh) {
      payer { id }
      claims { controlNumber payerClaimId totalCharge status { state category { code description } } }
    }
    payments(fresh: $fresh) {
      payer { id }
      payments { traceNumber amount paymentDate
                 claims { controlNumber paid patientResponsibility
                          adjustments { group { code } reason { code description } amount } } }
    }
  }
}"""

#: The same document without nested arguments: what bench/cache.py sends to the gateway and to the bare
#: strawberry app (whose generated schema has no arguments below ``patient``).
CACHED_HEADLINE = (
    HEADLINE.replace("query Summary($id: ID!, $fresh: Boolean)", "query Summary($id: ID!)")
    .replace("(fresh: $fresh)", "")
    .replace("(status: ALL, fresh: $fresh)", "")
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def payers_config(base_urls: dict[str, str], timeout_seconds: float) -> str:
    lines = ["[defaults]", f"timeout_seconds = {timeout_seconds!r}", ""]
    for payer_id, url in base_urls.items():
        lines += [
            "[[payers]]",
            f'id = "{payer_id}"',
            f'name = "Bench Payer {payer_id}"',
            'adapter = "rest"',
            f'base_url = "{url}"',
            f'credentials = {{ api_key = "{API_KEY_ENV}" }}',
            "",
        ]
    return "\n".join(lines)


@dataclass
class Sandboxes:
    base_urls: dict[str, str]
    apps: dict[str, Any]
    world: Any
    book_key: str


@asynccontextmanager
async def rest_sandboxes(
    count: int, faults: Any = None, book_key: str = "lakeshore"
) -> AsyncIterator[Sandboxes]:
    """``count`` copies of one sandbox REST payer's book, each on its own loopback port."""
    from payers.sandbox.fleet import serving
    from payers.sandbox.rest_app import create_rest_app
    from payers.sandbox.world import build_world

    world = build_world(datetime.now(UTC).date())
    key = os.environ.setdefault(API_KEY_ENV, secrets.token_urlsafe(24))
    apps = {
        f"p{i:02d}": create_rest_app(world.books[book_key], api_key=key, faults=faults)
        for i in range(1, count + 1)
    }
    async with serving(apps) as running:
        yield Sandboxes({k: r.base_url for k, r in running.items()}, apps, world, book_key)


async def seed(
    database_url: str, sandboxes: Sandboxes, patients: int = 1
) -> tuple[str, list[str], str]:
    """Migrated database, one practice, ``patients`` people each covered by every sandbox payer.

    Returns the API key, the patient ids and the practice id.
    """
    from gateway.identity import create_api_key
    from gateway.practices import create_practice
    from gateway.storage.database import Database
    from gateway.storage.migrate import upgrade
    from gateway.storage.tables import Coverage, Patient

    database = Database(database_url)
    try:
        await upgrade(database)
        practice_id = await create_practice(
            database, "Bench Family Medicine", "1234567893", "123456789"
        )
        members = [
            m for m in sandboxes.world.books[sandboxes.book_key].members.values() if m.active
        ][:patients]
        ids = []
        async with database.transaction() as session:
            for member in members:
                person = member.person
                patient = Patient(
                    practice_id=practice_id,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    birth_date=person.birth_date,
                )
                session.add(patient)
                await session.flush()
                ids.append(patient.id)
                for order, payer_id in enumerate(sandboxes.base_urls, start=1):
                    session.add(
                        Coverage(
                            practice_id=practice_id,
                            patient_id=patient.id,
                            payer_id=payer_id,
                            member_id=member.member_id,
                            group_number=member.group_number,
                            relation=member.relation.value,
                            priority=order,
                            subscriber_first_name=member.subscriber.first_name
                            if member.relation.value != "self"
                            else None,
                            subscriber_last_name=member.subscriber.last_name
                            if member.relation.value != "self"
                            else None,
                            subscriber_birth_date=member.subscriber.birth_date
                            if member.relation.value != "self"
                            else None,
                        )
                    )
        key = await create_api_key(database, practice_id, "bench")
    finally:
        await database.dispose()
    return key, ids, practice_id


class ServerProcess:
    """A uvicorn server in a subprocess, waited for until it answers /healthz (or the given path)."""

    def __init__(
        self,
        argv: list[str],
        port: int,
        ready_path: str = "/healthz",
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=ROOT)
        self.ready_path = ready_path

    async def ready(self, seconds: float = 30.0) -> None:
        import httpx

        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}")
                try:
                    if (await client.get(self.url + self.ready_path)).status_code < 500:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def gateway_process(
    database_url: str, payers_file: Path, cache_url: str = "memory://"
) -> ServerProcess:
    port = free_port()
    argv = [
        sys.executable,
        str(ROOT / "bench" / "rig.py"),
        "serve-gateway",
        "--database",
        database_url,
        "--payers",
        str(payers_file),
        "--port",
        str(port),
        "--cache-url",
        cache_url,
    ]
    return ServerProcess(argv, port)


def _serve_gateway(args: argparse.Namespace) -> None:
    import uvicorn

    from gateway.config import GatewaySettings
    from gateway.http.app import build_services, create_app

    settings = GatewaySettings(
        database_url=args.database,
        payers_config=args.payers,
        cache_url=args.cache_url,
        rate_limit_per_minute=10_000_000,
        rate_limit_burst=1_000_000,  # measure the gateway, not the limiter
    )
    app = create_app(build_services(settings))
    uvicorn.run(
        app, host="127.0.0.1", port=args.port, log_config=None, access_log=False, lifespan="on"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve-gateway")
    serve.add_argument("--database", required=True)
    serve.add_argument("--payers", required=True)
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--cache-url", default="memory://")
    args = parser.parse_args()
    if args.command == "serve-gateway":
        _serve_gateway(args)


if __name__ == "__main__":
    main()
