"""Receivables by payer and age, and denials by payer and reason, from the ledger."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from payers.sandbox.world import World
from tests.gateway.conftest import Gateway
from tests.money.conftest import card, submitted
from tests.money.ledger_rows import adj, paid_claim, post, reversal

RECEIVABLES = """query($asOf: Date) { receivables(asOf: $asOf) {
  asOf total buckets { bucket amount }
  byPayer { payerId payer { name } total claims buckets { bucket amount } }
  patients { payerId total claims buckets { bucket amount } }
} }"""
DENIALS = """query($from: Date, $to: Date) { denials(from: $from, to: $to) {
  from to count amount
  byPayer { payerId payer { id } count amount }
  byReason { reason { code description } count amount }
} }"""


def _buckets(row: dict[str, Any]) -> dict[str, str]:
    return {b["bucket"]: b["amount"] for b in row["buckets"]}


async def test_receivables_by_payer_and_age(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    wanda, felix = await card(gateway, world, "wanda"), await card(gateway, world, "felix")
    fresh = await submitted(gateway, world, wanda, today, days_ago=5)  # open with the payer
    middle = await submitted(gateway, world, wanda, today, days_ago=45)  # open with the payer
    old = await submitted(gateway, world, felix, today, days_ago=100)
    await post(
        gateway,
        old.payer_id,
        paid_claim(
            old, "187.00", "150.00", adjustments=(adj("CO", "45", "12.00"), adj("PR", "2", "25.00"))
        ),
    )
    body = await gateway.query(RECEIVABLES, {"asOf": today.isoformat()})
    found = body["data"]["receivables"]
    assert found["asOf"] == today.isoformat()
    assert found["total"] == "399.00"  # 187 + 187 with the payer, 25 with the patient
    assert _buckets(found) == {"0-30": "187.00", "31-60": "187.00", "61-90": "0.00", "90+": "25.00"}
    rows = {r["payerId"]: (r["total"], r["claims"]) for r in found["byPayer"]}
    # felix's claim is settled: only wanda's two claims are open with a payer
    assert rows == {fresh.payer_id: ("374.00", 2)}
    assert all(r["payer"]["name"] for r in found["byPayer"])
    assert found["patients"]["payerId"] is None
    assert (found["patients"]["total"], found["patients"]["claims"]) == ("25.00", 1)
    assert _buckets(found["patients"])["90+"] == "25.00"
    # The day before the payment (dated today), felix's claim was still open with its payer.
    earlier = (today - timedelta(days=1)).isoformat()
    before = (await gateway.query(RECEIVABLES, {"asOf": earlier}))["data"]["receivables"]
    assert before["patients"]["total"] == "0.00"
    assert before["total"] == "561.00"
    expected: dict[str, tuple[Decimal, int]] = {}
    for claim in (fresh, middle, old):
        total, count = expected.get(claim.payer_id, (Decimal(0), 0))
        expected[claim.payer_id] = (total + Decimal("187.00"), count + 1)
    assert {r["payerId"]: (Decimal(r["total"]), r["claims"]) for r in before["byPayer"]} == expected
    # Nothing submitted after the date counts.
    long_ago = (today - timedelta(days=200)).isoformat()
    assert (await gateway.query(RECEIVABLES, {"asOf": long_ago}))["data"]["receivables"][
        "total"
    ] == "0.00"


async def test_denials_by_payer_and_reason_net_out_reversals(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    wanda, felix = await card(gateway, world, "wanda"), await card(gateway, world, "felix")
    one = await submitted(gateway, world, wanda, today)
    two = await submitted(gateway, world, felix, today)
    three = await submitted(gateway, world, felix, today)
    await post(
        gateway,
        one.payer_id,
        paid_claim(
            one, "187.00", "0.00", status="4", adjustments=(adj("CO", "16", "187.00", "M76"),)
        ),
    )
    denied_two = paid_claim(
        two, "187.00", "100.00", adjustments=(adj("CO", "45", "45.00"), adj("CO", "4", "42.00"))
    )
    await post(gateway, two.payer_id, denied_two)
    denied_three = paid_claim(
        three, "187.00", "0.00", status="4", adjustments=(adj("CO", "16", "187.00"),)
    )
    await post(gateway, three.payer_id, denied_three)
    await post(gateway, three.payer_id, reversal(denied_three))  # overturned: no longer a denial
    await post(
        gateway,
        one.payer_id,
        paid_claim(
            "NOT-OURS-1", "90.00", "0.00", status="4", adjustments=(adj("CO", "29", "90.00"),)
        ),
    )
    report = (await gateway.query(DENIALS, {}))["data"]["denials"]
    assert (report["count"], report["amount"]) == (3, "319.00")
    assert report["to"] == today.isoformat()
    assert report["from"] == (today - timedelta(days=30)).isoformat()
    reasons = {r["reason"]["code"]: (r["count"], r["amount"]) for r in report["byReason"]}
    assert reasons == {"16": (1, "187.00"), "29": (1, "90.00"), "4": (1, "42.00")}
    described = {r["reason"]["code"]: r["reason"]["description"] for r in report["byReason"]}
    assert described["29"] == "The time limit for filing has expired."
    payers: dict[str, tuple[int, str]] = {}
    for row in report["byPayer"]:
        payers[row["payerId"]] = (row["count"], row["amount"])
    expected: dict[str, list[tuple[int, str]]] = {}
    for claim, count, amount in ((one, 2, "277.00"), (two, 1, "42.00")):
        expected.setdefault(claim.payer_id, []).append((count, amount))
    if one.payer_id == two.payer_id:
        assert payers == {one.payer_id: (3, "319.00")}
    else:
        assert payers == {one.payer_id: (2, "277.00"), two.payer_id: (1, "42.00")}
    outside = await gateway.query(
        DENIALS,
        {
            "from": (today - timedelta(days=90)).isoformat(),
            "to": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert outside["data"]["denials"]["count"] == 0


async def test_denials_period_is_checked(money_gateway: Gateway, today: date) -> None:
    body = await money_gateway.query(
        DENIALS, {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()}
    )
    assert body["data"]["denials"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'from' must be on or before 'to'" in body["errors"][0]["message"]


async def test_a_corrected_or_voided_claim_counts_once(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    felix = await card(gateway, world, "felix")
    original = await submitted(gateway, world, felix, today, days_ago=20)
    await post(
        gateway,
        original.payer_id,
        paid_claim(
            original,
            "187.00",
            "150.00",
            adjustments=(adj("CO", "45", "7.00"), adj("PR", "2", "30.00")),
        ),
    )
    replacement = await submitted(gateway, world, felix, today, relation=("replaces", original.id))
    await post(
        gateway,
        replacement.payer_id,
        paid_claim(
            replacement,
            "187.00",
            "160.00",
            adjustments=(adj("CO", "45", "7.00"), adj("PR", "2", "20.00")),
        ),
    )
    found = (await gateway.query(RECEIVABLES, {}))["data"]["receivables"]
    assert (found["patients"]["total"], found["patients"]["claims"], found["total"]) == (
        "20.00",
        1,
        "20.00",
    )
    owed = await gateway.query(
        "query($id: ID!) { patient(id: $id) { balance } }", {"id": felix.patient_id}
    )
    assert owed["data"]["patient"]["balance"] == "20.00"
    unsent = await submitted(gateway, world, felix, today, days_ago=2)
    await submitted(gateway, world, felix, today, relation=("voids", unsent.id))
    after_void = (await gateway.query(RECEIVABLES, {}))["data"]["receivables"]
    assert after_void["total"] == "20.00" and after_void["byPayer"] == []
