"""What the benchmarks share: sandbox REST payers on loopback (in this process, or in processes of
their own on uvloop: bench/sandboxes.py), a seeded SQLite gateway database, the gateway (or a bare
strawberry app) in a uvicorn subprocess, process memory and CPU, and percentiles.

``python bench/rig.py serve-gateway --database URL --payers FILE --port P [--cache-url URL]`` runs the
gateway on one uvicorn worker (the benchmarks start it that way, as a separate process), its heap
settled after start-up as ``payer-gateway serve`` does. ``gateway_process(..., workers=N)`` runs
``payer-gateway serve`` itself instead (``--workers N`` when N > 1), configured through its environment;
``gateway_process(..., tree=DIR)`` serves the gateway of another checkout (an older commit, say) the
same way, so before and after are measured by the same benchmark in one run (``--gateway-tree``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
from subprocess import PIPE
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


def descendants(pid: int) -> list[int]:
    """``pid``'s children, their children, and so on (e.g. the workers of a multi-process server)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and every live process under it: one server however many workers it runs."""
    total = 0.0
    for each in (pid, *descendants(pid)):
        try:
            total += cpu_seconds(each)
        except FileNotFoundError:
            pass  # a worker that ended between listing and reading
    return total


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
    apps: dict[str, Any]  # in-process servers' apps (their faults can be changed); empty if remote
    world: Any
    book_key: str
    pids: tuple[
        int, ...
    ] = ()  # the processes serving them, when they run in processes of their own


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


@asynccontextmanager
async def remote_sandboxes(
    count: int, faults: Any = None, book_key: str = "lakeshore", processes: int = 1
) -> AsyncIterator[Sandboxes]:
    """``count`` copies of one sandbox REST payer's book, served by ``processes`` processes of their
    own on uvloop (bench/sandboxes.py; payers dealt out in turn), so the bench process only times."""
    from payers.sandbox.world import build_world

    today = datetime.now(UTC).date()
    os.environ.setdefault(API_KEY_ENV, secrets.token_urlsafe(24))
    names = [f"p{i:02d}" for i in range(1, count + 1)]
    groups = [names[k::processes] for k in range(min(processes, count))]
    argv = [sys.executable, str(ROOT / "bench" / "sandboxes.py"), "--date", today.isoformat()]
    argv += ["--book", book_key]
    if faults is not None:
        argv += ["--faults", json.dumps(faults.to_json())]
    children = []
    try:
        for group in groups:
            children.append(
                await asyncio.create_subprocess_exec(
                    *argv, "--names", ",".join(group), stdin=PIPE, stdout=PIPE, cwd=ROOT
                )
            )
        urls: dict[str, str] = {}
        for child in children:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), 60)
            if not line:
                raise RuntimeError(f"a sandbox process exited with {await child.wait()}")
            urls.update(json.loads(line))
        world = build_world(today)
        yield Sandboxes(
            {name: urls[name] for name in names},
            {},
            world,
            book_key,
            tuple(c.pid for c in children),
        )
    finally:
        for child in children:
            if child.stdin is not None:
                child.stdin.close()  # their signal to stop
        for child in children:
            try:
                await asyncio.wait_for(child.wait(), 10)
            except TimeoutError:
                child.kill()
                await child.wait()


async def _add_patient(
    session: Any, practice_id: str, member: Any, payer_ids: Sequence[str]
) -> str:
    """One person covered by every payer in ``payer_ids`` (in that priority order)."""
    from gateway.storage.tables import Coverage, Patient

    person = member.person
    patient = Patient(
        practice_id=practice_id,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
    )
    session.add(patient)
    await session.flush()
    dependent = member.relation.value != "self"
    for order, payer_id in enumerate(payer_ids, start=1):
        session.add(
            Coverage(
                practice_id=practice_id,
                patient_id=patient.id,
                payer_id=payer_id,
                member_id=member.member_id,
                group_number=member.group_number,
                relation=member.relation.value,
                priority=order,
                subscriber_first_name=member.subscriber.first_name if dependent else None,
                subscriber_last_name=member.subscriber.last_name if dependent else None,
                subscriber_birth_date=member.subscriber.birth_date if dependent else None,
            )
        )
    return str(patient.id)


def _active_members(sandboxes: Sandboxes) -> list[Any]:
    return [m for m in sandboxes.world.books[sandboxes.book_key].members.values() if m.active]


