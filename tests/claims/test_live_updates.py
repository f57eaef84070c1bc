"""Status changes reach subscribers over a real websocket (graphql-transport-ws), across processes with
Redis, and partner webhooks (signed, retried, recorded)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import websockets
from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.claims import webhooks
from gateway.config import GatewaySettings
from gateway.http.app import create_app
from gateway.identity import ELIGIBILITY_READ, create_api_key
from gateway.storage.claims_tables import SubmittedClaim, WebhookDelivery
from gateway.storage.database import Database
from payers.sandbox.fleet import start_server, stop_server
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.conftest import REDIS_URL_ENV, _required_in_ci
from tests.gateway.conftest import Gateway, start_gateway

ROOT = Path(__file__).resolve().parents[2]
WATCH = """subscription($id: ID!) { claimStatusChanged(claimId: $id) {
  claimId state source category { code } status { code } controlNumber } }"""


async def _connect(port: int, key: str | None = None, payload: dict[str, Any] | None = None) -> Any:
    """A graphql-transport-ws connection: ``key`` as the Authorization header, ``payload`` in
    connection_init; the server's first answer is left to the caller."""
    socket = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql",
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        additional_headers={"Authorization": f"Bearer {key}"} if key else {},
    )
    init: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        init["payload"] = payload
    await socket.send(json.dumps(init))
    return socket


async def _send_subscribe(socket: Any, claim_id: str) -> None:
    await socket.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": WATCH, "variables": {"id": claim_id}},
            }
        )
    )


async def _subscribe(
    port: int, key: str | None, claim_id: str, payload: dict[str, Any] | None = None
) -> Any:
    socket = await _connect(port, key, payload)
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    await _send_subscribe(socket, claim_id)
    return socket


async def _next(socket: Any) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
    assert message["type"] == "next", message
    return message["payload"]["data"]["claimStatusChanged"]  # type: ignore[no-any-return]


async def _until_subscribed(gateway: Gateway, count: int = 1) -> None:
    async with asyncio.timeout(5):
        while gateway.services.claims.bus.subscribers < count:  # type: ignore[union-attr]
            await asyncio.sleep(0.01)


async def _submitted(gateway: Gateway, world: Any, today: Any) -> dict[str, Any]:
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    result = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    return result["data"]["submitClaim"]["claim"]  # type: ignore[no-any-return]


