"""Malformed requests: every refusal is a 4xx JSON error with a code and the request id, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.gateway.conftest import Gateway

QUERY = "{ payers { id } }"
JSON = "application/json"


def _deep(levels: int) -> bytes:
    return (
        b'{"query": "{ payers { id } }", "variables": {"a": '
        + b"[" * levels
        + b"]" * levels
        + b"}}"
    )


#: (name, body, content type, expected code). Each one escaped as an exception (a 500) or answered
#: text/plain before the fix.
MALFORMED: list[tuple[str, bytes, str | None, str]] = [
    ("invalid UTF-8", b'{"query": "{ payers { id } }", "x": "\xff\xfe"}', JSON, "INVALID_ENCODING"),
    (
        "unpaired surrogate",
        b'{"query": "{ payers { id } }", "x": "\\ud800"}',
        JSON,
        "INVALID_ENCODING",
    ),
    ("nested 100k deep", _deep(100_000), JSON, "JSON_TOO_DEEP"),
    ("nested 900 deep", _deep(900), JSON, "JSON_TOO_DEEP"),
    (
        "100k-digit integer in variables",
        b'{"query": "query($n: Int) { payers { id } }", "variables": {"n": '
        + b"9" * 100_000
        + b"}}",
        JSON,
        "NUMBER_TOO_LARGE",
    ),
    (
        "1e999",
        b'{"query": "{ payers { id } }", "variables": {"n": 1e999}}',
        JSON,
        "NUMBER_TOO_LARGE",
    ),
    ("NaN", b'{"query": "{ payers { id } }", "variables": {"n": NaN}}', JSON, "INVALID_JSON"),
    ("not JSON", b"{not json", JSON, "INVALID_JSON"),
    ("a JSON list", b'[{"query": "{ payers { id } }"}]', JSON, "BAD_REQUEST_BODY"),
    ("a JSON string", b'"{ payers { id } }"', JSON, "BAD_REQUEST_BODY"),
    ("a JSON number", b"42", JSON, "BAD_REQUEST_BODY"),
    ("JSON null", b"null", JSON, "BAD_REQUEST_BODY"),
    ("an empty body", b"", JSON, "BAD_REQUEST_BODY"),
    ("no query", b'{"variables": {}}', JSON, "BAD_REQUEST_BODY"),
    ("query not a string", b'{"query": ["{ payers { id } }"]}', JSON, "BAD_REQUEST_BODY"),
    (
        "variables a list",
        b'{"query": "{ payers { id } }", "variables": [1]}',
        JSON,
        "BAD_REQUEST_BODY",
    ),
    (
        "operationName a number",
        b'{"query": "{ payers { id } }", "operationName": 1}',
        JSON,
        "BAD_REQUEST_BODY",
    ),
    ("text/plain", b'{"query": "{ payers { id } }"}', "text/plain", "UNSUPPORTED_MEDIA_TYPE"),
    ("no content type", b'{"query": "{ payers { id } }"}', None, "UNSUPPORTED_MEDIA_TYPE"),
    (
        "latin-1 charset",
        b'{"query": "{ payers { id } }"}',
        "application/json; charset=latin-1",
        "UNSUPPORTED_MEDIA_TYPE",
    ),
    (
        "form body",
        b"query=%7B+payers+%7B+id+%7D+%7D",
        "application/x-www-form-urlencoded",
        "UNSUPPORTED_MEDIA_TYPE",
    ),
]


def _headers(gateway: Gateway, content_type: str | None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {gateway.key}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text and "sys.set_int_max_str_digits" not in response.text
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("name", "body", "content_type", "code"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
async def test_malformed_body_is_a_400_with_a_code_and_the_request_id(
    gateway: Gateway, name: str, body: bytes, content_type: str | None, code: str
) -> None:
    response = await gateway.client.post(
        "/graphql", content=body, headers=_headers(gateway, content_type)
    )
    error = assert_refused(response, 400, code)
    assert len(error["message"]) < 200


async def test_the_response_cache_reads_the_same_parsed_body(gateway: Gateway) -> None:
    """The response cache sits before strawberry: a body it would have parsed its own way is refused
    before it, and a good body is answered (and then replayed) from what the one parser read."""
    first = await gateway.client.post(
        "/graphql", content=json.dumps({"query": QUERY}).encode(), headers=_headers(gateway, JSON)
    )
    assert first.status_code == 200 and first.json()["data"]["payers"]
    bad = await gateway.client.post(
        "/graphql",
        content=b'{"query": "{ payers { id } }", "variables": {"n": NaN}}',
        headers=_headers(gateway, JSON),
    )
    assert_refused(bad, 400, "INVALID_JSON")


async def test_a_malformed_body_is_refused_for_anonymous_callers_too(gateway: Gateway) -> None:
    response = await gateway.client.post("/graphql", content=b"[]", headers={"Content-Type": JSON})
    assert_refused(response, 400, "BAD_REQUEST_BODY")


async def test_a_huge_integer_literal_in_the_query_is_a_validation_error(gateway: Gateway) -> None:
    query = "{ patients(first: " + "9" * 100_000 + ") { edges { node { id } } } }"
    response = await gateway.post(query)
    assert response.status_code == 200  # GraphQL over HTTP (application/json): errors in a 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"].startswith("Expected value of type 'Int'")
    assert len(error["message"]) <= 300


async def test_queries_over_get_are_refused_as_json(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql", params={"query": QUERY}, headers={"Authorization": f"Bearer {gateway.key}"}
    )
    assert response.status_code in {400, 405}
    assert response.headers["content-type"] == JSON
    assert response.json()["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nowhere", 404, "NOT_FOUND"),
        ("POST", "/graphql/extra", 404, "NOT_FOUND"),
        ("DELETE", "/graphql", 405, "METHOD_NOT_ALLOWED"),
        ("PUT", "/healthz", 405, "METHOD_NOT_ALLOWED"),
    ],
)
async def test_routing_refusals_are_json_with_a_code(
    gateway: Gateway, method: str, path: str, status: int, code: str
) -> None:
    response = await gateway.client.request(method, path)
    assert_refused(response, status, code)


async def test_every_refusal_before_graphql_carries_the_request_id(gateway: Gateway) -> None:
    sent = "caller-chosen-id-0001"
    response = await gateway.client.post(
        "/graphql",
        json={"query": QUERY},
        headers={"Authorization": "Bearer pgw_nope", "X-Request-ID": sent},
    )
    error = assert_refused(response, 401, "UNAUTHENTICATED")
    assert error["extensions"]["requestId"] == sent
