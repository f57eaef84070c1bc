"""Exactly once, on PostgreSQL, with real processes: `payer-gateway worker` processes send the outbox to
sandbox payers listening on loopback sockets; the sandboxes count every receipt (/_control/stats)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from gateway.claims.desk import ClaimDesk
from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.http.app import build_services
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage import load_metadata
from gateway.storage.claims_tables import ClaimOutbox, ClaimStatusEntry, SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from payers.registry import parse_payers_config
from payers.sandbox.fleet import RunningSandbox, serving, start_server, stop_server
from payers.sandbox.launch import payers_toml, plan_sandboxes
from tests.claims.conftest import billed, new_key, office_visit

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Harness:
    database: Database
    running: dict[str, RunningSandbox]
    environ: dict[str, str]
    control_numbers: dict[str, str] = field(default_factory=dict)  # control number -> payer
    workers: list[asyncio.subprocess.Process] = field(default_factory=list)
    logs: Path = Path()

    async def start_worker(self) -> asyncio.subprocess.Process:
        with open(self.logs / f"worker{len(self.workers)}.log", "wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "from gateway.cli import main; main(['worker'])",
                cwd=ROOT,
                env=self.environ,
                stdout=log,
                stderr=log,
            )
        self.workers.append(process)
        return process

    async def stats(self, payer_id: str) -> dict[str, int]:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{self.running[payer_id].base_url}/_control/stats")
        return response.json()["claims_received"]  # type: ignore[no-any-return]

    async def outbox(self) -> dict[str, int]:
        async with self.database.session() as session:
            rows = await session.execute(
                select(ClaimOutbox.state, func.count()).group_by(ClaimOutbox.state)
            )
            return {state: count for state, count in rows.all()}

    async def wait_until_sent(self, total: int, timeout: float = 120.0) -> None:
        async with asyncio.timeout(timeout):
            while (await self.outbox()).get("sent", 0) < total:
                await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def harness(
    postgres_url: str, world: Any, tmp_path: Path, payer_ids: set[str]
) -> AsyncIterator[Harness]:
    database = Database(postgres_url)
    await upgrade(database)
    names = ", ".join(t.name for t in load_metadata().sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} CASCADE"))
    plan = plan_sandboxes(world, only=payer_ids)
    os.environ.update(plan.environ)
    async with serving(plan.apps) as running:
        config = tmp_path / "payers.toml"
        # The sandboxes share this test's one event loop (and pyx12 / fhir.resources are CPU-bound):
        # a generous timeout keeps "slow" from looking like "down", which would legitimately resend.
        config.write_text(payers_toml(world, {k: r.base_url for k, r in running.items()}, 30.0))
        environ = {
            **os.environ,
            **plan.environ,
            "PAYER_GATEWAY_DATABASE_URL": postgres_url,
            "PAYER_GATEWAY_PAYERS_CONFIG": str(config),
            "PAYER_GATEWAY_CACHE_URL": "memory://",
            "PAYER_GATEWAY_LOG_LEVEL": "WARNING",
            "PAYER_GATEWAY_BREAKER_RESET_SECONDS": "0.5",
            "PAYER_GATEWAY_CLAIMS_IDLE_SECONDS": "0.1",
            "PAYER_GATEWAY_CLAIMS_PER_PAYER_CONCURRENCY": "4",
            "PAYER_GATEWAY_CLAIMS_RETRY_BASE_SECONDS": "0.2",
            "PAYER_GATEWAY_CLAIMS_RETRY_CAP_SECONDS": "0.5",
            "PAYER_GATEWAY_CLAIMS_POLL_TICK_SECONDS": "3600",
            "PAYER_GATEWAY_CLAIMS_FIRST_POLL_SECONDS": "3600",
        }
        state = Harness(database, running, environ, logs=tmp_path)
        try:
            yield state
        finally:
            for process in state.workers:
                if process.returncode is None:
                    process.kill()
                await process.wait()
            for log in sorted(tmp_path.glob("worker*.log")):  # shown by pytest when the test fails
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
            await database.dispose()


async def submit_claims(
    state: Harness, world: Any, today: Any, payer_ids: list[str], count: int
) -> None:
    """``count`` claims spread over the payers' active members, accepted through the claim desk."""
    practice_id = await create_practice(state.database, *demo_practice(world))
    patients = await seed_practice_patients(state.database, practice_id, world, set(payer_ids))
    settings = GatewaySettings(database_url=state.database.url, cache_url="memory://")
    toml = payers_toml(world, {k: r.base_url for k, r in state.running.items()})
    services = build_services(settings, parse_payers_config(toml))
    desk = ClaimDesk(services.database, services.payers, eligibility_budget_seconds=0)
    try:
        members = [await billed(state.database, patients, world, p) for p in payer_ids]
        for n in range(count):
            who = members[n % len(members)]
            accepted = await desk.submit(
                practice_id, new_key(), office_visit(world, who, today, days_ago=1 + n % 60)
            )
            assert accepted.claim is not None, accepted.errors
            state.control_numbers[accepted.claim.control_number] = who.payer_id
    finally:
        assert services.claims is not None
        await services.claims.close()
        await services.payers.aclose()
        await services.database.dispose()


