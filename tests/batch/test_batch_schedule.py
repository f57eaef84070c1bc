"""checkEligibilityBatch(scheduleDate): the patients booked on the practice's day, cancelled visits
and other practices' books left out; an empty day is refused with its own code."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from gateway.storage.batch_tables import EligibilityCheck
from gateway.storage.tables import Coverage
from tests.batch.conftest import BatchGateway
from tests.schedule.conftest import create, practice_today, visit

BY_DAY = """
mutation($key: String!, $day: Date!) {
  checkEligibilityBatch(idempotencyKey: $key, scheduleDate: $day) {
    created errors { code field message }
    batch { id total scheduleDate }
  }
}"""

CANCEL = """
mutation($id: ID!) { cancelAppointment(input: {id: $id}) { errors { code } } }"""


async def _by_day(gateway: BatchGateway, day: Any, key: str | None = None) -> dict[str, Any]:
    answer = await gateway.query(
        BY_DAY, {"key": str(uuid.uuid4()), "day": day.isoformat()}, key=key
    )
    assert "errors" not in answer, answer
    return answer["data"]["checkEligibilityBatch"]  # type: ignore[no-any-return]


async def test_a_schedule_day_checks_the_booked_patients_only(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    tomorrow = practice_today() + timedelta(days=1)
    patients = list(gateway.patient_ids.values())
    booked, cancelled, elsewhere = patients[:3], patients[3], patients[4]
    for n, patient_id in enumerate(booked):
        made = await create(gateway, visit(patient_id, tomorrow, f"{9 + n:02d}:00"))
        assert made["errors"] == [], made
    gone = await create(gateway, visit(cancelled, tomorrow, "14:00"))
    answer = await gateway.query(CANCEL, {"id": gone["appointment"]["id"]})
    assert answer["data"]["cancelAppointment"]["errors"] == []
    # A visit booked the day after is not on tomorrow's list.
    await create(gateway, visit(elsewhere, tomorrow + timedelta(days=1)))

    started = await _by_day(gateway, tomorrow)
    assert started["errors"] == [] and started["created"] is True
    assert started["batch"]["scheduleDate"] == tomorrow.isoformat()

    async with gateway.services.database.session() as session:
        checked = set(
            await session.scalars(
                select(EligibilityCheck.coverage_id).where(
                    EligibilityCheck.batch_id == started["batch"]["id"]
                )
            )
        )
        cards = list(await session.scalars(select(Coverage).where(Coverage.patient_id.in_(booked))))
    in_force = {c.id for c in cards if c.effective_to is None or c.effective_to >= tomorrow}
    assert checked and checked <= in_force
    assert started["batch"]["total"] == len(checked)
    owners = {c.patient_id for c in cards if c.id in checked}
    assert owners <= set(booked) and cancelled not in owners and elsewhere not in owners


async def test_an_empty_day_is_refused_and_nothing_is_written(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    empty = practice_today() + timedelta(days=30)
    # Another practice's visit on the day does not count for this one.
    theirs = await create(gateway, visit(gateway.other_patient_id, empty), key=gateway.other_key)
    assert theirs["errors"] == [], theirs
    refused = await _by_day(gateway, empty)
    assert refused["batch"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("NO_APPOINTMENTS", ["scheduleDate"])
    ]
    async with gateway.services.database.session() as session:
        assert list(await session.scalars(select(EligibilityCheck.id))) == []
