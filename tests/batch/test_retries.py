"""Retryable failures (payer down, AAA 42) are retried with backoff until the payer answers, and end
as failures with the payer's code when the retry window closes; every attempt is counted once."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from gateway.storage.batch_tables import EligibilityBatch
from gateway.storage.database import Database
from tests.batch.conftest import (
    REST_PAYER,
    BatchGateway,
    add_cards,
    checks_of,
    running,
    until_finished,
)


async def _until(gateway: BatchGateway, batch_id: str, test: Any, seconds: float = 30.0) -> dict:  # type: ignore[type-arg]
    async with asyncio.timeout(seconds):
        while not test(progress := await gateway.progress(batch_id)):
            await asyncio.sleep(0.05)
    return progress


async def test_a_payer_down_for_part_of_the_batch_then_back(
    batch_gateway: BatchGateway, database: Database, world: Any
) -> None:
    gateway = batch_gateway
    batches = gateway.services.batches
    assert batches is not None
    cards = await add_cards(database, gateway.practice_id, world, REST_PAYER, 30)
    # Slow enough answers (30 checks, 4 at a time, 200 ms each: about 1.5 s) that the payer is
    # still needed when it goes down, however busy the machine running the test is.
    await gateway.faults(REST_PAYER, latency_ms=200)
    started = await gateway.start(cards, str(uuid.uuid4()))
    batch_id = started["batch"]["id"]
    async with running(batches.runner):
        await _until(gateway, batch_id, lambda p: p["done"] >= 8)
        await gateway.faults(REST_PAYER, error_rate=1.0)  # the payer goes down mid-batch
        down = await _until(gateway, batch_id, lambda p: p["retrying"] > 0)
        assert down["status"] == "running" and down["done"] < 30
        await asyncio.sleep(1.0)  # down for a while: the batch rests and backs off
        await gateway.faults(REST_PAYER)  # back
        done = await until_finished(gateway, batch_id)
    assert done["succeeded"] == 30 and done["failed"] == 0 and done["retrying"] == 0
    checks = await checks_of(database, batch_id)
    assert any(c.attempts > 1 for c in checks)
    # Every attempt reached the payer once: the payer counted as many requests as were recorded.
    stats = await gateway.stats(REST_PAYER)
    assert stats["requests"]["eligibility"] == sum(c.attempts for c in checks)
    # While down, the batch rested instead of spraying the payer with every remaining check.
    assert stats["faults_injected"]["error"] < 30


async def test_aaa_42_is_retried_until_the_payer_answers(
    batch_gateway: BatchGateway, database: Database
) -> None:
    gateway = batch_gateway
    batches = gateway.services.batches
    assert batches is not None
    x12 = "summit"  # the X12 sandbox: a 271 with AAA*Y**42*R
    patients = list(gateway.patient_ids.values())
    await gateway.faults(x12, busy=True, busy_reason="42")
    started = await gateway.start(patients, str(uuid.uuid4()))
    batch_id = started["batch"]["id"]
    async with running(batches.runner):
        busy = await _until(
            gateway,
            batch_id,
            lambda p: any(x["payer"]["id"] == x12 and x["retrying"] > 0 for x in p["byPayer"]),
        )
        assert busy["status"] == "running"
        waiting = [c for c in await checks_of(database, batch_id) if c.payer_id == x12]
        asked = [c for c in waiting if c.state == "pending" and c.attempts > 0]
        assert asked and {c.last_error for c in asked} == {"PAYER_UNAVAILABLE"}
        await gateway.faults(x12)
        done = await until_finished(gateway, batch_id)
    assert done["retrying"] == 0
    summit = [c for c in await checks_of(database, batch_id) if c.payer_id == x12]
    # Every check ended with the payer's own answer: a benefit list, or (Dario's mistyped member
    # id) member not found; none with the busy reason it was retried for.
    assert summit and any(c.state == "succeeded" for c in summit)
    assert {c.error_code for c in summit if c.state != "succeeded"} <= {"MEMBER_NOT_FOUND"}
    assert any(c.attempts > 1 for c in summit)


async def test_the_retry_window_ends_with_the_payers_code(
    batch_gateway: BatchGateway, database: Database, world: Any
) -> None:
    gateway = batch_gateway
    batches = gateway.services.batches
    assert batches is not None
    batches.settings = replace(batches.settings, retry_window_seconds=1.5)
    cards = await add_cards(database, gateway.practice_id, world, REST_PAYER, 6)
    await gateway.faults(REST_PAYER, error_rate=1.0)  # down, and stays down
    started = await gateway.start(cards, str(uuid.uuid4()))
    batch_id = started["batch"]["id"]
    async with running(batches.runner):
        done = await until_finished(gateway, batch_id, seconds=30)
    assert done["failed"] == 6 and done["succeeded"] == 0
    checks = await checks_of(database, batch_id)
    for check in checks:
        assert check.state == "failed" and check.error_code == "PAYER_UNAVAILABLE"
        assert check.finished_at is not None and check.result is None
    # Retried while the window was open (once the batch's breaker opened, without calling the
    # payer), given up when the next try would fall after it; every call counted by the payer.
    stats = await gateway.stats(REST_PAYER)
    assert stats["requests"]["eligibility"] == sum(c.attempts for c in checks) >= 5
    async with database.session() as session:
        batch = await session.get(EligibilityBatch, batch_id)
    assert batch is not None and batch.finished_at is not None
    assert (batch.retry_until - batch.created_at).total_seconds() == 1.5
    last = max(c.finished_at for c in checks if c.finished_at)
    settings = batches.settings
    cap = timedelta(seconds=settings.retry_cap_seconds)
    # Not given up early: the last try ended within one backoff of the window's end. Nor kept on:
    # the last try was due inside the window, began when the runner next looked for due checks
    # (every idle_seconds; later on a loaded machine), took at most the payer's deadline and was
    # written within flush_seconds.
    payer = gateway.services.payers.get(REST_PAYER)
    assert payer is not None
    deadline = payer.settings.timeout_seconds
    latest = batch.retry_until + timedelta(
        seconds=settings.idle_seconds + deadline + settings.flush_seconds
    )
    assert batch.retry_until - cap <= last <= latest
