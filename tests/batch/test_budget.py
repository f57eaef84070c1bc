"""A batch never exceeds a payer's budget, as the sandbox payer counts it: checks in flight at once
(across processes on one machine) and checks started per second."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from gateway.jobs.budget import PayerBudget
from gateway.jobs.runner import BatchRunner
from gateway.storage.database import Database
from tests.batch.conftest import (
    REST_PAYER,
    add_cards,
    running,
    start_batch_gateway,
    until_finished,
)

HOLD = """
import sys, time
from pathlib import Path
from gateway.jobs.budget import PayerBudget
budget = PayerBudget(Path(sys.argv[1]), "lakeshore", 5, 10.0)
print(len(budget.take_slots(3)), flush=True)
time.sleep(600)
"""


def test_slots_are_shared_by_processes_and_freed_when_one_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "3"
        budget = PayerBudget(tmp_path, "lakeshore", 5, 10.0)
        assert len(budget.take_slots(5)) == 2  # the other process holds 3 of 5
        holder.kill()  # SIGKILL: no clean-up runs, the kernel drops the locks
        holder.wait()
        assert len(budget.take_slots(5)) == 3
        assert budget.held == 5
        budget.release_all()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


async def test_the_rate_schedule_spaces_starts(tmp_path: Path) -> None:
    budget = PayerBudget(tmp_path, "lakeshore", 5, 50.0)
    other = PayerBudget(tmp_path, "lakeshore", 5, 50.0)  # another process's view of the same files
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def start(b: PayerBudget) -> None:
        await b.pace()
        starts.append(loop.time())

    first = loop.time()
    await asyncio.gather(*(start(budget if n % 2 else other) for n in range(20)))
    # 20 starts at 50 a second: the last no sooner than 19 intervals after the first.
    assert max(starts) - first >= 19 / 50 - 0.02


async def test_two_runners_never_exceed_the_budget_at_the_payer(
    fast_batches: None, database: Database, world: Any, tmp_path: Path
) -> None:
    async for gateway in start_batch_gateway(database, world, tmp_path, concurrency=3, rate=1000):
        cards = await add_cards(database, gateway.practice_id, world, REST_PAYER, 40)
        await gateway.faults(REST_PAYER, latency_ms=40)
        batches = gateway.services.batches
        assert batches is not None
        second = BatchRunner(database, batches.payers, batches.settings)  # another worker's
        second.budget_dir = batches.runner.budget_dir  # on the same machine
        started = await gateway.start(cards, str(uuid.uuid4()))
        async with running(batches.runner), running(second):
            done = await until_finished(gateway, started["batch"]["id"])
        assert done["succeeded"] == 40
        stats = await gateway.stats(REST_PAYER)
        assert stats["requests"]["eligibility"] == 40
        # The budget was used and never exceeded, as the payer saw it.
        assert stats["peak_in_flight"]["eligibility"] == 3
        assert gateway.meters[REST_PAYER].peak == 3  # type: ignore[index]


async def test_a_batch_keeps_to_the_payers_rate(
    fast_batches: None, database: Database, world: Any, tmp_path: Path
) -> None:
    async for gateway in start_batch_gateway(database, world, tmp_path, concurrency=10, rate=20):
        cards = await add_cards(database, gateway.practice_id, world, REST_PAYER, 30)
        batches = gateway.services.batches
        assert batches is not None
        started = await gateway.start(cards, str(uuid.uuid4()))
        async with running(batches.runner):
            await until_finished(gateway, started["batch"]["id"])
        meter = gateway.meters[REST_PAYER]  # type: ignore[index]
        assert len(meter.arrivals) == 30
        # At 20 a second, no second-long window holds more than 21 starts (the window's ends).
        assert meter.most_started_within(1.0) <= 21
        assert max(meter.arrivals) - min(meter.arrivals) >= 29 / 20 - 0.05
