"""The largest batch a practice may send, 10,000 patient ids, fits in one request and is queued."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, insert, select

from gateway.storage.batch_tables import EligibilityCheck
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient
from payers.model import SubscriberRelation
from tests.batch.conftest import REST_PAYER, START, BatchGateway

MOST_PATIENTS = 10_000


async def _patients_with_one_card(gateway: BatchGateway, world: object, count: int) -> list[str]:
    """``count`` patients of the practice, one card each at a REST sandbox payer, in two inserts."""
    member = next(
        m
        for m in world.books[REST_PAYER].members.values()  # type: ignore[attr-defined]
        if m.active and m.relation == SubscriberRelation.SELF
    )
    ids = [str(uuid.uuid4()) for _ in range(count)]
    patients = [
        {
            "id": patient_id,
            "practice_id": gateway.practice_id,
            "first_name": member.person.first_name,
            "last_name": member.person.last_name,
            "birth_date": member.person.birth_date,
        }
        for patient_id in ids
    ]
    cards = [
        {
            "practice_id": gateway.practice_id,
            "patient_id": patient_id,
            "payer_id": REST_PAYER,
            "member_id": member.member_id,
            "group_number": f"SIZE-{n:05d}",
            "relation": "self",
            "priority": 1,
        }
        for n, patient_id in enumerate(ids)
    ]
    async with gateway.services.database.transaction() as session:
        await session.execute(insert(Patient), patients)
        await session.execute(insert(Coverage), cards)
    return ids


async def _checks(database: Database, batch_id: str) -> int:
    async with database.session() as session:
        counted = await session.scalar(
            select(func.count()).where(EligibilityCheck.batch_id == batch_id)
        )
    return int(counted or 0)


async def test_a_batch_of_10000_patient_ids_is_accepted_and_queued(
    batch_gateway: BatchGateway, world: object
) -> None:
    gateway = batch_gateway
    ids = await _patients_with_one_card(gateway, world, MOST_PATIENTS)
    body = json.dumps(
        {"query": START, "variables": {"key": str(uuid.uuid4()), "ids": ids}}
    ).encode()
    # Over the 256 KiB the gateway used to accept, so the old limit would refuse it (413).
    assert len(body) > 256 * 1024
    assert len(body) <= gateway.services.settings.max_body_bytes

    response = await gateway.client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {gateway.key}", "Content-Type": "application/json"},
    )

    assert response.status_code == 200, response.text[:500]
    answer = response.json()
    assert "errors" not in answer, str(answer)[:500]
    started = answer["data"]["checkEligibilityBatch"]
    assert started["errors"] == [] and started["created"] is True
    batch = started["batch"]
    assert batch["status"] == "queued"
    assert batch["total"] == MOST_PATIENTS and batch["done"] == 0
    assert [p["payer"]["id"] for p in batch["byPayer"]] == [REST_PAYER]
    assert await _checks(gateway.services.database, batch["id"]) == MOST_PATIENTS


async def test_a_body_over_the_limit_is_still_refused(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    limit = gateway.services.settings.max_body_bytes
    # Ids that are never looked up: the body is refused before anything reads it whole.
    ids = [str(uuid.uuid4()) for _ in range(limit // 39 + 1)]
    response = await gateway.post(START, {"key": str(uuid.uuid4()), "ids": ids})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
