"""Every protocol's payments endpoint serves the sandbox's own remittances, practice-wide: submitted
through our real adapters over loopback HTTP, paid (and reversed) by the payer's clock, read back by
``adapter.payments(None, since)`` with our control numbers and amounts to the cent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from payers.sandbox.clock import ClockSettings
from payers.sandbox.world import World
from tests.sandbox.conftest import TODAY
from tests.sandbox.payer_desk import balanced, cas, claim, line, open_desk

DAY = TODAY - timedelta(days=3)

CASES = [
    # payer (protocol), member, expected paid and CO 45 of a $150 99213 (fee schedule less copay)
    ("lakeshore", "LHP481920337", "68.00", "57.00", "25.00"),  # rest: 0.62, $25
    ("northwind", "NWB902741186", "67.50", "52.50", "30.00"),  # fhir: 0.65, $30
    ("summit", "SHA300917265", "55.00", "60.00", "35.00"),  # x12: 0.60, $35
]


@pytest.mark.parametrize(
    ("payer", "member_id", "paid", "contractual", "copay"),
    CASES,
    ids=["rest", "fhir", "x12"],
)
async def test_payments_carry_our_control_numbers_and_amounts_and_reversals(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    payer: str,
    member_id: str,
    paid: str,
    contractual: str,
    copay: str,
) -> None:
    async with open_desk(world, monkeypatch, ClockSettings.stepped(), loopback=True) as desk:
        adapter = desk.adapters[payer]
        before = {p.trace_number for p in await desk.payments(payer)}
        member = desk.member(payer, member_id)
        ack = await adapter.submit_claim(
            claim(world, member, [line(1, "99213", "150.00", DAY)]), "PGWWIRE01"
        )
        assert ack.accepted, ack
        assert list(await desk.payments(payer, TODAY)) == []  # not adjudicated: nothing paid today
        step = await desk.clock(payer, run_until_idle=True)
        (trace,) = step["remittances"]

        (payment,) = await desk.payments(payer, TODAY)
        assert payment.trace_number == trace and trace not in before
        assert payment.payment_date is not None and payment.payment_date >= TODAY
        (settled,) = payment.claims
        assert (settled.control_number, settled.payer_claim_id) == ("PGWWIRE01", ack.payer_claim_id)
        assert settled.status.code == "1"
        assert (settled.charge, settled.paid, settled.patient_responsibility) == (
            Decimal("150.00"),
            Decimal(paid),
            Decimal(copay),
        )
        assert payment.amount == Decimal(paid)
        assert cas(settled.lines[0].adjustments) == [
            ("CO", "45", Decimal(contractual), ()),
            ("PR", "3", Decimal(copay), ()),
        ]
        assert balanced(settled)
        # The world's own remittances are still served, older than today.
        assert len(await desk.payments(payer)) == len(before) + 1

        void = claim(
            world,
            member,
            [line(1, "99213", "150.00", DAY)],
            frequency="8",
            original=ack.payer_claim_id,
        )
        assert (await adapter.submit_claim(void, "PGWWIRE02")).accepted
        step = await desk.clock(payer, run_until_idle=True)
        assert len(step["remittances"]) == 1
        (voided,) = [
            p
            for p in await desk.payments(payer, TODAY)
            if any(c.status.code == "22" for c in p.claims)
        ]
        # Nothing else was paid in that cycle: nothing is sent and the debt is carried (PLB FB).
        assert voided.amount == Decimal("0.00")
        assert [(a.reason.code, a.amount) for a in voided.provider_adjustments] == [
            ("FB", -Decimal(paid))
        ]
        (reversal,) = voided.claims
        assert (reversal.control_number, reversal.payer_claim_id) == (
            "PGWWIRE01",
            ack.payer_claim_id,
        )
        assert (reversal.charge, reversal.paid) == (Decimal("-150.00"), -Decimal(paid))
        assert cas(reversal.lines[0].adjustments) == [
            ("CO", "45", -Decimal(contractual), ()),
            ("PR", "3", -Decimal(copay), ()),
        ]
