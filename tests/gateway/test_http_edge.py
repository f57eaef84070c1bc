"""The HTTP edge: who may call, what a bad request gets back, and that nothing internal leaks."""

from __future__ import annotations

import json

import pytest

from tests.gateway.conftest import Gateway


async def test_no_key_is_refused_with_401_and_a_clear_message(gateway: Gateway) -> None:
    response = await gateway.client.post("/graphql", json={"query": "{ payers { id } }"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in error["message"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer pgw_not-a-real-key", "The API key is not valid."),
        ("Bearer nonsense", "The API key is not valid."),
        ("Basic dXNlcjpwYXNz", "Malformed Authorization header"),
        ("Bearer ", "Malformed Authorization header"),
    ],
)
async def test_bad_credentials_are_refused(gateway: Gateway, header: str, message: str) -> None:
    response = await gateway.client.post(
        "/graphql", json={"query": "{ payers { id } }"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"].startswith(message)


async def test_revoked_key_is_refused(gateway: Gateway) -> None:
    from sqlalchemy import update

    from gateway.identity import digest
    from gateway.storage.tables import ApiKey

    async with gateway.services.database.transaction() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.key_hash == digest(gateway.key))
            .values(revoked_at=ApiKey.created_at)
        )
    response = await gateway.post("{ payers { id } }")
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "The API key has been revoked."


async def test_queries_over_get_are_not_accepted(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/graphql",
        params={"query": "{ payers { id } }"},
        headers={"Authorization": f"Bearer {gateway.key}"},
    )
    assert response.status_code in {400, 405}
    assert "payers" not in response.text or "errors" in response.text


async def test_payers_lists_every_configured_payer_with_capabilities(
    gateway: Gateway, world
) -> None:  # type: ignore[no-untyped-def]
    body = await gateway.query("{ payers { id name protocol capabilities } }")
    payers = {p["id"]: p for p in body["data"]["payers"]}
    assert set(payers) == set(world.books)
    for key, book in world.books.items():
        assert payers[key]["name"] == book.name
        assert payers[key]["protocol"] == book.protocol
        assert "ELIGIBILITY" in payers[key]["capabilities"]


async def test_malformed_graphql_gets_a_parse_error_code(gateway: Gateway) -> None:
    body = (await gateway.post("{ payers { id ")).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_unknown_field_gets_a_validation_error_code(gateway: Gateway) -> None:
    body = (await gateway.post("{ payers { id ssn } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "ssn" in body["errors"][0]["message"]


async def test_invalid_id_is_refused_as_bad_input(gateway: Gateway) -> None:
    body = await gateway.query('{ patient(id: "not-an-id") { id } }')
    assert body["data"]["patient"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'not-an-id' is not a valid patient id" in error["message"]


async def test_oversize_body_is_refused_with_413(gateway: Gateway) -> None:
    big = "{ payers { id } }" + " " * (gateway.services.settings.max_body_bytes + 1)
    response = await gateway.post(big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_non_json_body_gets_a_clear_error(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        content=b"{not json",
        headers={"Authorization": f"Bearer {gateway.key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "Traceback" not in response.text


async def test_alias_limit_is_on(gateway: Gateway) -> None:
    aliases = "{ " + " ".join(f"a{i}: payers {{ id }}" for i in range(40)) + " }"
    body = (await gateway.post(aliases)).json()
    assert body.get("data") is None
    assert "aliases" in json.dumps(body["errors"]).lower()


async def test_depth_limit_is_on(database, world) -> None:  # type: ignore[no-untyped-def]
    from gateway.config import GatewaySettings
    from tests.gateway.conftest import start_gateway

    settings = GatewaySettings(database_url=database.url, max_query_depth=3)
    async for shallow in start_gateway(database, world, settings=settings):
        body = (
            await shallow.post("{ patients { edges { node { coverages { payer { id } } } } } }")
        ).json()
        assert body.get("data") is None
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]
        ok = await shallow.query("{ payers { id } }")
        assert ok["data"]["payers"]


async def test_unexpected_errors_are_masked_with_a_request_id(
    gateway: Gateway, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from gateway.graphql.types import payer as payer_types

    def explode(cls, payer):  # type: ignore[no-untyped-def]
        raise RuntimeError("SELECT * FROM patients WHERE last_name = 'Example'")

    monkeypatch.setattr(payer_types.Payer, "of", classmethod(explode))
    response = await gateway.post("{ payers { id } }")
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert (
        "SELECT" not in response.text
        and "Traceback" not in response.text
        and "Example" not in response.text
    )