async def _adjudicate_in_sandbox(gateway: Gateway, payer_id: str, control_number: str) -> None:
    """The sandbox payer finalizes the claim, paid $145.00 of $187.00: F1 / 65, as its 277 would say."""
    response = await gateway.sandbox(payer_id).put(
        f"/_control/claims/{control_number}/status",
        json={"category": "F1", "status": "65", "paid_amount": "145.00"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "finalized"


async def _poll_now(gateway: Gateway, claim_id: str) -> int:
    async with gateway.services.database.transaction() as session:
        await session.execute(
            update(SubmittedClaim)
            .where(SubmittedClaim.id == claim_id)
            .values(next_poll_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    return await gateway.services.claims.poller.run_once()  # type: ignore[union-attr]


@pytest.fixture
async def served(claims_gateway: Gateway) -> AsyncIterator[tuple[Gateway, int]]:
    running = await start_server("gateway", create_app(claims_gateway.services))
    try:
        yield claims_gateway, running.port
    finally:
        await stop_server(running)


async def test_a_subscriber_sees_the_acknowledgment_and_the_payers_later_status(
    served: tuple[Gateway, int], world: Any, today: Any
) -> None:
    gateway, port = served
    claims = gateway.services.claims
    assert claims is not None
    claim = await _submitted(gateway, world, today)
    socket = await _subscribe(port, gateway.key, claim["id"])
    try:
        await _until_subscribed(gateway)
        await claims.dispatcher.run_once()
        acknowledged = await _next(socket)
        assert (
            acknowledged["state"],
            acknowledged["source"],
            acknowledged["category"]["code"],
        ) == ("ACKNOWLEDGED", "acknowledgment", "A1")
        assert acknowledged["controlNumber"] == claim["controlNumber"]

        assert (
            await _poll_now(gateway, claim["id"]) == 1
        )  # same status at the payer: nothing pushed
        await _adjudicate_in_sandbox(gateway, "lakeshore", claim["controlNumber"])
        assert await _poll_now(gateway, claim["id"]) == 1
        paid = await _next(socket)
        assert (
            paid["state"],
            paid["source"],
            paid["category"]["code"],
            paid["status"]["code"],
        ) == ("FINALIZED", "poll", "F1", "65")
    finally:
        await socket.close()
    history = await gateway.query(
        "query($id: ID!) { claim(id: $id) { state paidAmount statusHistory { state } } }",
        {"id": claim["id"]},
    )
    assert history["data"]["claim"] == {
        "state": "FINALIZED",
        "paidAmount": "145.00",
        "statusHistory": [
            {"state": "SUBMITTED"},
            {"state": "ACKNOWLEDGED"},
            {"state": "FINALIZED"},
        ],
    }


ANONYMOUS_REASON = (
    "UNAUTHENTICATED: send 'Authorization: Bearer <API key or access token>' as a header or in "
    "the connection_init payload"
)
MALFORMED_REASON = (
    "UNAUTHENTICATED: Malformed Authorization header: expected 'Bearer <API key or access token>'."
)


@pytest.mark.parametrize(
    ("key", "payload", "reason"),
    [
        (None, None, ANONYMOUS_REASON),
        (
            "pgw_0000000000000000000000000000000000000000000",
            None,
            "UNAUTHENTICATED: The API key is not valid.",
        ),
        (
            None,
            {"Authorization": "Bearer pgw_not-a-key"},
            "UNAUTHENTICATED: The API key is not valid.",
        ),
        (None, {"Authorization": "Basic dXNlcjpwYXNz"}, MALFORMED_REASON),
    ],
    ids=["no-credentials", "bad-key-header", "bad-key-in-payload", "not-bearer"],
)
async def test_a_connection_without_valid_credentials_is_closed_at_connection_init(
    served: tuple[Gateway, int], key: str | None, payload: dict[str, Any] | None, reason: str
) -> None:
    gateway, port = served
    socket = await _connect(port, key, payload)  # the handshake succeeds: the refusal is readable
    try:
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            await asyncio.wait_for(socket.recv(), timeout=5)  # no connection_ack, no message at all
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, reason)
        assert gateway.services.claims.bus.subscribers == 0  # type: ignore[union-attr]
    finally:
        await socket.close()


async def test_a_key_without_claims_read_gets_forbidden_and_a_bad_target_bad_user_input(
    served: tuple[Gateway, int],
) -> None:
    gateway, port = served
    eligibility_only = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "front desk kiosk",
        frozenset({ELIGIBILITY_READ}),
    )
    socket = await _subscribe(port, eligibility_only, str(uuid.uuid4()))
    try:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))
    finally:
        await socket.close()
    assert message == {
        "id": "1",
        "type": "error",
        "payload": [
            {
                "message": "Your credentials lack the 'claims:read' scope this field needs.",
                "locations": [{"line": 1, "column": 26}],
                "path": ["claimStatusChanged"],
                "extensions": {"code": "FORBIDDEN", "scope": "claims:read"},
            }
        ],
    }
    # A browser cannot set headers on a WebSocket: the key may come in connection_init instead.
    socket = await _subscribe(
        port, None, "not-an-id", payload={"Authorization": f"Bearer {gateway.key}"}
    )
    try:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))
    finally:
        await socket.close()
    assert message["type"] == "next" and message["payload"]["data"] is None, message
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["BAD_USER_INPUT"]


