"""A claim's financials and a patient's balance, from remittances posted to the ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

from payers.sandbox.world import World
from tests.gateway.conftest import Gateway
from tests.money.conftest import card, submitted
from tests.money.ledger_rows import adj, line, paid_claim, post, reversal

FINANCIALS = """query($id: ID!) { claim(id: $id) { financials {
  charged allowed paid patientResponsibility secondaryPaid balance settled
  adjustments { group { code } reason { code description } amount quantity remarks { code } }
} } }"""
BALANCE = "query($id: ID!) { patient(id: $id) { balance } }"


async def financials(gateway: Gateway, claim_id: str) -> dict[str, Any]:
    body = await gateway.query(FINANCIALS, {"id": claim_id})
    assert "errors" not in body, body
    return body["data"]["claim"]["financials"]  # type: ignore[no-any-return]


def paid_in_full_visit(claim: Any) -> Any:
    """The $187.00 visit: 99213 allowed 100.00 (paid 80.00, coinsurance 20.00), 83036 allowed 30.00."""
    return paid_claim(
        claim,
        "187.00",
        "110.00",
        lines=(
            line(
                "99213",
                "145.00",
                "80.00",
                adj("CO", "45", "45.00"),
                adj("PR", "2", "20.00"),
                allowed="100.00",
            ),
            line("83036", "42.00", "30.00", adj("CO", "45", "12.00"), allowed="30.00"),
        ),
    )


async def test_before_any_payment_the_whole_charge_is_open(
    money_gateway: Gateway, world: World, today: date
) -> None:
    claim = await submitted(money_gateway, world, await card(money_gateway, world, "wanda"), today)
    assert await financials(money_gateway, claim.id) == {
        "charged": "187.00",
        "allowed": None,
        "paid": "0.00",
        "patientResponsibility": None,
        "secondaryPaid": "0.00",
        "balance": "187.00",
        "settled": False,
        "adjustments": [],
    }
    answer = await money_gateway.query(BALANCE, {"id": claim.patient_id})
    assert answer == {"data": {"patient": {"balance": "0.00"}}}


async def test_paid_claim_sums_lines_and_nets_adjustments(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    claim = await submitted(gateway, world, await card(gateway, world, "wanda"), today)
    await post(gateway, claim.payer_id, paid_in_full_visit(claim))
    found = await financials(gateway, claim.id)
    assert {
        k: found[k] for k in ("charged", "allowed", "paid", "patientResponsibility", "balance")
    } == {
        "charged": "187.00",
        "allowed": "130.00",
        "paid": "110.00",
        "patientResponsibility": "20.00",
        "balance": "20.00",
    }
    assert found["settled"] is True
    assert [
        (a["group"]["code"], a["reason"]["code"], a["amount"]) for a in found["adjustments"]
    ] == [
        ("CO", "45", "57.00"),
        ("PR", "2", "20.00"),
    ]
    assert found["adjustments"][1]["reason"]["description"] == "Coinsurance Amount"
    answer = await gateway.query(BALANCE, {"id": claim.patient_id})
    assert answer["data"]["patient"]["balance"] == "20.00"


async def test_allowed_without_line_amounts_is_charge_less_provider_adjustments(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    claim = await submitted(gateway, world, await card(gateway, world, "felix"), today)
    payment = paid_claim(
        claim,
        "187.00",
        "95.50",
        adjustments=(adj("CO", "45", "61.00"), adj("OA", "94", "0.50"), adj("PR", "3", "30.00")),
    )
    await post(gateway, claim.payer_id, payment)
    found = await financials(gateway, claim.id)
    assert (found["allowed"], found["paid"], found["patientResponsibility"], found["balance"]) == (
        "125.50",
        "95.50",
        "30.00",
        "30.00",
    )


async def test_reversal_undoes_a_payment_and_the_corrected_one_counts(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    claim = await submitted(gateway, world, await card(gateway, world, "wanda"), today)
    first = paid_in_full_visit(claim)
    await post(gateway, claim.payer_id, first)
    await post(gateway, claim.payer_id, reversal(first))
    undone = await financials(gateway, claim.id)
    assert (undone["paid"], undone["balance"], undone["settled"], undone["allowed"]) == (
        "0.00",
        "187.00",
        False,
        None,
    )
    assert undone["adjustments"] == [] and undone["patientResponsibility"] == "0.00"
    corrected = paid_claim(
        claim,
        "187.00",
        "120.00",
        lines=(
            line(
                "99213",
                "145.00",
                "90.00",
                adj("CO", "45", "45.00"),
                adj("PR", "2", "10.00"),
                allowed="100.00",
            ),
            line("83036", "42.00", "30.00", adj("CO", "45", "12.00"), allowed="30.00"),
        ),
    )
    await post(gateway, claim.payer_id, corrected)
    found = await financials(gateway, claim.id)
    assert (found["paid"], found["allowed"], found["patientResponsibility"], found["balance"]) == (
        "120.00",
        "130.00",
        "10.00",
        "10.00",
    )
    assert found["settled"] is True


async def test_secondary_payments_lower_the_patients_part(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    primary_card = await card(gateway, world, "wanda", 1)
    secondary_card = await card(gateway, world, "wanda", 2)
    claim = await submitted(gateway, world, primary_card, today)
    await post(gateway, claim.payer_id, paid_in_full_visit(claim))
    follow = await submitted(
        gateway, world, secondary_card, today, relation=("secondary_of", claim.id)
    )
    await post(
        gateway,
        follow.payer_id,
        paid_claim(
            follow,
            "187.00",
            "15.00",
            adjustments=(adj("OA", "23", "167.00"), adj("PR", "3", "5.00")),
        ),
    )
    found = await financials(gateway, claim.id)
    assert (found["paid"], found["secondaryPaid"], found["balance"]) == ("110.00", "15.00", "5.00")
    answer = await gateway.query(BALANCE, {"id": claim.patient_id})
    assert answer["data"]["patient"]["balance"] == "5.00"


async def test_a_crossover_payment_on_our_claim_number_pays_the_patients_part(
    money_gateway: Gateway, world: World, today: date
) -> None:
    """The primary forwarded the claim (a crossover): the patient's next payer pays on the primary
    claim's number. The ledger posts it to that claim (the patient holds that payer's card, after
    the billed one), it counts as the secondary's payment, and the patient owes nothing more."""
    gateway = money_gateway
    claim = await submitted(gateway, world, await card(gateway, world, "wanda", 1), today)
    other = (await card(gateway, world, "wanda", 2)).payer_id
    await post(gateway, claim.payer_id, paid_in_full_visit(claim))
    before = await financials(gateway, claim.id)
    assert (before["paid"], before["secondaryPaid"], before["balance"]) == (
        "110.00",
        "0.00",
        "20.00",
    )
    await post(
        gateway,
        other,
        paid_claim(claim, "187.00", "20.00", status="2", adjustments=(adj("OA", "23", "167.00"),)),
    )
    found = await financials(gateway, claim.id)
    assert (found["paid"], found["secondaryPaid"], found["balance"]) == ("110.00", "20.00", "0.00")
    waiting = await gateway.query("{ unmatchedClaimPayments(first: 5) { items { payerId } } }")
    assert waiting["data"]["unmatchedClaimPayments"]["items"] == []


async def test_denied_claim_leaves_the_patient_only_their_part(
    money_gateway: Gateway, world: World, today: date
) -> None:
    gateway = money_gateway
    claim = await submitted(gateway, world, await card(gateway, world, "felix"), today)
    await post(
        gateway,
        claim.payer_id,
        paid_claim(
            claim,
            "187.00",
            "0.00",
            status="4",
            adjustments=(adj("PR", "204", "42.00"), adj("CO", "50", "145.00")),
        ),
    )
    found = await financials(gateway, claim.id)
    assert (found["paid"], found["patientResponsibility"], found["balance"], found["settled"]) == (
        "0.00",
        "42.00",
        "42.00",
        True,
    )
