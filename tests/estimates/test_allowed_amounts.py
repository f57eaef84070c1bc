"""Allowed amounts: learned from remittances posted by the ledger (median of the latest 10 as
primary, per unit, same pricing modifier), else the fee schedule (payer before any payer, exact
modifier before bare code, in effect on the date), else the charge."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from gateway.estimates.allowed import allowed_amount
from gateway.estimates.fee_schedule import FeeEntry, set_entries
from gateway.estimates.terms import AllowedSource
from payers.codesets import lookup
from payers.model import ClaimPayment, ServiceLinePayment
from tests.corrections.ledger_rows import post
from tests.gateway.conftest import Gateway

D = Decimal
DAY = date(2026, 11, 2)


def paid_line(allowed: str, units: str = "1", modifiers: tuple[str, ...] = ()) -> ClaimPayment:
    line = ServiceLinePayment(
        procedure=lookup("procedure", "97110"),
        charge=D("200.00"),
        paid=D(allowed),
        modifiers=modifiers,
        units=D(units),
        service_date=DAY,
        allowed_amount=D(allowed),
    )
    return ClaimPayment(
        control_number=None,
        payer_claim_id=None,
        status=lookup("claim-payment-status", "1"),
        charge=D("200.00"),
        paid=D(allowed),
        patient_responsibility=D("0.00"),
        lines=(line,),
    )


async def _allowed(gateway: Gateway, modifiers: tuple[str, ...] = (), units: str = "1"):  # type: ignore[no-untyped-def]
    async with gateway.services.database.session() as session:
        return await allowed_amount(
            session, gateway.practice_id, "summit", "97110", modifiers, D(units), D("200.00"), DAY
        )


async def test_fee_schedule_then_learned(gateway: Gateway) -> None:
    database = gateway.services.database
    assert (await _allowed(gateway)).source is AllowedSource.CHARGE
    async with database.transaction() as session:
        await set_entries(
            session,
            gateway.practice_id,
            [
                FeeEntry(None, "97110", None, D("30.00"), DAY - timedelta(days=30)),
                FeeEntry("summit", "97110", None, D("31.50"), DAY - timedelta(days=400)),
                FeeEntry("summit", "97110", None, D("99.00"), DAY + timedelta(days=1)),  # later
                FeeEntry("summit", "97110", "52", D("20.00"), DAY - timedelta(days=30)),
            ],
            "tester",
        )
    scheduled = await _allowed(gateway, units="2")
    assert (scheduled.amount, scheduled.source) == (D("63.00"), AllowedSource.FEE_SCHEDULE)
    assert (await _allowed(gateway, ("52", "GP"))).amount == D("20.00")

    # 12 remittances, oldest first: 40, 41, ... 51 per unit; the latest 10 are 42..51: median 46.50
    for n in range(12):
        await post(
            database,
            gateway.practice_id,
            "summit",
            paid_line(str(D(40 + n) * 2), units="2"),
            trace=f"LRN{n}",
            paid_on=DAY - timedelta(days=100 - n),
        )
    # a line priced as the patient's secondary and one with a pricing modifier do not count
    secondary = paid_line("5.00")
    await post(
        database,
        gateway.practice_id,
        "summit",
        replace(secondary, status=lookup("claim-payment-status", "2")),
        trace="LRN-SEC",
        paid_on=DAY,
    )
    await post(
        database,
        gateway.practice_id,
        "summit",
        paid_line("1.00", modifiers=("52",)),
        trace="LRN-52",
        paid_on=DAY,
    )
    learned = await _allowed(gateway, ("GP",))
    assert (learned.amount, learned.source, learned.count) == (
        D("46.50"),
        AllowedSource.LEARNED_FROM_REMITTANCES,
        10,
    )
    reduced = await _allowed(gateway, ("52",))
    assert (reduced.amount, reduced.count) == (D("1.00"), 1)
