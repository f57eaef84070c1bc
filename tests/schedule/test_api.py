"""Appointments through the API: book, read a day, edit, cancel; every edit error at its field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from gateway.schedule import appointments_for_day
from tests.gateway.conftest import Gateway
from tests.schedule.conftest import DAY, DOCTOR_NPI, create, practice_today, visit

UPDATE = """
mutation($input: UpdateAppointmentInput!) {
  updateAppointment(input: $input) {
    appointment { id localTime visitType serviceTypes { code } procedures { procedure { code } units charge } status }
    errors { code field message }
  }
}"""
CANCEL = """
mutation($id: ID!) { cancelAppointment(input: {id: $id}) {
  appointment { id status } errors { code field message } } }"""
ONE = "query($id: ID!) { appointment(id: $id) { id status localDate localTime } }"


async def test_booked_appointment_reads_back_with_codes_money_and_the_practice_day(
    gateway: Gateway,
) -> None:
    patient = next(iter(gateway.patient_ids.values()))
    tomorrow = practice_today() + timedelta(days=1)
    answer = await create(
        gateway,
        visit(
            patient,
            tomorrow,
            "2:15 PM",
            serviceTypes=["33", "ae"],
            procedures=[
                {"code": "98941", "units": "1", "charge": "65.00"},
                {"code": "97110", "units": "2"},
            ],
            visitType="Chiropractic adjustment",
        ),
    )
    assert answer["errors"] == []
    made = answer["appointment"]
    assert made["localDate"] == tomorrow.isoformat()
    assert made["localTime"] == "14:15"
    assert made["startsAt"].endswith("+00:00")
    assert made["status"] == "BOOKED"
    assert made["patient"] == {"id": patient}
    assert made["serviceTypes"] == [
        {"code": "33", "description": "Chiropractic"},
        {"code": "AE", "description": "Physical Medicine"},
    ]
    assert [p["procedure"]["code"] for p in made["procedures"]] == ["98941", "97110"]
    assert made["procedures"][0]["charge"] == "65.00"
    assert made["procedures"][1] == {
        "procedure": {"code": "97110", "description": "Therapeutic exercise, each 15 minutes"},
        "units": "2",
        "charge": None,
    }
    day = await gateway.query(DAY, {"date": tomorrow.isoformat()})
    assert [a["id"] for a in day["data"]["appointments"]] == [made["id"]]
    # The service interface other parts use answers the same appointment, with Decimal money.
    async with gateway.services.database.session() as session:
        values = await appointments_for_day(session, gateway.practice_id, tomorrow)
    assert [v.id for v in values] == [made["id"]]
    assert values[0].procedures[0].charge == Decimal("65.00")
    assert values[0].service_types == ("33", "AE")
    assert values[0].starts_at.utcoffset() is not None
    assert values[0].starts_at.hour == 14


async def test_a_day_is_sorted_by_time(gateway: Gateway) -> None:
    patients = list(gateway.patient_ids.values())
    day = practice_today() + timedelta(days=2)
    for patient, time in zip(patients, ["15:00", "08:00", "11:45"], strict=False):
        assert (await create(gateway, visit(patient, day, time)))["errors"] == []
    answer = await gateway.query(DAY, {"date": day.isoformat()})
    assert [a["localTime"] for a in answer["data"]["appointments"]] == ["08:00", "11:45", "15:00"]


async def test_every_problem_is_reported_at_its_field_and_nothing_is_written(
    gateway: Gateway,
) -> None:
    patient = next(iter(gateway.patient_ids.values()))
    day = practice_today() + timedelta(days=1)
    answer = await create(
        gateway,
        visit(
            patient,
            day,
            "25:61",
            providerNpi="1234567890",
            visitType=" ",
            serviceTypes=["ZZZ"],
            procedures=[
                {"code": "9921", "units": "1"},
                {"code": "99999", "units": "0"},
                {"code": "93000", "charge": "10.005"},
            ],
        ),
    )
    assert answer["appointment"] is None
    found = {(e["code"], ".".join(e["field"])) for e in answer["errors"]}
    assert found == {
        ("TIME_FORMAT", "input.time"),
        ("NPI_CHECK_DIGIT", "input.providerNpi"),
        ("REQUIRED", "input.visitType"),
        ("SERVICE_TYPE_UNKNOWN", "input.serviceTypes.0"),
        ("PROCEDURE_FORMAT", "input.procedures.0.code"),
        ("PROCEDURE_UNKNOWN", "input.procedures.1.code"),
        ("UNITS_INVALID", "input.procedures.1.units"),
        ("CHARGE_INVALID", "input.procedures.2.charge"),
    }
    assert all(e["message"] for e in answer["errors"])
    day_list = await gateway.query(DAY, {"date": day.isoformat()})
    assert day_list["data"]["appointments"] == []


async def test_npi_format_unknown_patient_and_empty_service_types(gateway: Gateway) -> None:
    day = practice_today() + timedelta(days=1)
    answer = await create(
        gateway,
        visit("00000000-0000-4000-8000-000000000000", day, providerNpi="12345", serviceTypes=[]),
    )
    codes = {e["code"] for e in answer["errors"]}
    assert codes == {"PATIENT_NOT_FOUND", "NPI_FORMAT", "SERVICE_TYPES_REQUIRED"}


async def test_the_same_patient_cannot_be_booked_twice_at_one_time_until_cancelled(
    gateway: Gateway,
) -> None:
    patient = next(iter(gateway.patient_ids.values()))
    day = practice_today() + timedelta(days=3)
    first = await create(gateway, visit(patient, day, "10:00"))
    again = await create(gateway, visit(patient, day, "10:00"))
    assert again["appointment"] is None
    assert [(e["code"], e["field"]) for e in again["errors"]] == [
        ("PATIENT_ALREADY_BOOKED", ["input", "time"])
    ]
    cancelled = await gateway.query(CANCEL, {"id": first["appointment"]["id"]})
    assert cancelled["data"]["cancelAppointment"]["appointment"]["status"] == "CANCELLED"
    rebooked = await create(gateway, visit(patient, day, "10:00"))
    assert rebooked["errors"] == []
    listed = await gateway.query(DAY, {"date": day.isoformat()})
    assert sorted(a["status"] for a in listed["data"]["appointments"]) == ["BOOKED", "CANCELLED"]
    async with gateway.services.database.session() as session:
        live = await appointments_for_day(session, gateway.practice_id, day)
    assert [v.id for v in live] == [rebooked["appointment"]["id"]]


async def test_update_replaces_the_appointment_and_checks_it_the_same_way(
    gateway: Gateway,
) -> None:
    patient = next(iter(gateway.patient_ids.values()))
    day = practice_today() + timedelta(days=1)
    made = (await create(gateway, visit(patient, day)))["appointment"]
    changed = visit(
        patient,
        day,
        "16:40",
        visitType="ECG and follow-up",
        serviceTypes=["98", "4"],
        procedures=[{"code": "99214"}, {"code": "93000", "charge": "45.00"}],
        status="ARRIVED",
    )
    answer = await gateway.query(UPDATE, {"input": {"id": made["id"], "appointment": changed}})
    updated = answer["data"]["updateAppointment"]
    assert updated["errors"] == []
    assert updated["appointment"]["localTime"] == "16:40"
    assert updated["appointment"]["status"] == "ARRIVED"
    assert [p["procedure"]["code"] for p in updated["appointment"]["procedures"]] == [
        "99214",
        "93000",
    ]
    assert updated["appointment"]["procedures"][0]["units"] == "1"
    bad = {**changed, "providerNpi": DOCTOR_NPI[:-1] + "0"}
    refused = await gateway.query(UPDATE, {"input": {"id": made["id"], "appointment": bad}})
    errors = refused["data"]["updateAppointment"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("NPI_CHECK_DIGIT", ["input", "appointment", "providerNpi"])
    ]
    still = await gateway.query(ONE, {"id": made["id"]})
    assert still["data"]["appointment"]["localTime"] == "16:40"


async def test_unknown_ids_are_not_found(gateway: Gateway) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await gateway.query(ONE, {"id": missing}))["data"]["appointment"] is None
    answer = await gateway.query(CANCEL, {"id": missing})
    assert answer["data"]["cancelAppointment"]["errors"][0]["code"] == "NOT_FOUND"
    malformed = await gateway.query(ONE, {"id": "nope"})
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
