"""Batch eligibility: N checks over sandbox REST payers answering in 200 ms, 50 in flight per payer.

``--workers K`` `payer-gateway worker` processes run the batch (SQLite in /dev/shm, or the
PostgreSQL server of ``--database-url``, where the bench makes a database of its own and drops it
after); with K > 1 each takes at most BUDGET / K of a payer's slots
(``PAYER_GATEWAY_BATCH_MAX_SLOTS_PER_PROCESS``), so they share every payer's checks through their
leases, as a deployment with several workers does. The sandboxes run here on loopback. Reports the wall time from the batch's start to its last result against the limit the
budgets set (checks per payer x 0.2 s / 50, the largest over payers), the worker's peak resident
memory (VmHWM, the largest over the workers), and the CPU the workers (summed) and this process (the sandbox payers, a look at the batch's
status every 0.1 s) used during the run: a figure near wall_s is the process that holds the batch
back. Then the floor: the same calls from a bare client in its own process (bench/batch_floor.py),
what this machine and these sandboxes can do at the budget with no gateway at all. Last line: JSON
{checks, wall_s, limit_s, ratio, peak_rss_mb, worker_cpu_s, bench_cpu_s, floor_s, floor_retried,
floor_ratio, over_floor}.

    python bench/batch.py --checks 10000 [--payers 2] [--workers 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import uvloop

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.rig import MEMORY_DIR, payers_config, rest_sandboxes  # noqa: E402

LATENCY_MS = 200
BUDGET = 50


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def seed(database_url: str, sandboxes, checks: int) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    from gateway.practices import create_practice
    from gateway.storage.database import Database
    from gateway.storage.migrate import upgrade
    from gateway.storage.tables import Coverage, Patient

    database = Database(database_url)
    await upgrade(database)
    practice_id = await create_practice(
        database, "Bench Family Medicine", "1234567893", "123456789"
    )
    book = sandboxes.world.books[sandboxes.book_key]
    member = next(m for m in book.members.values() if m.active and m.relation.value == "self")
    payer_ids = list(sandboxes.base_urls)
    patients = -(-checks // len(payer_ids))
    ids: list[str] = []
    made = 0
    async with database.transaction() as session:
        for n in range(patients):
            patient = Patient(
                practice_id=practice_id,
                first_name=member.person.first_name,
                last_name=member.person.last_name,
                birth_date=member.person.birth_date,
            )
            session.add(patient)
            await session.flush()
            ids.append(patient.id)
            for order, payer_id in enumerate(payer_ids, start=1):
                if made == checks:
                    break
                made += 1
                session.add(
                    Coverage(
                        practice_id=practice_id,
                        patient_id=patient.id,
                        payer_id=payer_id,
                        member_id=member.member_id,
                        group_number=f"B{n:06d}",
                        relation="self",
                        priority=order,
                    )
                )
    await database.dispose()
    return practice_id, ids


async def batch_status(database, batch_id: str) -> str | None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from gateway.storage.batch_tables import EligibilityBatch

    async with database.session() as session:
        return await session.scalar(
            select(EligibilityBatch.status).where(EligibilityBatch.id == batch_id)
        )


@contextlib.asynccontextmanager
async def bench_database(server_url: str | None, workdir: Path) -> AsyncIterator[str]:
    """SQLite in ``workdir``, or a database of the bench's own on ``server_url``'s PostgreSQL server
    (created empty, dropped after), so a run never mixes with what a database already holds."""
    if server_url is None:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from gateway.storage.database import create_engine, normalize_url

    name = f"payer_gateway_bench_{os.getpid()}"
    admin = create_engine(normalize_url(server_url)).execution_options(isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def main(checks: int, payers: int, workers: int, server_url: str | None) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(dir=MEMORY_DIR))
    async with bench_database(server_url, workdir) as database_url:
        return await run(checks, payers, workers, workdir, database_url)


async def run(
    checks: int, payers: int, workers: int, workdir: Path, database_url: str
) -> dict[str, float]:
    from gateway.storage.sealed import DATA_KEYS_ENV, generate_key
    from payers.sandbox.faults import FaultSettings

    os.environ.setdefault(DATA_KEYS_ENV, generate_key())
    async with rest_sandboxes(payers, faults=FaultSettings(latency_ms=LATENCY_MS)) as sandboxes:
        config = workdir / "payers.toml"
        config.write_text(
            payers_config(sandboxes.base_urls, 10.0).replace(
                "[defaults]\n",
                f"[defaults]\nbatch_concurrency = {BUDGET}\nbatch_rate_per_second = 1000\n",
                1,
            )
        )
        practice_id, patient_ids = await seed(database_url, sandboxes, checks)
        from gateway.config import GatewaySettings
        from gateway.http.app import build_services
        from gateway.jobs.batches import BatchRequest, batch_progress, start_batch
        from payers.registry import load_payers_config

        services = build_services(
            GatewaySettings(database_url=database_url), load_payers_config(config)
        )
        assert services.batches is not None
        environ = {
            **os.environ,
            "PAYER_GATEWAY_DATABASE_URL": database_url,
            "PAYER_GATEWAY_PAYERS_CONFIG": str(config),
            "PAYER_GATEWAY_LOG_LEVEL": "WARNING",
            "PAYER_GATEWAY_CLAIMS_POLL_TICK_SECONDS": "3600",
            "PAYER_GATEWAY_CLAIMS_REMITTANCE_TICK_SECONDS": "3600",
            # The worker's claim history refresher would search these 10,000 patients' claims at
            # the same payers meanwhile: the figure is the batch's own.
            "PAYER_GATEWAY_CLAIMS_HISTORY_TICK_SECONDS": "3600",
            "PAYER_GATEWAY_CLAIMS_HISTORY_FIRST_REFRESH_SECONDS": "3600",
            "PAYER_GATEWAY_BATCH_IDLE_SECONDS": "0.05",
            "PAYER_GATEWAY_BATCH_BUDGET_DIR": str(workdir / "budgets"),
        }
        if workers > 1:
            environ["PAYER_GATEWAY_BATCH_MAX_SLOTS_PER_PROCESS"] = str(-(-BUDGET // workers))
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", "from gateway.cli import main; main(['worker'])", env=environ
            )
            for _ in range(workers)
        ]
        try:
            await asyncio.sleep(3 + workers)  # the workers start (imports, migrations checked)
            started_at = time.perf_counter()
            cpu_before = sum(cpu_seconds(worker.pid) for worker in processes)
            here_before = time.process_time()
            started = await start_batch(
                services.database,
                services.payers,
                services.batches.settings,
                practice_id,
                None,
                BatchRequest(str(uuid.uuid4()), tuple(patient_ids)),
                patient_ids,
                datetime.now(UTC).date(),
            )
            # A cheap look at the batch row (its status), not the progress counts: those read every
            # check, and this process also serves the sandbox payers the worker is calling.
            while await batch_status(services.database, started.batch.id) != "finished":  # noqa: ASYNC110 (another process finishes it)
                await asyncio.sleep(0.1)
            wall = time.perf_counter() - started_at
            progress = await batch_progress(services.database, practice_id, started.batch.id)
            assert progress is not None
            worker_cpu = sum(cpu_seconds(worker.pid) for worker in processes) - cpu_before
            here_cpu = time.process_time() - here_before
            rss = max(peak_rss_mb(worker.pid) for worker in processes)
            per_payer = [p.total for p in progress.by_payer]
        finally:
            for worker in processes:
                if worker.returncode is None:
                    worker.terminate()
            for worker in processes:
                await worker.wait()
            await services.batches.payers.aclose()
            await services.payers.aclose()
            await services.database.dispose()
        floor = await measure_floor(sandboxes, checks)
    limit = max(per_payer) * LATENCY_MS / 1000 / BUDGET
    print(
        f"checks {checks} over {payers} payers, {workers} worker process(es): succeeded "
        f"{progress.succeeded}, failed {progress.failed}"
    )
    return {
        "checks": checks,
        "workers": workers,
        "wall_s": round(wall, 2),
        "limit_s": round(limit, 2),
        "ratio": round(wall / limit, 2),
        "peak_rss_mb": rss,
        "worker_cpu_s": round(worker_cpu, 2),
        "bench_cpu_s": round(here_cpu, 2),
        "floor_s": floor["floor_s"],
        "floor_retried": floor["retried"],
        "floor_ratio": round(floor["floor_s"] / limit, 2),
        "over_floor": round(wall / floor["floor_s"], 2),
    }


async def measure_floor(sandboxes, checks: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The same calls from a bare client in its own process (bench/batch_floor.py), no gateway."""
    from bench.rig import API_KEY_ENV

    book = sandboxes.world.books[sandboxes.book_key]
    member = next(m for m in book.members.values() if m.active and m.relation.value == "self")
    who = {
        "memberId": member.member_id,
        "firstName": member.person.first_name,
        "lastName": member.person.last_name,
        "birthDate": member.person.birth_date.isoformat(),
    }
    client = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "batch_floor.py"),
        "--checks",
        str(checks),
        "--budget",
        str(BUDGET),
        "--api-key",
        os.environ[API_KEY_ENV],
        "--member",
        json.dumps(who),
        *sandboxes.base_urls.values(),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await client.communicate()
    return json.loads(out.decode().strip().splitlines()[-1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=10_000)
    parser.add_argument("--payers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="worker processes sharing the batch")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server to run on (the bench makes and drops a database of its own there); "
        "default SQLite in /dev/shm",
    )
    args = parser.parse_args()
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    # The sandboxes run on uvloop, as the worker does (and as uvicorn runs a real payer's server).
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        print(
            json.dumps(runner.run(main(args.checks, args.payers, args.workers, args.database_url)))
        )
