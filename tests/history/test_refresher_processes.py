"""Exactly once across processes, on PostgreSQL: two `payer-gateway worker` processes share the
claim history refresh of the same practice; each payer is asked once per member, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, update

from gateway.demo import demo_practice
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.history_tables import ClaimHistoryRefresh, PayerReportedClaim
from gateway.storage.tables import Coverage
from tests.claims.test_exactly_once import Harness, harness

PAYERS = ["lakeshore", "northwind", "summit"]  # REST, FHIR, and X12 (no claim search)


async def searches(state: Harness, payer_id: str) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{state.running[payer_id].base_url}/_control/stats")
    return int(response.json()["requests"].get("claim_search", 0))


async def test_two_workers_refresh_each_payer_once(
    postgres_url: str, world: Any, tmp_path: Path
) -> None:
    async with harness(postgres_url, world, tmp_path, set(PAYERS)) as state:
        practice_id = await create_practice(state.database, *demo_practice(world))
        await seed_practice_patients(state.database, practice_id, world, set(PAYERS))
        state.environ |= {
            "PAYER_GATEWAY_CLAIMS_HISTORY_TICK_SECONDS": "0.05",
            "PAYER_GATEWAY_CLAIMS_HISTORY_FIRST_REFRESH_SECONDS": "0",
            "PAYER_GATEWAY_CLAIMS_HISTORY_REFRESH_SECONDS": "3600",
            "PAYER_GATEWAY_CLAIMS_HISTORY_LEASE_SECONDS": "5",
        }
        async with httpx.AsyncClient() as client:  # slow answers: both workers see the rows due
            for payer_id in ("lakeshore", "northwind"):
                await client.put(
                    f"{state.running[payer_id].base_url}/_control/faults",
                    json={"latency_ms": 150, "operations": ["claim_search"]},
                )
        await state.start_worker()
        await state.start_worker()

        async def refreshes() -> dict[str, int]:
            async with state.database.session() as session:
                rows = await session.execute(
                    select(ClaimHistoryRefresh.payer_id, ClaimHistoryRefresh.refreshes)
                )
                return dict(rows.all())

        async with asyncio.timeout(60):
            while not (done := await refreshes()) or min(done.values()) < 1 or len(done) < 2:
                await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # many more ticks of both workers: nothing runs again

        assert await refreshes() == {"lakeshore": 1, "northwind": 1}  # no X12 refresh
        async with state.database.session() as session:
            members = dict(
                (
                    await session.execute(
                        select(Coverage.payer_id, func.count())
                        .where(Coverage.practice_id == practice_id)
                        .group_by(Coverage.payer_id)
                    )
                ).all()
            )
            stored = dict(
                (
                    await session.execute(
                        select(PayerReportedClaim.payer_id, func.count()).group_by(
                            PayerReportedClaim.payer_id
                        )
                    )
                ).all()
            )
        for payer_id in ("lakeshore", "northwind"):
            assert stored[payer_id] == sum(len(c) for c in world.books[payer_id].claims.values())
        # REST: one claim search per member. FHIR pages its searches, so its count is compared
        # with a refresh made by one worker alone: the same number, not twice it.
        assert await searches(state, "lakeshore") == members["lakeshore"]
        assert await searches(state, "summit") == 0
        both = await searches(state, "northwind")
        state.workers[1].kill()
        await state.workers[1].wait()
        async with state.database.transaction() as session:
            await session.execute(
                update(ClaimHistoryRefresh).values(next_refresh_at=datetime.now(UTC))
            )
        async with asyncio.timeout(60):
            while min((await refreshes()).values()) < 2:
                await asyncio.sleep(0.1)
        assert await searches(state, "northwind") == 2 * both
        assert await searches(state, "lakeshore") == 2 * members["lakeshore"]