@pytest.mark.parametrize(
    "payers",
    [
        pytest.param(["lakeshore", "cascade"], id="rest"),
        # ~70 s on 2 cores alone: the X12 and FHIR sandboxes validate every claim with pyx12 /
        # fhir.resources; beside other tests in parallel it may take a few times that.
        pytest.param(
            ["lakeshore", "cascade", "northwind", "summit"],
            id="every-protocol",
            marks=[pytest.mark.slow, pytest.mark.timeout(900)],
        ),
    ],
)
async def test_two_dispatcher_processes_deliver_200_claims_each_exactly_once(
    postgres_url: str, world: Any, today: Any, tmp_path: Path, payers: list[str]
) -> None:
    async with harness(postgres_url, world, tmp_path, set(payers)) as state:
        await submit_claims(state, world, today, payers, 200)
        await state.start_worker()
        await state.start_worker()
        await state.wait_until_sent(200, timeout=600.0)
        received: dict[str, int] = {}
        for payer_id in payers:
            counts = await state.stats(payer_id)
            expected = {cn for cn, p in state.control_numbers.items() if p == payer_id}
            assert set(counts) == expected, payer_id
            received.update(counts)
        assert len(received) == 200 and set(received.values()) == {1}
        assert await state.outbox() == {"sent": 200}


async def test_a_dispatcher_killed_between_send_and_acknowledgment_loses_and_doubles_nothing(
    postgres_url: str, world: Any, today: Any, tmp_path: Path
) -> None:
    async with harness(postgres_url, world, tmp_path, {"lakeshore"}) as state:
        await submit_claims(state, world, today, ["lakeshore"], 60)
        async with httpx.AsyncClient() as client:  # slow answers keep a batch in flight for a while
            await client.put(
                f"{state.running['lakeshore'].base_url}/_control/faults",
                json={"latency_ms": 60, "operations": ["claim_submission"]},
            )
        worker = await state.start_worker()
        async with asyncio.timeout(30):
            while len(await state.stats("lakeshore")) < 10:
                await asyncio.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
        held_at_kill = len(await state.stats("lakeshore"))
        sent_at_kill = (await state.outbox()).get("sent", 0)
        assert held_at_kill > sent_at_kill  # the payer has claims we never recorded as acknowledged

        await state.start_worker()
        await state.wait_until_sent(60)
        counts = await state.stats("lakeshore")
        assert set(counts) == set(state.control_numbers)
        resent = {cn for cn, n in counts.items() if n > 1}
        assert resent and all(n <= 2 for n in counts.values())
        intake = state.running["lakeshore"].server.config.app.state.intake  # type: ignore[union-attr]
        held = [c.control_number for c in intake.received()]
        assert sorted(held) == sorted(state.control_numbers)  # the payer holds each claim once
        async with state.database.session() as session:
            notes = set(
                await session.scalars(
                    select(SubmittedClaim.control_number)
                    .join(ClaimStatusEntry)
                    .where(ClaimStatusEntry.message.like("The payer already had this claim%"))
                )
            )
        assert notes and notes <= resent


async def test_claims_wait_while_the_payer_is_down_then_all_arrive(
    postgres_url: str, world: Any, today: Any, tmp_path: Path
) -> None:
    async with harness(postgres_url, world, tmp_path, {"cascade"}) as state:
        await submit_claims(state, world, today, ["cascade"], 40)
        sandbox = state.running["cascade"]
        app, port = sandbox.server.config.app, sandbox.port
        await stop_server(sandbox)  # connection refused from now on
        await state.start_worker()
        async with asyncio.timeout(30):
            while True:
                async with state.database.session() as session:
                    waiting = await session.scalar(
                        select(func.count()).where(ClaimOutbox.last_error.is_not(None))
                    )
                if waiting == 40:
                    break
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        assert await state.outbox() == {"pending": 40}
        async with state.database.session() as session:
            errors = set(await session.scalars(select(ClaimOutbox.last_error)))
        assert errors <= {"PAYER_UNAVAILABLE", "PAYER_TIMEOUT"}

        state.running["cascade"] = await start_server("cascade", app, port=port)
        await state.wait_until_sent(40)
        counts = await state.stats("cascade")
        assert set(counts) == set(state.control_numbers) and set(counts.values()) == {1}
        await stop_server(state.running["cascade"])
