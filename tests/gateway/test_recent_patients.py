"""``recentPatients``: the Today list, latest activity first, per practice, names only with phi:read."""

from __future__ import annotations

from datetime import date
from typing import Any

from gateway.identity import ELIGIBILITY_READ, create_api_key
from tests.claims.conftest import SUBMIT, as_input, billed, office_visit
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

RECENT = """query($first: Int) { recentPatients(first: $first) {
  id patientKey lastName lastActivityAt } }"""
REGISTER = """mutation($input: RegisterPatientInput!) {
  registerPatient(input: $input) { patient { id } errors { code } } }"""
UPDATE = """mutation($input: UpdatePatientInput!) {
  updatePatient(input: $input) { errors { code } } }"""


async def _recent(gateway: Gateway, first: int = 3, key: str | None = None) -> list[str]:
    body = await gateway.query(RECENT, {"first": first}, key=key)
    return [p["id"] for p in body["data"]["recentPatients"]]


async def _register(gateway: Gateway, last_name: str) -> str:
    person = {"firstName": "Ida", "lastName": last_name, "birthDate": "1990-02-03"}
    body = await gateway.query(REGISTER, {"input": person})
    return str(body["data"]["registerPatient"]["patient"]["id"])


async def test_latest_activity_comes_first(gateway: Gateway, world: Any, today: date) -> None:
    first = await _register(gateway, "Ashgrove")
    second = await _register(gateway, "Birchwell")
    assert await _recent(gateway, 2) == [second, first]
    await gateway.query(UPDATE, {"input": {"id": first, "phone": "5550101234"}})
    assert await _recent(gateway, 2) == [first, second]
    who = await billed(gateway.services.database, gateway.patient_ids, world, "summit")
    body = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": "recent-1"}
    )
    assert body["data"]["submitClaim"]["errors"] == []
    assert await _recent(gateway, 3) == [who.patient_id, first, second]  # a claim is activity
    body = await gateway.query(RECENT, {"first": 1})
    [latest] = body["data"]["recentPatients"]
    assert latest["lastActivityAt"].endswith("+00:00")


async def test_without_phi_read_the_order_comes_with_pseudonyms_only(
    gateway: Gateway, people: People
) -> None:
    newest = await _register(gateway, "Cedarholt")
    body = await gateway.query(RECENT, {"first": 1}, key=people.analyst.token)
    [patient] = body["data"]["recentPatients"]
    assert patient["id"] == newest and patient["patientKey"] and patient["lastName"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert "Cedarholt" not in str(body)


async def test_each_practice_sees_only_its_own(gateway: Gateway) -> None:
    ours = await _register(gateway, "Dunmore")
    theirs = await _recent(gateway, 100, key=gateway.other_key)
    assert ours not in theirs and theirs
    assert gateway.other_patient_id in theirs
    assert gateway.other_patient_id not in await _recent(gateway, 100)


async def test_scope_and_page_size_are_enforced(gateway: Gateway) -> None:
    narrow = await create_api_key(
        gateway.services.database, gateway.practice_id, "narrow", frozenset({ELIGIBILITY_READ})
    )
    body = await gateway.query(RECENT, {"first": 5}, key=narrow)
    assert body["data"]["recentPatients"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for first in (0, 101):
        body = await gateway.query(RECENT, {"first": first})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
