"""submitClaim -> outbox -> dispatcher -> sandbox payer, for every protocol with a sandbox server."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from gateway.storage.claims_tables import ClaimOutbox
from payers.sandbox.launch import KINDS
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.gateway.conftest import Gateway

SANDBOX_PAYERS = ["lakeshore", "cascade", "northwind", "summit"]


def _served(world: Any) -> list[str]:
    return [p for p in SANDBOX_PAYERS if world.books[p].protocol in KINDS]


async def _stats(gateway: Gateway, payer_id: str) -> dict[str, Any]:
    response = await gateway.sandbox(payer_id).get("/_control/stats")
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("payer_id", SANDBOX_PAYERS)
async def test_an_accepted_claim_reaches_its_payer_once_and_is_acknowledged(
    claims_gateway: Gateway, world: Any, today: Any, payer_id: str
) -> None:
    if payer_id not in _served(world):
        pytest.skip(f"no {world.books[payer_id].protocol} sandbox server yet")
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, payer_id)
    result = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    payload = result["data"]["submitClaim"]
    assert payload["errors"] == []
    claim = payload["claim"]
    assert claim["state"] == "SUBMITTED" and claim["totalCharge"] == "187.00"
    assert claim["controlNumber"].startswith("PG") and len(claim["controlNumber"]) == 16
    assert [h["source"] for h in claim["statusHistory"]] == ["submission"]

    dispatcher = gateway.services.claims.dispatcher  # type: ignore[union-attr]
    assert await dispatcher.run_once() == 1
    assert await dispatcher.run_once() == 0  # nothing left: sent once

    stats = await _stats(gateway, payer_id)
    assert stats["claims_received"] == {claim["controlNumber"]: 1}
    received = gateway.sandbox_apps[payer_id].state.intake.received()
    assert [c.control_number for c in received] == [claim["controlNumber"]]
    assert received[0].total_charge == 187 and [ln.procedure.code for ln in received[0].lines] == [
        "99213",
        "83036",
    ]

    after = await gateway.query(
        "query($id: ID!) { claim(id: $id) { state payerClaimId category { code } "
        "delivery { state attempts } statusHistory { state source category { code } status { code } } } }",
        {"id": claim["id"]},
    )
    stored = after["data"]["claim"]
    assert stored["state"] == "ACKNOWLEDGED"
    assert stored["payerClaimId"] == received[0].payer_claim_id
    assert stored["delivery"] == {"state": "sent", "attempts": 1}
    assert [(h["state"], h["source"]) for h in stored["statusHistory"]] == [
        ("SUBMITTED", "submission"),
        ("ACKNOWLEDGED", "acknowledgment"),
    ]
    assert stored["statusHistory"][1]["category"] == {"code": "A1"}


async def test_claims_wait_while_the_payer_is_down_then_arrive_once(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    services = gateway.services.claims
    assert services is not None
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    await gateway.faults("lakeshore", error_rate=1.0, operations=["claim_submission"])
    keys = [new_key() for _ in range(3)]
    for index, key in enumerate(keys):
        draft = office_visit(world, who, today, days_ago=2 + index)
        assert (await gateway.query(SUBMIT, {"input": as_input(draft), "key": key}))["data"][
            "submitClaim"
        ]["errors"] == []
    services.dispatcher.backoff = type(services.dispatcher.backoff)(base=0.0, cap=0.0)
    assert await services.dispatcher.run_once() == 3
    async with gateway.services.database.session() as session:
        rows = list(await session.scalars(select(ClaimOutbox)))
    # one failed send marks the payer down for the batch: the others wait without being tried
    assert {r.state for r in rows} == {"pending"}
    assert sorted(r.last_error for r in rows) == [
        "PAYER_UNAVAILABLE",
        "PAYER_UNAVAILABLE",
        "PAYER_UNAVAILABLE",
    ]
    assert (await _stats(gateway, "lakeshore"))["claims_received"] == {}

    await gateway.faults("lakeshore")  # back up
    assert await services.dispatcher.run_once() == 3
    received = (await _stats(gateway, "lakeshore"))["claims_received"]
    assert sorted(received.values()) == [1, 1, 1]
    async with gateway.services.database.session() as session:
        assert {r.state for r in await session.scalars(select(ClaimOutbox))} == {"sent"}


async def test_a_claim_the_payer_refuses_at_the_front_door_is_recorded_rejected(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    """The sandbox knows the member but not under this birth date: 277CA A7/30 comes back."""
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, "cascade")
    from gateway.storage.tables import Patient

    async with gateway.services.database.transaction() as session:
        patient = await session.get(Patient, who.patient_id)
        assert patient is not None
        patient.birth_date = patient.birth_date.replace(year=patient.birth_date.year - 1)
    draft = office_visit(world, who, today)
    result = await gateway.query(SUBMIT, {"input": as_input(draft), "key": new_key()})
    claim = result["data"]["submitClaim"]["claim"]
    await gateway.services.claims.dispatcher.run_once()  # type: ignore[union-attr]
    after = await gateway.query(
        "query($id: ID!) { claim(id: $id) { state statusHistory { state category { code } status { code } } } }",
        {"id": claim["id"]},
    )
    assert after["data"]["claim"]["state"] == "REJECTED"
    last = after["data"]["claim"]["statusHistory"][-1]
    assert (last["category"]["code"], last["status"]["code"]) == ("A7", "30")
