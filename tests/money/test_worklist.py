"""The denials worklist: denied and partly denied claims, reasons in words, next steps, paging."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from gateway.ledger import money, posted, worklist
from payers.sandbox.world import World
from tests.gateway.conftest import Gateway
from tests.money.conftest import card, submitted
from tests.money.ledger_rows import adj, paid_claim, post, reversal

WORKLIST = """query($first: Int!, $after: String) { denialsWorklist(first: $first, after: $after) {
  edges { cursor node {
    claim { id controlNumber } payer { id } deniedOn deniedAmount nextStep advice
    remarks { code description }
    reasons { nextStep advice adjustment { group { code } reason { code description } amount
              remarks { code description } explanation } }
  } }
  pageInfo { hasNextPage endCursor }
} }"""


async def _all(gateway: Gateway, first: int = 50) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = await gateway.query(WORKLIST, {"first": first, "after": after})
        assert "errors" not in body, body
        page = body["data"]["denialsWorklist"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_worklist_lists_denials_with_reasons_and_next_steps(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    wanda, felix = await card(gateway, world, "wanda", 1), await card(gateway, world, "felix")
    coding = await submitted(gateway, world, felix, today)
    partly = await submitted(gateway, world, felix, today)
    other_payer = await submitted(gateway, world, wanda, today)
    not_covered = await submitted(gateway, world, felix, today)
    corrected = await submitted(gateway, world, felix, today)
    paid = await submitted(gateway, world, felix, today)
    overturned = await submitted(gateway, world, felix, today)
    day = today - timedelta(days=10)
    await post(
        gateway,
        coding.payer_id,
        paid_claim(
            coding,
            "187.00",
            "0.00",
            status="4",
            adjustments=(adj("CO", "16", "187.00", "M76"),),
            remarks=("MA130",),
        ),
        paid_on=day,
    )
    await post(
        gateway,
        partly.payer_id,
        paid_claim(
            partly,
            "187.00",
            "100.00",
            adjustments=(adj("CO", "45", "45.00"), adj("CO", "4", "42.00")),
        ),
        paid_on=day + timedelta(days=1),
    )
    await post(
        gateway,
        other_payer.payer_id,
        paid_claim(
            other_payer, "187.00", "0.00", status="4", adjustments=(adj("OA", "22", "187.00"),)
        ),
        paid_on=day + timedelta(days=2),
    )
    await post(
        gateway,
        not_covered.payer_id,
        paid_claim(
            not_covered, "187.00", "0.00", status="4", adjustments=(adj("PR", "204", "187.00"),)
        ),
        paid_on=day + timedelta(days=3),
    )
    await post(
        gateway,
        corrected.payer_id,
        paid_claim(
            corrected, "187.00", "0.00", status="4", adjustments=(adj("CO", "11", "187.00"),)
        ),
    )
    await submitted(gateway, world, felix, today, relation=("replaces", corrected.id))
    await post(
        gateway,
        paid.payer_id,
        paid_claim(paid, "187.00", "160.00", adjustments=(adj("CO", "45", "27.00"),)),
    )
    first = paid_claim(
        overturned, "187.00", "0.00", status="4", adjustments=(adj("CO", "50", "187.00"),)
    )
    await post(gateway, overturned.payer_id, first)
    await post(gateway, overturned.payer_id, reversal(first))
    await post(
        gateway,
        overturned.payer_id,
        paid_claim(overturned, "187.00", "150.00", adjustments=(adj("CO", "45", "37.00"),)),
    )

    nodes = await _all(gateway, first=2)  # three pages
    assert [n["claim"]["id"] for n in nodes] == [
        coding.id,
        partly.id,
        other_payer.id,
        not_covered.id,
    ]
    by_id = {n["claim"]["id"]: n for n in nodes}
    first_one = by_id[coding.id]
    assert first_one["nextStep"] == "CORRECT_AND_RESUBMIT"
    assert first_one["deniedOn"] == day.isoformat() and first_one["deniedAmount"] == "187.00"
    assert first_one["remarks"][0]["code"] == "MA130"
    (reason,) = first_one["reasons"]
    assert reason["adjustment"]["reason"]["description"] == (
        "Claim/service lacks information or has submission/billing error(s)."
    )
    assert reason["adjustment"]["remarks"][0]["code"] == "M76"
    assert "M76" not in reason["adjustment"]["remarks"][0]["description"]
    assert reason["advice"].startswith("Fix the claim")
    assert (by_id[partly.id]["nextStep"], by_id[partly.id]["deniedAmount"]) == (
        "CORRECT_AND_RESUBMIT",
        "42.00",
    )
    assert [r["adjustment"]["reason"]["code"] for r in by_id[partly.id]["reasons"]] == ["4"]
    assert by_id[other_payer.id]["nextStep"] == "BILL_SECONDARY"  # wanda has a second card
    assert by_id[not_covered.id]["nextStep"] == "BILL_PATIENT"
    # Once the secondary claim is sent, that denial is dealt with.
    await submitted(
        gateway,
        world,
        await card(gateway, world, "wanda", 2),
        today,
        relation=("secondary_of", other_payer.id),
    )
    assert other_payer.id not in {n["claim"]["id"] for n in await _all(gateway)}


async def test_worklist_cursor_and_page_size_are_checked(money_gateway: Gateway) -> None:
    bad = await money_gateway.query(WORKLIST, {"first": 20, "after": "not-a-cursor"})
    assert bad["data"]["denialsWorklist"] is None
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    big = await money_gateway.query(WORKLIST, {"first": 100_000})
    assert "'first' must be between 1 and" in big["errors"][0]["message"]


async def test_many_denied_claims_read_practice_wide_give_the_same_worklist(
    money_gateway: Gateway, world: World, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = money_gateway
    wanda, felix = await card(gateway, world, "wanda", 1), await card(gateway, world, "felix")
    for who, reason in ((wanda, "22"), (felix, "16"), (felix, "204")):
        claim = await submitted(gateway, world, who, today)
        group = "PR" if reason == "204" else "CO"
        await post(
            gateway,
            claim.payer_id,
            paid_claim(
                claim, "187.00", "0.00", status="4", adjustments=(adj(group, reason, "187.00"),)
            ),
        )
    listed = await _all(gateway)
    # Past the IN-list limit the same reads go practice-wide and filter in Python.
    for module in (posted, money, worklist):
        monkeypatch.setattr(module, "MAX_LISTED_CLAIMS", 1)
    assert await _all(gateway) == listed
    # One day's denials come in claim id order.
    assert sorted(n["nextStep"] for n in listed) == [
        "BILL_PATIENT",
        "BILL_SECONDARY",
        "CORRECT_AND_RESUBMIT",
    ]
