"""Another practice's appointments and patients never resolve; the practice's day is its own clock's
(around midnight and across zones); scopes: reading needs patients:read, writing patients:write."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gateway.identity import PATIENTS_READ, create_api_key
from gateway.schedule import appointments_for_day, day_bounds, practice_today
from gateway.schedule.edits import on_the_clock
from tests.gateway.conftest import Gateway
from tests.schedule.conftest import DAY, create, set_zone, visit

ONE = "query($id: ID!) { appointment(id: $id) { id } }"
CANCEL = "mutation($id: ID!) { cancelAppointment(input: {id: $id}) { errors { code } } }"


async def test_other_practices_appointments_and_patients_do_not_resolve(gateway: Gateway) -> None:
    day = date.today() + timedelta(days=5)
    mine = next(iter(gateway.patient_ids.values()))
    made = (await create(gateway, visit(mine, day)))["appointment"]
    # Their key: my appointment is as missing as one that does not exist.
    assert (await gateway.query(ONE, {"id": made["id"]}, key=gateway.other_key))["data"] == {
        "appointment": None
    }
    theirs_day = await gateway.query(DAY, {"date": day.isoformat()}, key=gateway.other_key)
    assert theirs_day["data"]["appointments"] == []
    cancel = await gateway.query(CANCEL, {"id": made["id"]}, key=gateway.other_key)
    assert cancel["data"]["cancelAppointment"]["errors"] == [{"code": "NOT_FOUND"}]
    # My key cannot book their patient.
    booked = await create(gateway, visit(gateway.other_patient_id, day, "11:00"))
    assert [e["code"] for e in booked["errors"]] == ["PATIENT_NOT_FOUND"]
    # An import naming their patient's id does not reach them.
    csv = (
        "patient_id,date,time,provider_npi,visit_type,service_types\n"
        f"{gateway.other_patient_id},{day.isoformat()},12:00,1234567893,Office visit,98\n"
    )
    report = await gateway.query(
        "mutation($c: String!) { importSchedule(input: {format: CSV, content: $c}) "
        "{ rows { errors { code } } } }",
        {"c": csv},
    )
    assert report["data"]["importSchedule"]["rows"][0]["errors"] == [{"code": "PATIENT_NOT_FOUND"}]


async def test_reading_needs_patients_read_and_writing_patients_write(gateway: Gateway) -> None:
    reader = await create_api_key(
        gateway.services.database, gateway.practice_id, "reader", frozenset({PATIENTS_READ})
    )
    day = date.today() + timedelta(days=5)
    listed = await gateway.query(DAY, {"date": day.isoformat()}, key=reader)
    assert listed["data"]["appointments"] == []
    refused = await gateway.query(
        "mutation($i: AppointmentInput!) { createAppointment(input: $i) { errors { code } } }",
        {"i": visit(next(iter(gateway.patient_ids.values())), day)},
        key=reader,
    )
    assert refused["data"]["createAppointment"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_late_evening_appointment_is_on_the_practice_day_not_the_utc_day(
    gateway: Gateway,
) -> None:
    await set_zone(gateway, "America/Los_Angeles")
    patient = next(iter(gateway.patient_ids.values()))
    day = date.today() + timedelta(days=10)
    late = (await create(gateway, visit(patient, day, "23:30")))["appointment"]
    early = (await create(gateway, visit(patient, day + timedelta(days=1), "00:15")))["appointment"]
    # 11:30 PM in Los Angeles is the next day in UTC; it stays on the practice's day.
    assert datetime.fromisoformat(late["startsAt"]).date() == day + timedelta(days=1)
    assert late["localDate"] == day.isoformat()
    on_day = await gateway.query(DAY, {"date": day.isoformat()})
    assert [a["id"] for a in on_day["data"]["appointments"]] == [late["id"]]
    next_day = await gateway.query(DAY, {"date": (day + timedelta(days=1)).isoformat()})
    assert [a["id"] for a in next_day["data"]["appointments"]] == [early["id"]]
    async with gateway.services.database.session() as session:
        assert [a.id for a in await appointments_for_day(session, gateway.practice_id, day)] == [
            late["id"]
        ]
        # At 06:30 UTC it is already tomorrow in UTC but still today in Los Angeles.
        now = datetime.combine(day + timedelta(days=1), time(6, 30), tzinfo=UTC)
        assert await practice_today(session, gateway.practice_id, now) == day
    # The same instant for a practice in New York is the next day.
    await set_zone(gateway, "America/New_York")
    on_day = await gateway.query(DAY, {"date": day.isoformat()})
    assert on_day["data"]["appointments"] == []


def test_days_around_daylight_saving_changes() -> None:
    zone = ZoneInfo("America/New_York")
    start, end = day_bounds(date(2026, 3, 8), zone)  # clocks go forward: a 23-hour day
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(date(2026, 11, 1), zone)  # clocks go back: a 25-hour day
    assert end - start == timedelta(hours=25)
    assert on_the_clock(date(2026, 3, 8), time(2, 30), zone) is None  # skipped
    assert on_the_clock(date(2026, 3, 8), time(3, 30), zone) is not None


async def test_demo_practice_gets_a_plausible_today_and_tomorrow(gateway: Gateway) -> None:
    from gateway.schedule.demo_day import seed_demo_schedule

    ids = list(gateway.patient_ids.values())
    assert await seed_demo_schedule(gateway.services.database, gateway.practice_id, ids) == 24
    assert await seed_demo_schedule(gateway.services.database, gateway.practice_id, ids) == 0
    async with gateway.services.database.session() as session:
        today = await practice_today(session, gateway.practice_id)
        for day in (today, today + timedelta(days=1)):
            booked = await appointments_for_day(session, gateway.practice_id, day)
            assert 10 <= len(booked) <= 15
            codes = {p.code for a in booked for p in a.procedures}
            assert {"99213", "99214", "97110", "98941", "93000"} & codes
