"""Other coverage a payer reports becomes a COB hint on the patient; an ended card answers inactive
with its end date, from the payer (per protocol) or from the practice's record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from gateway.storage.coverage_hint_tables import CoverageHint
from tests.gateway.conftest import Gateway

ELIGIBILITY = """
query($id: ID!) {
  patient(id: $id) {
    eligibility { payer { id } active endedOn source plan { end } benefits { kind } }
  }
}
"""
HINTS = """
query($id: ID!) {
  patient(id: $id) {
    otherCoverageHints {
      reportedBy { id } otherPayerName otherPayerId memberId startDate
      firstSeenAt lastSeenAt matchingPayer { id }
    }
  }
}
"""
CARDS = "query($id: ID!) { patient(id: $id) { coverages { id payer { id } effectiveTo } } }"
ADD = """
mutation($input: AddCoverageInput!) { addCoverage(input: $input) { errors { code } } }
"""
UPDATE = """
mutation($input: UpdateCoverageInput!) { updateCoverage(input: $input) { errors { code } } }
"""


async def eligibility(gateway: Gateway, person: str, **kw: Any) -> dict[str, Any]:
    answer = await gateway.query(ELIGIBILITY, {"id": gateway.patient_ids[person]}, **kw)
    assert "errors" not in answer, answer
    return {e["payer"]["id"]: e for e in answer["data"]["patient"]["eligibility"]}


async def test_other_coverage_in_an_x12_271_becomes_a_hint_once(gateway: Gateway) -> None:
    patient_id = gateway.patient_ids["olive"]
    assert (await gateway.query(HINTS, {"id": patient_id}))["data"]["patient"][
        "otherCoverageHints"
    ] == []
    await eligibility(gateway, "olive")
    [hint] = (await gateway.query(HINTS, {"id": patient_id}))["data"]["patient"][
        "otherCoverageHints"
    ]
    assert hint["reportedBy"]["id"] == "summit"
    assert (hint["otherPayerName"], hint["otherPayerId"], hint["memberId"]) == (
        "Cascade Mutual Insurance",
        "CMI77",
        "CMI8842017701",
    )
    assert hint["matchingPayer"] == {"id": "cascade"}
    await gateway.query(
        ELIGIBILITY.replace("eligibility", "eligibility(fresh: true)"), {"id": patient_id}
    )
    [again] = (await gateway.query(HINTS, {"id": patient_id}))["data"]["patient"][
        "otherCoverageHints"
    ]
    assert again["firstSeenAt"] == hint["firstSeenAt"] and again["lastSeenAt"] >= hint["lastSeenAt"]
    async with gateway.services.database.session() as session:
        assert await session.scalar(select(func.count()).select_from(CoverageHint)) == 1
    # Another practice sees none of it, even for its own Olive.
    other = await gateway.query(HINTS, {"id": patient_id}, key=gateway.other_key)
    assert other["data"]["patient"] is None


async def test_a_card_ended_in_the_practices_record_answers_inactive_from_the_record(
    gateway: Gateway,
) -> None:
    # Samuel's Lakeshore card (REST) and Greta's Northwind card (FHIR) were ended on the file.
    for person, payer_id in (("samuel", "lakeshore"), ("greta", "northwind")):
        answer = (await eligibility(gateway, person))[payer_id]
        assert answer["active"] is False and answer["source"] == "PRACTICE_RECORD"
        assert answer["endedOn"] == answer["plan"]["end"] is not None
        assert [b["kind"] for b in answer["benefits"]] == ["INACTIVE"]
    asked = (await gateway.sandbox("lakeshore").get("/_control/stats")).json()["requests"]
    assert asked.get("eligibility", 0) == 0  # the record answered; the payer was not asked


async def test_an_ended_card_the_payer_reports_has_its_end_date_per_protocol(
    gateway: Gateway, world: Any
) -> None:
    # The practice's file says nothing of an end: the payer's answer carries it.
    cases = [("samuel", "lakeshore"), ("greta", "northwind"), ("nora", "cascade")]
    for person, payer_id in cases:
        cards = (await gateway.query(CARDS, {"id": gateway.patient_ids[person]}))["data"]
        card = next(c for c in cards["patient"]["coverages"] if c["payer"]["id"] == payer_id)
        change = {"id": card["id"], "effectiveTo": None}
        if person == "nora":  # her new Summit card is primary now
            change["priority"] = 2
        assert (await gateway.query(UPDATE, {"input": change}))["data"]["updateCoverage"][
            "errors"
        ] == []
    greta_x12 = {"payerId": "summit", "memberId": "SHA118830582", "priority": 2}
    added = await gateway.query(
        ADD, {"input": {"patientId": gateway.patient_ids["greta"], "coverage": greta_x12}}
    )
    assert added["data"]["addCoverage"]["errors"] == []
    for person, payer_id in [*cases, ("greta", "summit")]:
        answer = (await eligibility(gateway, person))[payer_id]
        member = next(m for m in world.books[payer_id].members.values() if m.person.key == person)
        assert answer["active"] is False, (person, payer_id)
        assert answer["source"] == "PAYER"
        assert answer["endedOn"] == member.plan.end.isoformat(), (person, payer_id)
