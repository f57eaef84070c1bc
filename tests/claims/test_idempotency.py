"""One claim per (practice, idempotency key): replays answer the same claim, a new body is a conflict."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from gateway.storage.claims_tables import ClaimOutbox, SubmittedClaim
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.gateway.conftest import Gateway


async def _counts(gateway: Gateway) -> tuple[int, int]:
    async with gateway.services.database.session() as session:
        claims = await session.scalar(select(func.count()).select_from(SubmittedClaim))
        outbox = await session.scalar(select(func.count()).select_from(ClaimOutbox))
    return claims or 0, outbox or 0


async def test_same_key_same_body_is_the_same_claim(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    variables = {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    first = (await gateway.query(SUBMIT, variables))["data"]["submitClaim"]
    again = (await gateway.query(SUBMIT, variables))["data"]["submitClaim"]
    assert first["replayed"] is False and again["replayed"] is True
    assert again["claim"]["id"] == first["claim"]["id"]
    assert again["claim"]["controlNumber"] == first["claim"]["controlNumber"]
    assert await _counts(gateway) == (1, 1)
    # 187 and 187.00 are the same charge: the same body
    variables["input"]["totalCharge"] = "187"
    assert (await gateway.query(SUBMIT, variables))["data"]["submitClaim"]["replayed"] is True


async def test_same_key_different_body_is_a_conflict(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    key = new_key()
    draft = office_visit(world, who, today)
    await gateway.query(SUBMIT, {"input": as_input(draft), "key": key})
    changed = dataclasses.replace(draft, lines=(draft.lines[0],), total_charge=Decimal("145.00"))
    payload = (await gateway.query(SUBMIT, {"input": as_input(changed), "key": key}))["data"][
        "submitClaim"
    ]
    assert payload["claim"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("IDEMPOTENCY_CONFLICT", ["idempotencyKey"])
    ]
    assert await _counts(gateway) == (1, 1)
    short = (await gateway.query(SUBMIT, {"input": as_input(draft), "key": "abc"}))["data"][
        "submitClaim"
    ]
    assert [e["code"] for e in short["errors"]] == ["IDEMPOTENCY_KEY_INVALID"]


async def test_racing_requests_with_one_key_create_one_claim(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    desk = gateway.services.claims.desk  # type: ignore[union-attr]
    who = await billed(gateway.services.database, gateway.patient_ids, world, "cascade")
    key, draft = new_key(), office_visit(world, who, today)
    results = await asyncio.gather(
        *(desk.submit(gateway.practice_id, key, draft) for _ in range(6))
    )
    assert len({r.claim.id for r in results if r.claim}) == 1
    assert all(r.errors == [] for r in results)
    assert sum(not r.replayed for r in results) == 1
    assert await _counts(gateway) == (1, 1)


async def test_keys_belong_to_one_practice(claims_gateway: Gateway, world: Any, today: Any) -> None:
    """Another practice's claim under the same key is no conflict, and its claims are invisible here."""
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    key = new_key()
    mine = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": key}
    )
    claim_id = mine["data"]["submitClaim"]["claim"]["id"]
    theirs = await gateway.query(
        "query($id: ID!) { claim(id: $id) { id } claims { edges { node { id } } } }",
        {"id": claim_id},
        key=gateway.other_key,
    )
    assert theirs["data"] == {"claim": None, "claims": {"edges": []}}
    listed = await gateway.query(
        "{ claims(filter: {open: true}) { edges { node { id state totalCharge } } } }"
    )
    assert listed["data"]["claims"]["edges"] == [
        {"node": {"id": claim_id, "state": "SUBMITTED", "totalCharge": "187.00"}}
    ]
