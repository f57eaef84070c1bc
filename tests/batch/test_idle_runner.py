"""A batch runner with nothing to write does not wake its writer (a serving process's idle CPU).

Its results writer used to wake every ``flush_seconds`` (20 times a second) to find nothing to
write: about half of an idle gateway's CPU (bench note in the README). Now the first outcome after a
write wakes it, and results are still written in groups.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from gateway.storage.database import Database
from tests.batch.conftest import REST_PAYER, BatchGateway, add_cards, running, until_finished

pytestmark = pytest.mark.asyncio


def count_flushes(runner: object, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the runner's writer flushed (``[n]``), observed, not replaced."""
    flushes = [0]
    flush = runner._flush  # type: ignore[attr-defined]

    async def counted() -> None:
        flushes[0] += 1
        await flush()

    monkeypatch.setattr(runner, "_flush", counted)
    return flushes


async def test_an_idle_runner_does_not_wake_its_writer(
    batch_gateway: BatchGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = batch_gateway.services.batches.runner
    flushes = count_flushes(runner, monkeypatch)
    async with running(runner):
        await asyncio.sleep(20 * runner.settings.flush_seconds)
        idle = flushes[0]
    assert idle == 0


async def test_results_still_arrive_in_groups_once_checks_run(
    batch_gateway: BatchGateway, database: Database, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = batch_gateway.services.batches.runner
    flushes = count_flushes(runner, monkeypatch)
    cards = await add_cards(database, batch_gateway.practice_id, world, REST_PAYER, 40)
    started = await batch_gateway.start(cards, str(uuid.uuid4()))
    async with running(runner):
        progress = await until_finished(batch_gateway, started["batch"]["id"])
        written = flushes[0]
    assert progress["done"] == progress["succeeded"] == 40
    # Every result was written, in fewer flushes than results: they went in groups.
    assert 1 <= written < 40
