"""A claim's status history keeps the payer's own words (which may name the member) apart from the
gateway's: ``message`` for every claims reader, ``payerMessage`` for phi:read only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from gateway.storage.tables import Coverage
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.gateway.conftest import Gateway
from tests.gateway.people import staff

HISTORY = """query($id: ID!) { claim(id: $id) { state
  statusHistory { source state message payerMessage } } }"""
TYPO = "LHPX84552669"  # a mistyped card: the payer has no such member


@pytest.mark.parametrize("payer_id", ["lakeshore", "northwind", "summit"])
async def test_a_rejection_names_the_member_only_to_phi_read(
    claims_gateway: Gateway, world: Any, today: Any, payer_id: str
) -> None:
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, payer_id)
    async with gateway.services.database.transaction() as session:
        await session.execute(
            update(Coverage).where(Coverage.id == who.coverage_id).values(member_id=TYPO)
        )
    draft = office_visit(world, who, today)
    submitted = await gateway.query(SUBMIT, {"input": as_input(draft), "key": new_key()})
    claim_id = submitted["data"]["submitClaim"]["claim"]["id"]
    assert await gateway.services.claims.dispatcher.run_once() == 1  # type: ignore[union-attr]

    people = await staff(gateway)
    shown = await gateway.post(HISTORY, {"id": claim_id}, key=people.analyst.token)
    body = shown.json()
    entries = body["data"]["claim"]["statusHistory"]
    assert body["data"]["claim"]["state"] == "REJECTED"
    assert [e["payerMessage"] for e in entries] == [None, None]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    person = world.people[who.person]
    for secret in (TYPO, person.last_name, person.first_name, person.birth_date.isoformat()):
        assert secret not in shown.text
    assert entries[-1]["message"]  # the gateway still says why, in its own words

    biller = (await gateway.query(HISTORY, {"id": claim_id}, key=people.biller.token))["data"]
    rejection = biller["claim"]["statusHistory"][-1]
    assert rejection["message"] == entries[-1]["message"]
    assert rejection["payerMessage"]
