"""End to end per protocol: a claim the payer denies for a reason the practice can fix (physical
therapy without the GP modifier: CO 4 + N822) is corrected (frequency 7 with the payer's claim
number), and the replacement is adjudicated without the denial (paid, or to the deductible) and
balances to the cent; the worklist first suggests correcting, then lets it go."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from gateway.claims.draft import DraftLine
from gateway.storage.database import Database
from payers.sandbox.world import World
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.corrections.flow import CORRECT, act
from tests.corrections.test_money_chain import PROTOCOL_PAYERS
from tests.gateway.conftest import Gateway
from tests.ledger.test_money_loop import _settle

WORKLIST = """{ denialsWorklist(first: 50) { edges { node { claim { id } nextStep } } } }"""
CLAIM = """
query Claim($id: ID!) {
  claim(id: $id) {
    financialState frequencyCode relatedClaimId relation payerClaimId
    payments {
      claims { status { code } charge paid adjustments { amount }
        lines { adjustments { group { code } reason { code } amount } } }
    }
  }
}"""


async def _claim(gateway: Gateway, claim_id: str) -> dict[str, Any]:
    return (await gateway.query(CLAIM, {"id": claim_id}))["data"]["claim"]  # type: ignore[no-any-return]


async def _worklist(gateway: Gateway) -> dict[str, str]:
    """Claim id -> the next step the worklist suggests."""
    edges = (await gateway.query(WORKLIST))["data"]["denialsWorklist"]["edges"]
    return {e["node"]["claim"]["id"]: e["node"]["nextStep"] for e in edges}


def _exercise(day: Any, modifiers: tuple[str, ...]) -> DraftLine:
    """Therapeutic exercise, two units (97110), as a physical therapist bills it."""
    return DraftLine("97110", Decimal("120.00"), day, Decimal(2), modifiers, (1,), "L1")


@pytest.mark.parametrize("protocol", sorted(PROTOCOL_PAYERS))
async def test_a_denied_claim_is_corrected_and_the_replacement_paid(
    database: Database, world: World, today: Any, stepped_gateway: Gateway, protocol: str
) -> None:
    gateway, payer_id = stepped_gateway, PROTOCOL_PAYERS[protocol]
    claims = gateway.services.claims
    assert claims is not None
    who = await billed(database, gateway.patient_ids, world, payer_id)
    day = today - timedelta(days=5)
    draft = office_visit(
        world,
        who,
        today,
        diagnoses=("M54.50",),
        lines=(_exercise(day, ()),),
        total_charge=Decimal("120.00"),
    )
    body = await gateway.query(SUBMIT, {"input": as_input(draft), "key": new_key()})
    claim = body["data"]["submitClaim"]["claim"]
    assert claim is not None, body
    assert await claims.dispatcher.run_once() == 1
    await _settle(gateway, database, payer_id, [claim["id"]])

    denied = await _claim(gateway, claim["id"])
    assert denied["financialState"] == "DENIED", denied
    reasons = {
        (a["group"]["code"], a["reason"]["code"])
        for p in denied["payments"]
        for c in p["claims"]
        for ln in c["lines"]
        for a in ln["adjustments"]
    }
    assert ("CO", "4") in reasons, reasons
    assert (await _worklist(gateway))[claim["id"]] == "CORRECT_AND_RESUBMIT"

    fixed_line = {
        "procedureCode": "97110",
        "charge": "120.00",
        "units": "2",
        "modifiers": ["GP"],
        "diagnosisPointers": [1],
        "serviceDate": day.isoformat(),
        "lineControlNumber": "L1",
    }
    corrected = await act(
        gateway,
        CORRECT,
        claimId=claim["id"],
        changes={"lines": [fixed_line]},
        idempotencyKey=new_key(),
    )
    assert corrected["errors"] == [], corrected
    replacement = corrected["claim"]
    assert await claims.dispatcher.run_once() == 1
    await _settle(
        gateway, database, payer_id, [claim["id"], replacement["id"]], schedule_passes=True
    )

    paid = await _claim(gateway, replacement["id"])
    assert paid["financialState"] == "PAID", paid
    assert paid["frequencyCode"] == "7"
    assert (paid["relatedClaimId"], paid["relation"]) == (claim["id"], "REPLACES")
    (payment,) = paid["payments"]
    (claim_payment,) = payment["claims"]
    assert claim_payment["status"]["code"] == "1", json.dumps(paid, indent=1)
    after = {
        (a["group"]["code"], a["reason"]["code"]): Decimal(a["amount"])
        for ln in claim_payment["lines"]
        for a in ln["adjustments"]
    }
    assert ("CO", "4") not in after
    # Allowed now: what the payer paid plus the patient's share (deductible, coinsurance) is > 0.
    patient_share = sum((v for (g, _), v in after.items() if g == "PR"), Decimal(0))
    assert Decimal(claim_payment["paid"]) + patient_share > 0
    # Charge = paid + every adjustment, to the cent.
    adjusted = sum(
        Decimal(a["amount"]) for ln in claim_payment["lines"] for a in ln["adjustments"]
    ) + sum(Decimal(a["amount"]) for a in claim_payment["adjustments"] or ())
    assert Decimal(claim_payment["charge"]) == Decimal(claim_payment["paid"]) + adjusted
    assert claim["id"] not in await _worklist(gateway)
