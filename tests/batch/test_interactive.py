"""Interactive checks go first: while a batch keeps its payer's budget busy, a front desk's check
at the same payer answers as fast as with no batch running (measured)."""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

import pytest

from gateway.storage.database import Database
from tests.batch.conftest import REST_PAYER, add_cards, running, start_batch_gateway

CHECK = """query($id: ID!) { patient(id: $id) { eligibility(fresh: true) { active } } }"""


@pytest.mark.timed
async def test_an_interactive_check_does_not_wait_behind_a_batch(
    fast_batches: None, database: Database, world: Any, tmp_path: Any
) -> None:
    async for gateway in start_batch_gateway(database, world, tmp_path, concurrency=4, rate=1000):
        member = next(m for m in world.books[REST_PAYER].members.values() if m.active)
        patient_id = gateway.patient_ids[member.person.key]
        await gateway.faults(REST_PAYER, latency_ms=100)

        async def timed(gateway: Any = gateway, patient_id: str = patient_id) -> float:
            started = time.perf_counter()
            answer = await gateway.query(CHECK, {"id": patient_id})
            assert "errors" not in answer, answer
            return time.perf_counter() - started

        alone = [await timed() for _ in range(8)]
        cards = await add_cards(database, gateway.practice_id, world, REST_PAYER, 300)
        batches = gateway.services.batches
        assert batches is not None
        started = await gateway.start(cards, str(uuid.uuid4()))
        async with running(batches.runner):
            while (await gateway.progress(started["batch"]["id"]))["done"] < 8:
                pass
            during = [await timed() for _ in range(8)]
            progress = await gateway.progress(started["batch"]["id"])
        assert progress["status"] != "finished"  # measured while the batch was running
        assert gateway.meters[REST_PAYER].peak >= 4 + 1  # type: ignore[index]  # batch + ours
        baseline, busy = statistics.median(alone), statistics.median(during)
        print(
            f"interactive median alone {baseline * 1000:.0f} ms, during batch {busy * 1000:.0f} ms"
        )
        # Waiting behind the batch would cost whole rounds of its queue (296 checks, 4 at a time,
        # 100 ms each); sharing the machine with it costs a few ms. One payer round trip of slack
        # keeps the test true on a loaded CI machine and still fails on any queueing.
        assert busy < baseline + 0.1
