"""End to end, per protocol: a claim submitted through the API is acknowledged, adjudicated by the
sandbox payer's own clock, its remittance pulled on the schedule the poller sets and posted once,
and the ledger holds the payer's adjudication to the cent; a void reverses it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.ledger_tables import RemittanceClaim, RemittancePull
from payers.registry import parse_payers_config
from payers.sandbox.clock import ClockSettings
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import World
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.gateway.conftest import OTHER_PRACTICE, Gateway

CLAIM = """
query Claim($id: ID!) {
  claim(id: $id) {
    state financialState paidAmount payerClaimId
    financials { charged allowed paid patientResponsibility balance settled }
    payments {
      traceNumber amount
      claims { controlNumber payerClaimId status { code } charge paid patientResponsibility
        lines { procedure { code } charge paid allowedAmount
                adjustments { group { code } reason { code } amount } } }
    }
  }
}"""


@pytest.fixture
async def stepped_gateway(database: Database, world: World) -> AsyncIterator[Gateway]:
    """A gateway over sandbox payers whose clocks move only when the test moves them."""
    plan = plan_sandboxes(world, clock=ClockSettings.stepped())
    os.environ.update(plan.environ)
    payer_settings = parse_payers_config(
        payers_toml(world, {key: f"http://{key}.sandbox" for key in plan.apps}, 5.0)
    )
    settings = GatewaySettings(database_url=database.url, anonymous_rate_limit_per_minute=100_000)
    services = build_services(
        settings, payer_settings, transport_for=lambda s: httpx.ASGITransport(app=plan.apps[s.id])
    )
    practice_id = await create_practice(database, *demo_practice(world))
    patient_ids = await seed_practice_patients(database, practice_id, world, set(plan.apps))
    key = await create_api_key(database, practice_id, "tests")
    other = await create_practice(database, *OTHER_PRACTICE)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)), base_url="http://gateway.test"
    )
    gateway = Gateway(
        client, services, key, practice_id, patient_ids, plan.apps, other_practice_id=other
    )
    try:
        yield gateway
    finally:
        await client.aclose()
        for sandbox_client in gateway._sandbox_clients.values():
            await sandbox_client.aclose()
        assert services.claims is not None
        await services.claims.close()
        await services.payers.aclose()
        await services.database.dispose()


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    "payer_id", ["lakeshore", "northwind", "summit"], ids=["rest", "fhir", "x12"]
)
async def test_submitted_adjudicated_pulled_posted_to_the_cent(
    database: Database, world: World, today: Any, stepped_gateway: Gateway, payer_id: str
) -> None:
    gateway = stepped_gateway
    claims = gateway.services.claims
    assert claims is not None
    who = await billed(database, gateway.patient_ids, world, payer_id)
    submitted = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    claim = submitted["data"]["submitClaim"]["claim"]
    assert claim is not None, submitted
    await claims.dispatcher.run_once()
    # Everything the schedule has pulled so far is in; the claim is acknowledged, not yet paid.
    await claims.puller.run_once()
    await claims.puller.drain()
    before = (await gateway.query(CLAIM, {"id": claim["id"]}))["data"]["claim"]
    assert (before["state"], before["financialState"], before["payments"]) == (
        "ACKNOWLEDGED",
        None,
        [],
    )

    step = await gateway.sandbox(payer_id).post("/_control/clock", json={"run_until_idle": True})
    assert step.status_code == 200, step.text
    traces = step.json()["remittances"]
    assert len(traces) == 1

    # The poller sees the claim settled and makes the payer's pull due; the scheduled puller posts it.
    async with database.transaction() as session:
        await session.execute(
            update(SubmittedClaim)
            .where(SubmittedClaim.id == claim["id"])
            .values(next_poll_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert await claims.poller.run_once() == 1
    await claims.puller.run_once()
    await claims.puller.drain()

    after = (await gateway.query(CLAIM, {"id": claim["id"]}))["data"]["claim"]
    assert after["state"] in ("FINALIZED", "DENIED")
    [payment] = after["payments"]
    assert payment["traceNumber"] == traces[0]
    [ours] = payment["claims"]
    assert ours["controlNumber"] == claim["controlNumber"]

    # The payer's own adjudication, as its payments endpoint states it.
    answer = await gateway.services.payers.call(
        gateway.practice_id, payer_id, _payments(), None, None, fresh=True
    )
    [stated] = [
        c
        for p in answer.value
        if p.trace_number == traces[0]
        for c in p.claims
        if c.control_number == claim["controlNumber"]
    ]
    assert (money(ours["charge"]), money(ours["paid"])) == (stated.charge, stated.paid)
    assert money(ours["patientResponsibility"]) == stated.patient_responsibility
    assert [
        [(a["group"]["code"], a["reason"]["code"], money(a["amount"])) for a in line["adjustments"]]
        for line in ours["lines"]
    ] == [
        [(a.group.code, a.reason.code, a.amount) for a in line.adjustments] for line in stated.lines
    ]
    # The claim's financials (from the ledger) are the payer's adjudication to the cent.
    financials = after["financials"]
    allowed = sum((line.allowed_amount or Decimal("0") for line in stated.lines), Decimal("0.00"))
    assert (
        money(financials["charged"]),
        money(financials["paid"]),
        money(financials["patientResponsibility"]),
        money(financials["allowed"]),
        financials["settled"],
    ) == (stated.charge, stated.paid, stated.patient_responsibility, allowed, True)
    assert money(financials["balance"]) == stated.patient_responsibility
    if after["paidAmount"] is not None:  # the 277's paid amount, where the payer states one
        assert money(after["paidAmount"]) == stated.paid
    expected_state = "DENIED" if stated.paid == 0 and not stated.patient_responsibility else None
    assert after["financialState"] in (
        ("PAID", "PARTIALLY_PAID") if expected_state is None else (expected_state,)
    )

    # Pulled again: nothing is posted twice.
    async with database.transaction() as session:
        from gateway.ledger import schedule

        await schedule.pull_now(session, gateway.practice_id, payer_id)
    await claims.puller.run_once()
    await claims.puller.drain()
    async with database.session() as session:
        posted = await session.scalar(
            select(func.count())
            .select_from(RemittanceClaim)
            .where(RemittanceClaim.claim_id == claim["id"])
        )
    assert posted == 1


def _payments() -> Any:
    from payers.contract import Capability

    return Capability.PAYMENTS


async def _settle(
    gateway: Gateway,
    database: Database,
    payer_id: str,
    claim_ids: list[str],
    *,
    schedule_passes: bool = False,
) -> list[str]:
    """The payer's clock runs until idle; the poller and the scheduled puller do the rest."""
    claims = gateway.services.claims
    assert claims is not None
    step = await gateway.sandbox(payer_id).post("/_control/clock", json={"run_until_idle": True})
    assert step.status_code == 200, step.text
    async with database.transaction() as session:
        await session.execute(
            update(SubmittedClaim)
            .where(SubmittedClaim.id.in_(claim_ids))
            .values(next_poll_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    await claims.poller.run_once()
    if schedule_passes:  # the pull interval passes (a reversal settles no claim the poller follows)
        async with database.transaction() as session:
            await session.execute(
                update(RemittancePull).values(next_pull_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    await claims.puller.run_once()
    await claims.puller.drain()
    return step.json()["remittances"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "payer_id", ["lakeshore", "northwind", "summit"], ids=["rest", "fhir", "x12"]
)
async def test_a_void_reverses_the_payment_and_the_claim_shows_reversed(
    database: Database, world: World, today: Any, stepped_gateway: Gateway, payer_id: str
) -> None:
    gateway = stepped_gateway
    claims = gateway.services.claims
    assert claims is not None
    who = await billed(database, gateway.patient_ids, world, payer_id)
    visit = office_visit(world, who, today)
    first = (await gateway.query(SUBMIT, {"input": as_input(visit), "key": new_key()}))["data"][
        "submitClaim"
    ]["claim"]
    await claims.dispatcher.run_once()
    await _settle(gateway, database, payer_id, [first["id"]])
    paid = (await gateway.query(CLAIM, {"id": first["id"]}))["data"]["claim"]
    assert paid["financialState"] in ("PAID", "PARTIALLY_PAID")
    assert paid["payerClaimId"]

    void = as_input(visit)
    void |= {"frequencyCode": "8", "originalPayerClaimId": paid["payerClaimId"]}
    voided = await gateway.query(SUBMIT, {"input": void, "key": new_key()})
    assert voided["data"]["submitClaim"]["errors"] == [], voided
    await claims.dispatcher.run_once()
    traces = await _settle(
        gateway,
        database,
        payer_id,
        [first["id"], voided["data"]["submitClaim"]["claim"]["id"]],
        schedule_passes=True,
    )
    assert traces

    after = (await gateway.query(CLAIM, {"id": first["id"]}))["data"]["claim"]
    assert after["financialState"] == "REVERSED"
    payments = after["payments"]
    assert len(payments) == 2
    reversal = payments[1]["claims"][0]
    assert reversal["status"]["code"] == "22"
    assert money(reversal["paid"]) == -money(payments[0]["claims"][0]["paid"])
    assert sum(money(p["claims"][0]["paid"]) for p in payments) == 0
