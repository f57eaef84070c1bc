"""Schedule fixtures: the gateway over the sandbox payers (tests/gateway), and the practice's clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from gateway.storage.database import Database
from gateway.storage.tables import Practice
from tests.gateway.conftest import Gateway, start_gateway

DOCTOR_NPI = "1234567893"  # valid check digit
OTHER_NPI = "1245319599"

CREATE = """
mutation($input: AppointmentInput!) {
  createAppointment(input: $input) {
    appointment { id startsAt localDate localTime providerNpi location visitType status externalId
      patient { id }
      serviceTypes { code description }
      procedures { procedure { code description } units charge } }
    errors { code field message }
  }
}"""

DAY = """
query($date: Date!) {
  appointments(date: $date) { id localTime startsAt status visitType patient { id lastName } }
}"""


@pytest.fixture
async def gateway(database: Database, world: Any) -> AsyncIterator[Gateway]:
    async for running in start_gateway(database, world):
        yield running


def practice_today(zone: str = "America/New_York") -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()


async def set_zone(gateway: Gateway, zone: str, practice_id: str | None = None) -> None:
    async with gateway.services.database.transaction() as session:
        await session.execute(
            update(Practice)
            .where(Practice.id == (practice_id or gateway.practice_id))
            .values(time_zone=zone)
        )


def visit(patient_id: str, day: date, time: str = "09:30", **extra: Any) -> dict[str, Any]:
    return {
        "patientId": patient_id,
        "date": day.isoformat(),
        "time": time,
        "providerNpi": DOCTOR_NPI,
        "visitType": "Office visit, established patient",
        "serviceTypes": ["98"],
        "location": "Main office",
        "procedures": [{"code": "99213", "units": "1", "charge": "125.00"}],
        **extra,
    }


async def create(gateway: Gateway, input: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    body = await gateway.query(CREATE, {"input": input}, key=key)
    assert "errors" not in body, body
    return body["data"]["createAppointment"]  # type: ignore[no-any-return]