async def seed_practices(
    database_url: str, sandboxes: Sandboxes, practices: int
) -> list[tuple[str, str]]:
    """Migrated database, ``practices`` practices, each with its own API key and one patient covered
    by every sandbox payer (members dealt out in turn). Returns (API key, patient id) per practice.

    Call merging and payer-answer caching are per practice: queries taken from the practices in turn
    make every payer call of their own."""
    from gateway.identity import create_api_key
    from gateway.practices import create_practice
    from gateway.storage.database import Database
    from gateway.storage.migrate import upgrade
    from payers.sandbox.npi import make_npi

    database = Database(database_url)
    members = _active_members(sandboxes)
    seeded = []
    try:
        await upgrade(database)
        for i in range(practices):
            practice_id = await create_practice(
                database, f"Bench Practice {i + 1}", make_npi(f"{200_000_000 + i}"), "123456789"
            )
            async with database.transaction() as session:
                patient_id = await _add_patient(
                    session, practice_id, members[i % len(members)], list(sandboxes.base_urls)
                )
            seeded.append((await create_api_key(database, practice_id, "bench"), patient_id))
    finally:
        await database.dispose()
    return seeded


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

    database = Database(database_url)
    try:
        await upgrade(database)
        practice_id = await create_practice(
            database, "Bench Family Medicine", "1234567893", "123456789"
        )
        ids = []
        async with database.transaction() as session:
            for member in _active_members(sandboxes)[:patients]:
                ids.append(
                    await _add_patient(session, practice_id, member, list(sandboxes.base_urls))
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
        cwd: Path = ROOT,
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=cwd)
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
    database_url: str,
    payers_file: Path,
    cache_url: str = "memory://",
    workers: int | None = None,
    tree: Path | None = None,
) -> ServerProcess:
    """The gateway on a free port: on one uvicorn worker (``rig.py serve-gateway``), or, given
    ``workers``, as ``payer-gateway serve`` (``--workers N`` when N > 1; measure its CPU with
    ``tree_cpu_seconds``, which counts every worker). ``tree``: the gateway of that checkout instead
    of this one, on one worker (its own ``bench/rig.py serve-gateway``, its code first on the path;
    the packages are this environment's)."""
    port = free_port()
    if workers is not None:
        if tree is not None:
            raise SystemExit("--gateway-tree serves one worker: leave out --gateway-workers")
        if workers > 1 and not cache_url.startswith(("redis://", "rediss://")):
            raise SystemExit(
                f"--gateway-workers {workers} needs --cache-url redis://HOST:6379/DB: the "
                "processes share their cache, rate limits and payer breakers through it"
            )
        return _cli_gateway(database_url, payers_file, cache_url, workers, port)
    argv, env, cwd = gateway_command(database_url, payers_file, port, cache_url, tree)
    return ServerProcess(argv, port, env=env, cwd=cwd)


def gateway_command(
    database_url: str,
    payers_file: Path,
    port: int,
    cache_url: str = "memory://",
    tree: Path | None = None,
) -> tuple[list[str], dict[str, str], Path]:
    """argv, extra environment and working directory of ``rig.py serve-gateway`` in ``tree``
    (default: this checkout)."""
    root = ROOT if tree is None else checkout(tree)
    argv = [
        sys.executable,
        str(root / "bench" / "rig.py"),
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
    # This checkout is installed in editable mode; PYTHONPATH puts the other one ahead of it.
    env = {} if tree is None else {"PYTHONPATH": str(root)}
    return argv, env, root


def add_gateway_tree(parser: argparse.ArgumentParser) -> None:
    """``--gateway-tree DIR``: the benchmark measures that checkout's gateway (``gateway_process``)."""
    parser.add_argument(
        "--gateway-tree",
        type=Path,
        default=None,
        help="measure the gateway of this checkout (another commit) instead of this one's",
    )


def checkout(tree: Path) -> Path:
    """``tree`` resolved, refused unless it holds a gateway and a ``rig.py serve-gateway``."""
    root = Path(tree).resolve()
    rig = root / "bench" / "rig.py"
    if not (root / "gateway").is_dir() or "serve-gateway" not in (
        rig.read_text() if rig.is_file() else ""
    ):
        raise SystemExit(f"--gateway-tree {tree}: no gateway/ and bench/rig.py serve-gateway there")
    return root


def _cli_gateway(
    database_url: str, payers_file: Path, cache_url: str, workers: int, port: int
) -> ServerProcess:
    from gateway.config import PREFIX
    from gateway.storage.sealed import DATA_KEYS_ENV, generate_key

    argv = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)]
    if workers > 1:  # one worker needs no flag: the serve path as deployed, on any version
        argv += ["--workers", str(workers)]
    env = {
        PREFIX + "DATABASE_URL": database_url,
        PREFIX + "PAYERS_CONFIG": str(payers_file),
        PREFIX + "CACHE_URL": cache_url,
        PREFIX + "CACHE_NAMESPACE": f"bench-{secrets.token_hex(4)}",  # no earlier run's entries
        PREFIX + "RATE_LIMIT_PER_MINUTE": "10000000",  # measure the gateway, not the limiter
        PREFIX + "RATE_LIMIT_BURST": "1000000",
        PREFIX + "JWT_SECRET": secrets.token_urlsafe(48),
        PREFIX + "PSEUDONYM_SECRET": secrets.token_urlsafe(48),
        PREFIX + "LOG_LEVEL": "WARNING",
        DATA_KEYS_ENV: generate_key(),
    }
    return ServerProcess(argv, port, env=env)


def _serve_gateway(args: argparse.Namespace) -> None:
    import uvicorn

    from gateway.cli.commands import settle_heap
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
    settle_heap()  # as `payer-gateway serve` does: measure the gateway as it is served
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
