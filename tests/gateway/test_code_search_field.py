"""The ``codes`` field: a claim form's pickers search our code sets over GraphQL."""

from __future__ import annotations

from gateway.identity import ELIGIBILITY_READ, create_api_key
from tests.gateway.conftest import Gateway

CODES = """query($system: CodeSystem!, $search: String!, $first: Int) {
  codes(system: $system, search: $search, first: $first) { system code description } }"""


async def test_pickers_find_codes_by_code_or_by_words(gateway: Gateway) -> None:
    body = await gateway.query(CODES, {"system": "PROCEDURE", "search": "9921"})
    assert [c["code"] for c in body["data"]["codes"]] == [
        "99211",
        "99212",
        "99213",
        "99214",
        "99215",
    ]
    assert body["data"]["codes"][0]["system"] == "procedure"
    body = await gateway.query(
        CODES, {"system": "DIAGNOSIS", "search": "type 2 diabetes", "first": 3}
    )
    found = body["data"]["codes"]
    assert len(found) == 3
    assert all(c["code"].startswith("E11") and "Type 2 diabetes" in c["description"] for c in found)
    body = await gateway.query(CODES, {"system": "DIAGNOSIS", "search": "e119"})
    assert body["data"]["codes"][0] == {
        "system": "icd10cm",
        "code": "E11.9",
        "description": "Type 2 diabetes mellitus without complications",
    }
    body = await gateway.query(CODES, {"system": "MODIFIER", "search": "25"})
    assert body["data"]["codes"][0]["code"] == "25"
    body = await gateway.query(CODES, {"system": "PLACE_OF_SERVICE", "search": "office"})
    assert body["data"]["codes"][0]["code"] == "11"
    body = await gateway.query(CODES, {"system": "SERVICE_TYPE", "search": "30"})
    assert body["data"]["codes"][0]["code"] == "30"


async def test_any_signed_in_caller_may_search_and_anonymous_callers_may_not(
    gateway: Gateway,
) -> None:
    narrow = await create_api_key(
        gateway.services.database, gateway.practice_id, "narrow", frozenset({ELIGIBILITY_READ})
    )
    body = await gateway.query(CODES, {"system": "PROCEDURE", "search": "99213"}, key=narrow)
    assert body["data"]["codes"][0]["code"] == "99213"
    response = await gateway.client.post(
        "/graphql", json={"query": CODES, "variables": {"system": "PROCEDURE", "search": "99"}}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_arguments_are_refused_with_a_code(gateway: Gateway) -> None:
    for variables, field in (
        ({"system": "PROCEDURE", "search": "   "}, "search"),
        ({"system": "PROCEDURE", "search": "x" * 101}, "search"),
        ({"system": "PROCEDURE", "search": "99", "first": 0}, "first"),
        ({"system": "PROCEDURE", "search": "99", "first": 51}, "first"),
    ):
        body = await gateway.query(CODES, variables)
        assert body["data"]["codes"] is None
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert field in error["message"]
    body = await gateway.query(CODES, {"system": "CARC", "search": "45"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
