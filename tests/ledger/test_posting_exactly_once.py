"""Exactly once, on PostgreSQL, with real processes: two `payer-gateway worker` processes pull the same
practice's remittances from the same sandbox payers (on loopback sockets) again and again, one is
killed in the middle of a fetch, and every remittance and claim payment is stored once."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from gateway.demo import demo_practice
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.ledger_tables import Remittance, RemittanceClaim, RemittancePull
from gateway.storage.tables import Practice
from tests.claims.test_exactly_once import Harness, harness

PAYERS = ["lakeshore", "cascade", "summit"]


async def ledger(state: Harness) -> tuple[dict[tuple[str, str], int], int]:
    """Remittances stored per (payer, trace), and the claim payments stored."""
    async with state.database.session() as session:
        rows = await session.execute(
            select(Remittance.payer_id, Remittance.trace_number, func.count()).group_by(
                Remittance.payer_id, Remittance.trace_number
            )
        )
        stored = {(payer, trace): n for payer, trace, n in rows}
        claims = await session.scalar(select(func.count()).select_from(RemittanceClaim)) or 0
    return stored, claims


async def pulled_since(state: Harness, moment: datetime) -> bool:
    async with state.database.session() as session:
        pulls = list(await session.scalars(select(RemittancePull)))
    return len(pulls) >= len(PAYERS) and all(
        p.last_pulled_at is not None and p.last_pulled_at > moment for p in pulls
    )


async def test_two_workers_and_a_kill_post_each_remittance_once(
    postgres_url: str, world: Any, tmp_path: Path
) -> None:
    async with harness(postgres_url, world, tmp_path, set(PAYERS)) as state:
        practice_id = await create_practice(state.database, *demo_practice(world))
        await seed_practice_patients(state.database, practice_id, world, set(PAYERS))
        async with state.database.session() as session:
            npi = await session.scalar(select(Practice.npi).where(Practice.id == practice_id))
        expected = {
            (payer_id, p.trace_number): len(p.claims)
            for payer_id in PAYERS
            for p in world.books[payer_id].payments_for(None, None)
            if p.payee_npi in (None, npi)
        }
        assert expected
        state.environ |= {
            "PAYER_GATEWAY_CLAIMS_REMITTANCE_TICK_SECONDS": "0.05",
            "PAYER_GATEWAY_CLAIMS_REMITTANCE_PULL_SECONDS": "0.3",  # pull again and again
            "PAYER_GATEWAY_CLAIMS_REMITTANCE_LEASE_SECONDS": "2",
        }
        async with httpx.AsyncClient() as client:  # slow answers keep fetches in flight at the kill
            for payer_id in PAYERS:
                await client.put(
                    f"{state.running[payer_id].base_url}/_control/faults",
                    json={"latency_ms": 250, "operations": ["payments"]},
                )

        doomed = await state.start_worker()
        await state.start_worker()
        async with asyncio.timeout(60):
            while not (await ledger(state))[0]:
                await asyncio.sleep(0.02)
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()

        async with asyncio.timeout(90):
            while set((await ledger(state))[0]) != set(expected):
                await asyncio.sleep(0.1)
            # Every payer pulled again after everything was in: repeats post nothing.
            moment = datetime.now(UTC)
            while not await pulled_since(state, moment):
                await asyncio.sleep(0.1)

        stored, claims = await ledger(state)
        assert stored == dict.fromkeys(expected, 1)
        assert claims == sum(expected.values())
        async with state.database.session() as session:
            pulls = list(await session.scalars(select(RemittancePull)))
        assert {p.payer_id for p in pulls} == set(PAYERS)
        assert all(p.attempts == 0 and p.last_error is None for p in pulls)
