"""Another practice's ids resolve exactly as ids that do not exist, on every path that takes an id."""

from __future__ import annotations

import uuid

from tests.gateway.conftest import Gateway

PATIENT = "query($id: ID!) { patient(id: $id) { id lastName coverages { memberId } } }"


async def test_other_practice_patient_is_indistinguishable_from_a_missing_one(
    gateway: Gateway,
) -> None:
    theirs = await gateway.query(PATIENT, {"id": gateway.other_patient_id})
    missing = await gateway.query(PATIENT, {"id": str(uuid.uuid4())})
    assert theirs == missing == {"data": {"patient": None}}


async def test_add_coverage_to_other_practice_patient_looks_like_not_found(
    gateway: Gateway,
) -> None:
    query = """mutation($input: AddCoverageInput!) { addCoverage(input: $input) { coverage { id } errors { code field message } } }"""
    card = {"payerId": "lakeshore", "memberId": "LHP999", "priority": 3}
    theirs = await gateway.query(
        query, {"input": {"patientId": gateway.other_patient_id, "coverage": card}}
    )
    missing = await gateway.query(
        query, {"input": {"patientId": str(uuid.uuid4()), "coverage": card}}
    )
    assert theirs == missing
    assert theirs["data"]["addCoverage"]["errors"][0]["code"] == "NOT_FOUND"
    mine = await gateway.query(PATIENT, {"id": gateway.other_patient_id}, key=gateway.other_key)
    assert "LHP999" not in {c["memberId"] for c in mine["data"]["patient"]["coverages"]}


async def test_search_and_listing_never_cross_practices(gateway: Gateway) -> None:
    listing = await gateway.query("{ patients(first: 100) { edges { node { id } } } }")
    ids = {e["node"]["id"] for e in listing["data"]["patients"]["edges"]}
    assert ids == set(gateway.patient_ids.values())
    other = await gateway.query(
        "{ patients(first: 100) { edges { node { id } } } }", key=gateway.other_key
    )
    other_ids = {e["node"]["id"] for e in other["data"]["patients"]["edges"]}
    assert other_ids and not (ids & other_ids)
