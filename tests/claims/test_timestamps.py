"""Every timestamp the API returns is aware UTC with its offset, and one instant reads the same in every
response that shows it (submittedAt used to carry +00:00 in the mutation's answer and none when read
back from SQLite). The check is driven by the schema: every field typed DateTime is collected."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from graphql import get_named_type

from gateway.graphql.schema import build_schema
from payers.sandbox.world import World
from tests.claims.conftest import as_input, billed, new_key, office_visit
from tests.gateway.conftest import Gateway
from tests.gateway.people import staff

UTC_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$")

CLAIM_FIELDS = """__typename id submittedAt updatedAt
    delivery { __typename nextAttemptAt sentAt }
    statusHistory { __typename recordedAt state }"""
SUBMIT = f"""mutation($input: ClaimInput!, $key: String!) {{
  submitClaim(input: $input, idempotencyKey: $key) {{ errors {{ code }} claim {{ {CLAIM_FIELDS} }} }} }}"""
READ_BACK = f"""query($id: ID!) {{
  claim(id: $id) {{ {CLAIM_FIELDS} }}
  claims {{ edges {{ node {{ {CLAIM_FIELDS} }} }} }}
  apiKeys {{ __typename id createdAt expiresAt lastUsedAt revokedAt }}
  users {{ __typename id lockedUntil }}
  me {{ practice {{ __typename id registeredAt }} }}
  invitations {{ __typename email expiresAt acceptedAt }}
  auditEvents {{ edges {{ node {{ __typename id occurredAt }} }} }}
}}"""
API_KEY = """mutation($expires: DateTime!) {
  createApiKey(input: {name: "nightly", scopes: ["claims:read"], expiresAt: $expires}) {
    apiKey { __typename id createdAt expiresAt lastUsedAt revokedAt } errors { code } } }"""
INVITE = """mutation { inviteUser(input: {email: "new@a.example", role: BILLER}) {
    invitation { __typename email expiresAt acceptedAt } errors { code } } }"""
REFRESH = """mutation($token: String!) { refreshSession(refreshToken: $token) {
    session { __typename accessTokenExpiresAt sessionExpiresAt } errors { code } } }"""


def datetime_values(value: Any, fields: dict[str, set[str]]) -> Iterator[tuple[str, str, str, Any]]:
    """(type, id or email, field, value) of every DateTime-typed field in a response."""
    if isinstance(value, list):
        for item in value:
            yield from datetime_values(item, fields)
    elif isinstance(value, dict):
        typename = value.get("__typename")
        for key, member in value.items():
            if typename and key in fields.get(typename, set()):
                yield typename, str(value.get("id", value.get("email", "-"))), key, member
            else:
                yield from datetime_values(member, fields)


def datetime_fields() -> dict[str, set[str]]:
    schema = build_schema()._schema
    found: dict[str, set[str]] = {}
    for name, kind in schema.type_map.items():
        for field_name, field in (
            getattr(kind, "fields", {}).items() if hasattr(kind, "interfaces") else ()
        ):
            if get_named_type(field.type).name == "DateTime":
                found.setdefault(name, set()).add(field_name)
    return found


async def test_every_timestamp_is_utc_with_an_offset_and_the_same_everywhere(
    claims_gateway: Gateway, world: World, today: date
) -> None:
    gateway = claims_gateway
    people = await staff(gateway)
    admin = people.admin.token
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    submitted = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    claim = submitted["data"]["submitClaim"]["claim"]
    created = await gateway.query(API_KEY, {"expires": "2099-01-01T09:00:00-05:00"}, key=admin)
    invited = await gateway.query(INVITE, key=admin)
    refreshed = await gateway.query(REFRESH, {"token": people.admin.refresh_token})
    read_back = await gateway.query(READ_BACK, {"id": claim["id"]}, key=admin)
    responses = [submitted, created, invited, refreshed, read_back]
    for body in responses:
        assert "errors" not in body, body

    fields = datetime_fields()
    seen: dict[tuple[str, str, str], set[str]] = {}
    for body in responses:
        for typename, ident, field, value in datetime_values(body["data"], fields):
            if value is None:
                continue
            assert UTC_TIMESTAMP.match(value), (typename, field, value)
            seen.setdefault((typename, ident, field), set()).add(value)
    shown = {field for _, _, field in seen}
    assert {
        "submittedAt",
        "updatedAt",
        "recordedAt",
        "createdAt",
        "expiresAt",
        "occurredAt",
    } <= shown
    assert {"nextAttemptAt", "accessTokenExpiresAt", "sessionExpiresAt"} & shown
    for where, values in seen.items():
        assert len(values) == 1, (where, values)  # one instant, one spelling, in every response
    # The instant given with another offset comes back as the same instant in UTC.
    key_id = created["data"]["createApiKey"]["apiKey"]["id"]
    assert seen[("ApiKey", key_id, "expiresAt")] == {"2099-01-01T14:00:00+00:00"}
    # The example: the mutation and the read-back show submittedAt identically.
    assert len(seen[("SubmittedClaim", claim["id"], "submittedAt")]) == 1


async def test_a_timestamp_without_an_offset_is_refused(claims_gateway: Gateway) -> None:
    people = await staff(claims_gateway)
    response = await claims_gateway.post(
        API_KEY, {"expires": "2099-01-01T09:00:00"}, key=people.admin.token
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "has no UTC offset" in error["message"]
