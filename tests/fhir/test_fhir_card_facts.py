"""The FHIR payer's card and EOB facts through the gateway's GraphQL API: a Coverage's type,
network, classes and copays (costToBeneficiary), and a claim payment's precedence, focal coverage,
process notes and findings, from the sandbox FHIR payer (Northwind)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.identity import ELIGIBILITY_READ, PATIENTS_READ, create_api_key
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

PAYER = "northwind"
THEO, GRETA = "NWB700314562", "NWB118830574"
CARD = """query Card($id: ID!) { patient(id: $id) {
  eligibility(serviceTypes: ["98", "UC"]) { payer { id } active findings { code }
    plan { groupNumber network dependent coverageType { code description }
      classes { type { code description } value name } }
    benefits { kind code { system code description } amount network
      serviceTypes { code } exceptions { type { code } start end } } }
} }"""
PAID = """query Paid($id: ID!) { patient(id: $id) {
  payments { payer { id } payments { traceNumber claims { payerClaimId precedence
    subType { code } accident { occurredOn } focalCoverage { coverage preAuthRefs }
    processNotes { number type text } findings { code location expected actual } } } }
} }"""


def _patient(gateway: Gateway, world: Any, member_id: str) -> str:
    for key in world.people:
        if any(m.member_id == member_id for m in world.coverages_of(key)):
            return gateway.patient_ids[key]
    raise AssertionError(f"no person holds {member_id}")


def _northwind(answers: list[dict[str, Any]]) -> dict[str, Any]:
    return next(a for a in answers if a and a["payer"]["id"] == PAYER)


async def test_card_type_network_classes_and_copays(
    gateway: Gateway, people: People, world: Any
) -> None:
    body = await gateway.query(
        CARD, {"id": _patient(gateway, world, THEO)}, key=people.biller.token
    )
    assert "errors" not in body, body.get("errors")
    answer = _northwind(body["data"]["patient"]["eligibility"])
    assert answer["active"] is True and answer["findings"] == []
    plan = answer["plan"]
    assert plan["groupNumber"] == "0072215" and plan["network"] == "Northwind Blue network"
    assert plan["coverageType"] == {"code": "HIP", "description": "health insurance plan policy"}
    assert plan["dependent"] == "01"  # Theo is the subscriber
    assert [(c["type"]["code"], c["value"]) for c in plan["classes"]] == [
        ("group", "0072215"),
        ("plan", "NWB-ADV-PPO"),
        ("rxbin", "999001"),
        ("rxpcn", f"SBX{world.books[PAYER].payer_number}"),
        ("rxgroup", "0072215"),
    ]
    assert plan["classes"][0]["name"] == "Heron Logistics LLC"
    assert plan["classes"][2]["type"]["description"] == "RX BIN"
    card = [b for b in answer["benefits"] if b["code"]["system"] == "fhir-copay-type"]
    assert [
        (b["kind"], b["code"]["code"], b["code"]["description"], Decimal(b["amount"])) for b in card
    ] == [
        ("COPAY", "gpvisit", "GP Office Visit", Decimal("30.00")),
        ("COPAY", "urgentcare", "Urgent Care", Decimal("75.00")),
    ]
    assert [[s["code"] for s in b["serviceTypes"]] for b in card] == [["98"], ["UC"]]
    assert all(b["exceptions"] == [] for b in card)


async def test_claim_payment_precedence_focal_coverage_and_process_notes(
    gateway: Gateway, people: People, world: Any
) -> None:
    patient_id = _patient(gateway, world, GRETA)
    body = await gateway.query(PAID, {"id": patient_id}, key=people.biller.token)
    assert "errors" not in body, body.get("errors")
    payments = _northwind(body["data"]["patient"]["payments"])["payments"]
    claims = [c for p in payments for c in p["claims"]]
    assert len(claims) == 2
    assert {c["precedence"] for c in claims} == {1}
    assert {c["focalCoverage"]["coverage"] for c in claims} == {f"Coverage/c-{GRETA.lower()}"}
    assert all(c["focalCoverage"]["preAuthRefs"] == [] for c in claims)
    assert all(c["subType"] is None and c["accident"] is None for c in claims)
    # the sandbox's EOBs balance: no finding
    assert all(c["findings"] == [] for c in claims)
    notes = sorted((n["number"], n["type"], n["text"]) for c in claims for n in c["processNotes"])
    assert notes == [(1, "display", "Patient ineligible for this service.")]


async def test_process_notes_need_phi(gateway: Gateway, people: People, world: Any) -> None:
    body = await gateway.query(
        PAID, {"id": _patient(gateway, world, GRETA)}, key=people.analyst.token
    )
    forbidden = {
        tuple(e["path"][-2:]) for e in body.get("errors", []) if "processNotes" in e["path"]
    }
    assert forbidden, body.get("errors")
    payments = _northwind(body["data"]["patient"]["payments"])["payments"]
    claims = [c for p in payments for c in p["claims"]]
    assert claims and all(c["processNotes"] is None for c in claims)
    assert all(c["precedence"] == 1 for c in claims)  # not PHI: still answered


async def test_dependent_number_needs_phi(gateway: Gateway, world: Any) -> None:
    kiosk = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "eligibility kiosk",
        frozenset({ELIGIBILITY_READ, PATIENTS_READ}),
    )
    body = await gateway.query(CARD, {"id": _patient(gateway, world, THEO)}, key=kiosk)
    denied = [e for e in body.get("errors", []) if e["path"][-1] == "dependent"]
    assert denied and denied[0]["extensions"]["code"] == "FORBIDDEN"
    plan = _northwind(body["data"]["patient"]["eligibility"])["plan"]
    assert plan["dependent"] is None and plan["network"] == "Northwind Blue network"
