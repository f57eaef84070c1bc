"""End to end, per protocol: the estimate made before the visit equals, to the cent, what the sandbox
payer's own adjudication of the claim then made each payer pay and the patient owe; afterwards the
estimate learns the payer's allowed amounts from the posted remittance.

The practice's fee schedule holds each payer's contracted rates (the sandbox payers allow a fixed
share of the charge: payers/sandbox/scenarios.py ALLOWED_RATES), as a practice keeps its contracts.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gateway.claims.draft import DraftLine
from gateway.storage.database import Database
from gateway.storage.tables import Coverage
from payers.sandbox.scenarios import ALLOWED_RATES
from payers.sandbox.world import World
from tests.claims.conftest import SUBMIT, Billed, as_input, new_key, office_visit
from tests.corrections.flow import SECONDARY, act
from tests.estimates.test_estimate_api import ESTIMATE, NPI, SET_FEES
from tests.gateway.conftest import Gateway
from tests.ledger.test_money_loop import CLAIM, _settle

OFFICE = ("99213", Decimal("145.00"), ("25",))
LAB = ("83036", Decimal("42.00"), ())


def D(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def contracted(payer_id: str, charge: Decimal) -> Decimal:
    return (charge * Decimal(ALLOWED_RATES[payer_id])).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


async def _card(gateway: Gateway, person: str, payer_id: str) -> Billed:
    patient_id = gateway.patient_ids[person]
    async with gateway.services.database.session() as session:
        coverage = await session.scalar(
            select(Coverage).where(Coverage.patient_id == patient_id, Coverage.payer_id == payer_id)
        )
    assert coverage is not None
    return Billed(patient_id, coverage.id, payer_id, coverage.member_id, person)


async def _fees(gateway: Gateway, today: Any, lines: tuple[Any, ...]) -> None:
    entries = [
        {
            "payerId": payer_id,
            "code": code,
            "allowedAmount": str(contracted(payer_id, charge)),
            "effectiveFrom": (today - timedelta(days=400)).isoformat(),
        }
        for payer_id in ALLOWED_RATES
        for code, charge, _ in lines
    ]
    body = await gateway.query(SET_FEES, {"entries": entries})
    assert body["data"]["setFeeScheduleEntries"]["errors"] == [], body


async def _estimate(gateway: Gateway, person: str, day: Any, lines: Any, fresh: bool) -> Any:
    body = await gateway.query(
        ESTIMATE,
        {
            "patient": gateway.patient_ids[person],
            "date": day.isoformat(),
            "procedures": [
                {"code": c, "units": "1", "charge": str(charge), "modifiers": list(m)}
                for c, charge, m in lines
            ],
            "npi": NPI,
            "fresh": fresh,
        },
    )
    payload = body["data"]["estimate"]
    assert payload["errors"] == [], body
    return payload["estimate"]


async def _submit_and_settle(
    gateway: Gateway, database: Database, world: World, today: Any, card: Billed, lines: Any
) -> dict[str, Any]:
    claims = gateway.services.claims
    assert claims is not None
    day = today - timedelta(days=3)
    draft_lines = tuple(
        DraftLine(code, charge, day, Decimal(1), modifiers, (1,), f"L{n + 1}")
        for n, (code, charge, modifiers) in enumerate(lines)
    )
    draft = office_visit(
        world, card, today, lines=draft_lines, total_charge=sum(c for _, c, _ in lines)
    )
    body = await gateway.query(SUBMIT, {"input": as_input(draft), "key": new_key()})
    claim = body["data"]["submitClaim"]["claim"]
    assert claim is not None, body
    assert await claims.dispatcher.run_once() == 1
    await _settle(gateway, database, card.payer_id, [claim["id"]])
    settled = (await gateway.query(CLAIM, {"id": claim["id"]}))["data"]["claim"]
    assert settled["financials"]["settled"], settled
    return {"id": claim["id"], **settled}


def _adjudicated_lines(claim: dict[str, Any]) -> list[dict[str, Any]]:
    [payment] = claim["payments"]
    [ours] = payment["claims"]
    return ours["lines"]  # type: ignore[no-any-return]


CASES = {
    # person: (payer, lines, case)
    "quinn": ("lakeshore", (OFFICE, LAB), "deductible not met (rest)"),
    "odette": ("cascade", (OFFICE, LAB), "out-of-pocket maximum met (rest)"),
    "ruth": ("northwind", (OFFICE,), "copay only (fhir)"),
}


@pytest.mark.parametrize("person", sorted(CASES), ids=[CASES[p][2] for p in sorted(CASES)])
async def test_the_estimate_is_what_the_payer_adjudicates(
    database: Database, world: World, today: Any, stepped_gateway: Gateway, person: str
) -> None:
    gateway = stepped_gateway
    payer_id, lines, _ = CASES[person]
    await _fees(gateway, today, lines)
    day = today - timedelta(days=3)
    estimate = await _estimate(gateway, person, day, lines, fresh=True)
    assert [p["payer"]["id"] for p in estimate["payers"]] == [payer_id]
    assert not estimate["flagged"]

    claim = await _submit_and_settle(
        gateway, database, world, today, await _card(gateway, person, payer_id), lines
    )
    financials = claim["financials"]
    assert D(estimate["patientOwes"]) == D(financials["patientResponsibility"])
    assert D(estimate["payers"][0]["pays"]) == D(financials["paid"])
    for planned, paid in zip(estimate["lines"], _adjudicated_lines(claim), strict=True):
        (share,) = planned["payers"]
        assert (D(share["allowed"]), D(share["pays"])) == (
            D(paid["allowedAmount"]),
            D(paid["paid"]),
        )
        patient = sum(
            (D(a["amount"]) for a in paid["adjustments"] if a["group"]["code"] == "PR"),
            Decimal("0.00"),
        )
        assert D(planned["patientOwes"]) == patient
    if person == "odette":
        assert D(estimate["patientOwes"]) == 0

    # Now the payer's own allowed amounts are known: learned from the posted remittances (this
    # claim's, and the practice's earlier ones the scheduled pull brought in with it).
    again = await _estimate(gateway, person, day, lines, fresh=True)
    for planned in again["lines"]:
        (share,) = planned["payers"]
        assert share["allowedSource"] == "LEARNED_FROM_REMITTANCES"
        assert 1 <= share["allowedCount"] <= 10


async def test_primary_then_secondary_as_both_payers_adjudicate(
    database: Database, world: World, today: Any, stepped_gateway: Gateway
) -> None:
    """Victor Samplewood: Summit (X12) primary, Lakeshore (REST) secondary by coordination of
    benefits; the estimate's shares equal both payers' remittances and the patient's final part."""
    gateway = stepped_gateway
    lines = (OFFICE, LAB)
    await _fees(gateway, today, lines)
    day = today - timedelta(days=3)
    estimate = await _estimate(gateway, "victor", day, lines, fresh=True)
    assert [p["payer"]["id"] for p in estimate["payers"]] == ["summit", "lakeshore"]

    primary = await _submit_and_settle(
        gateway, database, world, today, await _card(gateway, "victor", "summit"), lines
    )
    assert D(estimate["payers"][0]["pays"]) == D(primary["financials"]["paid"])

    payload = await act(gateway, SECONDARY, claimId=primary["id"], idempotencyKey=new_key())
    assert payload["errors"] == [], payload
    claims = gateway.services.claims
    assert claims is not None
    assert await claims.dispatcher.run_once() == 1
    secondary_id = payload["claim"]["id"]
    await _settle(gateway, database, "lakeshore", [secondary_id])
    secondary = (await gateway.query(CLAIM, {"id": secondary_id}))["data"]["claim"]
    assert secondary["financials"]["settled"], secondary
    assert D(estimate["payers"][1]["pays"]) == D(secondary["financials"]["paid"])
    assert D(estimate["patientOwes"]) == D(secondary["financials"]["patientResponsibility"])
    for planned, paid in zip(estimate["lines"], _adjudicated_lines(secondary), strict=True):
        assert D(planned["payers"][1]["pays"]) == D(paid["paid"])
