"""``rawExchange``: the payer's own words on eligibility results and claim statuses, for callers
holding phi:read and claims:read only, each read audited; anyone else gets FORBIDDEN at that path
and the rest of the answer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.identity import ELIGIBILITY_READ, PATIENTS_READ, PHI_READ, create_api_key
from gateway.storage.audit_tables import AuditEvent
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

RAW = """query Raw($id: ID!) { patient(id: $id) {
  eligibility { payer { id } active rawExchange { protocol request response contentType fetchedAt } }
  claims(status: ALL) { payer { id } claims { controlNumber totalCharge
    status { state rawExchange { protocol response contentType } } } }
} }"""
ANALYST = """query($id: ID!) { patient(id: $id) {
  claims(status: ALL) { claims { controlNumber totalCharge status { state rawExchange { protocol } } } }
} }"""


def _person_with_searchable_claims(gateway: Gateway, world: Any) -> str:
    """Someone covered by several sandbox payers, with claims at one that offers claim search."""
    for key in world.people:
        members = [m for m in world.coverages_of(key) if m.payer_key in gateway.sandbox_apps]
        searchable = [
            m
            for m in members
            if world.books[m.payer_key].protocol != "x12"
            and world.books[m.payer_key].claims_of(m.member_id)
        ]
        if len(members) >= 2 and searchable:
            return str(key)
    raise AssertionError("the sandbox world has no such person")


async def _phi_reads(gateway: Gateway, patient_id: str) -> list[set[str]]:
    async with gateway.services.database.session() as session:
        rows = await session.scalars(
            select(AuditEvent).where(
                AuditEvent.kind == "phi.read", AuditEvent.patient_id == patient_id
            )
        )
        return [set(r.fields) for r in rows]


async def test_a_biller_reads_each_payers_own_words_and_the_read_is_audited(
    gateway: Gateway, people: People, world: Any
) -> None:
    person = _person_with_searchable_claims(gateway, world)
    patient_id = gateway.patient_ids[person]
    body = await gateway.query(RAW, {"id": patient_id}, key=people.biller.token)
    assert "errors" not in body, body.get("errors")
    members = {m.payer_key: m for m in world.coverages_of(person)}
    answers = [a for a in body["data"]["patient"]["eligibility"] if a["active"]]
    assert len(answers) >= 2
    for answer in answers:
        raw, payer_id = answer["rawExchange"], answer["payer"]["id"]
        assert raw["protocol"] == world.books[payer_id].protocol
        assert members[payer_id].member_id in raw["request"]
        assert members[payer_id].member_id in raw["response"]
        assert raw["fetchedAt"] and raw["contentType"]
        if raw["protocol"] == "x12":
            assert raw["request"].startswith("ISA*") and "ST*270*" in raw["request"]
            assert "ST*271*" in raw["response"] and raw["contentType"] == "application/edi-x12"
    statuses = [c["status"] for g in body["data"]["patient"]["claims"] if g for c in g["claims"]]
    assert statuses and all(s["rawExchange"]["protocol"] in {"rest", "fhir"} for s in statuses)
    reads = await _phi_reads(gateway, patient_id)
    assert {"EligibilityResult.rawExchange", "ClaimStatus.rawExchange"} <= set().union(*reads)


async def test_an_analyst_gets_forbidden_at_the_raw_exchange_and_the_rest_answers(
    gateway: Gateway, people: People, world: Any
) -> None:
    person = _person_with_searchable_claims(gateway, world)
    patient_id = gateway.patient_ids[person]
    body = await gateway.query(ANALYST, {"id": patient_id}, key=people.analyst.token)
    claims = [c for g in body["data"]["patient"]["claims"] if g for c in g["claims"]]
    assert claims and all(c["controlNumber"] and c["totalCharge"] for c in claims)
    assert all(c["status"]["state"] and c["status"]["rawExchange"] is None for c in claims)
    errors = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    raw_paths = [p for p in errors if p[-1] == "rawExchange"]
    assert len(raw_paths) == len(claims) and {errors[p] for p in raw_paths} == {"FORBIDDEN"}
    assert all(p[:2] == ("patient", "claims") and p[-2] == "status" for p in raw_paths)
    assert not any(
        "rawExchange" in f for f in set().union(set(), *await _phi_reads(gateway, patient_id))
    )


async def test_phi_read_without_claims_read_is_not_enough(gateway: Gateway, world: Any) -> None:
    key = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "front desk kiosk",
        frozenset({PATIENTS_READ, ELIGIBILITY_READ, PHI_READ}),
    )
    person = _person_with_searchable_claims(gateway, world)
    body = await gateway.query(
        "query($id: ID!) { patient(id: $id) { eligibility { active rawExchange { protocol } } } }",
        {"id": gateway.patient_ids[person]},
        key=key,
    )
    answers = body["data"]["patient"]["eligibility"]
    assert answers and all(a["rawExchange"] is None and a["active"] is not None for a in answers)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert all("claims:read" in e["message"] for e in body["errors"])