async def test_with_redis_a_change_published_by_another_process_reaches_the_subscriber(
    database: Database, world: Any, today: Any
) -> None:
    url = _required_in_ci(REDIS_URL_ENV, "Redis")
    if not url:
        pytest.skip(f"{REDIS_URL_ENV} not set")
    namespace = f"pgw-test-{uuid.uuid4().hex[:8]}"
    settings = GatewaySettings(database_url=database.url, cache_url=url, cache_namespace=namespace)
    async for gateway in start_gateway(database, world, settings=settings):
        claims = gateway.services.claims
        assert claims is not None
        claims.settings = dataclasses.replace(claims.settings, run_in_gateway=False)
        app = create_app(gateway.services)
        # The app's lifespan starts the Redis bus and, on exit, closes what it opened (its rate limiter).
        async with app.router.lifespan_context(app):
            running = await start_server("gateway", app)
            try:
                who = await billed(
                    gateway.services.database, gateway.patient_ids, world, "lakeshore"
                )
                accepted = await claims.desk.submit(
                    gateway.practice_id, new_key(), office_visit(world, who, today)
                )
                claim = accepted.claim
                assert claim is not None
                socket = await _subscribe(running.port, gateway.key, claim.id)
                await _until_subscribed(gateway)
                change = {
                    "practice_id": gateway.practice_id,
                    "claim_id": claim.id,
                    "patient_id": claim.patient_id,
                    "payer_id": "lakeshore",
                    "control_number": claim.control_number,
                    "payer_claim_id": "LHP-X",
                    "state": "pending",
                    "category_code": "P1",
                    "category_description": "Pending/In Process",
                    "status_code": None,
                    "status_description": None,
                    "effective_date": today.isoformat(),
                    "source": "poll",
                    "message": None,
                    "recorded_at": datetime.now(UTC).isoformat(),
                }
                script = (
                    "import asyncio, sys\n"
                    "from gateway.claims.events import RedisStatusBus, StatusChange\n"
                    "async def main():\n"
                    "    bus = RedisStatusBus(sys.argv[1], sys.argv[2])\n"
                    "    await bus.start()\n"
                    "    await bus.publish(StatusChange.from_json(sys.argv[3]))\n"
                    "    await bus.close()\n"
                    "asyncio.run(main())\n"
                )
                await asyncio.to_thread(
                    subprocess.run,
                    [
                        sys.executable,
                        "-c",
                        script,
                        url,
                        f"{namespace}:claim-status",
                        json.dumps(change),
                    ],
                    cwd=ROOT,
                    check=True,
                    env=os.environ.copy(),
                    timeout=30,
                )
                seen = await _next(socket)
                assert (seen["claimId"], seen["state"], seen["category"]["code"]) == (
                    claim.id,
                    "PENDING",
                    "P1",
                )
                await socket.close()
            finally:
                await stop_server(running)


async def test_webhooks_are_signed_retried_and_recorded(
    webhook_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = webhook_gateway
    claims = gateway.services.claims
    assert claims is not None
    received: list[tuple[dict[str, str], bytes]] = []

    async def hook(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=503 if len(received) == 1 else 204)

    partner = await start_server(
        "partner", Starlette(routes=[Route("/hooks/claims", hook, methods=["POST"])])
    )
    try:
        url = f"http://127.0.0.1:{partner.port}/hooks/claims"
        registered = await gateway.query(
            "mutation($url: String!) { registerWebhook(input: {url: $url, events: [CLAIM_STATUS_CHANGED]}) "
            "{ secret errors { code } webhook { url events } } }",
            {"url": url},
        )
        payload = registered["data"]["registerWebhook"]
        assert payload["errors"] == [] and payload["webhook"]["events"] == ["claim.status_changed"]

        claim = await _submitted(gateway, world, today)
        claims.webhooks.backoff = type(claims.webhooks.backoff)(base=0.0, cap=0.0)
        assert await claims.webhooks.run_once() == 1  # 503: kept for a retry
        assert await claims.webhooks.run_once() == 1  # delivered
        assert await claims.webhooks.run_once() == 0
        headers, body = received[-1]
        assert headers["x-payergateway-event"] == "claim.status_changed"
        assert webhooks.verify(
            payload["secret"],
            int(headers["x-payergateway-timestamp"]),
            body,
            headers["x-payergateway-signature"],
        )
        assert not webhooks.verify(
            "whsec_wrong",
            int(headers["x-payergateway-timestamp"]),
            body,
            headers["x-payergateway-signature"],
        )
        event = json.loads(body)
        assert event["data"]["claimId"] == claim["id"] and event["data"]["state"] == "submitted"
        assert received[0][0]["x-payergateway-delivery"] == headers["x-payergateway-delivery"]
        async with gateway.services.database.session() as session:
            delivery = await session.scalar(select(WebhookDelivery))
        assert delivery is not None
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
            "delivered",
            2,
            204,
        )
    finally:
        await stop_server(partner)
