"""Registering patients and cards, finding them again, and paging through them."""

from __future__ import annotations

from typing import Any

from tests.gateway.conftest import Gateway

REGISTER = """
mutation Register($input: RegisterPatientInput!) {
  registerPatient(input: $input) {
    patient { id firstName lastName birthDate phone address { state postalCode }
              coverages { payer { id } memberId groupNumber priority relation subscriber { firstName } } }
    errors { code field message }
  }
}"""

ADD = """
mutation Add($input: AddCoverageInput!) {
  addCoverage(input: $input) { coverage { id memberId priority payer { id name } } errors { code field message } }
}"""


def _patient(**overrides: Any) -> dict[str, Any]:
    base = {
        "firstName": "Testa",
        "lastName": "Sampleton",
        "birthDate": "1984-06-02",
        "phone": "(555) 010-4477",
        "address": {
            "line1": "9 Quarry Rd",
            "city": "Elmridge",
            "state": "oh",
            "postalCode": "43999",
        },
        "coverages": [
            {
                "payerId": "lakeshore",
                "memberId": "lhp000111222",
                "groupNumber": "g-100",
                "priority": 1,
            }
        ],
    }
    base.update(overrides)
    return base


async def test_register_patient_with_a_card(gateway: Gateway) -> None:
    body = await gateway.query(REGISTER, {"input": _patient()})
    payload = body["data"]["registerPatient"]
    assert payload["errors"] == []
    patient = payload["patient"]
    assert (patient["firstName"], patient["lastName"], patient["birthDate"]) == (
        "Testa",
        "Sampleton",
        "1984-06-02",
    )
    assert patient["phone"] == "5550104477"
    assert patient["address"] == {"state": "OH", "postalCode": "43999"}
    assert patient["coverages"] == [
        {
            "payer": {"id": "lakeshore"},
            "memberId": "LHP000111222",
            "groupNumber": "G-100",
            "priority": 1,
            "relation": "SELF",
            "subscriber": None,
        }
    ]
    again = await gateway.query(
        "query($id: ID!) { patient(id: $id) { lastName } }", {"id": patient["id"]}
    )
    assert again["data"]["patient"] == {"lastName": "Sampleton"}


async def test_every_problem_comes_back_at_once_and_nothing_is_written(gateway: Gateway) -> None:
    bad = _patient(
        firstName="",
        birthDate="2999-01-01",
        phone="12",
        address={"state": "Ohio", "postalCode": "4399"},
        coverages=[
            {"payerId": "nosuchpayer", "memberId": "", "priority": 1},
            {"payerId": "cascade", "memberId": "CM1", "priority": 1, "relation": "CHILD"},
        ],
    )
    body = await gateway.query(REGISTER, {"input": bad})
    payload = body["data"]["registerPatient"]
    assert payload["patient"] is None
    found = {(e["code"], ".".join(e["field"])) for e in payload["errors"]}
    assert found == {
        ("REQUIRED", "input.firstName"),
        ("DATE_IN_FUTURE", "input.birthDate"),
        ("INVALID_PHONE", "input.phone"),
        ("INVALID_STATE", "input.address.state"),
        ("INVALID_POSTAL_CODE", "input.address.postalCode"),
        ("UNKNOWN_PAYER", "input.coverages.0.payerId"),
        ("REQUIRED", "input.coverages.0.memberId"),
        ("DUPLICATE_PRIORITY", "input.coverages.1.priority"),
        ("REQUIRED", "input.coverages.1.subscriber"),
    }
    assert all(e["message"] for e in payload["errors"])
    search = await gateway.query('{ patients(search: "Sampleton") { edges { node { id } } } }')
    assert search["data"]["patients"]["edges"] == []


async def test_add_coverage_checks_duplicates_and_priorities(gateway: Gateway) -> None:
    created = await gateway.query(REGISTER, {"input": _patient()})
    patient_id = created["data"]["registerPatient"]["patient"]["id"]
    card = {
        "payerId": "cascade",
        "memberId": "CMI-445566",
        "priority": 2,
        "relation": "SPOUSE",
        "subscriber": {"firstName": "Partner", "lastName": "Sampleton", "birthDate": "1982-01-09"},
    }
    ok = await gateway.query(ADD, {"input": {"patientId": patient_id, "coverage": card}})
    assert ok["data"]["addCoverage"]["errors"] == []
    assert ok["data"]["addCoverage"]["coverage"]["payer"]["id"] == "cascade"
    twice = await gateway.query(ADD, {"input": {"patientId": patient_id, "coverage": card}})
    codes = {e["code"] for e in twice["data"]["addCoverage"]["errors"]}
    assert codes == {"DUPLICATE_COVERAGE", "DUPLICATE_PRIORITY"}


async def test_search_by_name_birth_date_and_member_id(gateway: Gateway, world) -> None:  # type: ignore[no-untyped-def]
    person = next(iter(world.people.values()))
    member = world.coverages_of(person.key)[0]
    query = (
        "query($s: String!) { patients(search: $s) { edges { node { id firstName lastName } } } }"
    )
    for search in (
        person.last_name[:3].lower(),
        f"{person.last_name}, {person.first_name[:2]}",
        f"{person.first_name} {person.last_name}",
        person.birth_date.isoformat(),
        member.member_id,
    ):
        edges = (await gateway.query(query, {"s": search}))["data"]["patients"]["edges"]
        assert gateway.patient_ids[person.key] in {e["node"]["id"] for e in edges}, search


async def test_paging_walks_every_patient_once_in_name_order(gateway: Gateway, world) -> None:  # type: ignore[no-untyped-def]
    query = "query($after: String) { patients(first: 5, after: $after) { edges { cursor node { id lastName firstName } } pageInfo { hasNextPage endCursor } } }"
    seen: list[tuple[str, str, str]] = []
    after = None
    while True:
        page = (await gateway.query(query, {"after": after}))["data"]["patients"]
        seen += [
            (e["node"]["lastName"], e["node"]["firstName"], e["node"]["id"]) for e in page["edges"]
        ]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(world.people) == len(set(seen))
    assert seen == sorted(seen)
    assert {s[2] for s in seen} == set(gateway.patient_ids.values())


async def test_page_size_and_cursor_are_checked(gateway: Gateway) -> None:
    too_big = await gateway.query("{ patients(first: 1000) { edges { cursor } } }")
    assert too_big["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 1 and 100" in too_big["errors"][0]["message"]
    bad_cursor = await gateway.query('{ patients(after: "zzz") { edges { cursor } } }')
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
