"""API keys for partner systems: created by practice admins with explicit scopes, shown once, stored
hashed, with expiry and last use, revocable."""

from __future__ import annotations

from sqlalchemy import select

from gateway.identity import digest
from gateway.storage.tables import ApiKey
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

CREATE = """mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name prefix scopes expiresAt lastUsedAt } errors { code field } } }"""
KEYS = "{ apiKeys { id name scopes lastUsedAt revokedAt } }"


async def test_a_key_is_shown_once_stored_as_a_digest_and_limited_to_its_scopes(
    gateway: Gateway, people: People
) -> None:
    created = (
        await gateway.query(
            CREATE,
            {
                "input": {
                    "name": "eligibility kiosk",
                    "scopes": ["patients:read", "eligibility:read"],
                }
            },
            key=people.admin.token,
        )
    )["data"]["createApiKey"]
    secret, key = created["secret"], created["apiKey"]
    assert secret.startswith("pgw_") and key["prefix"] == secret[:12]
    assert key["scopes"] == ["eligibility:read", "patients:read"]
    async with gateway.services.database.session() as session:
        row = await session.scalar(select(ApiKey).where(ApiKey.id == key["id"]))
    assert row is not None and row.key_hash == digest(secret) and secret not in str(vars(row))
    listed = (await gateway.query(KEYS, key=people.admin.token))["data"]["apiKeys"]
    assert secret not in str(listed)

    patient_id = next(iter(gateway.patient_ids.values()))
    body = await gateway.query(
        "query($id: ID!) { patient(id: $id) { patientKey firstName payments { fetchedAt } } }",
        {"id": patient_id},
        key=secret,
    )
    assert body.get("data") and body["data"]["patient"]["patientKey"], body
    assert {tuple(e["path"]) for e in body["errors"]} == {
        ("patient", "firstName"),
        ("patient", "payments"),
    }
    me = await gateway.query("{ me { actorKind scopes } }", key=secret)
    assert me["data"]["me"] == {
        "actorKind": "api_key",
        "scopes": ["eligibility:read", "patients:read"],
    }
    used = {
        k["id"]: k for k in (await gateway.query(KEYS, key=people.admin.token))["data"]["apiKeys"]
    }
    assert used[key["id"]]["lastUsedAt"] is not None

    revoke = "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } errors { code } } }"
    revoked = await gateway.query(revoke, {"id": key["id"]}, key=people.admin.token)
    assert revoked["data"]["revokeApiKey"]["apiKey"]["revokedAt"]
    response = await gateway.post("{ me { actorKind } }", key=secret)
    assert (
        response.status_code == 401
        and response.json()["errors"][0]["message"] == "The API key has been revoked."
    )


async def test_keys_need_explicit_allowed_scopes_and_a_future_expiry(
    gateway: Gateway, people: People
) -> None:
    bad = await gateway.query(
        CREATE,
        {"input": {"name": "", "scopes": ["users:manage"], "expiresAt": "2001-01-01T00:00:00Z"}},
        key=people.admin.token,
    )
    codes = {(e["code"], ".".join(e["field"])) for e in bad["data"]["createApiKey"]["errors"]}
    assert codes == {
        ("REQUIRED", "input.name"),
        ("INVALID_SCOPE", "input.scopes"),
        ("DATE_IN_PAST", "input.expiresAt"),
    }
    biller = await gateway.query(
        CREATE, {"input": {"name": "x", "scopes": ["claims:read"]}}, key=people.biller.token
    )
    assert (
        biller["data"]["createApiKey"] is None
        and biller["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    )
    soon = await gateway.query(
        CREATE,
        {
            "input": {
                "name": "short-lived",
                "scopes": ["claims:read"],
                "expiresAt": "2099-01-01T00:00:00Z",
            }
        },
        key=people.admin.token,
    )
    assert soon["data"]["createApiKey"]["apiKey"]["expiresAt"].startswith("2099-01-01")


async def test_an_expired_key_is_refused(gateway: Gateway) -> None:
    from datetime import UTC, datetime, timedelta

    from gateway.identity import create_api_key

    key = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "old",
        frozenset({"claims:read"}),
        expires_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    response = await gateway.post("{ me { actorKind } }", key=key)
    assert (
        response.status_code == 401
        and response.json()["errors"][0]["message"] == "The API key has expired."
    )
