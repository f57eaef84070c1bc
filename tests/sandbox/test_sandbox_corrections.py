"""Replacements (frequency 7) and voids (frequency 8) at the sandbox payers: the original's payment
is reversed in the next remittance (CLP02 22, every amount negated), a replacement is adjudicated
anew under the original's claim number family, and an unknown original is refused at the door."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest

from payers.model import ClaimState
from payers.sandbox.clock import ClockSettings
from payers.sandbox.world import World
from tests.sandbox.conftest import TODAY
from tests.sandbox.payer_desk import Desk, balanced, cas, claim, line, open_desk

DAY = TODAY - timedelta(days=6)
HARRIET = ("lakeshore", "LHP481920337")


@pytest.fixture
async def desk(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    async with open_desk(world, monkeypatch, ClockSettings.immediate()) as opened:
        yield opened


async def _paid_original(desk: Desk) -> str:
    sent = claim(desk.world, desk.member(*HARRIET), [line(1, "99213", "150.00", DAY)])
    ack = await desk.adapters["lakeshore"].submit_claim(sent, "PGWORIG01")
    (paid,) = await desk.claim_payments("lakeshore", "PGWORIG01")
    assert paid.paid == Decimal("68.00")
    assert ack.payer_claim_id
    return ack.payer_claim_id


async def test_a_replacement_reverses_the_original_and_is_paid_anew_in_the_same_family(
    desk: Desk,
) -> None:
    original_id = await _paid_original(desk)
    lines = [line(1, "99214", "210.00", DAY)]
    replacement = claim(
        desk.world, desk.member(*HARRIET), lines, frequency="7", original=original_id
    )
    ack = await desk.adapters["lakeshore"].submit_claim(replacement, "PGWREPL01")
    assert ack.accepted
    assert ack.payer_claim_id == f"{original_id}-01"

    first, reversal = await desk.claim_payments("lakeshore", "PGWORIG01")
    assert reversal.status.code == "22"
    assert reversal.payer_claim_id == original_id
    assert (reversal.charge, reversal.paid, reversal.patient_responsibility) == (
        -first.charge,
        -first.paid,
        -(first.patient_responsibility or Decimal(0)),
    )
    assert cas(reversal.lines[0].adjustments) == [
        (g, c, -amount, r) for g, c, amount, r in cas(first.lines[0].adjustments)
    ]
    assert balanced(reversal)
    (new,) = await desk.claim_payments("lakeshore", "PGWREPL01")
    assert new.payer_claim_id == f"{original_id}-01"
    assert new.paid == Decimal("105.20")  # 210 x 0.62 = 130.20 allowed, less the $25 copay
    # The reversal and the replacement's payment travel in the same remittance.
    payments = await desk.payments("lakeshore", TODAY)
    (together,) = [p for p in payments if any(c.control_number == "PGWREPL01" for c in p.claims)]
    assert {c.control_number for c in together.claims} == {"PGWORIG01", "PGWREPL01"}
    assert together.amount == Decimal("105.20") - Decimal("68.00")


async def test_a_void_reverses_the_original_and_is_never_paid_itself(desk: Desk) -> None:
    original_id = await _paid_original(desk)
    void = claim(
        desk.world,
        desk.member(*HARRIET),
        [line(1, "99213", "150.00", DAY)],
        frequency="8",
        original=original_id,
    )
    ack = await desk.adapters["lakeshore"].submit_claim(void, "PGWVOID01")
    assert ack.accepted and ack.status is not None
    assert ack.status.state is ClaimState.ACKNOWLEDGED
    _, reversal = await desk.claim_payments("lakeshore", "PGWORIG01")
    assert (reversal.status.code, reversal.paid) == ("22", Decimal("-68.00"))
    assert await desk.claim_payments("lakeshore", "PGWVOID01") == []
    # The reversal alone exceeds the cycle's payments: the debt is carried forward (PLB FB).
    (remittance,) = [
        p
        for p in await desk.payments("lakeshore", TODAY)
        if any(c.status.code == "22" for c in p.claims)
    ]
    assert remittance.amount == Decimal("0.00")
    assert [(a.reason.code, a.amount) for a in remittance.provider_adjustments] == [
        ("FB", Decimal("-68.00"))
    ]
    # ... and recovered from the next remittance.
    sent = claim(desk.world, desk.member(*HARRIET), [line(1, "99214", "210.00", DAY)])
    await desk.adapters["lakeshore"].submit_claim(sent, "PGWNEXT01")
    (later,) = [
        p
        for p in await desk.payments("lakeshore", TODAY)
        if any(c.control_number == "PGWNEXT01" for c in p.claims)
    ]
    assert [(a.reason.code, a.amount) for a in later.provider_adjustments] == [
        ("FB", Decimal("68.00"))
    ]
    assert later.amount == Decimal("105.20") - Decimal("68.00")


async def test_a_voided_claim_cannot_be_voided_again_nor_an_unknown_one(desk: Desk) -> None:
    original_id = await _paid_original(desk)
    member = desk.member(*HARRIET)
    lines = [line(1, "99213", "150.00", DAY)]
    void = claim(desk.world, member, lines, frequency="8", original=original_id)
    assert (await desk.adapters["lakeshore"].submit_claim(void, "PGWVOID02")).accepted
    again = await desk.adapters["lakeshore"].submit_claim(void, "PGWVOID03")
    assert not again.accepted
    unknown = claim(desk.world, member, lines, frequency="7", original="LK2599900001")
    refused = await desk.adapters["lakeshore"].submit_claim(unknown, "PGWREPL02")
    assert not refused.accepted
    assert refused.status is not None and refused.status.category.code == "A7"


async def test_the_replacement_of_a_claim_not_yet_adjudicated_supersedes_it_unpaid(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_desk(world, monkeypatch, ClockSettings.stepped()) as desk:
        member = desk.member(*HARRIET)
        sent = claim(world, member, [line(1, "99213", "150.00", DAY)])
        ack = await desk.adapters["lakeshore"].submit_claim(sent, "PGWORIG02")
        fixed = claim(
            world,
            member,
            [line(1, "99213", "150.00", DAY, modifiers=("25",))],
            frequency="7",
            original=ack.payer_claim_id,
        )
        await desk.adapters["lakeshore"].submit_claim(fixed, "PGWREPL03")
        await desk.clock("lakeshore", run_until_idle=True)
        assert await desk.claim_payments("lakeshore", "PGWORIG02") == []
        (paid,) = await desk.claim_payments("lakeshore", "PGWREPL03")
        # Not a duplicate of the claim it replaces: paid in full terms.
        assert (paid.status.code, paid.paid) == ("1", Decimal("68.00"))


async def test_a_claim_paid_before_the_sandbox_started_can_be_replaced(desk: Desk) -> None:
    book = desk.world.books["lakeshore"]
    (history,) = [
        (payment, paid)
        for payment in book.payments
        for paid in payment.claims
        if paid.control_number == "EFM1000214"
    ]
    original = history[1]
    assert original.paid > 0 and original.payer_claim_id
    oscar = desk.member("lakeshore", "LHP205517604")
    world_claim = book.find_claim(payer_claim_id=original.payer_claim_id)
    assert world_claim is not None
    day = world_claim.service_date_from
    assert day is not None
    fixed = claim(
        desk.world,
        oscar,
        [line(1, "99214", "210.00", day)],
        frequency="7",
        original=original.payer_claim_id,
    )
    ack = await desk.adapters["lakeshore"].submit_claim(fixed, "PGWREPL09")
    assert ack.accepted and ack.payer_claim_id == f"{original.payer_claim_id}-01"
    reversals = [
        c for c in await desk.claim_payments("lakeshore", "EFM1000214") if c.status.code == "22"
    ]
    assert [(r.charge, r.paid) for r in reversals] == [(-original.charge, -original.paid)]
    (paid,) = await desk.claim_payments("lakeshore", "PGWREPL09")
    assert (paid.status.code, paid.paid) == ("1", Decimal("105.20"))
    assert balanced(paid)


@pytest.mark.parametrize(
    ("payer", "member_id"),
    [("lakeshore", "LHP481920337"), ("northwind", "NWB902741186"), ("summit", "SHA300917265")],
    ids=["rest", "fhir", "x12"],
)
async def test_every_protocol_refuses_a_void_of_an_unknown_claim(
    desk: Desk, payer: str, member_id: str
) -> None:
    void = claim(
        desk.world,
        desk.member(payer, member_id),
        [line(1, "99213", "150.00", DAY)],
        frequency="8",
        original="ZZ2599900001",
    )
    ack = await desk.adapters[payer].submit_claim(void, "PGWVOID99")
    assert not ack.accepted
    assert await desk.claim_payments(payer, "PGWVOID99") == []
