"""Secondary claims at the sandbox payers: coordination of benefits with the primary's adjudication,
CO 22 without it, and the crossover payer that forwards claims to the secondary by itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from payers.model import ClaimPayment, PriorLineAdjudication, PriorPayerAdjudication
from payers.sandbox.adjudication import adjustment
from payers.sandbox.clock import ClockSettings
from payers.sandbox.world import World
from tests.sandbox.conftest import TODAY
from tests.sandbox.payer_desk import Desk, balanced, cas, claim, line, open_desk

DAY = TODAY - timedelta(days=5)
CENT = Decimal("0.01")


@pytest.fixture
async def desk(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    async with open_desk(world, monkeypatch, ClockSettings.immediate()) as opened:
        yield opened


def _prior(primary: ClaimPayment) -> PriorPayerAdjudication:
    """The primary's adjudication as a secondary claim carries it (837P loops 2320/2430)."""
    return PriorPayerAdjudication(
        payer_id="LKS01",
        payer_name="Lakeshore Health Plan",
        member_id=primary.member_id or "",
        responsibility="P",
        paid=primary.paid,
        adjudication_date=TODAY,
        payer_claim_id=primary.payer_claim_id,
        patient_responsibility=primary.patient_responsibility,
        lines=tuple(
            PriorLineAdjudication(n, p.procedure, p.paid, p.units, p.modifiers, p.adjustments)
            for n, p in enumerate(primary.lines, start=1)
        ),
    )


async def test_a_secondary_pays_at_most_what_the_primary_left_and_its_own_terms_allow(
    desk: Desk,
) -> None:
    lines = [line(1, "99213", "150.00", DAY), line(2, "80061", "68.00", DAY)]
    primary_claim = claim(desk.world, desk.member("lakeshore", "LHP481920337"), lines)
    await desk.adapters["lakeshore"].submit_claim(primary_claim, "PGWCOB001")
    (primary,) = await desk.claim_payments("lakeshore", "PGWCOB001")

    secondary_member = desk.member("summit", "SHA227710448")
    summit_deductible = await desk.deductible_left("summit", secondary_member, TODAY)
    secondary = replace(
        claim(desk.world, secondary_member, lines),
        responsibility="S",
        prior_payers=(_prior(primary),),
    )
    # The claim as the summit sandbox decodes it from an 837P with loops 2320/2430 (the decoder's
    # reading of those loops is tested with the 837 writer); its intake is the real one.
    ack = desk.apps["summit"].state.intake.receive(secondary, "PGWCOB002")
    assert ack.accepted
    (paid,) = await desk.claim_payments("summit", "PGWCOB002")
    assert paid.status.code == "2"
    assert balanced(paid)

    office, lab = paid.lines
    # 99213: the primary paid 68.00 and wrote off 57.00, leaving the $25 copay. Summit on its own
    # terms would pay 150 x 0.60 - $35 copay = 55.00: it pays the 25.00 left.
    assert office.paid == Decimal("25.00")
    assert cas(office.adjustments) == [("OA", "23", Decimal("125.00"), ())]
    # 80061: what the primary left is its patient share of the 42.16 it allowed.
    left = (
        Decimal("68.00")
        - primary.lines[1].paid
        - sum((a.amount for a in primary.lines[1].adjustments if a.group.code == "CO"), Decimal(0))
    )
    own_allowed = Decimal("40.80")  # 68 x 0.60
    deductible = min(summit_deductible, own_allowed)
    own_paid = (
        own_allowed - deductible - ((own_allowed - deductible) * Decimal("0.30")).quantize(CENT)
    )
    assert lab.paid == min(own_paid, left)
    assert ("OA", "23", Decimal("68.00") - left, ()) in cas(lab.adjustments)
    assert ("CO", "45", left - own_allowed, ()) in cas(lab.adjustments)
    assert paid.paid == office.paid + lab.paid


