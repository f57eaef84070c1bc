"""Batch fixtures: an in-process gateway over metered sandbox payers, and a practice's cards to check."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.jobs.runner import BatchRunner
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.batch_tables import EligibilityCheck
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient
from payers.model import SubscriberRelation
from payers.registry import parse_payers_config
from payers.sandbox.launch import payers_toml, plan_sandboxes
from tests.batch.meter import EligibilityMeter
from tests.gateway.conftest import OTHER_PRACTICE, Gateway

REST_PAYER = "lakeshore"  # a sandbox REST payer

START = """
mutation Start($key: String!, $ids: [ID!], $day: Date, $types: [String!]) {
  checkEligibilityBatch(idempotencyKey: $key, patientIds: $ids, asOf: $day, serviceTypes: $types) {
    created skipped
    errors { code field message }
    batch { id status total done succeeded failed retrying
            byPayer { payer { id } total done succeeded failed retrying } }
  }
}"""

PROGRESS = """
query Progress($id: ID!) {
  batch(id: $id) { id status total done succeeded failed retrying startedAt finishedAt
                   byPayer { payer { id } total done succeeded failed retrying } }
}"""

#: Quick settings for tests: short leases, rests and backoffs (seconds).
FAST = {
    "PAYER_GATEWAY_BATCH_RUN_IN_GATEWAY": "false",
    "PAYER_GATEWAY_BATCH_IDLE_SECONDS": "0.05",
    "PAYER_GATEWAY_BATCH_LEASE_SECONDS": "3",
    "PAYER_GATEWAY_BATCH_RETRY_BASE_SECONDS": "0.2",
    "PAYER_GATEWAY_BATCH_RETRY_CAP_SECONDS": "0.5",
    "PAYER_GATEWAY_BATCH_PAYER_REST_SECONDS": "0.2",
}


def with_budget(toml: str, concurrency: int, rate: float) -> str:
    """A payers config whose payers all get this batch budget (the [defaults] section)."""
    return toml.replace(
        "[defaults]\n",
        f"[defaults]\nbatch_concurrency = {concurrency}\nbatch_rate_per_second = {rate}\n",
        1,
    )


@dataclass
class BatchGateway(Gateway):
    meters: dict[str, EligibilityMeter] | None = None

    async def start(self, patient_ids: list[str], key: str, **extra: Any) -> dict[str, Any]:
        answer = await self.query(START, {"key": key, "ids": patient_ids, **extra})
        assert "errors" not in answer, answer
        return answer["data"]["checkEligibilityBatch"]  # type: ignore[no-any-return]

    async def stats(self, payer_id: str) -> dict[str, Any]:
        """What a sandbox payer counted (/_control/stats)."""
        response = await self.sandbox(payer_id).get("/_control/stats")
        return response.json()  # type: ignore[no-any-return]

    async def progress(self, batch_id: str) -> dict[str, Any]:
        answer = await self.query(PROGRESS, {"id": batch_id})
        assert "errors" not in answer, answer
        return answer["data"]["batch"]  # type: ignore[no-any-return]


async def start_batch_gateway(
    database: Database,
    world: Any,
    tmp_path: Any,
    *,
    concurrency: int = 4,
    rate: float = 100.0,
    timeout_seconds: float = 2.0,
) -> AsyncIterator[BatchGateway]:
    plan = plan_sandboxes(world)
    os.environ.update(plan.environ)
    meters = {key: EligibilityMeter(app) for key, app in plan.apps.items()}
    toml = payers_toml(world, {key: f"http://{key}.sandbox" for key in plan.apps}, timeout_seconds)
    payer_settings = parse_payers_config(with_budget(toml, concurrency, rate))
    # Tests poll progress every 50 ms: lift the per-caller limits (their own tests cover them).
    settings = GatewaySettings(
        database_url=database.url,
        rate_limit_per_minute=100_000,
        anonymous_rate_limit_per_minute=100_000,
    )
    services = build_services(
        settings,
        payer_settings,
        transport_for=lambda s: httpx.ASGITransport(app=meters[s.id]),
    )
    assert services.batches is not None
    services.batches.runner.budget_dir = tmp_path / "budgets"
    practice_id = await create_practice(database, *demo_practice(world))
    patient_ids = await seed_practice_patients(database, practice_id, world, set(plan.apps))
    key = await create_api_key(database, practice_id, "tests")
    other_practice = await create_practice(database, *OTHER_PRACTICE)
    other_key = await create_api_key(database, other_practice, "other")
    other_ids = await seed_practice_patients(database, other_practice, world, set(plan.apps))
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)), base_url="http://gateway.test"
    )
    gateway = BatchGateway(
        client=client,
        services=services,
        key=key,
        practice_id=practice_id,
        patient_ids=patient_ids,
        sandbox_apps=plan.apps,
        other_key=other_key,
        other_patient_id=next(iter(other_ids.values())),
        other_practice_id=other_practice,
        meters=meters,
    )
    try:
        yield gateway
    finally:
        await client.aclose()
        for sandbox_client in gateway._sandbox_clients.values():
            await sandbox_client.aclose()
        await services.batches.close()
        await services.payers.aclose()
        await services.database.dispose()


@pytest.fixture
def fast_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def batch_gateway(
    fast_batches: None, database: Database, world: Any, tmp_path: Any
) -> AsyncIterator[BatchGateway]:
    async for running in start_batch_gateway(database, world, tmp_path):
        yield running


async def add_cards(
    database: Database, practice_id: str, world: Any, payer_id: str, count: int
) -> list[str]:
    """``count`` more patients of the practice, each with one card at ``payer_id`` that its sandbox
    knows (an active member's), each card with its own group number so the meter tells them apart."""
    member = next(
        m
        for m in world.books[payer_id].members.values()
        if m.active and m.relation == SubscriberRelation.SELF
    )
    person = member.person
    ids = []
    async with database.transaction() as session:
        for n in range(count):
            patient = Patient(
                practice_id=practice_id,
                first_name=person.first_name,
                last_name=person.last_name,
                birth_date=person.birth_date,
            )
            session.add(patient)
            await session.flush()
            ids.append(patient.id)
            session.add(
                Coverage(
                    practice_id=practice_id,
                    patient_id=patient.id,
                    payer_id=payer_id,
                    member_id=member.member_id,
                    group_number=f"BATCH-{n:05d}",
                    relation="self",
                    priority=1,
                )
            )
    return ids


@contextlib.asynccontextmanager
async def running(runner: BatchRunner) -> AsyncIterator[None]:
    """``runner`` working in the background, as in a worker process, until the block ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run_forever(stop))
    try:
        yield
    finally:
        stop.set()
        await task


async def until_finished(gateway: BatchGateway, batch_id: str, seconds: float = 60.0) -> dict:  # type: ignore[type-arg]
    async with asyncio.timeout(seconds):
        while (progress := await gateway.progress(batch_id))["status"] != "finished":
            await asyncio.sleep(0.05)
    return progress


async def checks_of(database: Database, batch_id: str) -> list[EligibilityCheck]:
    async with database.session() as session:
        return list(
            await session.scalars(
                select(EligibilityCheck).where(EligibilityCheck.batch_id == batch_id)
            )
        )
