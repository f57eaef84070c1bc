"""A live subscription ends with its credential: logout, password change, disabled user, revoked API
key, expiry. The socket closes with 4401 and the event that found the credential ended is not sent."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets

from gateway.auth import tokens
from gateway.claims.events import StatusChange
from gateway.http.app import create_app
from gateway.identity import create_api_key
from payers.sandbox.fleet import start_server, stop_server
from tests.claims.test_live_updates import _subscribe, _until_subscribed
from tests.gateway.conftest import Gateway
from tests.gateway.people import PASSWORD, Person, add_person


@pytest.fixture
async def served(claims_gateway: Gateway) -> AsyncIterator[tuple[Gateway, int]]:
    running = await start_server("gateway", create_app(claims_gateway.services))
    try:
        yield claims_gateway, running.port
    finally:
        await stop_server(running)


def _change(gateway: Gateway, claim_id: str, state: str) -> StatusChange:
    return StatusChange(
        practice_id=gateway.practice_id,
        claim_id=claim_id,
        patient_id=str(uuid.uuid4()),
        payer_id="lakeshore",
        control_number="PGW0000001",
        payer_claim_id=None,
        state=state,
        category_code="P1",
        category_description="Pending/In Process",
        status_code=None,
        status_description=None,
        effective_date=None,
        source="poll",
        message=None,
        recorded_at=datetime.now(UTC).isoformat(),
    )


async def _publish(gateway: Gateway, claim_id: str, state: str) -> None:
    await gateway.services.claims.bus.publish(_change(gateway, claim_id, state))  # type: ignore[union-attr]


async def _frames_until_closed(
    socket: Any, seconds: float = 10
) -> tuple[list[dict[str, Any]], Any]:
    """Every message the server still sends, and the close frame it ends with."""
    seen: list[dict[str, Any]] = []
    with pytest.raises(websockets.ConnectionClosed) as closed:
        async with asyncio.timeout(seconds):
            while True:
                seen.append(json.loads(await socket.recv()))
    return seen, closed.value.rcvd


async def _query(gateway: Gateway, query: str, token: str, **variables: Any) -> dict[str, Any]:
    return await gateway.query(query, variables, key=token)


async def _logout(gateway: Gateway, person: Person, admin: Person) -> None:
    assert (await _query(gateway, "mutation { logout { ok } }", person.token))["data"]["logout"][
        "ok"
    ]


async def _change_password(gateway: Gateway, person: Person, admin: Person) -> None:
    done = await _query(
        gateway,
        "mutation($c: String!, $n: String!) { changePassword(input: "
        "{currentPassword: $c, newPassword: $n}) { ok } }",
        person.token,
        c=PASSWORD,
        n="saffron-glacier-piano-5",
    )
    assert done["data"]["changePassword"]["ok"]


async def _disable(gateway: Gateway, person: Person, admin: Person) -> None:
    done = await _query(
        gateway,
        "mutation($id: ID!) { disableUser(id: $id) { user { status } } }",
        admin.token,
        id=person.id,
    )
    assert done["data"]["disableUser"]["user"]["status"] == "disabled"


ENDINGS: dict[str, tuple[Callable[[Gateway, Person, Person], Awaitable[None]], str]] = {
    "logout": (_logout, "UNAUTHENTICATED: The session has ended; log in again."),
    "password-change": (_change_password, "UNAUTHENTICATED: The session has ended; log in again."),
    "user-disabled": (_disable, "UNAUTHENTICATED: The session has ended; log in again."),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
async def test_a_users_subscription_ends_with_the_session(
    served: tuple[Gateway, int], ending: str
) -> None:
    gateway, port = served
    admin = await add_person(gateway, gateway.practice_id, "practice_admin", "admin@a.example")
    biller = await add_person(gateway, gateway.practice_id, "biller", "biller@a.example")
    claim_id = str(uuid.uuid4())
    socket = await _subscribe(port, biller.token, claim_id)
    try:
        await _until_subscribed(gateway)
        await _publish(gateway, claim_id, "pending")
        first = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        assert first["payload"]["data"]["claimStatusChanged"]["state"] == "PENDING"

        end, reason = ENDINGS[ending]
        await end(gateway, biller, admin)
        await _publish(gateway, claim_id, "finalized")
        seen, close = await _frames_until_closed(socket)
    finally:
        await socket.close()
    assert seen == []  # the change published after the session ended never reached the socket
    assert (close.code, close.reason) == (4401, reason)
    async with asyncio.timeout(5):  # and the subscription itself is gone from the bus
        while gateway.services.claims.bus.subscribers:  # type: ignore[union-attr]
            await asyncio.sleep(0.01)


async def test_a_revoked_api_keys_subscription_ends_before_the_next_event(
    served: tuple[Gateway, int],
) -> None:
    gateway, port = served
    admin = await add_person(gateway, gateway.practice_id, "practice_admin", "admin@a.example")
    key = await create_api_key(gateway.services.database, gateway.practice_id, "partner")
    claim_id = str(uuid.uuid4())
    # The key's principal is now in the principal cache: the check before each event must not use it.
    assert (await gateway.query("{ me { actorKind } }", key=key))["data"]["me"]
    socket = await _subscribe(port, key, claim_id)
    try:
        await _until_subscribed(gateway)
        listed = await gateway.query("{ apiKeys { id name } }", key=admin.token)
        key_id = next(k["id"] for k in listed["data"]["apiKeys"] if k["name"] == "partner")
        revoked = await gateway.query(
            "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { id } } }",
            {"id": key_id},
            key=admin.token,
        )
        assert revoked["data"]["revokeApiKey"]["apiKey"]["id"] == key_id
        await _publish(gateway, claim_id, "finalized")
        seen, close = await _frames_until_closed(socket)
    finally:
        await socket.close()
    assert seen == []
    assert (close.code, close.reason) == (4401, "UNAUTHENTICATED: The API key has been revoked.")


async def test_the_socket_closes_at_the_access_tokens_expiry_without_an_event(
    served: tuple[Gateway, int],
) -> None:
    gateway, port = served
    biller = await add_person(gateway, gateway.practice_id, "biller", "biller@a.example")
    short, expires = tokens.encode(
        gateway.services.settings.jwt_secret,
        tokens.ACCESS,
        biller.id,
        # Long enough for the subscription to be registered first on a loaded machine too.
        timedelta(seconds=4),
        sid=biller.session_id,
    )
    socket = await _subscribe(port, None, str(uuid.uuid4()), {"Authorization": f"Bearer {short}"})
    try:
        await _until_subscribed(gateway)
        seen, close = await _frames_until_closed(socket, seconds=10)
    finally:
        await socket.close()
    assert seen == []
    assert (close.code, close.reason) == (4401, "UNAUTHENTICATED: The access token has expired.")
    # Not before the token's own expiry (whole seconds in the JWT), and soon after it.
    assert datetime.now(UTC) >= expires - timedelta(seconds=1)


async def test_an_api_key_with_an_expiry_closes_then(served: tuple[Gateway, int]) -> None:
    gateway, port = served
    key = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "short-lived",
        expires_at=datetime.now(UTC) + timedelta(seconds=2),
    )
    socket = await _subscribe(port, key, str(uuid.uuid4()))
    try:
        seen, close = await _frames_until_closed(socket, seconds=6)
    finally:
        await socket.close()
    assert seen == []
    assert (close.code, close.reason) == (4401, "UNAUTHENTICATED: The API key has expired.")
