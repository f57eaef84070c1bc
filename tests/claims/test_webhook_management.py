"""A practice lists its own webhooks with their latest deliveries and deletes them: another practice's
webhook is NOT_FOUND and untouched, and a deleted webhook gets nothing more."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.identity import CLAIMS_READ, create_api_key
from gateway.storage.claims_tables import WebhookDelivery
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.claims.webhook_receivers import receiver, register
from tests.gateway.conftest import Gateway

WEBHOOKS = """{ webhooks { id url events active createdAt
  lastDeliveries(first: 5) { event state attempts lastStatusCode lastError createdAt
                             nextAttemptAt deliveredAt } } }"""
DELETE = """mutation($id: ID!) { deleteWebhook(id: $id) {
  errors { code field } webhook { id active } } }"""


async def _submit_claim(gateway: Gateway, world: Any, today: Any) -> None:
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    body = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    assert body["data"]["submitClaim"]["errors"] == [], body


async def _send_due(gateway: Gateway) -> int:
    assert gateway.services.claims is not None
    return await gateway.services.claims.webhooks.run_once()


async def test_a_practice_lists_only_its_own_webhooks_with_their_last_deliveries(
    webhook_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = webhook_gateway
    async with receiver() as partner:
        ours = await register(gateway, partner.url("/ours"))
        theirs = await register(gateway, partner.url("/theirs"), key=gateway.other_key)
        await _submit_claim(gateway, world, today)
        assert await _send_due(gateway) == 1

        [listed] = (await gateway.query(WEBHOOKS))["data"]["webhooks"]
        assert (listed["id"], listed["url"], listed["events"], listed["active"]) == (
            ours["webhook"]["id"],
            partner.url("/ours"),
            ["claim.status_changed"],
            True,
        )
        assert listed["createdAt"].endswith("+00:00")
        [delivery] = listed["lastDeliveries"]
        assert {k: delivery[k] for k in ("event", "state", "attempts", "lastStatusCode")} == {
            "event": "claim.status_changed",
            "state": "DELIVERED",
            "attempts": 1,
            "lastStatusCode": 204,
        }
        assert delivery["lastError"] is None and delivery["nextAttemptAt"] is None
        assert delivery["deliveredAt"] is not None

        other = (await gateway.query(WEBHOOKS, key=gateway.other_key))["data"]["webhooks"]
        assert [(w["id"], w["lastDeliveries"]) for w in other] == [(theirs["webhook"]["id"], [])]
        assert [path for path, _ in partner.hits] == ["/ours"]


async def test_delete_is_scoped_to_the_practice(webhook_gateway: Gateway) -> None:
    gateway = webhook_gateway
    async with receiver() as partner:
        hook_id = (await register(gateway, partner.url()))["webhook"]["id"]

    foreign = await gateway.query(DELETE, {"id": hook_id}, key=gateway.other_key)
    assert foreign["data"]["deleteWebhook"] == {
        "errors": [{"code": "NOT_FOUND", "field": ["input", "id"]}],
        "webhook": None,
    }
    [still] = (await gateway.query(WEBHOOKS))["data"]["webhooks"]
    assert (still["id"], still["active"]) == (hook_id, True)

    malformed = await gateway.query(DELETE, {"id": "not-an-id"})
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    deleted = await gateway.query(DELETE, {"id": hook_id})
    assert deleted["data"]["deleteWebhook"] == {
        "errors": [],
        "webhook": {"id": hook_id, "active": False},
    }
    assert (await gateway.query(WEBHOOKS))["data"]["webhooks"] == []
    again = await gateway.query(DELETE, {"id": hook_id})
    assert again["data"]["deleteWebhook"]["errors"][0]["code"] == "NOT_FOUND"


async def test_webhooks_need_the_scope_that_registers_them(webhook_gateway: Gateway) -> None:
    gateway = webhook_gateway
    reader = await create_api_key(
        gateway.services.database, gateway.practice_id, "reader", frozenset({CLAIMS_READ})
    )
    listed = await gateway.query(WEBHOOKS, key=reader)
    deleted = await gateway.query(
        DELETE, {"id": "8d3c1b5e-0d7e-4f59-9d51-0e7f3c1d2a11"}, key=reader
    )
    for body, field in ((listed, "webhooks"), (deleted, "deleteWebhook")):
        assert body["data"][field] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_deleted_webhook_gets_nothing_more(
    webhook_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = webhook_gateway
    async with receiver() as partner:
        hook_id = (await register(gateway, partner.url()))["webhook"]["id"]
        await _submit_claim(gateway, world, today)  # queued, not yet sent
        deleted = await gateway.query(DELETE, {"id": hook_id})
        assert deleted["data"]["deleteWebhook"]["errors"] == []
        await _submit_claim(gateway, world, today)  # after deletion: nothing queued for it

        assert await _send_due(gateway) == 0
        async with gateway.services.database.session() as session:
            states = list(await session.scalars(select(WebhookDelivery.state)))
        assert states == ["cancelled"]
        assert partner.hits == []
