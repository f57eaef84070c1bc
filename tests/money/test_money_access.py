"""Who sees the money views: scopes as the payments reads, names only with phi:read, and nothing
of another practice's ledger on any path."""

from __future__ import annotations

from datetime import date

from payers.sandbox.world import World
from tests.gateway.conftest import Gateway
from tests.gateway.people import staff
from tests.money.conftest import card, submitted
from tests.money.ledger_rows import adj, paid_claim, post

EVERYTHING = """query($claim: ID!, $patient: ID!) {
  receivables { total byPayer { payerId total } patients { total } }
  denials { count amount byPayer { payerId } byReason { reason { code } } }
  denialsWorklist(first: 10) { edges { node { claim { id } deniedAmount
    patient { patientKey lastName } } } }
  claim(id: $claim) { financials { paid balance } }
  patient(id: $patient) { balance }
}"""


async def _denied_claim(gateway: Gateway, world: World, today: date) -> tuple[str, str]:
    claim = await submitted(gateway, world, await card(gateway, world, "felix"), today)
    await post(
        gateway,
        claim.payer_id,
        paid_claim(claim, "187.00", "0.00", status="4", adjustments=(adj("PR", "204", "187.00"),)),
    )
    return claim.id, claim.patient_id


def _codes(body: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {
        ".".join(str(p) for p in e["path"]): e["extensions"]["code"] for e in body.get("errors", [])
    }


async def test_another_practice_sees_none_of_our_ledger(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    claim_id, patient_id = await _denied_claim(gateway, world, today)
    ours = await gateway.query(EVERYTHING, {"claim": claim_id, "patient": patient_id})
    assert "errors" not in ours, ours
    assert ours["data"]["receivables"]["patients"]["total"] == "187.00"
    assert ours["data"]["denials"]["count"] == 1
    assert len(ours["data"]["denialsWorklist"]["edges"]) == 1
    theirs = await gateway.query(
        EVERYTHING, {"claim": claim_id, "patient": patient_id}, key=gateway.other_key
    )
    assert "errors" not in theirs, theirs
    assert theirs["data"] == {
        "receivables": {"total": "0.00", "byPayer": [], "patients": {"total": "0.00"}},
        "denials": {"count": 0, "amount": "0.00", "byPayer": [], "byReason": []},
        "denialsWorklist": {"edges": []},
        "claim": None,
        "patient": None,
    }


async def test_scopes_follow_the_payments_reads(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    people = await staff(gateway)
    claim_id, patient_id = await _denied_claim(gateway, world, today)
    variables = {"claim": claim_id, "patient": patient_id}
    desk = await gateway.query(EVERYTHING, variables, key=people.front_desk.token)
    assert _codes(desk) == {
        "receivables": "FORBIDDEN",
        "denials": "FORBIDDEN",
        "denialsWorklist": "FORBIDDEN",
        "claim.financials": "FORBIDDEN",
        "patient.balance": "FORBIDDEN",
    }
    biller = await gateway.query(EVERYTHING, variables, key=people.biller.token)
    assert "errors" not in biller, biller
    node = biller["data"]["denialsWorklist"]["edges"][0]["node"]
    assert node["patient"]["lastName"] and node["patient"]["patientKey"]
    # An analyst sees the amounts, and the patient by pseudonym only.
    analyst = await gateway.query(EVERYTHING, variables, key=people.analyst.token)
    assert _codes(analyst) == {"denialsWorklist.edges.0.node.patient.lastName": "FORBIDDEN"}
    node = analyst["data"]["denialsWorklist"]["edges"][0]["node"]
    assert node["deniedAmount"] == "187.00" and node["patient"]["lastName"] is None
    assert node["patient"]["patientKey"]
    assert analyst["data"]["claim"]["financials"]["balance"] == "187.00"
