"""Importing a day's schedule from CSV and from a FHIR R4 Bundle: good rows kept, bad rows reported
with their line or entry and reason, the same file twice changes nothing, limits refuse whole files."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from gateway.schedule.limits import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from gateway.storage.schedule_tables import Appointment
from gateway.storage.tables import Coverage, Patient
from tests.gateway.conftest import Gateway
from tests.schedule.conftest import DAY, DOCTOR_NPI, practice_today

IMPORT = """
mutation($input: ImportScheduleInput!) {
  importSchedule(input: $input) {
    created updated unchanged refused
    rows { line entry outcome appointmentId errors { code field message } }
    errors { code field message }
  }
}"""
HEADER = (
    "appointment_id,patient_id,last_name,first_name,birth_date,member_id,date,time,"
    "provider_npi,location,visit_type,service_types,procedures,status"
)


async def run(gateway: Gateway, fmt: str, content: str, key: str | None = None) -> dict[str, Any]:
    body = await gateway.query(IMPORT, {"input": {"format": fmt, "content": content}}, key=key)
    assert "errors" not in body, body
    return body["data"]["importSchedule"]  # type: ignore[no-any-return]


async def patients(gateway: Gateway) -> list[Patient]:
    async with gateway.services.database.session() as session:
        return list(
            await session.scalars(
                select(Patient)
                .where(Patient.practice_id == gateway.practice_id)
                .order_by(Patient.last_name)
            )
        )


async def count(gateway: Gateway) -> int:
    async with gateway.services.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Appointment)) or 0)


def us(day: date) -> str:
    return day.strftime("%m/%d/%Y")


async def schedule_csv(gateway: Gateway, day: date) -> str:
    people = await patients(gateway)
    a, b, c = people[0], people[1], people[2]
    async with gateway.services.database.session() as session:
        member = await session.scalar(select(Coverage.member_id).where(Coverage.patient_id == c.id))
    lines = [
        HEADER,
        f"EHR-1,{a.id},,,,,{day.isoformat()},08:30,{DOCTOR_NPI},Main office,Office visit,98,99213:1:125.00,",
        # by name and birth date (US date), two procedures, two service types
        f'EHR-2,,{b.last_name.upper()},{b.first_name},{us(b.birth_date)},,{us(day)},9:15 AM,{DOCTOR_NPI},"Suite 2, east",Chiropractic,33;AE,98941;97110:2:90.00,booked',
        # by name, birth date and member id
        f"EHR-3,,{c.last_name},{c.first_name},{c.birth_date.isoformat()},{member},{day.isoformat()},10:00,{DOCTOR_NPI},,ECG,98,99214;93000,",
        # bad: an NPI with a wrong check digit and an unknown procedure
        f"EHR-4,{a.id},,,,,{day.isoformat()},11:00,1234567890,,Office visit,98,99999,",
        # bad: no such patient
        f"EHR-5,,Nobody,Placeholder,1970-01-01,,{day.isoformat()},11:30,{DOCTOR_NPI},,Office visit,98,,",
        # bad: a date that is no date, and a service type that is none
        f"EHR-6,{b.id},,,,,31/31/2026,12:00,{DOCTOR_NPI},,Office visit,QQ,,",
    ]
    return "\n".join(lines) + "\n"


async def test_csv_keeps_good_rows_reports_bad_ones_and_is_idempotent(gateway: Gateway) -> None:
    day = practice_today() + timedelta(days=1)
    content = await schedule_csv(gateway, day)
    report = await run(gateway, "CSV", content)
    assert report["errors"] == []
    assert (report["created"], report["refused"]) == (3, 3)
    by_line = {r["line"]: r for r in report["rows"]}
    assert [by_line[n]["outcome"] for n in (2, 3, 4)] == ["created"] * 3
    assert {(e["code"], e["field"][0]) for e in by_line[5]["errors"]} == {
        ("NPI_CHECK_DIGIT", "provider_npi"),
        ("PROCEDURE_UNKNOWN", "procedures"),
    }
    assert [e["code"] for e in by_line[6]["errors"]] == ["PATIENT_NOT_FOUND"]
    assert {e["code"] for e in by_line[7]["errors"]} == {"DATE_FORMAT", "SERVICE_TYPE_UNKNOWN"}
    listed = await gateway.query(DAY, {"date": day.isoformat()})
    assert [a["localTime"] for a in listed["data"]["appointments"]] == ["08:30", "09:15", "10:00"]

    again = await run(gateway, "CSV", content)
    assert (again["created"], again["updated"], again["unchanged"], again["refused"]) == (
        0,
        0,
        3,
        3,
    )
    assert await count(gateway) == 3
    # The EHR moved one appointment: the same id is brought up to date, not duplicated.
    moved = content.replace(",08:30,", ",08:45,")
    third = await run(gateway, "CSV", moved)
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 2)
    assert await count(gateway) == 3


async def test_csv_without_ids_is_kept_once_by_patient_and_start(gateway: Gateway) -> None:
    day = practice_today() + timedelta(days=1)
    a = (await patients(gateway))[0]
    content = "\n".join(
        [
            "patient_id,date,time,provider_npi,visit_type,service_types,procedures",
            f"{a.id},{day.isoformat()},13:00,{DOCTOR_NPI},Office visit,98,99213",
        ]
    )
    assert (await run(gateway, "CSV", content))["created"] == 1
    assert (await run(gateway, "CSV", content))["unchanged"] == 1
    assert await count(gateway) == 1


async def test_a_file_that_cannot_be_read_is_refused_whole(gateway: Gateway) -> None:
    no_header = await run(gateway, "CSV", "patient_id,date\nabc,2026-01-01\n")
    assert [e["code"] for e in no_header["errors"]] == ["CSV_HEADER"]
    assert "time" in no_header["errors"][0]["message"]
    assert no_header["rows"] == []
    empty = await run(gateway, "CSV", "")
    assert [e["code"] for e in empty["errors"]] == ["CSV_EMPTY"]
    not_json = await run(gateway, "FHIR_BUNDLE", "{not json")
    assert [e["code"] for e in not_json["errors"]] == ["FHIR_UNREADABLE"]
    not_bundle = await run(gateway, "FHIR_BUNDLE", json.dumps({"resourceType": "Patient"}))
    assert [e["code"] for e in not_bundle["errors"]] == ["FHIR_NOT_BUNDLE"]


async def test_size_limits_refuse_the_file_with_a_clear_error(gateway: Gateway) -> None:
    a = (await patients(gateway))[0]
    day = practice_today() + timedelta(days=1)
    header = "patient_id,date,time,provider_npi,visit_type,service_types"
    row = f"{a.id},{day.isoformat()},13:00,{DOCTOR_NPI},Office visit,98"
    too_many = "\n".join([header, *[row] * (MAX_IMPORT_ROWS + 1)])
    assert len(too_many.encode()) < MAX_IMPORT_BYTES
    refused = await run(gateway, "CSV", too_many)
    assert [e["code"] for e in refused["errors"]] == ["TOO_MANY_ROWS"]
    assert str(MAX_IMPORT_ROWS) in refused["errors"][0]["message"]
    too_big = header + "\n" + row + "," + "x" * MAX_IMPORT_BYTES
    refused = await run(gateway, "CSV", too_big)
    assert [e["code"] for e in refused["errors"]] == ["FILE_TOO_LARGE"]
    assert await count(gateway) == 0


def fhir_bundle(people: list[Patient], day: date) -> dict[str, Any]:
    a, b = people[0], people[1]
    start = f"{day.isoformat()}T09:00:00-05:00"

    def appointment(ident: str, patient_ref: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "resourceType": "Appointment",
            "id": ident,
            "identifier": [{"system": "urn:ehr:appointment", "value": f"FHIR-{ident}"}],
            "status": "booked",
            "appointmentType": {"text": "Office visit"},
            "serviceType": [
                {"coding": [{"system": "https://x12.org/codes/service-type-codes", "code": "98"}]}
            ],
            "start": start,
            "participant": [
                {"actor": patient_ref, "status": "accepted"},
                {
                    "actor": {
                        "reference": "Practitioner/dr1",
                        "display": "Dr. Placeholder",
                    },
                    "status": "accepted",
                },
                {"actor": {"reference": "Location/loc1"}, "status": "accepted"},
            ],
            "basedOn": [{"reference": "#sr1"}],
            "contained": [
                {
                    "resourceType": "ServiceRequest",
                    "id": "sr1",
                    "status": "active",
                    "intent": "order",
                    "subject": patient_ref,
                    "code": {
                        "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]
                    },
                    "quantityQuantity": {"value": 1},
                }
            ],
            **extra,
        }

    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:6c1a5ad2-0f0e-4b8e-9d8e-1b2c3d4e5f60",
                "resource": {
                    "resourceType": "Patient",
                    "id": "p-b",
                    "name": [{"family": b.last_name, "given": [b.first_name]}],
                    "birthDate": b.birth_date.isoformat(),
                },
            },
            {
                "resource": {
                    "resourceType": "Practitioner",
                    "id": "dr1",
                    "identifier": [
                        {"system": "http://hl7.org/fhir/sid/us-npi", "value": DOCTOR_NPI}
                    ],
                }
            },
            {"resource": {"resourceType": "Location", "id": "loc1", "name": "Main office"}},
            # 3: by our patient id, given as a logical reference
            {
                "resource": appointment(
                    "a1",
                    {
                        "identifier": {"system": "urn:payer-gateway:patient-id", "value": a.id},
                        "type": "Patient",
                    },
                )
            },
            # 4: by demographics of a Patient in the Bundle, referenced by fullUrl
            {
                "resource": appointment(
                    "a2", {"reference": "urn:uuid:6c1a5ad2-0f0e-4b8e-9d8e-1b2c3d4e5f60"}
                )
            },
            # 5: bad: no start and an unknown service type
            {
                "resource": {
                    **appointment(
                        "a3",
                        {"reference": "Patient/p-b"},
                        serviceType=[{"coding": [{"code": "QQ"}]}],
                    ),
                    "start": None,
                }
            },
            # 6: bad: not valid FHIR (status is no code of the value set's shape)
            {"resource": {**appointment("a4", {"reference": "Patient/p-b"}), "participant": "x"}},
            # 7: bad: a contained patient nobody registered
            {
                "resource": appointment(
                    "a5",
                    {"reference": "#pt"},
                    contained=[
                        {
                            "resourceType": "Patient",
                            "id": "pt",
                            "name": [{"family": "Unregistered", "given": ["Sample"]}],
                            "birthDate": "1961-02-03",
                        }
                    ],
                    basedOn=[],
                )
            },
        ],
    }


async def test_fhir_bundle_keeps_good_entries_reports_bad_ones_and_is_idempotent(
    gateway: Gateway,
) -> None:
    day = practice_today() + timedelta(days=1)
    bundle = json.dumps(fhir_bundle(await patients(gateway), day))
    report = await run(gateway, "FHIR_BUNDLE", bundle)
    assert report["errors"] == []
    by_entry = {r["entry"]: r for r in report["rows"]}
    assert sorted(by_entry) == [3, 4, 5, 6, 7]
    assert by_entry[3]["outcome"] == by_entry[4]["outcome"] == "created"
    assert {(e["code"], e["field"][0]) for e in by_entry[5]["errors"]} == {
        ("REQUIRED", "start"),
        ("SERVICE_TYPE_UNKNOWN", "serviceType"),
    }
    assert [e["code"] for e in by_entry[6]["errors"]] == ["FHIR_INVALID"]
    assert [e["code"] for e in by_entry[7]["errors"]] == ["PATIENT_NOT_FOUND"]
    one = await gateway.query(
        "query($id: ID!) { appointment(id: $id) { localTime providerNpi location externalId "
        "procedures { procedure { code } units } } }",
        {"id": by_entry[3]["appointmentId"]},
    )
    made = one["data"]["appointment"]
    # 09:00 at -05:00 is 09:00 in New York in winter, 10:00 in summer (EDT).
    assert made["localTime"] in {"09:00", "10:00"}
    assert made["providerNpi"] == DOCTOR_NPI
    assert made["location"] == "Main office"
    assert made["externalId"] == "FHIR-a1"
    assert made["procedures"] == [{"procedure": {"code": "99213"}, "units": "1"}]
    again = await run(gateway, "FHIR_BUNDLE", bundle)
    assert (again["created"], again["unchanged"], again["refused"]) == (0, 2, 3)
    assert await count(gateway) == 2
