"""Correcting patients and cards, ending cards, and catching a patient registered twice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from gateway.identity import PATIENTS_READ, PATIENTS_WRITE, create_api_key
from gateway.storage.audit_tables import AuditEvent
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

REGISTER = """mutation($input: RegisterPatientInput!) { registerPatient(input: $input) {
  patient { id lastName coverages { id payer { id } memberId priority effectiveTo } }
  existingPatient { id lastName } errors { code field message } } }"""
UPDATE = """mutation($input: UpdatePatientInput!) { updatePatient(input: $input) {
  patient { id firstName lastName birthDate phone gender address { city state postalCode } }
  existingPatient { id } errors { code field message } } }"""
UPDATE_CARD = """mutation($input: UpdateCoverageInput!) { updateCoverage(input: $input) {
  coverage { id memberId groupNumber priority relation subscriber { firstName } effectiveTo }
  errors { code field message } } }"""
END_CARD = """mutation($id: ID!, $end: Date!) { endCoverage(id: $id, endDate: $end) {
  coverage { id effectiveTo } errors { code field message } } }"""
ADD = """mutation($input: AddCoverageInput!) { addCoverage(input: $input) {
  coverage { id priority } errors { code field message } } }"""
CARDS = """query($id: ID!) { patient(id: $id) {
  coverages { id payer { id } memberId effectiveTo }
  eligibility { payer { id } source endedOn } } }"""


def _person(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "firstName": "Marta",
        "lastName": "Quillfeather",
        "birthDate": "1979-11-23",
        "phone": "555-010-2020",
        "address": {"line1": "4 Mill Ln", "city": "Elmridge", "state": "OH", "postalCode": "43999"},
        "coverages": [
            {"payerId": "lakeshore", "memberId": "LHP-771", "priority": 1},
            {"payerId": "cascade", "memberId": "CMI-772", "priority": 2},
        ],
    }
    base.update(overrides)
    return base


async def _register(gateway: Gateway, **overrides: Any) -> dict[str, Any]:
    body = await gateway.query(REGISTER, {"input": _person(**overrides)})
    payload = body["data"]["registerPatient"]
    assert payload["errors"] == [], payload["errors"]
    return payload["patient"]  # type: ignore[no-any-return]


def _codes(payload: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["code"], ".".join(e["field"])) for e in payload["errors"]}


async def _audit(gateway: Gateway, kind: str) -> list[AuditEvent]:
    async with gateway.services.database.session() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


async def test_a_patient_registered_twice_is_offered_as_the_existing_one(gateway: Gateway) -> None:
    first = await _register(gateway)
    body = await gateway.query(
        REGISTER,
        {"input": _person(firstName=" marta ", lastName="QUILLFEATHER", coverages=[])},
    )
    payload = body["data"]["registerPatient"]
    assert payload["patient"] is None
    assert _codes(payload) == {("DUPLICATE_PATIENT", "input")}
    assert payload["existingPatient"] == {"id": first["id"], "lastName": "Quillfeather"}
    offered = [r for r in await _audit(gateway, "phi.read") if r.patient_id == first["id"]]
    assert any("RegisterPatientPayload.existingPatient" in r.fields for r in offered)
    # Another person with the same name and birth date: the desk confirms it.
    body = await gateway.query(REGISTER, {"input": _person(coverages=[], allowDuplicate=True)})
    assert body["data"]["registerPatient"]["patient"]["id"] != first["id"]


async def test_the_duplicate_check_is_per_practice_and_no_oracle_without_phi_read(
    gateway: Gateway,
) -> None:
    await _register(gateway)
    other = await gateway.query(REGISTER, {"input": _person(coverages=[])}, key=gateway.other_key)
    assert other["data"]["registerPatient"]["errors"] == []  # another practice's patient: unseen
    writer = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "intake",
        frozenset({PATIENTS_READ, PATIENTS_WRITE}),
    )
    blind = await gateway.query(REGISTER, {"input": _person(coverages=[])}, key=writer)
    payload = blind["data"]["registerPatient"]
    # Without phi:read, "already a patient here" would be PHI: not checked, nothing revealed.
    assert payload["errors"] == [] and payload["existingPatient"] is None


async def test_the_same_card_twice_in_one_registration_is_an_edit_error(gateway: Gateway) -> None:
    card = {"payerId": "lakeshore", "memberId": "LHP-771", "priority": 1}
    again = {"payerId": "lakeshore", "memberId": "lhp-771", "priority": 2}
    body = await gateway.query(REGISTER, {"input": _person(coverages=[card, again])})
    assert _codes(body["data"]["registerPatient"]) == {
        ("DUPLICATE_COVERAGE", "input.coverages.1.memberId")
    }


async def test_update_patient_corrects_what_is_given_and_audits_which_fields(
    gateway: Gateway,
) -> None:
    patient = await _register(gateway)
    body = await gateway.query(
        UPDATE,
        {"input": {"id": patient["id"], "lastName": "Quill-Feather", "phone": None, "gender": "F"}},
    )
    payload = body["data"]["updatePatient"]
    assert payload["errors"] == []
    assert payload["patient"] == {
        "id": patient["id"],
        "firstName": "Marta",
        "lastName": "Quill-Feather",
        "birthDate": "1979-11-23",
        "phone": None,
        "gender": "F",
        "address": {"city": "Elmridge", "state": "OH", "postalCode": "43999"},
    }
    [event] = await _audit(gateway, "patient.updated")
    assert event.detail == {"patient": patient["id"], "fields": "gender,last_name,phone"}
    assert "Quill" not in str(event.detail)  # the trail names fields, never their values


async def test_update_patient_runs_registration_edits_and_catches_duplicates(
    gateway: Gateway,
) -> None:
    patient = await _register(gateway)
    twin = await _register(gateway, firstName="Marten", coverages=[])
    body = await gateway.query(
        UPDATE,
        {
            "input": {
                "id": patient["id"],
                "firstName": None,
                "birthDate": "2999-01-01",
                "phone": "12",
                "address": {"state": "Ohio"},
            }
        },
    )
    assert _codes(body["data"]["updatePatient"]) == {
        ("REQUIRED", "input.firstName"),
        ("DATE_IN_FUTURE", "input.birthDate"),
        ("INVALID_PHONE", "input.phone"),
        ("INVALID_STATE", "input.address.state"),
    }
    body = await gateway.query(UPDATE, {"input": {"id": twin["id"], "firstName": "MARTA"}})
    payload = body["data"]["updatePatient"]
    assert _codes(payload) == {("DUPLICATE_PATIENT", "input")}
    assert payload["existingPatient"] == {"id": patient["id"]}
    unchanged = await gateway.query(UPDATE, {"input": {"id": twin["id"]}})
    assert unchanged["data"]["updatePatient"]["patient"]["firstName"] == "Marten"


async def test_ids_of_another_practice_are_not_found_and_scopes_are_enforced(
    gateway: Gateway, people: People
) -> None:
    patient = await _register(gateway)
    card_id = patient["coverages"][0]["id"]
    outsider = gateway.other_key
    body = await gateway.query(
        UPDATE, {"input": {"id": patient["id"], "lastName": "X"}}, key=outsider
    )
    assert _codes(body["data"]["updatePatient"]) == {("NOT_FOUND", "input.id")}
    body = await gateway.query(
        UPDATE_CARD, {"input": {"id": card_id, "memberId": "Z9"}}, key=outsider
    )
    assert _codes(body["data"]["updateCoverage"]) == {("NOT_FOUND", "input.id")}
    body = await gateway.query(END_CARD, {"id": card_id, "end": "2024-01-31"}, key=outsider)
    assert _codes(body["data"]["endCoverage"]) == {("NOT_FOUND", "id")}
    for query, variables, field in (
        (UPDATE, {"input": {"id": patient["id"], "lastName": "X"}}, "updatePatient"),
        (UPDATE_CARD, {"input": {"id": card_id, "memberId": "Z9"}}, "updateCoverage"),
        (END_CARD, {"id": card_id, "end": "2024-01-31"}, "endCoverage"),
    ):
        body = await gateway.query(query, variables, key=people.analyst.token)
        assert body["data"][field] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    check = await gateway.query(CARDS, {"id": patient["id"]})
    cards = check["data"]["patient"]["coverages"]
    assert [c["memberId"] for c in cards] == ["LHP-771", "CMI-772"]
    assert all(c["effectiveTo"] is None for c in cards)


async def test_update_coverage_corrects_a_card_with_the_card_edits(gateway: Gateway) -> None:
    patient = await _register(gateway)
    primary, secondary = (c["id"] for c in patient["coverages"])
    body = await gateway.query(
        UPDATE_CARD, {"input": {"id": primary, "memberId": " lhp-7710 ", "groupNumber": "g-5"}}
    )
    payload = body["data"]["updateCoverage"]
    assert payload["errors"] == []
    assert (payload["coverage"]["memberId"], payload["coverage"]["groupNumber"]) == (
        "LHP-7710",
        "G-5",
    )
    body = await gateway.query(
        UPDATE_CARD,
        {"input": {"id": secondary, "memberId": "!", "priority": 1, "relation": "CHILD"}},
    )
    assert _codes(body["data"]["updateCoverage"]) == {
        ("INVALID_MEMBER_ID", "input.memberId"),
        ("DUPLICATE_PRIORITY", "input.priority"),
        ("REQUIRED", "input.subscriber"),
    }
    body = await gateway.query(UPDATE_CARD, {"input": {"id": secondary, "priority": None}})
    assert _codes(body["data"]["updateCoverage"]) == {("REQUIRED", "input.priority")}


async def test_a_correction_colliding_with_another_card_is_duplicate_coverage(
    gateway: Gateway,
) -> None:
    patient = await _register(
        gateway,
        coverages=[
            {"payerId": "lakeshore", "memberId": "LHP-771", "priority": 1},
            {"payerId": "lakeshore", "memberId": "LHP-990", "priority": 2},
        ],
    )
    second = patient["coverages"][1]["id"]
    body = await gateway.query(UPDATE_CARD, {"input": {"id": second, "memberId": "lhp-771"}})
    assert _codes(body["data"]["updateCoverage"]) == {("DUPLICATE_COVERAGE", "input.memberId")}


async def test_an_ended_card_is_kept_not_asked_and_frees_its_priority(gateway: Gateway) -> None:
    patient = await _register(gateway)
    primary = patient["coverages"][0]["id"]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    body = await gateway.query(
        UPDATE_CARD, {"input": {"id": primary, "effectiveFrom": "2020-01-01"}}
    )
    assert body["data"]["updateCoverage"]["errors"] == []
    body = await gateway.query(END_CARD, {"id": primary, "end": "2019-12-31"})
    assert _codes(body["data"]["endCoverage"]) == {("INVALID_PERIOD", "endDate")}
    body = await gateway.query(END_CARD, {"id": primary, "end": yesterday})
    assert body["data"]["endCoverage"] == {
        "coverage": {"id": primary, "effectiveTo": yesterday},
        "errors": [],
    }
    body = await gateway.query(CARDS, {"id": patient["id"]})
    cards = body["data"]["patient"]
    assert [c["effectiveTo"] for c in cards["coverages"]] == [yesterday, None]  # kept
    # Only the card in force is asked (our made-up member is not found there: an error naming it);
    # the ended card is answered from the practice's record, inactive with its end date.
    from_record = [a for a in cards["eligibility"] if a and a["source"] == "PRACTICE_RECORD"]
    assert [a["endedOn"] for a in from_record] == [yesterday]
    asked = {a["payer"]["id"] for a in cards["eligibility"] if a and a["source"] == "PAYER"}
    asked |= {e["extensions"]["payer"] for e in body.get("errors", [])}
    assert asked == {"cascade"}
    new_primary = {"payerId": "summit", "memberId": "SHP-1", "priority": 1}
    body = await gateway.query(
        ADD, {"input": {"patientId": patient["id"], "coverage": new_primary}}
    )
    assert body["data"]["addCoverage"]["errors"] == []
