"""The sandbox payer's clock (real time, demo timeline, reset) and the plan terms that bound what a
member pays (out-of-pocket maximum, urgent care copay), read through our adapters."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from payers.model import BenefitKind, CoverageLevel, Network
from payers.sandbox.clock import ClockSettings, SandboxClock
from payers.sandbox.world import World
from tests.sandbox.conftest import TODAY
from tests.sandbox.payer_desk import balanced, claim, line, open_desk

DAY = TODAY - timedelta(days=2)
HARRIET = ("lakeshore", "LHP481920337")


def test_a_realtime_clock_follows_the_wall_clock_and_steps_add_to_it() -> None:
    ticks = [100.0]
    clock = SandboxClock(ClockSettings(), TODAY, monotonic=lambda: ticks[0])
    start = clock.now()
    assert start.date() == TODAY and start.tzinfo is not None
    ticks[0] += 30
    assert clock.now() - start == timedelta(seconds=30)
    clock.advance(60)
    assert clock.now() - start == timedelta(seconds=90)
    stepped = SandboxClock(ClockSettings.stepped(), TODAY, monotonic=lambda: ticks[0])
    ticks[0] += 1000
    assert stepped.now() == stepped.start
    with pytest.raises(ValueError, match="advance_seconds"):
        stepped.advance(-1)
    with pytest.raises(ValueError, match="pend_seconds"):
        ClockSettings(pend_seconds=-1)


async def test_on_the_demo_timeline_even_a_pended_claim_is_paid_within_three_minutes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = ClockSettings.demo()
    assert demo.realtime
    settings = ClockSettings(
        demo.adjudicate_after_seconds, demo.pend_seconds, demo.payment_cycle_seconds, False
    )
    async with open_desk(world, monkeypatch, settings) as desk:
        start = datetime.fromisoformat(
            (await desk.controls["lakeshore"].get("/_control/clock")).json()["now"]
        )
        lines = [line(1, "99215", "350.00", DAY), line(2, "20610", "900.00", DAY)]
        sent = claim(world, desk.member(*HARRIET), lines)
        assert (await desk.adapters["lakeshore"].submit_claim(sent, "PGWDEMO01")).accepted
        step = await desk.clock("lakeshore", run_until_idle=True)
        assert [m["category"] for m in step["moved"]] == ["P1", "F1"]
        assert len(step["remittances"]) == 1
        assert datetime.fromisoformat(step["now"]) - start <= timedelta(minutes=3)


async def test_reset_forgets_received_claims_their_payments_and_what_they_spent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_desk(world, monkeypatch, ClockSettings.immediate()) as desk:
        member = desk.member(*HARRIET)
        left = await desk.deductible_left("lakeshore", member, TODAY)
        sent = claim(world, member, [line(1, "80061", "68.00", DAY)])
        await desk.adapters["lakeshore"].submit_claim(sent, "PGWRESET1")
        assert await desk.claim_payments("lakeshore", "PGWRESET1")
        assert await desk.deductible_left("lakeshore", member, TODAY) < left
        assert (await desk.controls["lakeshore"].post("/_control/reset")).status_code == 200
        assert await desk.claim_payments("lakeshore", "PGWRESET1") == []
        assert await desk.deductible_left("lakeshore", member, TODAY) == left


async def test_a_members_payments_hold_only_their_claims(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_desk(world, monkeypatch, ClockSettings.stepped()) as desk:
        harriet = desk.member(*HARRIET)
        oscar = desk.member("lakeshore", "LHP205517604")
        for control, member in (("PGWMINE01", harriet), ("PGWMINE02", oscar)):
            sent = claim(world, member, [line(1, "99213", "150.00", DAY)])
            await desk.adapters["lakeshore"].submit_claim(sent, control)
        step = await desk.clock("lakeshore", run_until_idle=True)
        assert len(step["remittances"]) == 1  # one payee, one cycle: both claims together
        (whole,) = await desk.payments("lakeshore", TODAY)
        assert {c.control_number for c in whole.claims} == {"PGWMINE01", "PGWMINE02"}
        (mine,) = await desk.adapters["lakeshore"].payments(harriet, TODAY)
        assert [c.control_number for c in mine.claims] == ["PGWMINE01"]
        assert mine.trace_number == whole.trace_number


async def test_the_patient_never_pays_beyond_the_out_of_pocket_maximum(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_desk(world, monkeypatch, ClockSettings.immediate()) as desk:
        member = desk.member(*HARRIET)

        async def out_of_pocket_left() -> Decimal:
            result = await desk.adapters["lakeshore"].check_eligibility(member, ["30"], TODAY)
            return next(
                b.remaining
                for b in result.benefits
                if b.kind is BenefitKind.OUT_OF_POCKET
                and b.network is Network.IN_NETWORK
                and b.coverage_level is CoverageLevel.INDIVIDUAL
            )

        cap = await out_of_pocket_left()
        # Allowed 24,800.00: deductible plus 20% would be more than any member has left.
        sent = claim(world, member, [line(1, "27447", "40000.00", DAY)], place="22")
        await desk.adapters["lakeshore"].submit_claim(sent, "PGWOOP001")
        await desk.clock("lakeshore", run_until_idle=True)
        (paid,) = await desk.claim_payments("lakeshore", "PGWOOP001")
        assert paid.patient_responsibility == cap
        assert paid.paid == Decimal("24800.00") - cap
        assert balanced(paid)
        assert await out_of_pocket_left() == Decimal("0.00")


async def test_an_urgent_care_visit_takes_the_urgent_care_copay(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_desk(world, monkeypatch, ClockSettings.immediate()) as desk:
        sent = claim(world, desk.member(*HARRIET), [line(1, "99213", "150.00", DAY)], place="20")
        await desk.adapters["lakeshore"].submit_claim(sent, "PGWURGENT")
        (paid,) = await desk.claim_payments("lakeshore", "PGWURGENT")
        assert (paid.paid, paid.patient_responsibility) == (Decimal("18.00"), Decimal("75.00"))


async def test_a_clock_started_months_back_is_paced_in_days_then_set_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the demo's history seeder relies on: a start day in the past, claims taking the days
    ``pace`` says, and the demo's pace again for claims received afterwards."""
    start_on = TODAY - timedelta(days=120)
    settings = ClockSettings(45, 45, 30, realtime=False, start_on=start_on)
    async with open_desk(world, monkeypatch, settings) as desk:
        clock = (await desk.controls["lakeshore"].get("/_control/clock")).json()
        assert datetime.fromisoformat(clock["now"]).date() == start_on
        assert clock["settings"]["start_on"] == start_on.isoformat()
        paced = await desk.clock("lakeshore", pace={"adjudicate_after_seconds": 9 * 86400})
        assert paced["moved"] == []
        served = start_on + timedelta(days=1)
        sent = claim(world, desk.member(*HARRIET), [line(1, "99213", "145.00", served)])
        assert (await desk.adapters["lakeshore"].submit_claim(sent, "PGWPACE01")).accepted
        assert (await desk.clock("lakeshore", advance_seconds=8 * 86400))["remittances"] == []
        step = await desk.clock("lakeshore", advance_seconds=2 * 86400)
        assert len(step["remittances"]) == 1
        [payment] = [
            p for p in await desk.payments("lakeshore") if p.trace_number in step["remittances"]
        ]
        assert payment.payment_date == start_on + timedelta(days=9)
        back = await desk.clock("lakeshore", pace={"adjudicate_after_seconds": 45})
        assert back["now"]
        assert (await desk.controls["lakeshore"].get("/_control/clock")).json()["settings"][
            "adjudicate_after_seconds"
        ] == 45


@pytest.mark.parametrize(
    "body",
    [
        {"pace": {}},
        {"pace": {"payment_cycle_seconds": 1}},
        {"pace": {"pend_seconds": -1}},
        {"pace": 5},
    ],
)
async def test_a_malformed_pace_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, body: dict[str, object]
) -> None:
    async with open_desk(world, monkeypatch, ClockSettings.stepped()) as desk:
        answer = await desk.controls["lakeshore"].post("/_control/clock", json=body)
        assert answer.status_code == 400 and "pace" in answer.text
