"""Money fixtures: a claims gateway, claims submitted through the desk, and remittances posted to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.tables import Coverage
from payers.sandbox.world import World
from tests.claims.conftest import Billed, _claims_gateway, new_key, office_visit
from tests.gateway.conftest import Gateway


@pytest.fixture
async def money_gateway(database: Database, world: World) -> AsyncIterator[Gateway]:
    async for running in _claims_gateway(database, world):
        yield running


async def card(gateway: Gateway, world: World, person: str, priority: int = 1) -> Billed:
    """The patient ``person`` billed on their card of this priority."""
    patient_id = gateway.patient_ids[person]
    async with gateway.services.database.session() as session:
        coverage = await session.scalar(
            select(Coverage).where(Coverage.patient_id == patient_id, Coverage.priority == priority)
        )
    assert coverage is not None, (person, priority)
    member = world.books[coverage.payer_id].members
    member_id = next(m.member_id for m in member.values() if m.person.key == person)
    return Billed(patient_id, coverage.id, coverage.payer_id, member_id, person)


async def submitted(
    gateway: Gateway,
    world: World,
    who: Billed,
    today: date,
    *,
    days_ago: int = 0,
    relation: tuple[str, str] | None = None,
    **changes: Any,
) -> SubmittedClaim:
    """A claim accepted by the desk (the real submit path), its submission ``days_ago`` days back;
    ``relation`` = (relation, earlier claim id) until the corrections' mutations make them."""
    desk = gateway.services.claims.desk  # type: ignore[union-attr]
    draft = office_visit(world, who, today, days_ago=min(days_ago + 3, 360), **changes)
    accepted = await desk.submit(gateway.practice_id, new_key(), draft)
    assert accepted.claim is not None, accepted.errors
    values: dict[str, Any] = {}
    if days_ago:
        values["created_at"] = datetime.now(UTC) - timedelta(days=days_ago)
    if relation:
        values["relation"], values["related_claim_id"] = relation
    async with gateway.services.database.transaction() as session:
        if values:
            await session.execute(
                update(SubmittedClaim)
                .where(SubmittedClaim.id == accepted.claim.id)
                .values(**values)
            )
        row = await session.get(SubmittedClaim, accepted.claim.id)
        assert row is not None
        session.expunge(row)
    return row
