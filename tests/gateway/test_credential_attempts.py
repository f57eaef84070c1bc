"""Credential attempts are counted one by one: aliases, batches and separate requests alike, per client
address and per target account or token; lockout counts each failed password in one request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from gateway.config import GatewaySettings
from gateway.graphql.attempts import CredentialAttempt
from gateway.graphql.schema import build_schema
from gateway.storage.database import Database
from gateway.storage.identity_tables import User
from tests.gateway.conftest import Gateway, start_gateway
from tests.gateway.people import PASSWORD, People, anonymous, notified, staff

WRONG = "wrong-password-123"


def _aliased(count: int, field: str, arguments: str, selection: str) -> str:
    return (
        "mutation { "
        + " ".join(f"a{i}: {field}({arguments}) {{ {selection} }}" for i in range(count))
        + " }"
    )


def _codes(data: dict[str, Any]) -> list[str]:
    """The first error code of each alias, in order ('' when it had none)."""
    return [(data[f"a{i}"]["errors"] or [{"code": ""}])[0]["code"] for i in range(len(data))]


@pytest.fixture
async def tight(database: Database, world: Any) -> AsyncIterator[tuple[Gateway, People]]:
    """A gateway allowing 6 attempts a minute per target (and plenty per address)."""
    settings = GatewaySettings(
        database_url=database.url,
        anonymous_rate_limit_per_minute=100_000,
        credential_attempts_per_minute=6,
    )
    async for gateway in start_gateway(database, world, settings=settings):
        yield gateway, await staff(gateway)


async def test_ten_aliased_logins_are_ten_attempts_and_lock_the_account(
    tight: tuple[Gateway, People],
) -> None:
    gateway, people = tight
    email = people.biller.email
    query = _aliased(
        10,
        "login",
        f'input: {{email: "{email}", password: "{WRONG}"}}',
        "challenge errors { code }",
    )
    data = (await anonymous(gateway, query))["data"]
    # Six attempts a minute for this address: the other four did no work at all.
    assert _codes(data) == ["INVALID_CREDENTIALS"] * 6 + ["RATE_LIMITED"] * 4
    # login_max_failures (5) wrong passwords in that one request locked the account.
    async with gateway.services.database.session() as session:
        user = await session.scalar(select(User).where(User.email == email))
    assert user is not None and user.locked_until is not None
    assert [kind for _, kind, _ in await notified(gateway)] == ["account.locked"]
    # The budget is the target's: another account, from the same address, is not slowed down.
    other = await anonymous(
        gateway,
        _aliased(
            1,
            "login",
            f'input: {{email: "{people.analyst.email}", password: "{PASSWORD}"}}',
            "challenge errors { code }",
        ),
    )
    assert other["data"]["a0"]["challenge"]


async def test_completing_a_login_counts_each_code_tried(tight: tuple[Gateway, People]) -> None:
    gateway, people = tight
    person = people.front_desk
    login = await anonymous(
        gateway,
        _aliased(
            1, "login", f'input: {{email: "{person.email}", password: "{PASSWORD}"}}', "challenge"
        ),
    )
    challenge = login["data"]["a0"]["challenge"]
    # Wrong TOTP codes and wrong recovery codes alike.
    guesses = [
        "000000",
        "ABCDE-FGHIJ",
        "111111",
        "KLMNO-PQRST",
        "222222",
        "333333",
        "444444",
        "555555",
    ]
    query = (
        "mutation { "
        + " ".join(
            f'a{i}: completeLogin(input: {{challenge: "{challenge}", code: "{code}"}}) {{ session {{ accessToken }} errors {{ code }} }}'
            for i, code in enumerate(guesses)
        )
        + " }"
    )
    codes = _codes((await anonymous(gateway, query))["data"])
    assert codes[:4] == ["INVALID_CODE"] * 4 and codes[4] == "ACCOUNT_LOCKED"
    assert codes[6:] == ["RATE_LIMITED"] * 2


async def test_refresh_tokens_and_invitations_are_counted_per_token(
    tight: tuple[Gateway, People],
) -> None:
    gateway, people = tight
    refresh = _aliased(
        8,
        "refreshSession",
        f'refreshToken: "{people.biller.refresh_token}x"',
        "session { accessToken } errors { code }",
    )
    assert _codes((await anonymous(gateway, refresh))["data"]) == (
        ["INVALID_REFRESH_TOKEN"] * 6 + ["RATE_LIMITED"] * 2
    )
    accept = _aliased(
        8,
        "acceptInvitation",
        'input: {token: "pgi_guess", name: "Mallory", password: "quartz-lantern-meadow-4"}',
        "user { email } errors { code }",
    )
    assert _codes((await anonymous(gateway, accept))["data"]) == (
        ["INVALID_INVITATION"] * 6 + ["RATE_LIMITED"] * 2
    )


async def test_a_batch_of_operations_is_counted_operation_by_operation(
    database: Database, world: Any
) -> None:
    settings = GatewaySettings(
        database_url=database.url,
        anonymous_rate_limit_per_minute=100_000,
        credential_attempts_per_minute=3,
        max_batch_operations=5,
    )
    async for gateway in start_gateway(database, world, settings=settings):
        login = (
            f'mutation {{ login(input: {{email: "nobody@a.example", password: "{WRONG}"}}) '
            "{ errors { code } } }"
        )
        response = await gateway.client.post("/graphql", json=[{"query": login}] * 5)
        assert response.status_code == 200, response.text
        codes = [item["data"]["login"]["errors"][0]["code"] for item in response.json()]
        assert codes == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 2


async def test_the_client_address_has_its_own_budget(database: Database, world: Any) -> None:
    settings = GatewaySettings(database_url=database.url, anonymous_rate_limit_per_minute=4)
    async for gateway in start_gateway(database, world, settings=settings):
        query = (
            "mutation { "
            + " ".join(
                f'a{i}: login(input: {{email: "user{i}@a.example", password: "{WRONG}"}}) {{ errors {{ code }} }}'
                for i in range(6)
            )
            + " }"
        )
        codes = _codes((await anonymous(gateway, query))["data"])
        assert codes == ["INVALID_CREDENTIALS"] * 4 + ["RATE_LIMITED"] * 2


def test_every_mutation_open_to_anonymous_callers_counts_attempts() -> None:
    """A new anonymous mutation (a password reset, say) cannot forget to count attempts."""
    schema = build_schema()
    mutation = schema.get_type_by_name("Mutation")
    assert mutation is not None
    anonymous_fields = {
        field.name
        for field in mutation.fields  # type: ignore[attr-defined]
        if not any(type(e).__name__ == "PermissionExtension" for e in field.extensions)
    }
    assert anonymous_fields == {
        "login",
        "complete_login",
        "refresh_session",
        "accept_invitation",
        "register_practice",
    }
    for field in mutation.fields:  # type: ignore[attr-defined]
        if field.name in anonymous_fields:
            assert any(isinstance(e, CredentialAttempt) for e in field.extensions), field.name
