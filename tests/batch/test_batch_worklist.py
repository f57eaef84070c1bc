"""A schedule day's batch, run by the batch runner over the sandbox payers, leaves its worklist:
each person's case lands as its kind, written once with the stored result, and "plan changed" is
measured against the last check (else the card on file)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select

from gateway.jobs.worklist_hook import write_worklists
from gateway.storage.batch_tables import EligibilityCheck
from gateway.storage.worklist_tables import WorklistItemRow
from tests.batch.conftest import BatchGateway
from tests.schedule.conftest import create, practice_today, visit

BY_DAY = """
mutation($key: String!, $day: Date!) {
  checkEligibilityBatch(idempotencyKey: $key, scheduleDate: $day) {
    errors { code } batch { id total }
  }
}"""

WORKLIST = """
query($batch: ID!) {
  batchWorklist(batchId: $batch, first: 100) {
    items { kind patient { lastName } endDate procedures { code } changes { field before after } }
  }
}"""

THERAPY = {"serviceTypes": ["PT"], "visitType": "Physical therapy"}


async def _items(gateway: BatchGateway, batch_id: str) -> list[dict[str, Any]]:
    answer = await gateway.query(WORKLIST, {"batch": batch_id})
    assert "errors" not in answer, answer
    return answer["data"]["batchWorklist"]["items"]  # type: ignore[no-any-return]


async def _worklist(gateway: BatchGateway, batch_id: str) -> set[tuple[str, str]]:
    return {(i["kind"], i["patient"]["lastName"]) for i in await _items(gateway, batch_id)}


async def _run_day(gateway: BatchGateway, day: Any) -> str:
    answer = await gateway.query(BY_DAY, {"key": str(uuid.uuid4()), "day": day.isoformat()})
    assert "errors" not in answer and answer["data"]["checkEligibilityBatch"]["errors"] == []
    batch_id: str = answer["data"]["checkEligibilityBatch"]["batch"]["id"]
    await gateway.services.batches.runner.run_until_idle()  # type: ignore[union-attr]
    return batch_id


async def test_tomorrows_batch_leaves_each_case_on_the_worklist(
    batch_gateway: BatchGateway,
) -> None:
    gateway = batch_gateway
    tomorrow = practice_today() + timedelta(days=1)
    ids = gateway.patient_ids
    for n, person in enumerate(("rosa", "hank", "dario", "elsie", "harriet")):
        made = await create(gateway, visit(ids[person], tomorrow, f"{8 + n:02d}:00"))
        assert made["errors"] == [], made
    therapy = visit(
        ids["petra"], tomorrow, "15:00", procedures=[{"code": "97110", "units": "2"}], **THERAPY
    )
    assert (await create(gateway, therapy))["errors"] == []

    batch_id = await _run_day(gateway, tomorrow)
    found = await _worklist(gateway, batch_id)
    assert {
        ("PLAN_CHANGED", "Hypothetical"),  # Rosa's card on file names her old employer's group
        ("COVERAGE_ENDED", "Nocard"),
        ("MEMBER_NOT_FOUND", "Standin"),
        ("DEDUCTIBLE_REMAINING", "Exemplar"),
        ("AUTH_REQUIRED", "Pretend"),  # 97110 at Summit needs prior authorization
    } <= found
    # Nobody but the people booked tomorrow lands there.
    assert {name for _, name in found} <= {
        "Hypothetical",
        "Nocard",
        "Standin",
        "Exemplar",
        "Pretend",
        "Example",
    }

    # Handing the same checks over again (a crash, a lease taken over) writes nothing new.
    async with gateway.services.database.transaction() as session:
        checks = list(await session.scalars(select(EligibilityCheck.id)))
        assert await write_worklists(session, checks) == 0
    async with gateway.services.database.session() as session:
        rows = await session.scalar(select(func.count()).select_from(WorklistItemRow))
    assert rows == len(await _items(gateway, batch_id))  # Harriet's two cards: two items

    # The runner classified the answers it held in memory; the stored results say the same.
    async with gateway.services.database.transaction() as session:
        await session.execute(delete(WorklistItemRow))
        assert await write_worklists(session, checks) == rows
    assert await _worklist(gateway, batch_id) == found

    # The next day's batch compares Rosa with her last check, which already saw the new group.
    after = tomorrow + timedelta(days=1)
    assert (await create(gateway, visit(ids["rosa"], after)))["errors"] == []
    again = await _worklist(gateway, await _run_day(gateway, after))
    assert ("PLAN_CHANGED", "Hypothetical") not in again
