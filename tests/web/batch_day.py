"""Tomorrow's schedule for the batch pages' tests: the demo day, plus the sandbox people whose checks
leave work (Hank's coverage ended, Dario is not found, Petra's therapy needs an authorization)."""

from __future__ import annotations

from datetime import date, timedelta

from gateway.schedule import practice_today
from gateway.schedule.demo_day import seed_demo_schedule
from tests.gateway.conftest import Gateway
from tests.schedule.conftest import create, visit

THERAPY = {
    "visitType": "Physical therapy",
    "serviceTypes": ["PT"],
    "location": "Therapy suite",
    "procedures": [{"code": "97110", "units": "2", "charge": "90.00"}],
}


async def practice_tomorrow(gateway: Gateway) -> date:
    async with gateway.services.database.session() as session:
        return await practice_today(session, gateway.practice_id) + timedelta(days=1)


async def book_tomorrow(gateway: Gateway) -> date:
    """Book the demo day and the three people; the practice's tomorrow."""
    ids = gateway.patient_ids
    await seed_demo_schedule(gateway.services.database, gateway.practice_id, list(ids.values()))
    tomorrow = await practice_tomorrow(gateway)
    for person, clock, extra in (
        ("hank", "17:00", {}),
        ("dario", "17:15", {}),
        ("petra", "17:30", THERAPY),
    ):
        made = await create(gateway, visit(ids[person], tomorrow, clock, **extra))
        assert made["errors"] == [], made
    return tomorrow