async def test_a_secondary_claim_without_the_primarys_adjudication_is_denied_co_22(
    desk: Desk,
) -> None:
    member = desk.member("summit", "SHA227710448")
    secondary = replace(
        claim(desk.world, member, [line(1, "99213", "150.00", DAY)]), responsibility="S"
    )
    assert desk.apps["summit"].state.intake.receive(secondary, "PGWCOB003").accepted
    (denied,) = await desk.claim_payments("summit", "PGWCOB003")
    assert denied.status.code == "4"
    assert cas(denied.lines[0].adjustments) == [("CO", "22", Decimal("150.00"), ("MA04",))]


@pytest.mark.parametrize(
    ("primary_id", "secondary", "secondary_id"),
    [
        ("CMI6139024401", "lakeshore", "LHP733018452"),  # Felix: on to a REST payer
        ("CMI7004418201", "northwind", "NWB455120937"),  # Wanda: on to a FHIR payer
    ],
    ids=["rest", "fhir"],
)
async def test_the_crossover_payer_forwards_to_the_secondary_which_pays_on_its_own(
    desk: Desk, primary_id: str, secondary: str, secondary_id: str
) -> None:
    # Cascade is primary and forwards claims by itself, like Medicare.
    sent = claim(desk.world, desk.member("cascade", primary_id), [line(1, "99213", "150.00", DAY)])
    ack = await desk.adapters["cascade"].submit_claim(sent, "PGWCROSS1")
    assert ack.accepted

    (primary,) = await desk.claim_payments("cascade", "PGWCROSS1")
    assert primary.status.code == "19"  # processed as primary, forwarded to additional payer(s)
    assert [r.code for r in primary.remarks] == ["MA18"]
    assert primary.paid == Decimal("67.00")  # 150 x 0.58 = 87.00 less the $20 copay

    (crossed,) = await desk.claim_payments(secondary, "PGWCROSS1")
    assert crossed.status.code == "2"
    assert crossed.member_id == secondary_id
    assert crossed.paid == Decimal("20.00")  # the copay Cascade left (less than its own terms)
    assert cas(crossed.lines[0].adjustments) == [("OA", "23", Decimal("130.00"), ())]
    assert balanced(crossed)


async def test_a_payer_without_crossover_does_not_forward(desk: Desk) -> None:
    # Harriet: Lakeshore primary, Summit secondary; Lakeshore leaves the secondary claim to us.
    sent = claim(
        desk.world, desk.member("lakeshore", "LHP481920337"), [line(1, "99213", "150.00", DAY)]
    )
    await desk.adapters["lakeshore"].submit_claim(sent, "PGWNOFWD1")
    (primary,) = await desk.claim_payments("lakeshore", "PGWNOFWD1")
    assert primary.status.code == "1" and primary.remarks == ()
    assert await desk.claim_payments("summit", "PGWNOFWD1") == []


async def test_a_primarys_claim_level_adjudication_is_laid_over_the_lines(desk: Desk) -> None:
    # Only claim-level amounts (no 2430 loops), and the decoder left SBR01 as P: the payer still
    # prices it as a secondary because it carries a prior payer's adjudication.
    member = desk.member("summit", "SHA227710448")
    prior = PriorPayerAdjudication(
        payer_id="LKS01",
        payer_name="Lakeshore Health Plan",
        member_id="LHP481920337",
        responsibility="P",
        paid=Decimal("68.00"),
        adjudication_date=TODAY,
        patient_responsibility=Decimal("25.00"),
        adjustments=(
            adjustment("CO", "45", Decimal("57.00")),
            adjustment("PR", "3", Decimal("25.00")),
        ),
    )
    secondary = replace(
        claim(desk.world, member, [line(1, "99213", "150.00", DAY)]), prior_payers=(prior,)
    )
    assert desk.apps["summit"].state.intake.receive(secondary, "PGWCOB004").accepted
    (paid,) = await desk.claim_payments("summit", "PGWCOB004")
    assert (paid.status.code, paid.paid) == ("2", Decimal("25.00"))
    assert cas(paid.lines[0].adjustments) == [("OA", "23", Decimal("125.00"), ())]
