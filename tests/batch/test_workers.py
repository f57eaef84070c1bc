"""Batch checks across worker processes on PostgreSQL: `payer-gateway worker` processes share one batch
against a sandbox payer on a loopback socket; one is killed (SIGKILL) mid-batch and the other takes
its checks over once their leases lapse. The payer counts what it was asked, card by card."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.http.app import build_services
from gateway.jobs.batches import BatchRequest, batch_progress, start_batch
from gateway.practices import create_practice
from gateway.storage import load_metadata
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from payers.registry import parse_payers_config
from payers.sandbox.faults import FaultSettings
from payers.sandbox.fleet import serving
from payers.sandbox.launch import payers_toml, plan_sandboxes
from tests.batch.conftest import REST_PAYER, add_cards, checks_of, with_budget
from tests.batch.meter import EligibilityMeter

ROOT = Path(__file__).resolve().parents[2]
CARDS = 160


async def _worker(environ: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with open(log, "wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from gateway.cli import main; main(['worker'])",
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=out,
        )


async def test_a_killed_workers_checks_are_taken_over_and_done_once(
    postgres_url: str, world: Any, tmp_path: Path
) -> None:
    database = Database(postgres_url)
    await upgrade(database)
    names = ", ".join(t.name for t in load_metadata().sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} CASCADE"))
    plan = plan_sandboxes(world, only={REST_PAYER}, faults=FaultSettings(latency_ms=200))
    os.environ.update(plan.environ)
    meter = EligibilityMeter(plan.apps[REST_PAYER])
    workers: list[asyncio.subprocess.Process] = []
    try:
        async with serving({REST_PAYER: meter}) as running:
            toml = with_budget(
                payers_toml(world, {REST_PAYER: running[REST_PAYER].base_url}, 30.0), 8, 200
            )
            config = tmp_path / "payers.toml"
            config.write_text(toml)
            environ = {
                **os.environ,
                **plan.environ,
                "PAYER_GATEWAY_DATABASE_URL": postgres_url,
                "PAYER_GATEWAY_PAYERS_CONFIG": str(config),
                "PAYER_GATEWAY_CACHE_URL": "memory://",
                "PAYER_GATEWAY_LOG_LEVEL": "WARNING",
                "PAYER_GATEWAY_CLAIMS_POLL_TICK_SECONDS": "3600",
                "PAYER_GATEWAY_CLAIMS_REMITTANCE_TICK_SECONDS": "3600",
                "PAYER_GATEWAY_BATCH_IDLE_SECONDS": "0.1",
                "PAYER_GATEWAY_BATCH_LEASE_SECONDS": "2",
                "PAYER_GATEWAY_BATCH_MAX_SLOTS_PER_PROCESS": "4",
                "PAYER_GATEWAY_BATCH_BUDGET_DIR": str(tmp_path / "budgets"),
            }
            practice_id = await create_practice(database, *demo_practice(world))
            cards = await add_cards(database, practice_id, world, REST_PAYER, CARDS)
            services = build_services(
                GatewaySettings(database_url=postgres_url), parse_payers_config(toml)
            )
            assert services.batches is not None
            started = await start_batch(
                database,
                services.payers,
                services.batches.settings,
                practice_id,
                None,
                BatchRequest(str(uuid.uuid4()), tuple(cards)),
                cards,
                datetime.now(UTC).date(),
            )
            await services.payers.aclose()
            await services.batches.payers.aclose()
            batch_id = started.batch.id
            workers = [await _worker(environ, tmp_path / f"worker{n}.log") for n in range(2)]

            async def done() -> int:
                progress = await batch_progress(database, practice_id, batch_id)
                assert progress is not None
                return progress.done

            async with asyncio.timeout(60):
                while await done() < 40:
                    await asyncio.sleep(0.05)
                # Both workers are asking: the payer holds more than one process's share.
                assert meter.peak > 4
                workers[0].kill()  # SIGKILL mid-batch, checks in flight
                await workers[0].wait()
                while (
                    progress := await batch_progress(database, practice_id, batch_id)
                ) is None or (progress.batch.status != "finished"):
                    await asyncio.sleep(0.1)
            assert progress.succeeded == CARDS
            checks = await checks_of(database, batch_id)
            # Each check has one result, recorded once; each card was asked at least once.
            assert all(c.state == "succeeded" and c.result for c in checks)
            assert len(meter.by_card) == CARDS and "?" not in meter.by_card
            # What the killed worker held leased is at most its 4 slots in flight, one slot's worth
            # queued and the next chunk of twice its slots, leased ahead (gateway/jobs/runner.py):
            # 16. Asked twice: only what it held, asked but not yet written down (in flight at the
            # payer, or answered and waiting for the next grouped write). Nothing else.
            held = 4 + 4 + 2 * 4
            again = {card for card, n in meter.by_card.items() if n > 1}
            assert all(n <= 2 for n in meter.by_card.values())
            assert len(again) <= held
            # A lapsed lease counts as an attempt (the check may have reached the payer): the
            # attempts recorded cover every request, and exceed them at most by what the killed
            # worker held leased but had not sent.
            asked, attempts = sum(meter.by_card.values()), sum(c.attempts for c in checks)
            assert asked <= attempts <= asked + held
            # The budget held across the two processes, as the payer saw it.
            assert meter.peak <= 8
    finally:
        for process in workers:
            if process.returncode is None:
                process.terminate()
                await process.wait()
        for log in sorted(tmp_path.glob("worker*.log")):  # shown by pytest when the test fails
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
        await database.dispose()
