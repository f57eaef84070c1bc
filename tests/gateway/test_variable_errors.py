"""Bad variables are the caller's fault: BAD_USER_INPUT naming the variable and what was expected,
never a masked INTERNAL_ERROR. GraphQL over HTTP with application/json: errors come in a 200."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.conftest import Gateway

PATIENTS = "query($first: Int!) { patients(first: $first) { edges { node { id } } } }"
CLAIMS = "query($filter: ClaimFilter) { claims(filter: $filter) { edges { node { id } } } }"
API_KEY = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }"
CLAIM = 'mutation($input: ClaimInput!) { submitClaim(idempotencyKey: "k-1", input: $input) { claim { id } } }'
AUDIT = "query($since: DateTime) { auditEvents(since: $since) { edges { node { id } } } }"

CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("missing required variable", PATIENTS, {}, "first", "of non-null type 'Int!'"),
    (
        "string for Int!",
        PATIENTS,
        {"first": "abc"},
        "first",
        "Int cannot represent non-integer value: 'abc'",
    ),
    (
        "too large for Int",
        PATIENTS,
        {"first": 99_999_999_999},
        "first",
        "non 32-bit signed integer",
    ),
    ("unknown enum value", CLAIMS, {"filter": {"states": ["LOST"]}}, "filter", "'LOST'"),
    ("missing required input field", API_KEY, {"input": {"scopes": []}}, "input", "'name'"),
    (
        "unknown input field",
        API_KEY,
        {"input": {"name": "k", "scopes": [], "colour": "red"}},
        "input",
        "'colour'",
    ),
    (
        "float for Money",
        CLAIM,
        {"input": {"totalCharge": 120.5}},
        "input",
        "send money as a decimal string",
    ),
    ("not a timestamp", AUDIT, {"since": "yesterday"}, "since", "DateTime"),
]


@pytest.mark.parametrize(
    ("name", "query", "variables", "variable", "says"), CASES, ids=[c[0] for c in CASES]
)
async def test_a_bad_variable_is_bad_user_input_naming_it(
    gateway: Gateway, name: str, query: str, variables: dict[str, Any], variable: str, says: str
) -> None:
    response = await gateway.post(query, variables)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["variable"] == variable
    assert error["message"].startswith(f"Variable '${variable}'")
    assert says in error["message"]


async def test_an_unknown_operation_name_is_a_json_400(gateway: Gateway) -> None:
    """strawberry refuses it before execution; it answered text/plain before gateway/http/parsed_body_view.py."""
    response = await gateway.client.post(
        "/graphql",
        json={"query": "query A { payers { id } }", "operationName": "B"},
        headers={"Authorization": f"Bearer {gateway.key}"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "BAD_REQUEST",
        "requestId": response.headers["x-request-id"],
    }
    assert 'Unknown operation named "B"' in error["message"]
