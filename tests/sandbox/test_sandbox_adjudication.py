"""Sandbox payers adjudicate received claims by themselves: fee schedule and cost sharing from the
member's plan, realistic denials, pends and records requests, then a remittance in the next payment
cycle, all read back through our real adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest

from payers.model import ClaimRef, ClaimState
from payers.sandbox.clock import ClockSettings
from payers.sandbox.world import World
from tests.sandbox.conftest import TODAY
from tests.sandbox.payer_desk import Desk, balanced, cas, claim, line, open_desk

DAY = TODAY - timedelta(days=4)
HARRIET = ("lakeshore", "LHP481920337")  # active, primary at Lakeshore (rate 0.62, copay 25)
SAMUEL = ("lakeshore", "LHP562200981")  # coverage ended 100+ days ago


@pytest.fixture
async def desk(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    async with open_desk(world, monkeypatch, ClockSettings.immediate()) as opened:
        yield opened


@pytest.fixture
async def stepped(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Desk]:
    async with open_desk(world, monkeypatch, ClockSettings.stepped()) as opened:
        yield opened


async def test_an_office_visit_is_paid_at_once_from_the_fee_schedule_and_copay(desk: Desk) -> None:
    member = desk.member(*HARRIET)
    sent = claim(desk.world, member, [line(1, "99213", "150.00", DAY)])
    ack = await desk.adapters["lakeshore"].submit_claim(sent, "PGWADJ001")
    assert ack.accepted and ack.payer_claim_id

    (paid,) = await desk.claim_payments("lakeshore", "PGWADJ001")
    assert paid.payer_claim_id == ack.payer_claim_id
    assert paid.status.code == "1"
    assert (paid.charge, paid.paid, paid.patient_responsibility) == (
        Decimal("150.00"),
        Decimal("68.00"),  # allowed 150 x 0.62 = 93.00, less the $25 office copay
        Decimal("25.00"),
    )
    assert cas(paid.lines[0].adjustments) == [
        ("CO", "45", Decimal("57.00"), ()),
        ("PR", "3", Decimal("25.00"), ()),
    ]
    assert paid.lines[0].allowed_amount == Decimal("93.00")
    assert balanced(paid)
    ref = ClaimRef(member, ack.payer_claim_id, "PGWADJ001", DAY, Decimal("150.00"))
    status = await desk.adapters["lakeshore"].claim_status(ref)
    assert (status.state, status.category.code, status.paid_amount) == (
        ClaimState.FINALIZED,
        "F1",
        Decimal("68.00"),
    )


async def test_the_deductible_goes_down_across_two_claims_and_eligibility_shows_it(
    desk: Desk,
) -> None:
    member = desk.member(*HARRIET)
    left = await desk.deductible_left("lakeshore", member, TODAY)
    assert left > Decimal("100.00")
    applied = Decimal(0)
    for n, charge in enumerate(("68.00", "150.00"), start=1):
        control = f"PGWDED{n:03d}"
        sent = claim(desk.world, member, [line(1, "80061", charge, DAY - timedelta(days=n))])
        assert (await desk.adapters["lakeshore"].submit_claim(sent, control)).accepted
        (paid,) = await desk.claim_payments("lakeshore", control)
        allowed = (Decimal(charge) * Decimal("0.62")).quantize(Decimal("0.01"))
        deductible = min(allowed, left - applied)
        coinsurance = ((allowed - deductible) * Decimal("0.20")).quantize(Decimal("0.01"))
        assert paid.paid == allowed - deductible - coinsurance
        assert ("PR", "1", deductible, ()) in cas(paid.lines[0].adjustments)
        assert balanced(paid)
        applied += deductible
        assert await desk.deductible_left("lakeshore", member, TODAY) == left - applied
    assert applied == Decimal("42.16") + Decimal("93.00")


DENIALS = [
    # (why, payer, member id, code, charge, modifiers, days before today, expected CAS)
    ("coverage ended", *SAMUEL, "99213", "150.00", (), 4, ("CO", "27", ("N30",))),
    ("timely filing", *HARRIET, "99213", "150.00", (), 120, ("CO", "29", ())),
    ("authorization", *HARRIET, "70551", "1200.00", (), 4, ("CO", "197", ("N54",))),
    ("acupuncture", *HARRIET, "97810", "85.00", (), 4, ("CO", "96", ("N130",))),
    ("routine eye exam", *HARRIET, "92015", "60.00", (), 4, ("CO", "204", ())),
    ("therapy modifier", *HARRIET, "97110", "130.00", (), 4, ("CO", "4", ("N822",))),
    ("modifier combination", *HARRIET, "73610", "110.00", ("RT", "LT"), 4, ("CO", "4", ("N519",))),
    ("not yet covered", "summit", "SHA509381274", "99213", "150.00", (), 100, ("CO", "26", ("N30",))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("payer", "member_id", "code", "charge", "modifiers", "days", "expected"),
    [case[1:] for case in DENIALS],
    ids=[case[0] for case in DENIALS],
)
async def test_each_denial_cause_has_its_carc_and_rarc(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    payer: str,
    member_id: str,
    code: str,
    charge: str,
    modifiers: tuple[str, ...],
    days: int,
    expected: tuple[str, str, tuple[str, ...]],
) -> None:
    # Pends happen on a clock: run it until idle so the over-$1,000 imaging claim settles too.
    async with open_desk(world, monkeypatch, ClockSettings.stepped()) as desk:
        member = desk.member(payer, member_id)
        day = TODAY - timedelta(days=days)
        sent = claim(world, member, [line(1, code, charge, day, modifiers)])
        ack = await desk.adapters[payer].submit_claim(sent, "PGWDENY01")
        assert ack.accepted
        await desk.clock(payer, run_until_idle=True)
        (denied,) = await desk.claim_payments(payer, "PGWDENY01")
        group, carc, remarks = expected
        assert denied.status.code == "4"
        assert denied.paid == Decimal("0.00")
        assert cas(denied.lines[0].adjustments) == [(group, carc, Decimal(charge), remarks)]
        assert balanced(denied)
        ref = ClaimRef(member, ack.payer_claim_id, "PGWDENY01", day, Decimal(charge))
        status = await desk.adapters[payer].claim_status(ref)
        assert (status.state, status.category.code) == (ClaimState.DENIED, "F2")


async def test_a_duplicate_claim_under_another_control_number_is_denied_co_18(desk: Desk) -> None:
    sent = claim(desk.world, desk.member(*HARRIET), [line(1, "99213", "150.00", DAY)])
    await desk.adapters["lakeshore"].submit_claim(sent, "PGWDUP001")
    await desk.adapters["lakeshore"].submit_claim(sent, "PGWDUP002")
    (first,) = await desk.claim_payments("lakeshore", "PGWDUP001")
    (second,) = await desk.claim_payments("lakeshore", "PGWDUP002")
    assert first.status.code == "1" and first.paid == Decimal("68.00")
    assert second.status.code == "4"
    assert cas(second.lines[0].adjustments) == [("CO", "18", Decimal("150.00"), ("N111",))]


async def test_one_denied_line_leaves_the_rest_paid(desk: Desk) -> None:
    lines = [line(1, "99213", "150.00", DAY), line(2, "97810", "85.00", DAY)]
    sent = claim(desk.world, desk.member(*HARRIET), lines)
    await desk.adapters["lakeshore"].submit_claim(sent, "PGWPART01")
    (paid,) = await desk.claim_payments("lakeshore", "PGWPART01")
    assert paid.status.code == "1"
    assert [p.paid for p in paid.lines] == [Decimal("68.00"), Decimal("0.00")]
    assert paid.paid == Decimal("68.00")
    assert cas(paid.lines[1].adjustments) == [("CO", "96", Decimal("85.00"), ("N130",))]
    assert balanced(paid)


async def test_a_claim_over_1000_pends_then_is_adjudicated_then_paid_in_the_next_cycle(
    stepped: Desk,
) -> None:
    desk = stepped
    member = desk.member(*HARRIET)
    lines = [line(1, "99215", "350.00", DAY), line(2, "20610", "900.00", DAY)]
    ack = await desk.adapters["lakeshore"].submit_claim(
        claim(desk.world, member, lines), "PGWPEND01"
    )
    ref = ClaimRef(member, ack.payer_claim_id, "PGWPEND01", DAY, Decimal("1250.00"))

    async def state() -> tuple[ClaimState, str, str | None]:
        status = await desk.adapters["lakeshore"].claim_status(ref)
        return status.state, status.category.code, status.status.code if status.status else None

    assert await state() == (ClaimState.ACKNOWLEDGED, "A1", "19")
    step = await desk.clock("lakeshore", advance_seconds=89)
    assert step["moved"] == [] and step["remittances"] == []
    step = await desk.clock("lakeshore", advance_seconds=1)
    assert [(m["control_number"], m["category"], m["status"]) for m in step["moved"]] == [
        ("PGWPEND01", "P1", "20")
    ]
    assert await state() == (ClaimState.PENDING, "P1", "20")
    step = await desk.clock("lakeshore", advance_seconds=60)
    assert [(m["category"], m["status"]) for m in step["moved"]] == [("F1", "65")]
    assert await desk.claim_payments("lakeshore", "PGWPEND01") == []  # awaits the payment cycle
    step = await desk.clock("lakeshore", advance_seconds=60)
    assert len(step["remittances"]) == 1
    (paid,) = await desk.claim_payments("lakeshore", "PGWPEND01")
    assert paid.paid > 0 and balanced(paid)


async def test_an_unlisted_procedure_asks_for_records_first(stepped: Desk) -> None:
    desk = stepped
    member = desk.member(*HARRIET)
    ack = await desk.adapters["lakeshore"].submit_claim(
        claim(desk.world, member, [line(1, "20999", "400.00", DAY)]), "PGWINFO01"
    )
    step = await desk.clock("lakeshore", advance_seconds=90)
    assert [(m["category"], m["status"]) for m in step["moved"]] == [("R4", "123")]
    ref = ClaimRef(member, ack.payer_claim_id, "PGWINFO01", DAY, Decimal("400.00"))
    status = await desk.adapters["lakeshore"].claim_status(ref)
    assert status.state is ClaimState.INFORMATION_REQUESTED
    step = await desk.clock("lakeshore", run_until_idle=True)
    assert [m["category"] for m in step["moved"]] == ["F1"]
    assert len(step["remittances"]) == 1


async def test_the_clock_control_route(stepped: Desk) -> None:
    control = stepped.controls["lakeshore"]
    before = (await control.get("/_control/clock")).json()
    assert before["settings"]["realtime"] is False
    assert before["now"].startswith(TODAY.isoformat())
    after = await stepped.clock("lakeshore", advance_seconds=3600)
    assert after["now"] > before["now"] and after["moved"] == []
    for body in ({}, {"advance_seconds": -1}, {"advance_seconds": "9"}, {"run_until_idle": 1}, []):
        answer = await control.post("/_control/clock", json=body)
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "INVALID"
    assert (await control.post("/_control/clock", content=b"{")).status_code == 400
    for raw in (b'{"advance_seconds": NaN}', b'{"advance_seconds": 1e300}'):
        assert (await control.post("/_control/clock", content=raw)).status_code == 400
    assert (await control.put("/_control/clock", json={})).status_code == 405
